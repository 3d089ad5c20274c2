//! Reading the app's windows over AT-SPI: the tools it takes and the
//! private session (`dbus-run-session`) a Python script with pyatspi runs
//! the app in. Used by the accessibility and translation tests.

use std::path::Path;
use std::process::{Command, Stdio};

/// The Python that has pyatspi: Debian's own, where a version manager may
/// have put another first on the path.
pub fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// What is missing to read the app's windows, if anything.
pub fn missing_tools() -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !super::runs("dbus-run-session", &["--version"]) {
        missing.push("dbus-run-session (dbus-daemon)");
    }
    if !Path::new("/usr/libexec/at-spi-bus-launcher").exists() {
        missing.push("at-spi-bus-launcher (at-spi2-core)");
    }
    if !super::runs(python(), &["-c", "import pyatspi"]) {
        missing.push("pyatspi (python3-pyatspi)");
    }
    // `--version` answers without a display (`version` needs one).
    if !super::runs("xdotool", &["--version"]) {
        missing.push("xdotool");
    }
    missing
}

/// `script` (under `tests/`) run by Python in a session bus of its own,
/// given the app's path as its first argument: add the app's arguments.
/// The app's state and settings go to folders named after `name` in the
/// test's temporary folder, its runtime folder to `runtime`, and GTK talks
/// to this session's AT-SPI bus whatever the caller's environment says.
pub fn session(script: &str, name: &str, runtime: &Path) -> Command {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut command = Command::new("dbus-run-session");
    command
        .arg("--")
        .arg(python())
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests")
                .join(script),
        )
        .arg(env!("CARGO_BIN_EXE_framescope"))
        .env("DISPLAY", super::ensure_display())
        .env("XDG_RUNTIME_DIR", runtime)
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join(format!("{name}-state")))
        .env("XDG_CONFIG_HOME", tmp.join(format!("{name}-config")))
        .env_remove("NO_AT_BRIDGE")
        .env_remove("GTK_A11Y")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}
