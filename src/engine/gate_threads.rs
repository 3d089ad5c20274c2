//! The threads that serve pipeline gates, started away from the thread that
//! opens a gate.
//!
//! Starting a thread takes the dynamic loader's lock (glibc sets up the new
//! thread's thread-local storage under it). While another thread loads a
//! large plugin for the first time — `libgstlibav` pulls in libavcodec's
//! whole dependency tree, about 100 ms of `dlopen` on a 2-core machine —
//! that lock is held, and a main thread that opened a pipeline and started
//! its gate's thread itself waited for it (47 to 166 ms in the storm test,
//! bench/RESULTS.md "The first Ogg open").
//!
//! So [`serve`] never starts a thread on the caller's thread: a gate's work
//! goes to a thread that is already waiting for one (at most [`MAX_IDLE`]
//! wait; the others end when their gate closes, so the number of threads
//! still follows the number of open pipelines), and when none is waiting,
//! to the starter thread, which starts one for it. Taking the last waiting
//! thread also asks the starter for a spare, so the next gate finds one.
//! [`warm_up`] (from [`crate::engine::init`]) starts the starter and the
//! first spare before any pipeline exists.

use crate::engine::log;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Threads at most that wait for a gate to serve.
pub(crate) const MAX_IDLE: usize = 2;

/// One gate's whole service: returns when the gate closes.
pub(crate) type Service = Box<dyn FnOnce() + Send>;

/// What the starter is asked for.
enum Start {
    /// A thread for this service.
    For(Service),
    /// A spare thread, if none is waiting.
    Spare,
}

/// Gate threads: those waiting for a service, and the thread that starts
/// more.
pub(crate) struct Pool {
    /// The threads waiting for a service, each by its own channel.
    idle: Mutex<Vec<mpsc::Sender<Service>>>,
    /// The starter thread's channel (`None`: it could not be started).
    starter: OnceLock<Option<Mutex<mpsc::Sender<Start>>>>,
    /// Held by a test to stand in for a dynamic loader that holds up every
    /// thread start.
    #[cfg(test)]
    spawn_held: Mutex<()>,
}

/// The pool every gate uses.
static POOL: Pool = Pool::new();

/// Starts the starter thread and one spare gate thread, so that the first
/// pipeline's gate starts no thread either. Safe to call more than once.
pub(crate) fn warm_up() {
    POOL.warm_up();
}

/// Runs `service` on a gate thread. Never starts a thread on this one
/// (past the first call when [`warm_up`] was not called) and never waits
/// for one: the service starts once a thread is free for it.
pub(crate) fn serve(service: Service) {
    POOL.serve(service);
}

