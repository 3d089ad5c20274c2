//! Translations (text domain `framescope`, `po/`): the committed template
//! `po/framescope.pot` is what `scripts/update-pot.sh` makes of the sources
//! now; the Simplified Chinese catalog is complete (no untranslated or
//! fuzzy entry, every template message in it, each translation with the
//! English one's `{placeholders}`); and the executable speaks Chinese under
//! `LANGUAGE=zh_CN`, from the build tree: the command line's error
//! sentences (clap's errors among them) and `--help`, the `inspect` and
//! `check` reports, and the app's error page and main menu, read
//! over AT-SPI as a screen reader reads them (`tests/i18n/atspi_text.py`).
//!
//! Needs gettext's tools (`xgettext`, `msgfmt`, `msgcmp`: Debian's
//! `gettext`) and, for the app, what `tests/accessibility.rs` needs
//! (`dbus-run-session`, `at-spi2-core`, `python3-pyatspi`, `xdotool`); all
//! come from `scripts/setup.sh`. Everything else cargo runs here is kept
//! English by `.cargo/config.toml`.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a gettext tool, failing with a hint when it is not installed.
fn tool(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} could not run ({e}); `scripts/setup.sh deps` installs gettext")
        })
}

/// The template without its creation date, which changes on every run.
fn without_date(pot: &str) -> String {
    pot.lines()
        .filter(|l| !l.starts_with("\"POT-Creation-Date:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn template_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("framescope.pot");
    let out = Command::new("bash")
        .arg(root().join("scripts/update-pot.sh"))
        .arg(&fresh)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "scripts/update-pot.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = std::fs::read_to_string(&fresh).unwrap();
    let committed = std::fs::read_to_string(root().join("po/framescope.pot")).unwrap();
    if without_date(&fresh) != without_date(&committed) {
        let old: std::collections::BTreeSet<&str> = committed
            .lines()
            .filter(|l| l.starts_with("msgid "))
            .collect();
        let new: std::collections::BTreeSet<&str> =
            fresh.lines().filter(|l| l.starts_with("msgid ")).collect();
        panic!(
            "po/framescope.pot is stale: run scripts/update-pot.sh, then \
             `msgmerge --update po/zh_CN.po po/framescope.pot` and translate.\n\
             new messages: {:?}\ngone: {:?}",
            new.difference(&old).collect::<Vec<_>>(),
            old.difference(&new).collect::<Vec<_>>()
        );
    }
}

/// The `{name}` placeholders of a message, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('}') else { break };
        let name = &rest[..close];
        if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            names.push(name.to_string());
        }
        rest = &rest[close + 1..];
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn chinese_translation_is_complete() {
    let linguas = std::fs::read_to_string(root().join("po/LINGUAS")).unwrap();
    assert!(
        linguas.lines().any(|l| l.trim() == "zh_CN"),
        "po/LINGUAS lists zh_CN"
    );
    let stats = tool(
        "msgfmt",
        &["-c", "--statistics", "-o", "/dev/null", "po/zh_CN.po"],
    );
    let said = String::from_utf8_lossy(&stats.stderr).to_string();
    assert!(
        stats.status.success(),
        "msgfmt -c refuses po/zh_CN.po: {said}"
    );
    assert!(
        said.contains("translated") && !said.contains("fuzzy") && !said.contains("untranslated"),
        "po/zh_CN.po has fuzzy or untranslated messages: {said}"
    );
    let compared = tool("msgcmp", &["po/zh_CN.po", "po/framescope.pot"]);
    assert!(
        compared.status.success(),
        "po/zh_CN.po lacks messages of po/framescope.pot (msgmerge it): {}",
        String::from_utf8_lossy(&compared.stderr)
    );
    // Each translation keeps the English placeholders (a translation that
    // does not is never shown: src/i18n.rs falls back to English).
    let po = std::fs::read_to_string(root().join("po/zh_CN.po")).unwrap();
    let mut msgid = None;
    let mut wrong = Vec::new();
    for line in po.lines() {
        if let Some(id) = line.strip_prefix("msgid \"") {
            msgid = Some(id.trim_end_matches('"').to_string());
        } else if let Some(text) = line.strip_prefix("msgstr \"") {
            let text = text.trim_end_matches('"');
            if let Some(id) = msgid.take() {
                if !id.is_empty() && placeholders(&id) != placeholders(text) {
                    wrong.push(format!("{id} -> {text}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "placeholders differ: {wrong:#?}");
}

/// The executable under `LANGUAGE=zh_CN` (with a UTF-8 locale: glibc
/// ignores `LANGUAGE` in the plain C locale).
fn chinese(command: &mut Command) -> &mut Command {
    command
        .env("LANGUAGE", "zh_CN")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
}

#[test]
fn command_line_speaks_chinese() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("i18n-missing.mp4");
    let _ = std::fs::remove_file(&missing);
    let missing = missing.display().to_string();

    let english = framescope_headless()
        .args(["inspect", &missing])
        .output()
        .unwrap();
    let english = String::from_utf8_lossy(&english.stderr).to_string();
    assert!(
        english.contains(&format!("“{missing}” does not exist; check the file name.")),
        "without LANGUAGE the sentence is English: {english}"
    );

    let out = chinese(&mut framescope_headless())
        .args(["inspect", &missing])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("framescope: “{missing}”不存在；请检查文件名。")),
        "the error sentence is in Chinese: {stderr}"
    );

    let help = chinese(&mut framescope_headless())
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for text in [
        "基于 GStreamer 的 GTK4 视频播放器",
        "用法：",
        "选项:",
        "以全屏启动",
        "打印帮助",
        "退出码：",
    ] {
        assert!(help.contains(text), "--help has “{text}”:\n{help}");
    }
    let help = chinese(&mut framescope_headless())
        .args(["snapshot", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("要写入的 PNG 文件"),
        "snapshot --help:\n{help}"
    );
    // Subcommands of subcommands too: `ctl`'s commands and their options.
    let help = chinese(&mut framescope_headless())
        .args(["ctl", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for text in [
        "通过 D-Bus 控制",
        "命令:",
        "暂停时播放，播放时暂停",
        "按进程号指定",
    ] {
        assert!(help.contains(text), "ctl --help has “{text}”:\n{help}");
    }
    let help = chinese(&mut framescope_headless())
        .args(["ctl", "seek", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("跳转落点的方式"), "ctl seek --help:\n{help}");
    let help = chinese(&mut framescope_headless())
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("检查媒体文件"), "check --help:\n{help}");
}

/// What a run with `args` (in Chinese when `in_chinese`) wrote on
/// stderr, and its exit code.
fn stderr_of(args: &[&str], in_chinese: bool) -> (Option<i32>, String) {
    let mut command = framescope_headless();
    if in_chinese {
        chinese(&mut command);
    }
    let out = command.args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn command_line_errors_speak_chinese() {
    // (arguments, the English sentence, the Chinese one, the help hint)
    let cases: &[(&[&str], &str, &str, &str)] = &[
        (
            &["--loob"],
            "framescope: there is no option “--loob”; perhaps you meant “--loop”.",
            "framescope: 没有“--loob”这个选项；您是不是指“--loop”？",
            "framescope --help",
        ),
        (
            &["--video-path", "vulkan"],
            "framescope: --video-path: unknown video path “vulkan”; use gl, software or auto.",
            "framescope: --video-path：未知的视频路径“vulkan”；请使用 gl、software 或 auto。",
            "framescope --help",
        ),
        (
            &["--start"],
            "framescope: --start needs a value: TIME.",
            "framescope: --start 需要一个值：TIME。",
            "framescope --help",
        ),
        (
            &["snapshot", "clip.mp4", "--at", "soon", "-o", "x.png"],
            "framescope: --at: “soon” is not a time; use seconds (12.5) or [HH:]MM:SS[.mmm].",
            "framescope: --at：“soon”不是时间；请使用秒数（12.5）或 [HH:]MM:SS[.mmm]。",
            "framescope snapshot --help",
        ),
        (
            &["inspect", "--bogus", "clip.mp4"],
            "framescope: there is no option “--bogus”",
            "framescope: 没有“--bogus”这个选项",
            "framescope inspect --help",
        ),
        (
            &["check"],
            "framescope: framescope check needs FILE|URI.",
            "framescope: framescope check 需要 FILE|URI。",
            "framescope check --help",
        ),
        (
            &["ctl", "seek", "1", "--mode", "fast"],
            "framescope: --mode: “fast” is not accepted; use one of accurate, keyframe, snap-before, snap-after.",
            "framescope: --mode：不接受“fast”；请使用 accurate, keyframe, snap-before, snap-after 之一。",
            "framescope ctl --help",
        ),
    ];
    for (args, english, chinese, help) in cases {
        let (code, said) = stderr_of(args, false);
        assert_eq!(code, Some(2), "{args:?}: {said}");
        assert!(said.starts_with(english), "{args:?} in English:\n{said}");
        assert!(
            said.contains(&format!("For the options, see `{help}`.")),
            "{args:?}: the hint in English:\n{said}"
        );
        assert!(
            !said.contains("error:"),
            "{args:?}: clap's own words:\n{said}"
        );
        let (code, said) = stderr_of(args, true);
        assert_eq!(code, Some(2), "{args:?}: {said}");
        assert!(said.starts_with(chinese), "{args:?} in Chinese:\n{said}");
        assert!(
            said.contains(&format!("选项说明见 `{help}`。")),
            "{args:?}: the hint in Chinese:\n{said}"
        );
        assert!(
            !said.contains("For the options") && !said.contains("error:"),
            "{args:?}: English left:\n{said}"
        );
    }
    // Help and version still print normally and exit 0.
    for flag in ["--help", "--version"] {
        let out = chinese(&mut framescope_headless())
            .arg(flag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert!(!out.stdout.is_empty() && out.stderr.is_empty(), "{flag}");
    }
}

/// `ctl`'s own sentences, not only clap's: with no session bus to reach.
#[test]
fn ctl_sentences_speak_chinese() {
    let no_bus = "unix:path=/nonexistent/framescope-test-bus";
    let mut english = framescope_headless();
    english
        .env("DBUS_SESSION_BUS_ADDRESS", no_bus)
        .args(["ctl", "state"]);
    let out = english.output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.starts_with(
            "framescope ctl: No Framescope player can be reached: there is no D-Bus session bus ("
        ),
        "in English:\n{said}"
    );
    let mut command = framescope_headless();
    chinese(&mut command)
        .env("DBUS_SESSION_BUS_ADDRESS", no_bus)
        .args(["ctl", "state"]);
    let out = command.output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.starts_with("framescope ctl: 无法联系任何 Framescope 播放器：没有 D-Bus 会话总线（"),
        "in Chinese:\n{said}"
    );
}

#[test]
fn inspect_and_check_reports_speak_chinese() {
    let clip = clip("h264_aac.mp4");
    let clip = clip.to_str().unwrap();
    let out = chinese(&mut framescope_headless())
        .args(["inspect", clip])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for label in [
        "容器：",
        "时长：",
        "可跳转：",
        "直播：",
        "流 0：",
        "视频 — ",
    ] {
        assert!(text.contains(label), "inspect has “{label}”:\n{text}");
    }
    let english = framescope_headless()
        .args(["inspect", clip])
        .output()
        .unwrap();
    let english = String::from_utf8_lossy(&english.stdout);
    assert!(
        english.contains("Container: ") && english.contains("video — "),
        "{english}"
    );
    // The JSON stays English: it is for scripts.
    let json = chinese(&mut framescope_headless())
        .args(["inspect", "--json", clip])
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&json.stdout);
    assert!(json.contains("\"type\": \"video\""), "{json}");

    let out = chinese(&mut framescope_headless())
        .args(["check", clip])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("已检查：") && text.contains("个错误，"),
        "check in Chinese:\n{text}"
    );
    // The findings' sentences too: the clip's MP4 index (moov) comes after
    // its media data (mp4mux without faststart); the kind stays English.
    let finding = text
        .lines()
        .find(|l| l.contains("index-at-end"))
        .unwrap_or_else(|| panic!("check finds the index at the end:\n{text}"));
    assert!(
        finding.contains("MP4 索引（moov）位于媒体数据之后")
            && finding.contains("ffmpeg -movflags +faststart"),
        "the finding's sentence is in Chinese:\n{text}"
    );
}

#[test]
fn app_speaks_chinese() {
    let missing_tools = common::atspi::missing_tools();
    assert!(
        missing_tools.is_empty(),
        "the app's windows cannot be read without {} (`scripts/setup.sh deps` installs them)",
        missing_tools.join(", ")
    );
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("i18n-missing-app.mp4");
    let _ = std::fs::remove_file(&missing);
    let runtime = tempfile::tempdir().expect("a runtime folder");
    let child = chinese(
        common::atspi::session("i18n/atspi_text.py", "i18n", runtime.path())
            .args(["--new-instance", "--no-resume", "--window-size", "900x560"])
            .arg(&missing),
    )
    .spawn()
    .expect("dbus-run-session starts");
    let finished = output_within(child, Duration::from_secs(90));
    let stdout = String::from_utf8_lossy(&finished.stdout);
    assert!(
        finished.status.is_some_and(|s| s.success()),
        "the app's windows could not be read ({:?}):\n{stdout}\nstderr:\n{}",
        finished.status,
        String::from_utf8_lossy(&finished.stderr)
    );
    let text: Vec<&str> = stdout.lines().filter(|l| l.starts_with("TEXT\t")).collect();
    let menu: Vec<&str> = stdout.lines().filter(|l| l.starts_with("MENU\t")).collect();
    let sentence = format!("“{}”不存在；请检查文件名。", missing.display());
    assert!(
        text.iter().any(|l| l.ends_with(&sentence)),
        "the error page says “{sentence}”; it says:\n{}",
        text.join("\n")
    );
    // The template's own strings: the error page's Details expander.
    assert!(
        text.iter().any(|l| l.ends_with("\t详细信息")),
        "the error page's “Details” is in Chinese:\n{}",
        text.join("\n")
    );
    for item in ["首选项", "键盘快捷键", "退出"] {
        assert!(
            menu.iter().any(|l| l.contains(item)),
            "the main menu has “{item}”; it has:\n{}",
            menu.join("\n")
        );
    }
}
