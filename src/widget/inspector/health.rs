//! The Health tab and the history behind it: [`HealthHistory`] samples a
//! player's [`PlaybackStats`](crate::engine::PlaybackStats) every second on
//! the main context (attach it early to keep the whole session), and the tab
//! shows the current numbers and time graphs of bitrate, dropped and late
//! frames per second and buffering.

use super::chart::{self, Area};
use crate::engine::Player;
use crate::i18n::{gettext, gettext_noop};
use gtk::prelude::*;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

/// One sample of a player's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HealthSample {
    /// Seconds since the history was attached.
    pub t: f64,
    /// Frames rendered so far.
    pub rendered: u64,
    /// Frames the sink dropped so far.
    pub dropped: u64,
    /// Frames skipped as late so far.
    pub late: u64,
    /// Encoded bitrate, bits per second.
    pub bitrate: Option<f64>,
    /// Buffering level, percent.
    pub buffering_percent: Option<i32>,
    /// Pipeline latency, ms.
    pub latency_ms: Option<f64>,
    /// Seconds spent playing.
    pub played_seconds: f64,
}

#[derive(Debug)]
struct Inner {
    samples: VecDeque<HealthSample>,
    start: Instant,
    player: glib::WeakRef<Player>,
}

/// A player's statistics over time, sampled every second while the player
/// lives (at most [`HealthHistory::CAPACITY`] samples, the oldest dropped).
/// Cheap to clone; clones share the samples.
#[derive(Debug, Clone)]
pub struct HealthHistory(Rc<RefCell<Inner>>);

thread_local! {
    /// The histories of live players, so attaching twice shares one.
    static ATTACHED: RefCell<Vec<HealthHistory>> = const { RefCell::new(Vec::new()) };
}

impl HealthHistory {
    /// Samples kept at most (an hour at one a second).
    pub const CAPACITY: usize = 3600;
    /// Time between samples.
    pub const INTERVAL: Duration = Duration::from_secs(1);

    /// The history of `player`, started now if it was not attached before
    /// (call it when the player is created to keep the whole session; the
    /// inspector window calls it too and gets the same history). Sampling
    /// stops when the player is dropped. Main thread only.
    pub fn attach(player: &Player) -> Self {
        ATTACHED.with(|attached| {
            let mut attached = attached.borrow_mut();
            attached.retain(|h| h.player().is_some());
            if let Some(h) = attached
                .iter()
                .find(|h| h.player().as_ref() == Some(player))
            {
                return h.clone();
            }
            let history = Self(Rc::new(RefCell::new(Inner {
                samples: VecDeque::new(),
                start: Instant::now(),
                player: player.downgrade(),
            })));
            history.sample_now();
            history.start_sampling();
            attached.push(history.clone());
            history
        })
    }

    /// A history attached to nothing (it stays empty).
    pub fn detached() -> Self {
        Self(Rc::new(RefCell::new(Inner {
            samples: VecDeque::new(),
            start: Instant::now(),
            player: glib::WeakRef::new(),
        })))
    }

    fn start_sampling(&self) {
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.0);
        glib::timeout_add_local(Self::INTERVAL, move || {
            let Some(inner) = weak.upgrade() else {
                return glib::ControlFlow::Break;
            };
            let history = HealthHistory(inner);
            if history.sample_now() {
                glib::ControlFlow::Continue
            } else {
                ATTACHED.with(|a| a.borrow_mut().retain(|h| !Rc::ptr_eq(&h.0, &history.0)));
                glib::ControlFlow::Break
            }
        });
    }

    /// The player sampled, while it lives.
    pub fn player(&self) -> Option<Player> {
        self.0.borrow().player.upgrade()
    }

    /// Takes a sample now; false when the player is gone.
    pub fn sample_now(&self) -> bool {
        let Some(player) = self.player() else {
            return false;
        };
        let stats = player.stats();
        let mut inner = self.0.borrow_mut();
        let sample = HealthSample {
            t: inner.start.elapsed().as_secs_f64(),
            rendered: stats.rendered,
            dropped: stats.dropped,
            late: stats.late,
            bitrate: stats.bitrate,
            buffering_percent: stats.buffering_percent,
            latency_ms: stats.latency_ms,
            played_seconds: stats.played_seconds,
        };
        push_capped(&mut inner.samples, sample, Self::CAPACITY);
        true
    }

    /// Every sample kept, oldest first.
    pub fn samples(&self) -> Vec<HealthSample> {
        self.0.borrow().samples.iter().copied().collect()
    }

    /// The newest sample.
    pub fn latest(&self) -> Option<HealthSample> {
        self.0.borrow().samples.back().copied()
    }

    /// Number of samples kept.
    pub fn len(&self) -> usize {
        self.0.borrow().samples.len()
    }

    /// Whether nothing was sampled yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn push_capped(samples: &mut VecDeque<HealthSample>, sample: HealthSample, cap: usize) {
    samples.push_back(sample);
    while samples.len() > cap {
        samples.pop_front();
    }
}

/// Per-sample increases of the dropped and late counters, at each sample's
/// time (counters that go down — new media — count as no increase).
pub fn increments(samples: &[HealthSample]) -> Vec<(f64, u64, u64)> {
    samples
        .windows(2)
        .map(|w| {
            (
                w[1].t,
                w[1].dropped.saturating_sub(w[0].dropped),
                w[1].late.saturating_sub(w[0].late),
            )
        })
        .collect()
}

