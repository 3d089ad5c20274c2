//! The `inspect` worker seen from the parent: the next [`Note`] within the
//! time allowed, the report, the frames, and a sentence when the worker
//! crashes, goes silent or ends without its last word.

use super::wire::{Failure, Note};
use super::SLACK;
use crate::app::worker::{self, Ended, Next, Worker};
use framescope::engine::display_name;
use framescope::inspect::{discover_timeout, timed_out_sentence, FrameRecord, MediaReport};
use std::time::{Duration, Instant};

/// Why reading stopped early.
pub(super) enum Cut {
    /// A sentence to report (exit 1).
    Failed(Failure),
    /// SIGINT or SIGTERM.
    Signal(i32),
    /// The deadline given to [`Session::next`] passed.
    Deadline,
}

/// The worker, seen from the parent.
pub(super) struct Session {
    uri: String,
    worker: Option<Worker>,
}

impl Session {
    /// The parent's side of `worker`, which reads `uri`.
    pub(super) fn new(uri: String, worker: Worker) -> Self {
        Session {
            uri,
            worker: Some(worker),
        }
    }

    /// The next note, waiting `silence` at most between two lines, and
    /// not past `deadline`.
    fn next(
        &mut self,
        silence: Duration,
        deadline: Option<Instant>,
        timed_out: &dyn Fn() -> Failure,
    ) -> Result<Note, Cut> {
        let started = Instant::now();
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Cut::Deadline);
            }
            let Some(worker) = self.worker.as_mut() else {
                return Err(Cut::Failed(self.ended_early(Ended::Exited(0))));
            };
            if let Some(signal) = worker::stop_signal() {
                return Err(Cut::Signal(signal));
            }
            match worker.next(Duration::from_millis(100)) {
                Next::Line(line) => match serde_json::from_str::<Note>(&line) {
                    Ok(note) => return Ok(note),
                    // A line cut short by a crash: what follows says more.
                    Err(e) => tracing::debug!("inspect: unreadable line from the worker ({e})"),
                },
                Next::Quiet if started.elapsed() > silence => {
                    tracing::debug!("inspect: the worker was silent for {silence:?}; killing it");
                    self.stop();
                    return Err(Cut::Failed(timed_out()));
                }
                Next::Quiet => {}
                Next::Closed => {
                    let ended = self
                        .worker
                        .take()
                        .map_or(Ended::Killed, |w| w.finish(SLACK));
                    return Err(Cut::Failed(self.ended_early(ended)));
                }
            }
        }
    }

    /// The failure for a worker that ended without its last word.
    fn ended_early(&self, ended: Ended) -> Failure {
        tracing::debug!("inspect: the worker ended early: {ended:?}");
        match ended {
            Ended::Crashed { thread, .. } => Failure {
                kind: "corrupt".into(),
                message: worker::crash_sentence(&self.uri, thread.as_deref()),
            },
            _ => Failure {
                kind: "other".into(),
                message: format!(
                    "Reading “{}” ended without a result; run the command again.",
                    display_name(&self.uri)
                ),
            },
        }
    }

    /// Ends the worker now (nothing more is wanted from it).
    fn stop(&mut self) {
        if let Some(mut worker) = self.worker.take() {
            worker.kill();
            let _ = worker.finish(Duration::from_secs(1));
        }
    }

    /// Lets the worker end by itself after its last word.
    pub(super) fn close(&mut self) {
        if let Some(worker) = self.worker.take() {
            let ended = worker.finish(SLACK);
            if ended != Ended::Exited(0) {
                tracing::debug!("inspect: the worker ended after its result: {ended:?}");
            }
        }
    }

    /// The media facts.
    pub(super) fn report(&mut self) -> Result<MediaReport, Cut> {
        let limit = Duration::from_secs(discover_timeout(&self.uri).seconds());
        let uri = self.uri.clone();
        let timed_out = || Failure {
            kind: "other".into(),
            message: timed_out_sentence(&uri, limit.as_secs()),
        };
        loop {
            let note = match self.next(limit + SLACK, None, &timed_out) {
                // (No deadline was given.)
                Err(Cut::Deadline) => Err(Cut::Failed(timed_out())),
                other => other,
            };
            match note? {
                Note::Report(report) => return Ok(report),
                Note::Error(f) => {
                    self.close();
                    return Err(Cut::Failed(f));
                }
                Note::Done => {
                    self.close();
                    return Err(Cut::Failed(self.ended_early(Ended::Exited(0))));
                }
                Note::Frame(_) => {}
            }
        }
    }

    /// Passes each frame to `each` until the end, an error, `duration` or
    /// a stop signal; returns the error, if reading failed.
    pub(super) fn frames(
        &mut self,
        live: bool,
        duration: Option<u64>,
        mut each: impl FnMut(&FrameRecord) -> std::io::Result<()>,
    ) -> std::io::Result<Option<Failure>> {
        let stall = framescope::inspect::stall_limit(&self.uri);
        let uri = self.uri.clone();
        let timed_out = || Failure::from_error(&framescope::inspect::stalled(&uri, stall));
        let mut first_pts = None;
        let limit = duration.map(|d| d as i64);
        // On live input the duration is wall-clock time too.
        let deadline = duration
            .filter(|_| live)
            .map(|d| Instant::now() + Duration::from_nanos(d));
        loop {
            match self.next(stall + SLACK, deadline, &timed_out) {
                Ok(Note::Frame(wire)) => {
                    let frame = FrameRecord::from(wire);
                    if let (Some(limit), Some(pts)) = (limit, frame.pts) {
                        let first = *first_pts.get_or_insert(pts);
                        if pts - first >= limit {
                            self.stop();
                            return Ok(None);
                        }
                    }
                    if let Err(e) = each(&frame) {
                        self.stop();
                        return Err(e);
                    }
                }
                Ok(Note::Done) => {
                    self.close();
                    return Ok(None);
                }
                Ok(Note::Error(f)) => {
                    self.close();
                    return Ok(Some(f));
                }
                Ok(Note::Report(_)) => {}
                Err(Cut::Signal(_) | Cut::Deadline) => {
                    self.stop();
                    return Ok(None);
                }
                Err(Cut::Failed(f)) => return Ok(Some(f)),
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop();
    }
}
