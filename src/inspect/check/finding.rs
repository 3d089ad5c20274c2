//! What `check` reports: a [`Finding`] (severity, kind, time, where, one
//! sentence), the [`Findings`] collector that keeps a long faulty input from
//! listing thousands of the same finding, and the [`CheckReport`] with its
//! text table.

use crate::i18n::{gettext, pad_end, pad_start, tr};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Write as _;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Works in most players, but is a fault or a risk.
    Warning,
    /// Breaks a rule of the format, or playback in common players.
    Error,
}

impl Severity {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    /// The severity in the user's language, for the text table (the JSON
    /// keeps [`Severity::word`]).
    pub fn text(self) -> String {
        match self {
            Self::Info => gettext("info"),
            Self::Warning => gettext("warning"),
            Self::Error => gettext("error"),
        }
    }
}

/// One thing `check` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// What it is: a stable kebab-case word, e.g. `dts-backwards`.
    pub kind: String,
    /// Where in the media, in seconds (the container's own timestamps for a
    /// file, time from the first segment for a playlist); null when it is
    /// about the whole input.
    pub time: Option<f64>,
    /// One sentence, in the user's language (`crate::i18n`).
    pub message: String,
    /// The variant (index in the master playlist), for playlists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<usize>,
    /// The segment's media sequence number, for playlists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<u64>,
    /// The stream's index (as `inspect` numbers them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<usize>,
    /// The frame's index in its stream, in decode order from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
}

impl Finding {
    /// A finding about the whole input (no time, no place).
    pub fn new(severity: Severity, kind: &str, message: impl Into<String>) -> Self {
        Finding {
            severity,
            kind: kind.to_string(),
            time: None,
            message: message.into(),
            variant: None,
            segment: None,
            stream: None,
            frame: None,
        }
    }

    /// The same finding at `seconds`.
    pub fn at(mut self, seconds: f64) -> Self {
        self.time = seconds.is_finite().then_some(seconds);
        self
    }

    /// The same finding at a frame of a stream.
    pub fn frame(mut self, stream: usize, frame: u64) -> Self {
        self.stream = Some(stream);
        self.frame = Some(frame);
        self
    }

    /// The same finding in a segment of a variant.
    pub fn segment(mut self, variant: Option<usize>, segment: u64) -> Self {
        self.variant = variant;
        self.segment = Some(segment);
        self
    }
}

/// Findings of one kind listed at most; the rest are counted.
const PER_KIND: usize = 20;

/// Collects findings, listing at most [`PER_KIND`] of each kind.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    list: Vec<Finding>,
    counts: HashMap<String, usize>,
}

impl Findings {
    /// Adds `finding` (counted only, once its kind is listed often enough).
    pub(crate) fn push(&mut self, finding: Finding) {
        let count = self.counts.entry(finding.kind.clone()).or_insert(0);
        *count = count.saturating_add(1);
        if *count <= PER_KIND {
            self.list.push(finding);
        }
    }

    /// The findings, with one more per kind that was cut short.
    pub(crate) fn finish(mut self) -> Vec<Finding> {
        let mut cut: Vec<(String, usize)> = self
            .counts
            .into_iter()
            .filter(|(_, n)| *n > PER_KIND)
            .collect();
        cut.sort();
        for (kind, n) in cut {
            self.list.push(Finding::new(
                Severity::Info,
                "findings-cut",
                tr(
                    "{count} more “{kind}” findings are not listed ({total} in all).",
                    &[
                        ("count", &(n - PER_KIND).to_string()),
                        ("kind", &kind),
                        ("total", &n.to_string()),
                    ],
                ),
            ));
        }
        self.list
    }
}

/// Everything `check` found in one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// The input, credentials removed.
    pub uri: String,
    /// What was checked: `media` (a file or stream), `hls` (a playlist) or
    /// `dash` (a manifest).
    pub input: String,
    /// The findings, in the order found.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The report as a readable table: one line per finding, then a summary.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}{} ({})",
            pad_end(&gettext("Checked:"), 10),
            self.uri,
            self.input
        );
        if !self.findings.is_empty() {
            // The headers and severities in the user's language; the kinds
            // are names for scripts, as in the JSON.
            let _ = writeln!(
                out,
                "\n{} {} {} {} {}",
                pad_end(&gettext("severity"), 8),
                pad_end(&gettext("kind"), 32),
                pad_start(&gettext("time"), 10),
                pad_end(&gettext("where"), 10),
                gettext("message")
            );
        }
        for f in &self.findings {
            let time = f
                .time
                .map_or_else(|| "-".to_string(), |t| format!("{t:.3}"));
            let mut place = String::new();
            if let Some(v) = f.variant {
                let _ = write!(place, "v{v}");
            }
            if let Some(s) = f.segment {
                let _ = write!(place, "{}seg {s}", if place.is_empty() { "" } else { " " });
            }
            if let (Some(s), Some(n)) = (f.stream, f.frame) {
                let _ = write!(
                    place,
                    "{}s{s} #{n}",
                    if place.is_empty() { "" } else { " " }
                );
            }
            if place.is_empty() {
                place.push('-');
            }
            let _ = writeln!(
                out,
                "{} {:<32} {:>10} {:<10} {}",
                pad_end(&f.severity.text(), 8),
                f.kind,
                time,
                place,
                f.message
            );
        }
        let _ = writeln!(
            out,
            "\n{}",
            tr(
                "{errors} error(s), {warnings} warning(s), {infos} info",
                &[
                    ("errors", &self.count(Severity::Error).to_string()),
                    ("warnings", &self.count(Severity::Warning).to_string()),
                    ("infos", &self.count(Severity::Info).to_string()),
                ]
            )
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_serialise_with_only_known_places() {
        let f = Finding::new(Severity::Error, "dts-backwards", "DTS went back.")
            .at(1.5)
            .frame(0, 12);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"severity":"error","kind":"dts-backwards","time":1.5,"message":"DTS went back.","stream":0,"frame":12}"#
        );
        let g = Finding::new(Severity::Info, "x", "y.").at(f64::NAN);
        assert_eq!(g.time, None);
    }

    #[test]
    fn a_kind_is_listed_at_most_twenty_times() {
        let mut all = Findings::default();
        for _ in 0..25 {
            all.push(Finding::new(Severity::Warning, "pts-gap", "A gap."));
        }
        let list = all.finish();
        assert_eq!(list.len(), PER_KIND + 1);
        assert_eq!(list.last().unwrap().kind, "findings-cut");
        assert!(list.last().unwrap().message.starts_with("5 more"));
    }
}
