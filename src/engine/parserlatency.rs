//! No frame of latency lost between an RTP depayloader and the H.264/H.265
//! parser. Left to itself inside playbin3, `rtph264depay` hands the parser
//! single NAL units, and the parser can only tell that a picture is
//! complete when the next one begins: one frame (33 ms at 30 fps) of real
//! delay on every live RTSP/RTP stream. Two probes remove it:
//! - the depayloader is told (through its caps query) that whole access
//!   units are wanted, so it sends each picture as soon as its last packet
//!   (the RTP marker) is in;
//! - the parser, fed whole access units, passes each on at once, but
//!   GStreamer 1.22 still reports a frame of latency for it, which a live
//!   pipeline would add to its render delay: its latency answer becomes
//!   what is upstream of it, and only while its input is AU-aligned.

use gst::prelude::*;

/// The parsers whose latency report this corrects.
const PARSERS: [&str; 2] = ["h264parse", "h265parse"];
/// The depayloaders asked for whole access units, with their caps' name.
const DEPAYLOADERS: [(&str, &str); 2] = [
    ("rtph264depay", "video/x-h264"),
    ("rtph265depay", "video/x-h265"),
];

/// Adds the probes `element` needs, if it is one of the [`PARSERS`] or
/// [`DEPAYLOADERS`].
pub(crate) fn attach(element: &gst::Element) {
    let Some(factory) = element.factory() else {
        return;
    };
    let name = factory.name();
    if let Some((_, media)) = DEPAYLOADERS.iter().find(|(d, _)| *d == name.as_str()) {
        ask_for_access_units(element, media);
    } else if PARSERS.contains(&name.as_str()) {
        correct_parser_latency(element);
    }
}

/// Narrows what the depayloader's downstream accepts to AU-aligned `media`
/// (when it accepts that at all), so the depayloader chooses it. The
/// depayloader picks its output when its input caps arrive, which inside
/// parsebin is before anything is linked downstream; so once the first
/// buffer comes with the source pad linked and the output still not
/// AU-aligned, its input caps are sent again for it to choose anew.
fn ask_for_access_units(depayloader: &gst::Element, media: &str) {
    let (Some(src), Some(sink)) = (
        depayloader.static_pad("src"),
        depayloader.static_pad("sink"),
    ) else {
        return;
    };
    let media_caps = gst::Caps::builder(media).build();
    src.add_probe(
        gst::PadProbeType::QUERY_DOWNSTREAM | gst::PadProbeType::PULL,
        move |_, info| {
            let Some(gst::PadProbeData::Query(query)) = info.data.as_mut() else {
                return gst::PadProbeReturn::Ok;
            };
            if let gst::QueryViewMut::Caps(caps) = query.view_mut() {
                if let Some(mut allowed) = caps.result_owned() {
                    if allowed.can_intersect(&media_caps) {
                        for s in allowed.make_mut().iter_mut() {
                            s.set("alignment", "au");
                        }
                        caps.set_result(&allowed);
                    }
                }
            }
            gst::PadProbeReturn::Ok
        },
    );
    let output = src.downgrade();
    sink.add_probe(gst::PadProbeType::BUFFER, move |sink, _| {
        let Some(src) = output.upgrade() else {
            return gst::PadProbeReturn::Remove;
        };
        if !src.is_linked() {
            return gst::PadProbeReturn::Ok;
        }
        if !pad_is_whole_access_units(&src) {
            if let Some(mut caps) = sink.current_caps() {
                // The depayloader ignores caps equal to its last ones:
                // these differ by a field of ours, which it ignores.
                if let Some(s) = caps.make_mut().structure_mut(0) {
                    s.set("x-framescope-renegotiated", true);
                }
                sink.send_event(gst::event::Caps::new(&caps));
            }
        }
        gst::PadProbeReturn::Remove
    });
}

