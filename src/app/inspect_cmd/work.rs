//! The `inspect` worker process: reads the input and sends the report, each
//! frame and the end to the parent as [`Note`]s.

use super::wire::{send, Failure, Note, WireFrame};
use super::InspectOptions;
use crate::app::worker;
use framescope::engine::os_to_uri;
use framescope::inspect::{inspect, scan_frames, ScanKinds};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Reads the input and sends what it finds to the parent.
pub(super) fn work(options: &InspectOptions) {
    worker::enter();
    let uri = os_to_uri(&options.input);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let report = match inspect(&uri) {
        Ok(r) => r,
        Err(e) => {
            let _ = send(&mut out, &Note::Error(Failure::from_error(&e)));
            let _ = out.flush();
            return;
        }
    };
    let streams = report.streams.clone();
    if send(&mut out, &Note::Report(report))
        .and_then(|()| out.flush())
        .is_err()
    {
        return;
    }
    if options.frames || options.gop {
        release_freed_memory();
        let kinds = if options.frames {
            ScanKinds::ALL
        } else {
            ScanKinds::VIDEO
        };
        let cancel = AtomicBool::new(false);
        let mut flushed = Instant::now();
        let scanned = scan_frames(&uri, &streams, kinds, &cancel, |frame| {
            let sent = send(&mut out, &Note::Frame(WireFrame::from(&frame))).and_then(|()| {
                // Frames reach the parent in good time even when they come
                // slowly (a live stream).
                if flushed.elapsed() > Duration::from_millis(200) {
                    flushed = Instant::now();
                    out.flush()
                } else {
                    Ok(())
                }
            });
            if sent.is_err() {
                // The parent is gone.
                cancel.store(true, Ordering::Relaxed);
            }
        });
        if let Err(e) = scanned {
            let _ = send(&mut out, &Note::Error(Failure::from_error(&e)));
            let _ = out.flush();
            return;
        }
    }
    let _ = send(&mut out, &Note::Done);
    let _ = out.flush();
}

/// Media discovery decodes a frame of each stream (a 1080p H.264 decoder
/// allocates tens of MB); glibc keeps what it freed. Give it back before
/// the long frame scan, so a long file's scan stays small.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
