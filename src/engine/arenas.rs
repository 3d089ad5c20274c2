//! Keeps resident memory flat while pipelines come and go: limits glibc's
//! malloc to two arenas, once, before the first pipeline starts.
//!
//! glibc gives a thread that allocates while another holds an arena's lock
//! an arena of its own, up to eight per core. GStreamer's streaming threads
//! come and go with every pipeline, and frames freed into those arenas
//! leave them fragmented: pages stay resident that `malloc_trim` cannot
//! give back, and the resident size grows with every media opened while
//! what the process really holds stays flat. Measured with 600 opens of a
//! clip in one view (release of each pipeline, `malloc_trim`, 1.5 s idle
//! before each sample; bench/RESULTS.md, "Where resident memory went"):
//! glibc's default 276 → 326 MB resident with the heap flat at 115 MB;
//! four arenas 236 → 241 MB; two arenas flat at 233 MB.
//!
//! Two arenas (the main one and one shared by all other threads) cost
//! nothing measurable here: decoders and converters take their frames from
//! buffer pools, so streaming threads rarely call malloc for large blocks.
//!
//! A host that tunes malloc itself sets `FRAMESCOPE_MALLOC_ARENAS=0` (glibc's
//! choice is kept) or to a number of arenas (1 to 64). The limit is set by
//! [`crate::engine::init`]; glibc reads it when the ninth arena would be
//! made, so a host that has already run many threads keeps what it has.

use crate::engine::log;

/// The arenas allowed unless `FRAMESCOPE_MALLOC_ARENAS` says otherwise.
pub(crate) const DEFAULT_ARENAS: i32 = 2;

/// What `FRAMESCOPE_MALLOC_ARENAS` asks for: `None` to keep glibc's
/// choice, `Some(n)` for `n` arenas; a value that is not 0 to 64 is refused
/// with a sentence (and the default used).
pub(crate) fn arenas_wanted(setting: Option<&str>) -> Result<Option<i32>, String> {
    let Some(text) = setting else {
        return Ok(Some(DEFAULT_ARENAS));
    };
    match text.trim().parse::<i32>() {
        Ok(0) => Ok(None),
        Ok(n) if (1..=64).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "FRAMESCOPE_MALLOC_ARENAS=“{text}” is not a number of malloc arenas from 0 (keep glibc's choice) to 64; using {DEFAULT_ARENAS}"
        )),
    }
}

/// Sets the arena limit (once per process).
pub(crate) fn limit() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        let setting = std::env::var("FRAMESCOPE_MALLOC_ARENAS").ok();
        let arenas = arenas_wanted(setting.as_deref()).unwrap_or_else(|sentence| {
            log::warn!("{sentence}");
            Some(DEFAULT_ARENAS)
        });
        if let Some(arenas) = arenas {
            set_arena_max(arenas);
        }
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_arena_max(arenas: i32) {
    // SAFETY: mallopt only changes the allocator's own parameters, under
    // its lock; M_ARENA_MAX takes any positive count.
    let accepted = unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) };
    if accepted != 1 {
        log::debug!("malloc did not take an arena limit of {arenas}");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_arena_max(_arenas: i32) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_read_and_bad_values_are_refused_with_a_sentence() {
        assert_eq!(arenas_wanted(None), Ok(Some(DEFAULT_ARENAS)));
        assert_eq!(arenas_wanted(Some("0")), Ok(None));
        assert_eq!(arenas_wanted(Some(" 8 ")), Ok(Some(8)));
        assert_eq!(arenas_wanted(Some("64")), Ok(Some(64)));
        for bad in ["65", "-1", "", "two", "2147483648"] {
            let sentence = arenas_wanted(Some(bad)).unwrap_err();
            assert!(sentence.contains("FRAMESCOPE_MALLOC_ARENAS"), "{sentence}");
        }
    }
}
