//! How long a thread may wait for pipeline gates in all: 40 ms in any 100 ms.
//!
//! One [`Gate::ask`](crate::engine::gate::Gate::ask) waits
//! [`ASK_TIMEOUT`](crate::engine::gate::ASK_TIMEOUT) at most, but one turn
//! of the main loop can ask many times: an `open` asks the old pipeline
//! for its position and the new one for its first state change, a bus
//! message handler asks for duration and tracks. On a loaded machine each
//! of those waits can run to its limit, and the turn adds them up (the
//! 200 000-operation storm saw 129 ms in one `open`, bench/RESULTS.md).
//!
//! So waits draw on a budget of [`PER_TURN`] per thread: a wait is cut to
//! what is left of it, and once it is spent, asks take only answers that
//! are already there (the callers then go on with cached values, as they
//! do when an answer is late). The budget is refilled [`WINDOW`] after the
//! first wait it counted: a turn shorter than that waits [`PER_TURN`] in
//! all at most. (Refilling at the next turn with a high-priority idle
//! source starved the main loop's other sources: a caller asking between
//! turns added one every turn, and only those ever ran.)

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The most a thread waits for gate answers in one main-loop turn.
pub(crate) const PER_TURN: Duration = Duration::from_millis(40);
/// The budget is refilled this long after its first wait.
pub(crate) const WINDOW: Duration = Duration::from_millis(100);

thread_local! {
    /// When the current budget's first wait began, and how much of it has
    /// been spent; `None` while nothing is spent.
    static SPENT: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
}

/// How long a wait wanted for `wanted` may last on this thread now.
pub(crate) fn allowed(wanted: Duration) -> Duration {
    match current() {
        Some((_, spent)) => wanted.min(PER_TURN.saturating_sub(spent)),
        None => wanted,
    }
}

/// Counts a wait of `waited` against this thread's budget.
pub(crate) fn spend(waited: Duration) {
    let (since, spent) = current().unwrap_or_else(|| {
        (
            Instant::now()
                .checked_sub(waited)
                .unwrap_or_else(Instant::now),
            Duration::ZERO,
        )
    });
    SPENT.with(|s| s.set(Some((since, spent.saturating_add(waited)))));
}

/// The budget in force, `None` when nothing is spent or its window is over.
fn current() -> Option<(Instant, Duration)> {
    SPENT.with(|s| match s.get() {
        Some((since, spent)) if since.elapsed() < WINDOW => Some((since, spent)),
        Some(_) => {
            s.set(None);
            None
        }
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_cut_to_what_is_left_and_refilled_after_the_window() {
        // A thread of its own, with a budget of its own.
        std::thread::spawn(|| {
            assert_eq!(
                allowed(Duration::from_millis(30)),
                Duration::from_millis(30)
            );
            spend(Duration::from_millis(30));
            assert_eq!(
                allowed(Duration::from_millis(30)),
                Duration::from_millis(10)
            );
            spend(Duration::from_millis(15));
            assert_eq!(allowed(Duration::from_millis(30)), Duration::ZERO);
            std::thread::sleep(WINDOW);
            assert_eq!(
                allowed(Duration::from_millis(30)),
                Duration::from_millis(30)
            );
        })
        .join()
        .unwrap();
    }
}
