//! The app's log output: `tracing` events at every level, formatted as
//! usual, then redacted ([`framescope::engine::redact_text`]) before they reach
//! stderr, so no log line, from our code or a library's `tracing` call,
//! prints a password, token or pass phrase. (GStreamer's own `GST_DEBUG`
//! log is written by GStreamer itself and is not ours to filter.)

use std::io::{IsTerminal, Write};

/// Starts logging to stderr at the level `RUST_LOG` asks for (`warn` by
/// default), every line redacted.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours only on a terminal: a log file or pipe gets plain
        // `name=value` fields, which the redaction reads as such.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(RedactingStderr::default)
        .try_init();
}

/// Collects one formatted event and writes it, redacted, when dropped
/// (the formatter takes one writer per event).
#[derive(Default)]
pub struct RedactingStderr {
    line: Vec<u8>,
}

impl Write for RedactingStderr {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.line.is_empty() {
            return Ok(());
        }
        let text = framescope::engine::redact_text(&String::from_utf8_lossy(&self.line));
        self.line.clear();
        std::io::stderr().lock().write_all(text.as_bytes())
    }
}

impl Drop for RedactingStderr {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_is_redacted_as_a_whole() {
        let mut w = RedactingStderr::default();
        // Written in pieces, as a formatter may: a secret split across
        // writes is still found.
        w.write_all(b"WARN opening srt://h:9?pass").unwrap();
        w.write_all(b"phrase=SECRET1 failed\n").unwrap();
        let text = framescope::engine::redact_text(&String::from_utf8_lossy(&w.line));
        assert_eq!(text, "WARN opening srt://h:9?passphrase=*** failed\n");
        w.line.clear();
    }
}
