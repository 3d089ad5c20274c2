//! Which of the video sink's QoS events go further upstream than
//! `framescopescale`. The sink sends one for every frame it renders; each
//! travels up through playsink's elements into the decoder, about a tenth
//! of the software chain's thread in a 3x3 wall (bench/RESULTS.md, issue
//! 18). Upstream only acts on lateness: the decoder skips frames due before
//! the time a late report names, and a frame on time only tells it to stop.
//! So a report goes on when its frame was late, when the last one that went
//! on was late (the decoder then learns it is back on time), and once a
//! second otherwise; the rest stop at the scaler, which still takes every
//! one for its own dropping of late frames.
//!
//! Threads: the sink's streaming thread sends the events; the state lives
//! under the scaler's mutex, taken only here.

use std::time::{Duration, Instant};

/// How long reports of frames on time may stop at the scaler.
pub(crate) const ON_TIME_QUIET: Duration = Duration::from_secs(1);

/// What the last report sent upstream said, and when it went.
#[derive(Debug, Default)]
pub(crate) struct QosThrottle {
    last_sent: Option<(Instant, bool)>,
}

impl QosThrottle {
    /// Whether a report whose frame was `jitter_ns` late (negative: early)
    /// goes upstream, at `now`; counts it as sent when it does.
    pub(crate) fn forward(&mut self, jitter_ns: i64, now: Instant) -> bool {
        let late = jitter_ns > 0;
        let send = match self.last_sent {
            None => true,
            Some((at, was_late)) => {
                late || was_late || now.saturating_duration_since(at) >= ON_TIME_QUIET
            }
        };
        if send {
            self.last_sent = Some((now, late));
        }
        send
    }

    /// Forgets what was sent (a flush or a new stream).
    pub(crate) fn reset(&mut self) {
        self.last_sent = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_on_time_are_reported_once_a_second() {
        let mut q = QosThrottle::default();
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        assert!(q.forward(-5_000_000, ms(0)), "the first report goes");
        let sent = (1..60)
            .filter(|&i| q.forward(-5_000_000, ms(i * 33)))
            .count();
        assert_eq!(sent, 1, "59 frames on time over 1.95 s: one report more");
    }

    #[test]
    fn lateness_and_the_return_to_time_always_go() {
        let mut q = QosThrottle::default();
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        assert!(q.forward(-1, ms(0)));
        assert!(!q.forward(-1, ms(33)));
        assert!(q.forward(20_000_000, ms(66)), "a late frame is reported");
        assert!(q.forward(30_000_000, ms(99)), "and the next late one");
        assert!(q.forward(-2_000_000, ms(132)), "back on time is reported");
        assert!(!q.forward(-2_000_000, ms(165)), "then quiet again");
        q.reset();
        assert!(
            q.forward(-2_000_000, ms(198)),
            "after a flush the first goes"
        );
    }

    /// QoS reports the sink sent and those that got past `framescopescale`,
    /// for 45 frames at 30 fps with `sleep_us` spent on each in front of it
    /// (the scaler's own dropping of late frames off: `qos`).
    fn reports(sleep_us: u32, qos: bool) -> (usize, usize) {
        use gst::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        crate::engine::init().expect("GStreamer starts");
        let line = format!(
            "videotestsrc num-buffers=45 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 \
             ! identity sleep-time={sleep_us} ! framescopescale name=scale qos={qos} ! video/x-raw,format=BGRx \
             ! fakesink name=sink sync=true qos=true"
        );
        let pipeline = gst::parse::launch(&line)
            .expect("the test pipeline parses")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
        let count_at = |element: &str| {
            let n = Arc::new(AtomicUsize::new(0));
            let seen = n.clone();
            let pad = pipeline
                .by_name(element)
                .and_then(|e| e.static_pad("sink"))
                .expect("a sink pad");
            pad.add_probe(gst::PadProbeType::EVENT_UPSTREAM, move |_, info| {
                if let Some(gst::PadProbeData::Event(e)) = &info.data {
                    if e.type_() == gst::EventType::Qos {
                        seen.fetch_add(1, Ordering::SeqCst);
                    }
                }
                gst::PadProbeReturn::Ok
            });
            n
        };
        let (sent, passed) = (count_at("sink"), count_at("scale"));
        pipeline.set_state(gst::State::Playing).expect("it plays");
        let bus = pipeline.bus().expect("a bus");
        let end = bus.timed_pop_filtered(
            gst::ClockTime::from_seconds(20),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        );
        pipeline.set_state(gst::State::Null).expect("it stops");
        assert!(
            matches!(
                end.as_ref().map(|m| m.view()),
                Some(gst::MessageView::Eos(_))
            ),
            "{line} did not play to its end: {end:?}"
        );
        (sent.load(Ordering::SeqCst), passed.load(Ordering::SeqCst))
    }

    #[test]
    fn framescopescale_keeps_most_reports_of_frames_on_time() {
        let (sent, passed) = reports(0, true);
        assert!(sent >= 30, "the sink sent {sent} reports for 45 frames");
        assert!(
            passed <= 4,
            "{passed} of {sent} reports of frames on time went upstream"
        );
    }

    #[test]
    fn framescopescale_passes_on_reports_of_late_frames() {
        // 60 ms a frame at 30 fps: every frame later than the last.
        let (sent, passed) = reports(60_000, false);
        assert!(sent >= 30, "the sink sent {sent} reports for 45 frames");
        assert!(
            passed * 10 >= sent * 9,
            "only {passed} of {sent} reports of late frames went upstream"
        );
    }
}
