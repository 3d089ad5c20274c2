//! The GOP tab: the scanned frames fed to
//! [`GopAnalyzer`](crate::inspect::GopAnalyzer), shown as GOP count,
//! length spread in frames and seconds, open/closed, bitrate and a
//! histogram of GOP lengths.

use super::chart::{self, Area};
use crate::i18n::{gettext, gettext_noop};
use crate::inspect::{FrameRecord, GopAnalyzer, GopReport};
use gtk::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The GOP report of the first video stream among `frames` (decode order).
pub fn analyse(frames: &[FrameRecord]) -> Option<GopReport> {
    let mut analyzer = GopAnalyzer::default();
    for f in frames {
        analyzer.add(f);
    }
    analyzer.finish().into_iter().next()
}

/// How many GOPs have each length in frames, shortest first.
pub fn histogram(report: &GopReport) -> Vec<(u64, usize)> {
    let mut counts = BTreeMap::new();
    for g in &report.gops {
        *counts.entry(g.frames).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

/// The facts as (name, value) rows.
pub fn rows(r: &GopReport) -> Vec<(String, String)> {
    let spread = |s: &Option<crate::inspect::gop::Spread>, unit: &str, digits: usize| {
        s.as_ref().map_or_else(
            || "—".to_string(),
            |s| {
                format!(
                    "min {:.d$}{unit}, mean {:.d$}{unit}, max {:.d$}{unit}",
                    s.min,
                    s.mean,
                    s.max,
                    d = digits
                )
            },
        )
    };
    vec![
        (gettext_noop("GOPs").into(), r.gops.len().to_string()),
        (
            gettext_noop("Length (frames)").into(),
            spread(&r.frames, "", 1),
        ),
        (
            gettext_noop("Length (seconds)").into(),
            spread(&r.seconds, " s", 3),
        ),
        (
            gettext_noop("Structure").into(),
            match r.closed {
                Some(true) => "closed (every GOP decodes on its own)".into(),
                Some(false) => "open (some pictures reference the previous GOP)".into(),
                None => "unknown (frames without timestamps)".into(),
            },
        ),
        (
            gettext_noop("Bitrate").into(),
            r.bitrate.as_ref().map_or_else(
                || "—".into(),
                |b| {
                    format!(
                        "mean {}, peak {} (1 s window)",
                        chart::bitrate_label(b.mean),
                        chart::bitrate_label(b.peak)
                    )
                },
            ),
        ),
    ]
}

/// The GOP tab's widgets.
pub struct GopTab {
    /// The page.
    pub root: gtk::Box,
    facts: gtk::Label,
    /// The histogram.
    pub chart: gtk::DrawingArea,
    report: Rc<RefCell<Option<GopReport>>>,
}

impl Default for GopTab {
    fn default() -> Self {
        Self::new()
    }
}

impl GopTab {
    /// An empty tab.
    pub fn new() -> Self {
        let root = gtk::Box::new(gtk::Orientation::Vertical, 6);
        let facts = gtk::Label::builder()
            .xalign(0.0)
            .yalign(0.0)
            .selectable(true)
            .wrap(true)
            .margin_start(12)
            .margin_top(8)
            .build();
        let report: Rc<RefCell<Option<GopReport>>> = Rc::default();
        let chart = gtk::DrawingArea::builder()
            .content_height(200)
            .vexpand(true)
            .build();
        let chart_report = report.clone();
        chart.set_draw_func(move |area, cr, w, h| {
            draw_histogram(area, cr, w, h, chart_report.borrow().as_ref())
        });
        root.append(&facts);
        root.append(&chart);
        let tab = Self {
            root,
            facts,
            chart,
            report,
        };
        tab.show_message(&gettext("No frames scanned yet."));
        tab
    }

    /// Shows one sentence instead of a report.
    pub fn show_message(&self, text: &str) {
        self.report.replace(None);
        self.facts.set_text(text);
        self.chart.queue_draw();
    }

    /// Shows a report.
    pub fn show_report(&self, report: GopReport) {
        let markup: Vec<String> = rows(&report)
            .iter()
            .map(|(k, v)| {
                format!(
                    "<b>{}</b>  {}",
                    glib::markup_escape_text(&gettext(k)),
                    glib::markup_escape_text(v)
                )
            })
            .collect();
        self.facts.set_markup(&markup.join("\n"));
        self.report.replace(Some(report));
        self.chart.queue_draw();
    }

    /// The report shown.
    pub fn report(&self) -> Option<GopReport> {
        self.report.borrow().clone()
    }
}

fn draw_histogram(
    area: &gtk::DrawingArea,
    cr: &gtk::cairo::Context,
    w: i32,
    h: i32,
    report: Option<&GopReport>,
) {
    let fg = chart::foreground(area);
    chart::title(cr, &gettext("GOP lengths (frames): number of GOPs"), fg);
    let Some(report) = report.filter(|r| !r.gops.is_empty()) else {
        chart::placeholder(cr, w, h, &gettext("No GOPs yet"), fg);
        return;
    };
    let bins = histogram(report);
    let (lo, hi) = (bins[0].0, bins[bins.len() - 1].0);
    // One slot per length, with room either side so a single length does
    // not fill the chart; at most 120 slots (lengths share them beyond).
    let pad = ((hi - lo) / 10).max(3);
    let (first, last) = (lo.saturating_sub(pad).max(1), hi + pad);
    let span = (last - first + 1) as usize;
    let n = span.min(120);
    let mut plot = Area::plot(w, h);
    plot.h -= 14.0;
    let top = chart::nice_max(bins.iter().map(|b| b.1 as f64).fold(0.0, f64::max));
    chart::axes(
        cr,
        plot,
        &format!("{top:.0}"),
        (&first.to_string(), &last.to_string()),
        fg,
    );
    let slot = plot.w / n as f64;
    for (len, count) in &bins {
        let i = ((len - first) as usize * n / span).min(n - 1);
        chart::bar(cr, plot, i, n, *count as f64, top, chart::P_COLOUR);
        let label = format!("{len} frames: {count}");
        let tw = chart::text_width(cr, &label, 10.0);
        let x = plot.x + (i as f64 + 0.5) * slot - tw / 2.0;
        let y = plot.y_of(*count as f64, top) - 4.0;
        chart::text(
            cr,
            x.clamp(plot.x, plot.x + plot.w - tw),
            y.max(plot.y + 10.0),
            &label,
            10.0,
            fg,
        );
    }
    chart::text(
        cr,
        plot.x + plot.w / 2.0 - 40.0,
        plot.y + plot.h + 30.0,
        "frames per GOP",
        10.0,
        fg,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_lengths() {
        let frames: Vec<FrameRecord> = (0..70)
            .map(|i| FrameRecord {
                stream: 0,
                pts: Some(i * 33_333_333),
                dts: None,
                duration: Some(33_333_333),
                size: 100,
                keyframe: i % 30 == 0,
                picture_type: None,
            })
            .collect();
        let report = analyse(&frames).unwrap();
        assert_eq!(histogram(&report), vec![(10, 1), (30, 2)]);
        assert!(rows(&report)[0].1 == "3");
    }
}
