//! The statistics overlay (key `i`, like mpv's): a small panel over the
//! top-right of the video with the codec and size, the video path and the
//! caps negotiated at the sink (memory type included), frames rendered,
//! dropped and late, the A/V offset, the bitrate at the position, the
//! buffering level and, for live sources, the latency. Refreshed twice a
//! second while shown; it holds only a weak reference to the player.

use crate::engine::Player;
use gtk::glib;
use gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How often the shown figures are refreshed.
pub const REFRESH: Duration = Duration::from_millis(500);

/// A monospace label in a frame, shown on demand.
#[derive(Clone)]
pub struct StatsOverlay {
    frame: gtk::Frame,
    label: gtk::Label,
    timer: Rc<RefCell<Option<glib::SourceId>>>,
}

impl Default for StatsOverlay {
    fn default() -> Self {
        Self::new()
    }
}

impl StatsOverlay {
    /// Builds the overlay, hidden; add [`StatsOverlay::widget`] as an
    /// overlay child.
    pub fn new() -> Self {
        let label = gtk::Label::builder()
            .xalign(0.0)
            .selectable(false)
            .wrap(true)
            .max_width_chars(64)
            .build();
        label.add_css_class("framescope-stats-text");
        let frame = gtk::Frame::builder()
            .child(&label)
            .halign(gtk::Align::End)
            .valign(gtk::Align::Start)
            .margin_top(12)
            .margin_end(12)
            .can_target(false)
            .visible(false)
            .build();
        frame.add_css_class("framescope-stats");
        Self {
            frame,
            label,
            timer: Rc::default(),
        }
    }

    /// The widget to add over the video.
    pub fn widget(&self) -> &gtk::Frame {
        &self.frame
    }

    /// Whether the overlay is shown.
    pub fn is_shown(&self) -> bool {
        self.frame.is_visible()
    }

    /// The text shown (also when hidden: the last refresh).
    pub fn text(&self) -> String {
        self.label.text().to_string()
    }

    /// Shows or hides the overlay for `player`.
    pub fn set_shown(&self, player: &Player, shown: bool) {
        self.stop();
        self.frame.set_visible(shown);
        if !shown {
            return;
        }
        self.label.set_text(&describe(player));
        let id = glib::timeout_add_local(
            REFRESH,
            glib::clone!(
                #[weak]
                player,
                #[weak(rename_to = label)]
                self.label,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    label.set_text(&describe(&player));
                    glib::ControlFlow::Continue
                }
            ),
        );
        self.timer.replace(Some(id));
    }

    /// Stops refreshing (the view is going away).
    pub fn stop(&self) {
        if let Some(id) = self.timer.take() {
            id.remove();
        }
    }
}

/// Caps without their value types: `format=(string)RGBA` → `format=RGBA`.
fn readable_caps(caps: &str) -> String {
    let mut out = String::with_capacity(caps.len());
    let mut rest = caps;
    while let Some(open) = rest.find("=(") {
        out.push_str(&rest[..open + 1]);
        match rest[open..].find(')') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn bitrate_text(bits: Option<f64>) -> String {
    match bits {
        Some(b) if b >= 1e6 => format!("{:.2} Mbit/s", b / 1e6),
        Some(b) => format!("{:.0} kbit/s", b / 1e3),
        None => "—".into(),
    }
}

/// The overlay's text for `player` now.
pub fn describe(player: &Player) -> String {
    let stats = player.stats();
    let details = player.video_details();
    let mut lines = Vec::new();
    let size = player
        .video_size()
        .map(|s| format!(" {}×{}", s.width, s.height))
        .unwrap_or_default();
    match &details.codec {
        Some(codec) => lines.push(format!(
            "Video     {codec}{size}{}",
            details
                .decoder
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )),
        None if player.has_video() => lines.push(format!("Video    {size}")),
        None => lines.push("Video     none".into()),
    }
    if let Some(codec) = &details.audio_codec {
        lines.push(format!("Audio     {codec}"));
    }
    let path = match stats.video_path {
        Some(p) if p.nick() == "gl" => "GL",
        Some(_) => "software",
        None => "—",
    };
    lines.push(format!("Path      {path}"));
    if let Some(caps) = &details.sink_caps {
        lines.push(format!("Sink caps {}", readable_caps(caps)));
    }
    lines.push(format!(
        "Frames    {} rendered · {} dropped · {} late",
        stats.rendered, stats.dropped, stats.late
    ));
    lines.push(format!(
        "A/V       {:+} ms offset",
        player.av_offset() / 1_000_000
    ));
    lines.push(format!("Bitrate   {}", bitrate_text(stats.bitrate)));
    lines.push(format!(
        "Buffering {}",
        stats
            .buffering_percent
            .map_or("— (not buffered)".to_string(), |p| format!("{p} %"))
    ));
    lines.push(format!(
        "Latency   {}",
        stats
            .latency_ms
            .map_or("— (not live)".to_string(), |l| format!("{l:.0} ms"))
    ));
    // Adaptive streams: the variant playing and the bandwidth measured.
    let variants = player.variants();
    if !variants.is_empty() {
        let playing = player
            .current_variant()
            .and_then(|i| variants.get(i))
            .map_or("—".to_string(), |v| v.label());
        let how = if player.chosen_variant().is_some() {
            "chosen"
        } else {
            "automatic"
        };
        lines.push(format!(
            "Variant   {playing} ({how}, {} listed)",
            variants.len()
        ));
    }
    if player.bandwidth() >= 0.0 {
        lines.push(format!(
            "Bandwidth {}",
            bitrate_text(Some(player.bandwidth()))
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::bitrate_text;

    #[test]
    fn caps_lose_their_types() {
        assert_eq!(
            super::readable_caps(
                "video/x-raw(memory:GLMemory), format=(string)RGBA, width=(int)320"
            ),
            "video/x-raw(memory:GLMemory), format=RGBA, width=320"
        );
    }

    #[test]
    fn bitrates_read_naturally() {
        assert_eq!(bitrate_text(Some(1_950_000.0)), "1.95 Mbit/s");
        assert_eq!(bitrate_text(Some(128_000.0)), "128 kbit/s");
        assert_eq!(bitrate_text(None), "—");
    }
}
