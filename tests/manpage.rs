//! The manual page: `framescope --print-man-page` (hidden; `make install`
//! installs its output as framescope(1)) writes roff made from the command
//! line's own definitions, so every command and option `--help` shows is in
//! it, and nothing hidden is.

use std::process::Command;

fn man_page() -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_framescope"))
        .arg("--print-man-page")
        // No display is needed: the page is written before GTK starts.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the framescope binary runs");
    assert!(
        output.status.success(),
        "--print-man-page failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "--print-man-page wrote to stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the page is UTF-8")
}

#[test]
fn print_man_page_writes_roff_with_every_command_and_option() {
    let page = man_page();
    let title = page
        .lines()
        .find(|l| l.starts_with(".TH "))
        .expect("a .TH title line");
    assert!(
        title.starts_with(".TH framescope 1"),
        "the title names framescope, section 1: {title}"
    );
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS"] {
        assert!(
            page.lines().any(|l| l == format!(".SH {section}")),
            "section {section} is missing from the page"
        );
    }
    assert!(page.contains(".SH \"EXIT STATUS\""), "no EXIT STATUS");
    // The subcommands, with their synopses and options.
    for name in ["inspect", "check", "snapshot"] {
        assert!(
            page.lines().any(|l| l == format!(".SS {name}")),
            "the {name} command has no subsection"
        );
        assert!(
            page.contains(&format!("\\fBframescope {name}\\fR")),
            "no synopsis for framescope {name}"
        );
    }
    // Options of the player and of each subcommand (roff escapes '-').
    for option in [
        "kiosk",
        "start",
        "rate",
        "stats\\-json",
        "video\\-path",
        "new\\-instance",
        "tls\\-ca\\-file",
        "json",
        "frames",
        "gop",
        "duration",
        "at",
        "output",
        "keyframe",
    ] {
        assert!(
            page.contains(&format!("\\fB\\-\\-{option}\\fR")),
            "option --{} is not on the page",
            option.replace("\\-", "-")
        );
    }
    assert!(
        !page.contains("print\\-man\\-page"),
        "the hidden --print-man-page option is on the page"
    );
}

#[test]
fn man_renders_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("framescope.1");
    std::fs::write(&file, man_page()).unwrap();
    let output = match Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            eprintln!("skipped: man could not run ({e}); install man-db to check the rendering");
            return;
        }
    };
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "man -l failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "NAME",
        "SYNOPSIS",
        "--kiosk",
        "framescope inspect",
        "EXIT STATUS",
    ] {
        assert!(
            text.contains(expected),
            "the rendered page has no “{expected}”:\n{text}"
        );
    }
}
