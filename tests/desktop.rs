//! Desktop integration: `make install PREFIX=…` puts the binary, the
//! .desktop file (its MimeType line made from the GStreamer plugins
//! installed here), the AppStream metainfo, the icons and the manual page
//! in place, and the files pass `desktop-file-validate` and `appstreamcli
//! validate`.

use std::path::Path;
use std::process::Command;

fn run(command: &mut Command) -> std::process::Output {
    let output = command.output().unwrap_or_else(|e| {
        panic!("{command:?} could not run ({e}); scripts/setup.sh test installs it")
    });
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn make_install_puts_valid_desktop_files_in_place() {
    let prefix = tempfile::tempdir().unwrap();
    let root = prefix.path();
    run(Command::new("make")
        .arg("-s")
        .arg("install")
        .arg(format!("PREFIX={}", root.display()))
        .arg(format!("BIN={}", env!("CARGO_BIN_EXE_framescope")))
        // The C library in the debug build `tests/capi.rs` makes too, not a
        // second, release build of the whole library.
        .env("CAPI_PROFILE", "debug")
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    let id = "org.framescope.Framescope";
    let desktop = root.join(format!("share/applications/{id}.desktop"));
    let metainfo = root.join(format!("share/metainfo/{id}.metainfo.xml"));
    for file in [
        root.join("bin/framescope"),
        desktop.clone(),
        metainfo.clone(),
        root.join(format!("share/icons/hicolor/scalable/apps/{id}.svg")),
        root.join(format!(
            "share/icons/hicolor/symbolic/apps/{id}-symbolic.svg"
        )),
        root.join(format!("share/icons/hicolor/48x48/apps/{id}.png")),
        root.join("share/man/man1/framescope.1"),
        root.join("share/locale/zh_CN/LC_MESSAGES/framescope.mo"),
    ] {
        assert!(file.is_file(), "{} was not installed", file.display());
    }
    // The installed binary finds the installed catalog (its prefix's
    // share/locale) and speaks Chinese under LANGUAGE=zh_CN.
    let help = run(Command::new(root.join("bin/framescope"))
        .arg("--help")
        .env("LANGUAGE", "zh_CN")
        .env("LANG", "C.UTF-8"));
    assert!(String::from_utf8_lossy(&help.stdout).contains("以全屏启动"));
    let version = run(Command::new(root.join("bin/framescope")).arg("--version"));
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));

    run(Command::new("desktop-file-validate").arg(&desktop));
    run(Command::new("appstreamcli")
        .args(["validate", "--no-net"])
        .arg(&metainfo));
    let text = std::fs::read_to_string(&desktop).unwrap();
    let mime = text
        .lines()
        .find_map(|l| l.strip_prefix("MimeType="))
        .expect("a MimeType line");
    // Formats whose demuxers scripts/setup.sh installs (plugins-good).
    for expected in ["video/mp4", "video/webm", "video/x-matroska", "video/ogg"] {
        assert!(
            mime.split(';').any(|m| m == expected),
            "{expected} missing: {mime}"
        );
    }
    assert!(!mime.contains('@'), "placeholder left: {mime}");
    // The AppStream id names the installed desktop file.
    let xml = std::fs::read_to_string(&metainfo).unwrap();
    assert!(xml.contains(&format!(
        "<launchable type=\"desktop-id\">{id}.desktop</launchable>"
    )));
    assert!(Path::new(&desktop)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with(id));
}