/// Answers the parser's latency query with its upstream's while the parser
/// is fed whole access units.
fn correct_parser_latency(element: &gst::Element) {
    let (Some(src), Some(sink)) = (element.static_pad("src"), element.static_pad("sink")) else {
        return;
    };
    let sink = sink.downgrade();
    src.add_probe(
        gst::PadProbeType::QUERY_UPSTREAM | gst::PadProbeType::PULL,
        move |_, info| {
            let Some(sink) = sink.upgrade() else {
                return gst::PadProbeReturn::Remove;
            };
            let Some(gst::PadProbeData::Query(query)) = info.data.as_mut() else {
                return gst::PadProbeReturn::Ok;
            };
            let gst::QueryViewMut::Latency(latency) = query.view_mut() else {
                return gst::PadProbeReturn::Ok;
            };
            if !pad_is_whole_access_units(&sink) {
                return gst::PadProbeReturn::Ok;
            }
            let mut upstream = gst::query::Latency::new();
            if sink.peer_query(&mut upstream) {
                let (live, min, max) = upstream.result();
                latency.set(live, min, max);
            }
            gst::PadProbeReturn::Ok
        },
    );
}

/// Whether `pad`'s buffers are one access unit each.
fn pad_is_whole_access_units(pad: &gst::Pad) -> bool {
    pad.current_caps()
        .and_then(|caps| {
            caps.structure(0)
                .and_then(|s| s.get::<String>("alignment").ok())
        })
        .is_some_and(|alignment| alignment == "au")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Live H.264 over RTP into parsebin, which plugs the depayloader and
    /// parser as playbin3 does: the pipeline's latency, with or without the
    /// probes, and the alignment the depayloader chose.
    fn measure(probed: bool) -> (gst::ClockTime, String) {
        let pipeline = gst::parse::launch(
            "videotestsrc is-live=true ! video/x-raw,framerate=30/1,width=64,height=48 \
             ! x264enc tune=zerolatency key-int-max=1 ! rtph264pay ! parsebin name=parse \
             fakesink name=sink sync=true processing-deadline=0",
        )
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
        let depayloader = std::sync::Arc::new(std::sync::Mutex::new(None::<gst::Element>));
        let found = depayloader.clone();
        pipeline.connect_deep_element_added(move |_, _, element| {
            if element
                .factory()
                .is_some_and(|f| f.name() == "rtph264depay")
            {
                *found.lock().unwrap() = Some(element.clone());
            }
            if probed {
                attach(element);
            }
        });
        let sink = pipeline.by_name("sink").unwrap();
        pipeline
            .by_name("parse")
            .unwrap()
            .connect_pad_added(move |_, pad| {
                let _ = pad.link(&sink.static_pad("sink").unwrap());
            });
        pipeline.set_state(gst::State::Playing).unwrap();
        let bus = pipeline.bus().unwrap();
        let _ = bus.timed_pop_filtered(
            gst::ClockTime::from_seconds(5),
            &[gst::MessageType::AsyncDone],
        );
        // Some frames in, so the parser knows the rate.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut query = gst::query::Latency::new();
        assert!(pipeline.query(&mut query));
        let alignment = depayloader
            .lock()
            .unwrap()
            .as_ref()
            .and_then(|d| d.static_pad("src"))
            .and_then(|p| p.current_caps())
            .and_then(|c| {
                c.structure(0)
                    .and_then(|s| s.get::<String>("alignment").ok())
            })
            .unwrap_or_default();
        pipeline.set_state(gst::State::Null).unwrap();
        (query.result().1, alignment)
    }

    #[test]
    fn depayloaded_access_units_reach_the_sink_with_no_parser_latency() {
        gst::init().unwrap();
        if gst::ElementFactory::find("x264enc").is_none() {
            eprintln!("SKIPPED: x264enc is not installed");
            return;
        }
        let (plain, plain_alignment) = measure(false);
        let (probed, probed_alignment) = measure(true);
        eprintln!(
            "pipeline latency: {plain} ({plain_alignment} from the depayloader) \
             without the probes, {probed} ({probed_alignment}) with them"
        );
        assert_eq!(
            probed_alignment, "au",
            "the depayloader sends whole access units"
        );
        // videotestsrc reports one frame itself; x264enc (zerolatency) none.
        assert_eq!(probed, gst::ClockTime::from_nseconds(33_333_333));
        assert!(plain >= probed, "the probes only ever remove latency");
    }
}
