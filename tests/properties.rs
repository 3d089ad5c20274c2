//! Property tests (proptest): the code that reads what comes from outside —
//! times typed by people, file names and URIs, playlist indices, D-Bus
//! microseconds, encoded video bytes, HLS and DASH manifests — never
//! panics on any input, in debug builds where overflow checks fire. Where
//! there is an exact answer (a time printed and read back, a shuffled
//! order) it is checked too. Each property runs proptest's default 256
//! cases; the whole file takes a few seconds.

use framescope::engine::testing::{
    self, neighbour, neighbour_in_order, parse_dash_mpd, parse_hls_master, shuffled_order, Request,
    SeekQueue, Step,
};
use framescope::engine::{
    clock_time, clock_time_from_micros, os_to_uri, parse_time, precise, to_uri, Chapter, Repeat,
    MAX_TIME_NS,
};
use framescope::inspect::testing::PictureParser;
use proptest::prelude::*;

/// Strings near what people type as times: digits, colons, dots, signs,
/// exponents and the letters of `inf` and `nan`.
fn time_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            '0', '1', '2', '5', '9', ':', '.', '-', '+', 'e', 'E', 'i', 'n', 'f', 'a', ' ',
        ]),
        0..28,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn repeat() -> impl Strategy<Value = Repeat> {
    prop::sample::select(vec![Repeat::None, Repeat::One, Repeat::All])
}

fn step() -> impl Strategy<Value = Step> {
    prop::sample::select(vec![Step::Auto, Step::Next, Step::Previous])
}

/// Lines that look like an HLS master playlist, shuffled and broken.
fn hls_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("#EXTM3U".to_string()),
            Just("#EXT-X-STREAM-INF:BANDWIDTH=".to_string()),
            Just("#EXT-X-STREAM-INF:BANDWIDTH=1280000,RESOLUTION=1280x720".to_string()),
            Just(
                "#EXT-X-STREAM-INF:CODECS=\"avc1,mp4a\",BANDWIDTH=99999999999999999999".to_string()
            ),
            Just("#EXT-X-STREAM-INF:RESOLUTION=x,BANDWIDTH=\"".to_string()),
            Just("low/index.m3u8".to_string()),
            Just("http://[::1/x".to_string()),
            Just("seg\0ment.m3u8".to_string()),
            Just("".to_string()),
            any::<String>(),
        ],
        0..12,
    )
    .prop_map(|lines| lines.join("\n"))
}

/// Text that looks like a DASH manifest, shuffled and broken.
fn dash_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("<Representation".to_string()),
            Just(" width=\"".to_string()),
            Just(" height=\"720\"".to_string()),
            Just(" bandwidth=\"18446744073709551616\"".to_string()),
            Just(" bandwidth=\"500000\" width=\"640\"".to_string()),
            Just(">".to_string()),
            Just("\"".to_string()),
            any::<String>(),
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

fn parsers() -> impl Strategy<Value = PictureParser> {
    prop_oneof![
        (0usize..=8).prop_map(|n| PictureParser::H264(Some(n))),
        Just(PictureParser::H264(None)),
        (0usize..=8).prop_map(|n| PictureParser::H265(Some(n))),
        Just(PictureParser::H265(None)),
        Just(PictureParser::Mpeg12),
        Just(PictureParser::Mpeg4),
        Just(PictureParser::KeyframeOnly),
        Just(PictureParser::Unknown),
    ]
}

/// Bytes rich in start codes, emulation-prevention bytes and 0xff runs.
fn bitstream() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            Just(vec![0, 0, 1]),
            Just(vec![0, 0, 0, 1]),
            Just(vec![0, 0, 3]),
            Just(vec![0xff; 9]),
            Just(vec![0; 40]),
            Just(vec![0x65, 0x88, 0x80]),
            Just(vec![0x06, 0x06, 0xff, 0xff]),
            Just(vec![0, 0, 1, 0xb6]),
        ],
        0..40,
    )
    .prop_map(|chunks| chunks.concat())
}