impl Pool {
    const fn new() -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            starter: OnceLock::new(),
            #[cfg(test)]
            spawn_held: Mutex::new(()),
        }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<mpsc::Sender<Service>>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// See [`warm_up`].
    fn warm_up(&'static self) {
        self.ask_starter(Start::Spare);
    }

    /// See [`serve`].
    fn serve(&'static self, service: Service) {
        let mut service = service;
        let mut waiting = self.idle();
        while let Some(thread) = waiting.pop() {
            match thread.send(service) {
                Ok(()) => {
                    let none_left = waiting.is_empty();
                    drop(waiting);
                    if none_left {
                        self.ask_starter(Start::Spare);
                    }
                    return;
                }
                // That thread is gone (it panicked): try the next.
                Err(mpsc::SendError(back)) => service = back,
            }
        }
        drop(waiting);
        self.ask_starter(Start::For(service));
    }

    /// Sends `start` to the starter thread, starting that first if needed.
    fn ask_starter(&'static self, start: Start) {
        let starter = self.starter.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Start>();
            let spawned = std::thread::Builder::new()
                .name("framescope-gate-starter".into())
                .spawn(move || {
                    for start in rx {
                        match start {
                            Start::For(service) => self.start_thread(Some(service)),
                            Start::Spare if self.idle().is_empty() => self.start_thread(None),
                            Start::Spare => {}
                        }
                    }
                });
            match spawned {
                Ok(_) => Some(Mutex::new(tx)),
                Err(e) => {
                    log::warn!("could not start the thread that starts pipeline gates: {e}");
                    None
                }
            }
        });
        let sent = starter.as_ref().is_some_and(|tx| {
            tx.lock()
                .unwrap_or_else(|e| e.into_inner())
                .send(start)
                .is_ok()
        });
        if !sent {
            // Its service is dropped: that gate refuses every call (asks
            // answer `None`), as a gate whose thread could not start does.
            log::warn!("no thread to serve a pipeline gate");
        }
    }

    /// Starts a gate thread, serving `first` if given, then waiting for
    /// more (or leaving when [`MAX_IDLE`] threads already wait).
    fn start_thread(&'static self, first: Option<Service>) {
        #[cfg(test)]
        let _held = self.spawn_held.lock().unwrap_or_else(|e| e.into_inner());
        let (tx, rx) = mpsc::channel::<Service>();
        if first.is_none() {
            self.idle().push(tx.clone());
        }
        let spawned = std::thread::Builder::new()
            .name("framescope-gate".into())
            .spawn(move || {
                let mut next = first;
                loop {
                    let service = match next.take() {
                        Some(service) => service,
                        None => match rx.recv() {
                            Ok(service) => service,
                            Err(_) => return,
                        },
                    };
                    service();
                    let mut waiting = self.idle();
                    if waiting.len() >= MAX_IDLE {
                        return;
                    }
                    waiting.push(tx.clone());
                }
            });
        if let Err(e) = spawned {
            // A spare that never started: its channel went with the
            // closure, so `serve` finds it gone and tries the next.
            log::warn!("could not start a pipeline gate thread: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// A pool of the test's own (the shared one serves other tests' gates
    /// in parallel).
    fn own_pool() -> &'static Pool {
        Box::leak(Box::new(Pool::new()))
    }

    fn wait_for_a_spare(pool: &Pool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.idle().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(
            !pool.idle().is_empty(),
            "no spare gate thread after warming up"
        );
    }

    /// While thread starts are held up (as a dynamic loader busy with a
    /// large library holds them), handing a gate its thread returns at
    /// once: the caller neither starts a thread nor waits for one.
    #[test]
    fn serving_never_waits_for_a_thread_to_start() {
        let pool = own_pool();
        pool.warm_up();
        wait_for_a_spare(pool);
        let (ran_tx, ran) = mpsc::channel();
        // Each service stays on its thread until told to end, so that no
        // thread comes back free for the next one.
        let (end_tx, end_rx): (Vec<_>, Vec<_>) = (0..3).map(|_| mpsc::channel::<()>()).unzip();
        let held = pool.spawn_held.lock().unwrap();
        // Handed out from another thread, so that a `serve` that waits
        // fails this test instead of hanging it.
        let (done_tx, done) = mpsc::channel();
        let caller = std::thread::spawn(move || {
            for (i, end) in end_rx.into_iter().enumerate() {
                let ran_tx = ran_tx.clone();
                // The first takes the spare; the others wait for the starter.
                pool.serve(Box::new(move || {
                    let _ = ran_tx.send((i, std::thread::current().id()));
                    let _ = end.recv();
                }));
                let _ = done_tx.send(i);
            }
        });
        for i in 0..3 {
            assert_eq!(
                done.recv_timeout(Duration::from_millis(500)).ok(),
                Some(i),
                "handing out service {i} waited for a thread to start"
            );
        }
        let (first, on) = ran.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(first, 0);
        assert_ne!(on, caller.thread().id());
        assert!(ran.recv_timeout(Duration::from_millis(100)).is_err());
        drop(held);
        let mut rest: Vec<usize> = (0..2)
            .map(|_| ran.recv_timeout(Duration::from_secs(5)).unwrap().0)
            .collect();
        rest.sort_unstable();
        assert_eq!(rest, vec![1, 2]);
        for end in end_tx {
            let _ = end.send(());
        }
    }

    /// Eight gates served at once each get a thread; once they close, at
    /// most [`MAX_IDLE`] threads stay, and they serve again.
    #[test]
    fn many_services_at_once_all_run_and_few_threads_stay() {
        let pool = own_pool();
        let (tx, rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let release = std::sync::Arc::new(Mutex::new(release_rx));
        for i in 0..8 {
            let (tx, release) = (tx.clone(), release.clone());
            pool.serve(Box::new(move || {
                let _ = tx.send(i);
                // Every thread is held until all have started.
                let _ = release.lock().unwrap().recv();
            }));
        }
        let mut started: Vec<i32> = (0..8)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
            .collect();
        started.sort_unstable();
        assert_eq!(started, (0..8).collect::<Vec<_>>());
        for _ in 0..8 {
            release_tx.send(()).unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.idle().len() < MAX_IDLE && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(pool.idle().len(), MAX_IDLE);
        pool.serve(Box::new(move || {
            let _ = tx.send(8);
        }));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 8);
    }
}
