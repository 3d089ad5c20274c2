//! The Media tab: the facts `inspect` reads about the current media
//! (container, duration, seekability, tags and every stream's fields) in
//! key/value grids of selectable labels, or one sentence while loading or
//! when reading failed.

use crate::engine::precise;
use crate::i18n::{gettext, gettext_noop, tr};
use crate::inspect::{MediaReport, StreamReport};
use gtk::prelude::*;

/// The Media tab's widgets.
pub struct MediaTab {
    /// The page content (scrollable).
    pub root: gtk::ScrolledWindow,
    content: gtk::Box,
    /// Lines the value columns of every section up.
    keys: gtk::SizeGroup,
}

impl Default for MediaTab {
    fn default() -> Self {
        Self::new()
    }
}

impl MediaTab {
    /// An empty tab.
    pub fn new() -> Self {
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .margin_start(12)
            .margin_end(12)
            .margin_top(8)
            .margin_bottom(8)
            .build();
        let root = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&content)
            .build();
        Self {
            root,
            content,
            keys: gtk::SizeGroup::new(gtk::SizeGroupMode::Horizontal),
        }
    }

    fn clear(&self) {
        for w in self.keys.widgets() {
            self.keys.remove_widget(&w);
        }
        while let Some(child) = self.content.first_child() {
            self.content.remove(&child);
        }
    }

    /// Shows one sentence instead of facts ("Reading…", an error, "No media").
    pub fn show_message(&self, text: &str) {
        self.clear();
        let label = gtk::Label::builder()
            .label(text)
            .wrap(true)
            .selectable(true)
            .xalign(0.0)
            .margin_top(12)
            .build();
        self.content.append(&label);
    }

    /// Shows a report.
    pub fn show_report(&self, report: &MediaReport) {
        self.clear();
        self.section(&gettext("Media"), &media_rows(report));
        if !report.tags.is_empty() {
            let rows: Vec<(String, String)> = report
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            self.section(&gettext("Tags"), &rows);
        }
        for s in &report.streams {
            let title = tr(
                "Stream {index} — {kind}",
                &[("index", &s.index.to_string()), ("kind", &s.kind)],
            );
            self.section(&title, &stream_rows(s));
        }
    }

    fn section(&self, title: &str, rows: &[(String, String)]) {
        let heading = gtk::Label::builder()
            .label(title)
            .xalign(0.0)
            .margin_top(8)
            .css_classes(["heading"])
            .build();
        self.content.append(&heading);
        let grid = gtk::Grid::builder()
            .column_spacing(16)
            .row_spacing(2)
            .margin_start(12)
            .build();
        for (i, (key, value)) in rows.iter().enumerate() {
            // The keys are English in the rows (gettext_noop); tags pass through.
            let k = gtk::Label::builder()
                .label(gettext(key))
                .xalign(0.0)
                .yalign(0.0)
                .css_classes(["dim-label"])
                .build();
            let v = gtk::Label::builder()
                .label(value)
                .xalign(0.0)
                .selectable(true)
                .wrap(true)
                .wrap_mode(gtk::pango::WrapMode::WordChar)
                .hexpand(true)
                .build();
            self.keys.add_widget(&k);
            grid.attach(&k, 0, i as i32, 1, 1);
            grid.attach(&v, 1, i as i32, 1, 1);
        }
        self.content.append(&grid);
    }
}

fn yes_no(b: bool) -> String {
    gettext(if b {
        gettext_noop("yes")
    } else {
        gettext_noop("no")
    })
}

/// The container-level rows.
pub fn media_rows(r: &MediaReport) -> Vec<(String, String)> {
    vec![
        (gettext_noop("URI").into(), r.uri.clone()),
        (
            gettext_noop("Container").into(),
            r.container
                .clone()
                .unwrap_or_else(|| gettext("none (raw stream)")),
        ),
        (
            gettext_noop("Duration").into(),
            r.duration.map_or_else(
                || gettext("unknown"),
                |d| {
                    format!(
                        "{} ({d:.3} s)",
                        precise(crate::engine::clock_time((d.max(0.0) * 1e9) as u64))
                    )
                },
            ),
        ),
        (gettext_noop("Seekable").into(), yes_no(r.seekable)),
        (gettext_noop("Live").into(), yes_no(r.live)),
        (gettext_noop("Streams").into(), r.streams.len().to_string()),
    ]
}

/// The rows of one stream: only the fields it has.
pub fn stream_rows(s: &StreamReport) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = vec![(gettext_noop("Codec").into(), s.codec.clone())];
    let mut opt = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            rows.push((key.into(), v));
        }
    };
    opt(gettext_noop("Language"), s.language.clone());
    opt(
        gettext_noop("Bitrate"),
        s.bitrate.map(|b| format!("{:.0} kbit/s", b as f64 / 1e3)),
    );
    opt(
        gettext_noop("Size"),
        s.width.zip(s.height).map(|(w, h)| format!("{w} × {h}")),
    );
    opt(gettext_noop("Frame rate"), s.framerate.clone());
    opt(gettext_noop("Pixel aspect"), s.pixel_aspect_ratio.clone());
    opt(gettext_noop("Interlaced"), s.interlaced.map(yes_no));
    opt(
        gettext_noop("Bit depth"),
        s.bit_depth.map(|b| b.to_string()),
    );
    opt(gettext_noop("Colorimetry"), s.colorimetry.clone());
    opt(gettext_noop("Channels"), s.channels.map(|c| c.to_string()));
    opt(
        gettext_noop("Sample rate"),
        s.rate.map(|r| format!("{r} Hz")),
    );
    opt(gettext_noop("Sample format"), s.format.clone());
    rows.push((gettext_noop("Decodable").into(), yes_no(s.decodable)));
    rows.push((gettext_noop("Caps").into(), s.caps.clone()));
    if let Some(id) = &s.id {
        rows.push((gettext_noop("Stream ID").into(), id.clone()));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_list_only_known_fields() {
        let s = StreamReport {
            kind: "video".into(),
            codec: "H.264".into(),
            width: Some(320),
            height: Some(240),
            decodable: true,
            ..Default::default()
        };
        let rows = stream_rows(&s);
        assert!(rows.contains(&("Size".into(), "320 × 240".into())));
        assert!(!rows.iter().any(|(k, _)| k == "Channels"));
    }
}