proptest! {
    #[test]
    fn time_parsing_never_panics_and_stays_in_range(s in any::<String>(), t in time_like()) {
        for s in [s, t] {
            if let Ok(ns) = parse_time(&s) {
                prop_assert!(ns <= MAX_TIME_NS, "{s} → {ns}");
            }
        }
    }

    #[test]
    fn any_number_as_seconds_is_a_time_or_a_sentence(x in any::<f64>()) {
        for s in [format!("{x}"), format!("{x:e}"), format!("{x:.3}")] {
            match parse_time(&s) {
                Ok(ns) => {
                    // As printed (`{:.3}` rounds), the number the text says.
                    let v: f64 = s.parse().unwrap();
                    prop_assert!(v >= 0.0 && v * 1e9 <= MAX_TIME_NS as f64 + 1.0, "{s} → {ns}");
                    prop_assert!((ns as f64 - v * 1e9).abs() <= 1.0, "{s} → {ns}");
                }
                Err(e) => prop_assert!(e.starts_with('“') && e.contains(&s), "{s}: {e}"),
            }
        }
    }

    #[test]
    fn printed_times_read_back(ms in 0u64..=MAX_TIME_NS / 1_000_000) {
        let printed = precise(gst::ClockTime::from_mseconds(ms));
        prop_assert_eq!(parse_time(&printed), Ok(ms * 1_000_000), "{}", printed);
    }

    #[test]
    fn any_count_is_a_clock_time(ns in any::<u64>(), us in any::<i64>()) {
        let t = clock_time(ns);
        prop_assert!(t.nseconds() <= ns);
        let _ = precise(t);
        if let Some(t) = clock_time_from_micros(us) {
            prop_assert_eq!(t.nseconds(), us as u64 * 1000);
        } else {
            prop_assert!(us < 0 || us as u128 * 1000 >= u64::MAX as u128);
        }
    }

    #[test]
    fn any_string_or_name_becomes_a_uri(
        s in prop_oneof![any::<String>(), Just("http://a\0b".to_string()), Just("a\0b".to_string())],
        bytes in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        use std::os::unix::ffi::OsStrExt;
        prop_assert!(!to_uri(&s).contains('\0'));
        let _ = os_to_uri(std::ffi::OsStr::new(&s));
        let uri = os_to_uri(std::ffi::OsStr::from_bytes(&bytes));
        prop_assert!(uri.is_ascii() || std::str::from_utf8(&bytes).is_ok(), "{uri}");
    }

    #[test]
    fn playlist_neighbours_stay_in_the_list(
        current in any::<Option<usize>>(),
        len in prop_oneof![0usize..6, any::<usize>()],
        repeat in repeat(),
        step in step(),
    ) {
        if let Some(i) = neighbour(current, len, repeat, step) {
            prop_assert!(i < len);
        }
    }

    #[test]
    fn shuffles_are_permutations(
        len in 0usize..200,
        first in any::<Option<usize>>(),
        draws in prop::collection::vec(any::<u32>(), 1..50),
        current in any::<Option<usize>>(),
        repeat in repeat(),
        step in step(),
    ) {
        let mut k = 0;
        let order = shuffled_order(len, first, |n| {
            k += 1;
            draws[k % draws.len()] % n.max(1)
        });
        let mut sorted = order.clone();
        sorted.sort_unstable();
        prop_assert_eq!(sorted, (0..len).collect::<Vec<_>>());
        if let Some(f) = first.filter(|&f| f < len) {
            prop_assert_eq!(order[0], f);
        }
        if let Some(i) = neighbour_in_order(&order, current, repeat, step) {
            prop_assert!(i < len);
        }
        // Even a random function that ignores its bound must not break it.
        let _ = shuffled_order(len, first, |_| u32::MAX);
    }

    #[test]
    fn chapter_moves_never_overflow(
        starts in prop::collection::vec(any::<u64>(), 0..8),
        position in any::<u64>(),
    ) {
        let mut list: Vec<Chapter> = starts
            .into_iter()
            .map(|start| Chapter { title: None, start, end: None })
            .collect();
        list.sort_by_key(|c| c.start);
        let _ = testing::current(&list, position);
        let _ = testing::next_start(&list, position);
        let _ = testing::previous_start(&list, position);
        for (i, c) in list.iter().enumerate() {
            let _ = c.label(i);
        }
    }

    #[test]
    fn waiting_steps_add_up_without_overflow(steps in prop::collection::vec(any::<i64>(), 1..10)) {
        let mut queue = SeekQueue::default();
        for s in steps {
            let _ = queue.offer(Request::Step(s));
        }
        let _ = queue.finish();
    }

    #[test]
    fn picture_types_of_any_bytes(parser in parsers(), data in bitstream(), raw in prop::collection::vec(any::<u8>(), 0..64), keyframe in any::<bool>()) {
        let _ = parser.analyse(&data, keyframe);
        let _ = parser.analyse(&raw, keyframe);
    }

    #[test]
    fn manifests_of_any_text(
        hls in hls_like(),
        dash in dash_like(),
        text in any::<String>(),
        base in prop_oneof![any::<String>(), Just("https://a\0b/".to_string())],
    ) {
        for t in [&hls, &text] {
            let _ = parse_hls_master(t, "https://example.org/live/master.m3u8");
            let _ = parse_hls_master(t, &base);
        }
        for t in [&dash, &text] {
            let variants = parse_dash_mpd(t);
            prop_assert!(variants.windows(2).all(|w| w[0].bandwidth <= w[1].bandwidth));
            for v in &variants {
                let _ = v.label();
            }
        }
    }
}
