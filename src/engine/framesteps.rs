//! The largest step between consecutive video frames at the sink, in
//! running time: what a viewer would see as a hitch. A loop that leaves a
//! gap at its seam, or a stall, shows up here; flushing seeks start a new
//! run (the jump across a seek is not a hitch). Steps across a new segment
//! without a flush (a loop going round) are also kept apart: the seams.

use gst::prelude::*;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct Steps {
    previous: Option<u64>,
    largest: Option<u64>,
    /// A segment started without a flush since the last frame.
    at_seam: bool,
    largest_at_seam: Option<u64>,
    seams: u64,
    /// Buffers that reached the sink.
    arrived: u64,
}

/// Records frame steps at a sink pad; cheap to clone (shared state).
#[derive(Debug, Clone, Default)]
pub struct FrameSteps(Arc<Mutex<Steps>>);

impl FrameSteps {
    /// Watches the buffers reaching `sink` (its `sink` pad).
    pub fn attach(&self, sink: &gst::Element) {
        let Some(pad) = sink.static_pad("sink") else {
            return;
        };
        let steps = self.0.clone();
        pad.add_probe(
            gst::PadProbeType::BUFFER
                | gst::PadProbeType::EVENT_FLUSH
                | gst::PadProbeType::EVENT_DOWNSTREAM,
            move |pad, info| {
                let mut steps = steps.lock().unwrap();
                match &info.data {
                    Some(gst::PadProbeData::Event(e)) if e.type_() == gst::EventType::FlushStop => {
                        steps.previous = None;
                        steps.at_seam = false;
                    }
                    Some(gst::PadProbeData::Event(e)) if e.type_() == gst::EventType::Segment => {
                        steps.at_seam = steps.previous.is_some();
                    }
                    Some(gst::PadProbeData::Buffer(buffer)) => {
                        steps.arrived += 1;
                        let running = buffer.pts().and_then(|pts| {
                            pad.sticky_event::<gst::event::Segment>(0)?
                                .segment()
                                .downcast_ref::<gst::ClockTime>()?
                                .to_running_time(pts)
                        });
                        if let Some(rt) = running.map(|t| t.nseconds()) {
                            if let Some(previous) = steps.previous {
                                let step = rt.saturating_sub(previous);
                                steps.largest = Some(steps.largest.map_or(step, |l| l.max(step)));
                                if std::mem::take(&mut steps.at_seam) {
                                    steps.seams += 1;
                                    steps.largest_at_seam =
                                        Some(steps.largest_at_seam.map_or(step, |l| l.max(step)));
                                }
                            }
                            steps.previous = Some(rt);
                        }
                    }
                    _ => {}
                }
                gst::PadProbeReturn::Ok
            },
        );
    }

    /// The largest step seen since [`FrameSteps::clear`], if two frames were.
    pub fn largest(&self) -> Option<gst::ClockTime> {
        self.0
            .lock()
            .unwrap()
            .largest
            .map(gst::ClockTime::from_nseconds)
    }

    /// The largest step across a seam (a segment that started without a
    /// flush: a loop going round) and how many seams there were.
    pub fn largest_at_seam(&self) -> (Option<gst::ClockTime>, u64) {
        let steps = self.0.lock().unwrap();
        (
            steps.largest_at_seam.map(gst::ClockTime::from_nseconds),
            steps.seams,
        )
    }

    /// How many frames reached the sink since [`FrameSteps::clear`] (each
    /// one is rendered or dropped there).
    pub fn arrived(&self) -> u64 {
        self.0.lock().unwrap().arrived
    }

    /// Forgets everything (new media).
    pub fn clear(&self) {
        *self.0.lock().unwrap() = Steps::default();
    }
}
