//! The audio/video and subtitle offsets: applied through playbin and kept
//! across media.

use super::imp;
use glib::prelude::*;
use glib::subclass::prelude::*;

/// The audio/subtitle offset keys move by this much.
pub const OFFSET_STEP: gst::ClockTime = gst::ClockTime::from_mseconds(10);

impl imp::Player {
    pub(super) fn set_av_offset(&self, offset: i64) {
        if self.av_offset.replace(offset) != offset {
            // playbin's av-offset moves audio earlier; ours delays it.
            self.tell(move |p| p.set_property("av-offset", offset.saturating_neg()));
            self.obj().notify_av_offset();
        }
    }

    pub(super) fn set_subtitle_offset(&self, offset: i64) {
        if self.subtitle_offset.replace(offset) != offset {
            self.tell(move |p| {
                if p.find_property("text-offset").is_some() {
                    p.set_property("text-offset", offset);
                }
            });
            self.obj().notify_subtitle_offset();
        }
    }
}
