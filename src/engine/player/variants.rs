//! Variants of adaptive streams on the player: the list read from the
//! manifest (off the main thread, once per load), which variant plays, and
//! choosing one by hand (HLS: the media is loaded again, where it was, from
//! that variant's own playlist; DASH: the demuxer is held to that
//! representation's bitrate and seeks to where playback is) or handing
//! the choice back to the demuxer (HLS: the master playlist loaded again).
//! The list is also a list model (`variants-model`) of
//! [`VariantItem`](crate::engine::VariantItem)s.

use super::imp;
use crate::engine::items::ListMirror;
use crate::engine::log;
use crate::engine::variants::{self, Variant};
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How long reading a manifest for its variants may take.
const MANIFEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The variants facet's state.
#[derive(Default)]
pub struct VariantsState {
    /// The variants the manifest lists, and their list model.
    list: ListMirror<Variant>,
    /// The variant chosen by hand (HLS: played alone, from its own
    /// playlist; DASH: pinned by bitrate); `None` lets the demuxer choose.
    chosen: Cell<Option<usize>>,
    // The adaptive demuxer and the bitrate it is held to, which the
    // thread adding the demuxer touches, are in `Shared`.
    /// Whether the adaptive stream loaded is live (its demuxer knows no
    /// duration), once asked.
    live: Cell<Option<bool>>,
}

impl imp::Player {
    /// Forgets the variants of the media that was loaded.
    pub(super) fn forget_variants(&self) {
        let state = &self.variants;
        state.chosen.set(None);
        state.live.set(None);
        self.shared.pinned_bitrate.store(0, Ordering::Relaxed);
        let had = state.list.replace(Vec::new());
        if self.bandwidth.replace(-1.0) != -1.0 {
            self.obj().notify_bandwidth();
        }
        if had {
            self.obj().emit_by_name::<()>("variants-changed", &[]);
        }
    }

    /// The variants' list model (the `variants-model` property).
    pub(super) fn variants_model(&self) -> gio::ListModel {
        self.variants.list.model()
    }

    /// Whether the stream is a live adaptive one (a live HLS playlist, a
    /// dynamic DASH manifest): its demuxer answers no duration. Asked once
    /// per load, when its demuxer exists.
    pub(super) fn is_live_adaptive(&self) -> bool {
        if let Some(known) = self.variants.live.get() {
            return known;
        }
        let Some(demuxer) = self.shared.adaptive_demuxer.lock().unwrap().clone() else {
            return false;
        };
        // The demuxer answers under its own lock: through the gate.
        let Some(duration) = self.ask(move |_| demuxer.query_duration::<gst::ClockTime>()) else {
            return false;
        };
        let live = duration.is_none_or(|d| d.is_zero());
        log::debug!("adaptive stream, live: {live}");
        self.variants.live.set(Some(live));
        live
    }

    /// For an HLS or DASH URI, reads its variants in the background.
    pub(super) fn look_for_variants(&self, uri: &str) {
        if !variants::is_adaptive(uri) {
            return;
        }
        let weak = self.obj().downgrade();
        let uri = uri.to_string();
        glib::MainContext::ref_thread_default().spawn_local(async move {
            let read = uri.clone();
            let found = gio::spawn_blocking(move || variants::variants_of(&read, MANIFEST_TIMEOUT))
                .await
                .unwrap_or_default();
            let Some(player) = weak.upgrade() else { return };
            // Only if the same media is still loaded.
            if player.uri().as_deref() != Some(uri.as_str()) || found.is_empty() {
                return;
            }
            if player.imp().variants.list.replace(found) {
                player.emit_by_name::<()>("variants-changed", &[]);
            }
        });
    }
}

impl imp::Player {
    /// The playlist of the variant chosen by hand, if any.
    pub(super) fn chosen_variant_uri(&self) -> Option<String> {
        let chosen = self.variants.chosen.get()?;
        self.variants.list.borrow().get(chosen)?.uri.clone()
    }
}

impl super::Player {
    /// The variants (qualities) of the adaptive stream loaded, as its
    /// manifest lists them (empty for other media, and until read).
    pub fn variants(&self) -> Vec<Variant> {
        self.imp().variants.list.borrow().clone()
    }

    /// The variant chosen by hand, or `None` when the demuxer chooses.
    pub fn chosen_variant(&self) -> Option<usize> {
        self.imp().variants.chosen.get()
    }

    /// The variant playing: the one chosen, else the one whose picture
    /// height matches the video's (`None` when that cannot be told).
    pub fn current_variant(&self) -> Option<usize> {
        if let Some(chosen) = self.chosen_variant() {
            return Some(chosen);
        }
        let height = self.video_size()?.height;
        let variants = self.variants();
        let matching: Vec<usize> = (0..variants.len())
            .filter(|&i| variants[i].height == Some(height))
            .collect();
        (matching.len() == 1).then(|| matching[0])
    }

    /// Plays variant `index` alone from now on (HLS: loaded again from its
    /// own playlist, where it was; DASH: the demuxer held to its bitrate
    /// and the stream fetched again from where it is), or hands the choice
    /// back to the demuxer (`None`, the default).
    pub fn select_variant(&self, index: Option<usize>) -> Result<(), String> {
        let variants = self.variants();
        let chosen = match index {
            Some(i) => Some(variants.get(i).ok_or_else(|| {
                format!(
                    "There is no variant {} (the stream has {}).",
                    i.saturating_add(1),
                    variants.len()
                )
            })?),
            None => None,
        };
        let imp = self.imp();
        if imp.variants.chosen.get() == index {
            return Ok(());
        }
        // Variants without a playlist of their own (DASH) are chosen by
        // bitrate, in the running demuxer; the others by loading again.
        let by_bitrate = chosen.is_some_and(|v| v.uri.is_none())
            || (chosen.is_none() && imp.shared.pinned_bitrate.load(Ordering::Relaxed) > 0);
        if by_bitrate {
            let bits = chosen.map_or(0, |v| v.bandwidth);
            let demuxer = imp.shared.adaptive_demuxer.lock().unwrap().clone();
            if let Some(demuxer) = demuxer {
                if !variants::pin_bitrate(&demuxer, bits) {
                    return Err(format!(
                        "This stream's variants cannot be chosen by hand: its demuxer ({}) cannot be held to a bitrate; the player chooses by bandwidth.",
                        demuxer.factory().map_or_else(|| "unknown".into(), |f| f.name().to_string())
                    ));
                }
            }
            imp.shared.pinned_bitrate.store(bits, Ordering::Relaxed);
            imp.variants.chosen.set(index);
            // The demuxer may have fetched far ahead at the old bitrate: a
            // flushing seek to here makes it fetch the new one from the
            // segment playing, so the choice shows at once.
            if imp.pipeline.borrow().is_some() {
                self.seek(gst::ClockTime::from_nseconds(self.position()));
            }
        } else {
            imp.variants.chosen.set(index);
            let loaded = imp.pipeline.borrow().is_some();
            if let (Some(media), true) = (self.uri(), loaded) {
                imp.reload_here(&media);
            }
        }
        self.emit_by_name::<()>("variants-changed", &[]);
        Ok(())
    }

    /// Connects to `variants-changed`: the variant list or the choice
    /// changed.
    pub fn connect_variants_changed<F: Fn(&Self) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("variants-changed", false, move |values| {
            let player = values[0].get::<Self>().expect("the signal's emitter");
            f(&player);
            None
        })
    }
}
