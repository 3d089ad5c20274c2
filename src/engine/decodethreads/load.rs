//! How busy the thread feeding a decoder is, window by window, on the
//! thread's own CPU clock (`decodethreads` decides from it when one
//! decoder thread is not enough).

use super::Tuning;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// The busy share of one thread, window by window.
#[derive(Debug)]
pub(super) struct Load {
    pub(super) tuning: Tuning,
    /// The window's start: wall time, the thread's CPU time, the thread.
    start: Option<(Instant, Duration, ThreadId)>,
    strikes: u32,
}

impl Load {
    pub(super) fn new(tuning: Tuning) -> Self {
        Load {
            tuning,
            start: None,
            strikes: 0,
        }
    }

    /// Starts over (after a flush: the decoder ran ahead to refill).
    pub(super) fn restart(&mut self) {
        self.start = None;
        self.strikes = 0;
    }

    /// Takes a sample; true when enough windows in a row were too busy.
    pub(super) fn sample(&mut self, now: Instant, cpu: Duration, thread: ThreadId) -> bool {
        let Some((wall0, cpu0, thread0)) = self.start else {
            self.start = Some((now, cpu, thread));
            return false;
        };
        if thread0 != thread {
            // Another thread's clock: nothing to compare.
            self.restart();
            self.start = Some((now, cpu, thread));
            return false;
        }
        let wall = now.saturating_duration_since(wall0);
        if wall < self.tuning.window {
            return false;
        }
        let busy = cpu.saturating_sub(cpu0).as_secs_f64() / wall.as_secs_f64();
        self.strikes = if busy > self.tuning.busy_limit {
            self.strikes.saturating_add(1)
        } else {
            0
        };
        self.start = Some((now, cpu, thread));
        self.strikes >= self.tuning.strikes
    }
}

/// The CPU time the calling thread has used.
pub(super) fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    let secs = u64::try_from(ts.tv_sec).ok()?;
    let nanos = u32::try_from(ts.tv_nsec).ok()?;
    Some(Duration::new(secs, 0).saturating_add(Duration::from_nanos(u64::from(nanos))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(2);

    fn tuning() -> Tuning {
        Tuning::default()
    }

    /// Feeds `load` windows of `busy` share each; returns the verdicts.
    fn windows(load: &mut Load, busy: &[f64]) -> Vec<bool> {
        let thread = std::thread::current().id();
        let t0 = Instant::now();
        let mut cpu = Duration::ZERO;
        let mut verdicts = vec![load.sample(t0, cpu, thread)];
        for (i, share) in busy.iter().enumerate() {
            cpu += T.mul_f64(*share);
            let now = t0 + T * u32::try_from(i + 1).unwrap();
            verdicts.push(load.sample(now, cpu, thread));
        }
        verdicts
    }

    #[test]
    fn two_busy_windows_in_a_row_make_a_decoder_go_back() {
        let mut load = Load::new(tuning());
        assert_eq!(
            windows(&mut load, &[0.9, 0.2, 0.9, 0.9]),
            [false, false, false, false, true]
        );
    }

    #[test]
    fn a_decoder_keeping_up_stays_on_one_thread() {
        let mut load = Load::new(tuning());
        assert!(!windows(&mut load, &[0.3, 0.7, 0.5, 0.74, 0.1]).contains(&true));
    }

    #[test]
    fn a_flush_or_another_thread_starts_the_count_over() {
        let mut load = Load::new(tuning());
        windows(&mut load, &[0.9]);
        load.restart();
        assert_eq!(windows(&mut load, &[0.9]), [false, false]);
        // A sample from another thread compares nothing.
        let other = std::thread::spawn(std::thread::current)
            .join()
            .unwrap()
            .id();
        assert!(!load.sample(Instant::now() + T * 10, Duration::from_secs(100), other));
        assert_eq!(load.strikes, 0);
    }

    #[test]
    fn a_short_window_decides_nothing() {
        let mut load = Load::new(tuning());
        let thread = std::thread::current().id();
        let t0 = Instant::now();
        assert!(!load.sample(t0, Duration::ZERO, thread));
        assert!(!load.sample(t0 + T / 2, T, thread));
        assert_eq!(load.strikes, 0);
    }

    #[test]
    fn the_thread_clock_counts_work() {
        let before = thread_cpu_time().unwrap();
        let mut x = 0u64;
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let used = thread_cpu_time().unwrap().saturating_sub(before);
        assert!(used >= Duration::from_millis(20), "{used:?}");
    }
}
