//! The encoded bitrate at the playing position: a pad probe on every
//! decoder's sink pad records the size of each access unit by its stream
//! time; the rate is the bytes whose times fall in the second before the
//! position. Re-decoding the same stretch after a seek replaces, not adds
//! (units are keyed by decoder and time), and old entries are pruned.

use gst::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Seconds of history kept either side of the newest unit.
const KEEP: gst::ClockTime = gst::ClockTime::from_seconds(30);

/// Sizes of the access units decoders were fed, by (stream time, decoder).
#[derive(Debug, Clone, Default)]
pub struct BitrateMeter {
    units: Arc<Mutex<Units>>,
    decoders: Arc<AtomicU32>,
    /// Bumped (with `units` locked) by [`BitrateMeter::detach`]: probes
    /// installed under an older number record nothing more.
    attachment: Arc<AtomicU64>,
}

impl BitrateMeter {
    fn lock(&self) -> MutexGuard<'_, Units> {
        self.units.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one access unit of decoder `decoder` at stream time `t`.
    pub fn record(&self, t: gst::ClockTime, decoder: u32, size: usize) {
        record(&mut self.lock(), t, decoder, size);
    }

    /// Bits per second over the second of media before `position`; `None`
    /// when nothing was recorded there.
    pub fn at(&self, position: gst::ClockTime) -> Option<f64> {
        let from = position.saturating_sub(gst::ClockTime::SECOND);
        let units = self.lock();
        let mut range = units
            .range((from, 0)..=(position, u32::MAX))
            .map(|(_, size)| *size)
            .peekable();
        range.peek()?;
        let bytes: usize = range.sum();
        Some(bytes as f64 * 8.0)
    }

    /// Forgets everything (new media).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Installs the recording probe on a decoder's sink pad.
    pub fn attach(&self, decoder: &gst::Element) {
        self.attach_for(decoder, self.attachment());
    }

    /// Which attachment probes installed now belong to: [`BitrateMeter::detach`]
    /// moves on to the next.
    pub fn attachment(&self) -> u64 {
        self.attachment.load(Ordering::SeqCst)
    }

    /// [`BitrateMeter::attach`] for a pipeline built while `attachment` was
    /// current: once detached, its later decoders record nothing.
    pub fn attach_for(&self, decoder: &gst::Element, attachment: u64) {
        let Some(pad) = decoder.static_pad("sink") else {
            return;
        };
        let id = self.decoders.fetch_add(1, Ordering::Relaxed);
        let meter = self.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = &info.data {
                let segment = pad
                    .sticky_event::<gst::event::Segment>(0)
                    .and_then(|e| e.segment().downcast_ref::<gst::ClockTime>().cloned());
                let t = buffer
                    .pts()
                    .or(buffer.dts())
                    .and_then(|t| segment.as_ref().map_or(Some(t), |s| s.to_stream_time(t)));
                let mut units = meter.lock();
                if meter.attachment.load(Ordering::SeqCst) != attachment {
                    return gst::PadProbeReturn::Remove;
                }
                if let Some(t) = t {
                    record(&mut units, t, id, buffer.size());
                }
            }
            gst::PadProbeReturn::Ok
        });
    }

    /// Stops every probe installed so far: once this returns they record
    /// nothing more, even while their pipeline winds down elsewhere.
    pub fn detach(&self) {
        let _units = self.lock();
        self.attachment.fetch_add(1, Ordering::SeqCst);
    }
}

/// Access-unit sizes by (stream time, decoder).
type Units = BTreeMap<(gst::ClockTime, u32), usize>;

fn record(units: &mut Units, t: gst::ClockTime, decoder: u32, size: usize) {
    units.insert((t, decoder), size);
    // Forget what lies far from the newest unit (either side: a seek
    // back leaves the old stretch ahead).
    while let Some((&(first, _), _)) = units.first_key_value() {
        if t.saturating_sub(first) > KEEP {
            units.pop_first();
        } else {
            break;
        }
    }
    while let Some((&(last, _), _)) = units.last_key_value() {
        if last.saturating_sub(t) > KEEP {
            units.pop_last();
        } else {
            break;
        }
    }
}

/// True for element factories that decode audio or video.
pub(crate) fn is_decoder(element: &gst::Element) -> bool {
    element.factory().is_some_and(|f| {
        let klass = f.metadata("klass").unwrap_or_default();
        klass.contains("Decoder") && (klass.contains("Video") || klass.contains("Audio"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gst::ClockTime as T;

    #[test]
    fn detached_probes_record_nothing_more() {
        let meter = BitrateMeter::default();
        crate::engine::frameindex::check_detached_probe(
            |decoder| meter.attach(decoder),
            || meter.lock().len(),
            || {
                meter.detach();
                meter.clear();
            },
        );
    }

    #[test]
    fn rate_is_the_last_second_and_redecoding_replaces() {
        let meter = BitrateMeter::default();
        assert_eq!(meter.at(T::from_seconds(1)), None);
        for ms in (0..2000).step_by(40) {
            meter.record(T::from_mseconds(ms), 0, 1000);
        }
        // 25 units of 1000 bytes in [1 s, 2 s].
        assert_eq!(meter.at(T::from_seconds(2)), Some(25.0 * 8000.0));
        // The same stretch decoded again after a seek: no double count.
        for ms in (1000..2000).step_by(40) {
            meter.record(T::from_mseconds(ms), 0, 1000);
        }
        assert_eq!(meter.at(T::from_seconds(2)), Some(25.0 * 8000.0));
        // A second decoder (audio) adds its own units.
        meter.record(T::from_mseconds(1500), 1, 500);
        assert_eq!(meter.at(T::from_seconds(2)), Some(25.0 * 8000.0 + 4000.0));
        meter.record(T::from_seconds(100), 0, 1);
        assert_eq!(meter.at(T::from_seconds(2)), None, "pruned");
    }
}