/// The current numbers as one line of text.
pub fn summary(sample: Option<&HealthSample>) -> String {
    let Some(s) = sample else {
        return "No samples yet.".into();
    };
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    format!(
        "Rendered {}   Dropped {}   Late {}   Bitrate {}   Buffering {}   Latency {}   Played {:.1} s",
        s.rendered,
        s.dropped,
        s.late,
        or_dash(s.bitrate.map(chart::bitrate_label)),
        or_dash(s.buffering_percent.map(|b| format!("{b} %"))),
        or_dash(s.latency_ms.map(|l| format!("{l:.1} ms"))),
        s.played_seconds,
    )
}

/// The Health tab's widgets.
pub struct HealthTab {
    /// The page.
    pub root: gtk::Box,
    /// Current numbers.
    pub numbers: gtk::Label,
    /// The three graphs.
    pub charts: [gtk::DrawingArea; 3],
}

#[derive(Clone, Copy)]
enum Graph {
    Bitrate,
    Drops,
    Buffering,
}

impl HealthTab {
    /// Builds the tab over `history`.
    pub fn new(history: &HealthHistory) -> Self {
        let root = gtk::Box::new(gtk::Orientation::Vertical, 6);
        let numbers = gtk::Label::builder()
            .xalign(0.0)
            .selectable(true)
            .wrap(true)
            .css_classes(["monospace"])
            .margin_start(8)
            .margin_top(6)
            .build();
        root.append(&numbers);
        let charts = [Graph::Bitrate, Graph::Drops, Graph::Buffering].map(|graph| {
            let area = gtk::DrawingArea::builder()
                .content_height(110)
                .vexpand(true)
                .build();
            let history = history.clone();
            area.set_draw_func(move |area, cr, w, h| draw(area, cr, w, h, graph, &history));
            root.append(&area);
            area
        });
        let tab = Self {
            root,
            numbers,
            charts,
        };
        tab.refresh(history);
        tab
    }

    /// Shows the newest numbers and redraws the graphs.
    pub fn refresh(&self, history: &HealthHistory) {
        self.numbers.set_text(&summary(history.latest().as_ref()));
        for c in &self.charts {
            c.queue_draw();
        }
    }
}

fn draw(
    area: &gtk::DrawingArea,
    cr: &gtk::cairo::Context,
    w: i32,
    h: i32,
    graph: Graph,
    history: &HealthHistory,
) {
    let fg = chart::foreground(area);
    let samples = history.samples();
    let name = gettext(match graph {
        Graph::Bitrate => gettext_noop("Bitrate"),
        Graph::Drops => gettext_noop("Dropped and late frames per second"),
        Graph::Buffering => gettext_noop("Buffering"),
    });
    chart::title(cr, &name, fg);
    if samples.len() < 2 {
        chart::placeholder(cr, w, h, &gettext("Collecting samples…"), fg);
        return;
    }
    let plot = Area::plot(w, h);
    let range = (samples[0].t, samples[samples.len() - 1].t);
    let x_labels = (format!("{:.0} s", range.0), format!("{:.0} s", range.1));
    let x_labels = (x_labels.0.as_str(), x_labels.1.as_str());
    match graph {
        Graph::Bitrate => {
            let points: Vec<(f64, Option<f64>)> =
                samples.iter().map(|s| (s.t, s.bitrate)).collect();
            let top = chart::nice_max(points.iter().filter_map(|p| p.1).fold(0.0, f64::max));
            chart::axes(cr, plot, &chart::bitrate_label(top), x_labels, fg);
            if points.iter().all(|p| p.1.is_none()) {
                chart::placeholder(cr, w, h, &gettext("The player reports no bitrate"), fg);
            }
            chart::series(cr, plot, range, &points, top, chart::P_COLOUR);
        }
        Graph::Drops => {
            let inc = increments(&samples);
            let top = chart::nice_max(inc.iter().map(|i| i.1.max(i.2) as f64).fold(0.0, f64::max));
            chart::axes(cr, plot, &format!("{top:.0}"), x_labels, fg);
            chart::legend(
                cr,
                w,
                &[("dropped", chart::I_COLOUR), ("late", chart::ORANGE)],
                fg,
            );
            let late: Vec<_> = inc.iter().map(|i| (i.0, Some(i.2 as f64))).collect();
            let dropped: Vec<_> = inc.iter().map(|i| (i.0, Some(i.1 as f64))).collect();
            chart::series(cr, plot, range, &late, top, chart::ORANGE);
            chart::series(cr, plot, range, &dropped, top, chart::I_COLOUR);
        }
        Graph::Buffering => {
            let points: Vec<(f64, Option<f64>)> = samples
                .iter()
                .map(|s| (s.t, s.buffering_percent.map(f64::from)))
                .collect();
            chart::axes(cr, plot, "100 %", x_labels, fg);
            if points.iter().all(|p| p.1.is_none()) {
                chart::placeholder(cr, w, h, &gettext("The source never buffered"), fg);
            }
            chart::series(cr, plot, range, &points, 100.0, chart::B_COLOUR);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: f64, dropped: u64, late: u64) -> HealthSample {
        HealthSample {
            t,
            dropped,
            late,
            ..Default::default()
        }
    }

    #[test]
    fn history_is_capped_and_increments_are_per_sample() {
        let mut q = VecDeque::new();
        for i in 0..5 {
            push_capped(&mut q, sample(i as f64, 0, 0), 3);
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q[0].t, 2.0);
        let s = [
            sample(0.0, 0, 0),
            sample(1.0, 2, 1),
            sample(2.0, 2, 4),
            sample(3.0, 0, 0),
        ];
        assert_eq!(increments(&s), vec![(1.0, 2, 1), (2.0, 0, 3), (3.0, 0, 0)]);
        assert!(summary(Some(&s[1])).contains("Dropped 2"));
        assert_eq!(summary(None), "No samples yet.");
    }
}
