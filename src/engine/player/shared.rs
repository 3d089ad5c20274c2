//! What the player shares with streaming threads: the values the
//! pipeline's `element-setup` and `source-setup` handlers read while they
//! configure new elements. Everything else on the player belongs to the
//! main thread (see the concurrency rule in [`super`]).

use std::sync::atomic::AtomicI32;
use std::sync::Mutex;

/// The player's state that streaming threads touch, behind one `Arc` the
/// pipeline's handlers hold. Each field says who writes it, who reads it
/// and how; no lock here is held across a call into GStreamer, and the
/// main thread never waits for a streaming thread on one (each is held
/// only to copy a value in or out).
///
/// Per-pipeline hooks, adaptive streams, the gapless switch and the
/// subtitle lift still keep their own shared fields on the player, with
/// the facets that own them (tracks, variants, playlist).
#[derive(Debug)]
pub struct Shared {
    /// `live-latency-ms`: the latency asked of live network sources, -1
    /// for their own default. Written on the main thread by the property
    /// setter; read on streaming threads by `source-setup` (RTSP, SRT) and
    /// `element-setup` (a DASH demuxer's presentation delay), and on the
    /// main thread when the video sink is set up. An atomic, relaxed: each
    /// reader wants the latest value and nothing else is ordered by it.
    pub live_latency_ms: AtomicI32,
    /// `tls-ca-file`: the PEM file HTTPS sources trust instead of the
    /// system's. Written on the main thread by the property setter; read
    /// by `source-setup` on a streaming thread, and on the main thread
    /// (the property getter, a failed network open's diagnosis). Its mutex
    /// is held only to clone or replace the value.
    pub tls_ca_file: Mutex<Option<String>>,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            live_latency_ms: AtomicI32::new(-1),
            tls_ca_file: Mutex::new(None),
        }
    }
}
