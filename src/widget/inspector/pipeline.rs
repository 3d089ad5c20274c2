//! The Pipeline tab: the player's running pipeline as an indented listing
//! of every element (recursing into bins) with its factory, and under each
//! the linked source pads with their peer (`element:pad`) and current caps.
//! Refreshed when asked; exports Graphviz DOT (and SVG when Graphviz is
//! installed).

use crate::i18n::gettext;
use gst::prelude::*;
use gtk::prelude::*;
use std::fmt::Write as _;

/// The listing of `bin` and everything in it.
pub fn describe(bin: &gst::Bin) -> String {
    let mut out = String::new();
    line(&mut out, bin.upcast_ref(), 0);
    out
}

fn factory_name(element: &gst::Element) -> String {
    element.factory().map_or_else(
        || element.type_().name().to_string(),
        |f| f.name().to_string(),
    )
}

fn line(out: &mut String, element: &gst::Element, depth: usize) {
    let indent = "    ".repeat(depth);
    let _ = writeln!(
        out,
        "{indent}{} ({})",
        element.name(),
        factory_name(element)
    );
    for pad in element.src_pads() {
        let Some(peer) = pad.peer() else {
            continue;
        };
        let (peer_owner, peer_name) = pad_owner(&peer);
        let caps = pad
            .current_caps()
            .map_or_else(|| "(no caps)".to_string(), |c| c.to_string());
        let _ = writeln!(out, "{indent}  ├ {} → {peer_owner}:{peer_name}", pad.name(),);
        let _ = writeln!(out, "{indent}  │   {caps}");
    }
    if let Some(bin) = element.downcast_ref::<gst::Bin>() {
        for child in children_upstream_first(bin) {
            line(out, &child, depth + 1);
        }
    }
}

/// The element and pad name a pad stands for: a ghost pad's internal
/// proxy pad is shown as the ghost pad on its bin.
fn pad_owner(pad: &gst::Pad) -> (String, String) {
    let pad = match pad.parent().and_downcast::<gst::GhostPad>() {
        Some(ghost) => ghost.upcast(),
        None => pad.clone(),
    };
    let owner = pad
        .parent_element()
        .map_or_else(|| "?".to_string(), |e| e.name().to_string());
    (owner, pad.name().to_string())
}

/// A bin's children from sources to sinks where the links say so.
fn children_upstream_first(bin: &gst::Bin) -> Vec<gst::Element> {
    let sorted: Result<Vec<gst::Element>, _> = bin.iterate_sorted().into_iter().collect();
    match sorted {
        Ok(mut v) => {
            // iterate_sorted gives sinks first.
            v.reverse();
            v
        }
        Err(_) => bin.children(),
    }
}

/// The Pipeline tab's widgets.
pub struct PipelineTab {
    /// The page.
    pub root: gtk::Box,
    /// Re-reads the pipeline.
    pub refresh: gtk::Button,
    /// Exports SVG (insensitive without Graphviz).
    pub export_svg: gtk::Button,
    text: gtk::TextView,
}

impl Default for PipelineTab {
    fn default() -> Self {
        Self::new()
    }
}

impl PipelineTab {
    /// An empty tab.
    pub fn new() -> Self {
        let root = gtk::Box::new(gtk::Orientation::Vertical, 6);
        let text = gtk::TextView::builder()
            .editable(false)
            .cursor_visible(false)
            .monospace(true)
            .wrap_mode(gtk::WrapMode::None)
            .left_margin(8)
            .top_margin(6)
            .build();
        text.update_property(&[gtk::accessible::Property::Label(&gettext(
            super::a11y::PIPELINE_TEXT,
        ))]);
        let scroller = gtk::ScrolledWindow::builder()
            .vexpand(true)
            .child(&text)
            .build();
        let refresh = gtk::Button::with_label(&gettext("Refresh"));
        let export_svg = gtk::Button::with_label(&gettext("Export SVG…"));
        root.append(&scroller);
        Self {
            root,
            refresh,
            export_svg,
            text,
        }
    }

    /// Shows `pipeline`'s listing, or a sentence when there is none.
    pub fn show(&self, pipeline: Option<&gst::Pipeline>) {
        let text = match pipeline {
            Some(p) => describe(p.upcast_ref()),
            None => gettext("No pipeline: nothing is loaded."),
        };
        self.text.buffer().set_text(&text);
    }

    /// The text shown.
    pub fn text(&self) -> String {
        let buffer = self.text.buffer();
        buffer
            .text(&buffer.start_iter(), &buffer.end_iter(), false)
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_elements_links_and_caps() {
        gst::init().unwrap();
        let pipeline = gst::parse::launch(
            "videotestsrc num-buffers=1 ! capsfilter caps=video/x-raw,width=64,height=48 name=filter ! fakesink name=out",
        )
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
        pipeline.set_state(gst::State::Paused).unwrap();
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        let text = describe(pipeline.upcast_ref());
        let _ = pipeline.set_state(gst::State::Null);
        let src = text.find("videotestsrc").unwrap();
        let sink = text.find("out (fakesink)").unwrap();
        assert!(src < sink, "{text}");
        assert!(text.contains("src → out:sink"), "{text}");
        assert!(text.contains("video/x-raw"), "{text}");
    }
}
