//! Choices inside adaptive streams: HLS variants and DASH representations
//! listed, measured and chosen, and HLS subtitle and audio renditions as
//! tracks.

use super::*;
use gio::prelude::*;

/// A two-variant HLS stream: both variants listed from the master
/// playlist, the bandwidth measured, and each variant chosen by hand
/// plays (its picture size) with the numbered frames going on; then the
/// demuxer chooses again.
pub fn hls_variants_are_listed_measured_and_chosen() {
    with_context(|| {
        let dir = generated_variant_hls();
        let server = HttpServer::files(&dir).start();
        let (player, out) = play_two_variants(&server.url("master.m3u8"));
        let variants = player.variants();
        assert_eq!(variants[0].bandwidth, 400_000);
        assert_eq!(variants[1].label(), "640x480, 1.6 Mb/s");
        // The list model says the same.
        let model = player.variants_model();
        let items: Vec<framescope::engine::VariantItem> = (0..model.n_items())
            .filter_map(|i| model.item(i).and_downcast())
            .collect();
        assert_eq!(
            items.iter().filter_map(|v| v.variant()).collect::<Vec<_>>(),
            variants
        );
        assert_eq!(
            (items[1].width(), items[1].height(), items[1].bandwidth()),
            (640, 480, 1_600_000)
        );
        assert_eq!(items[1].label(), "640x480, 1.6 Mb/s");
        assert!(
            run_until(Duration::from_secs(5), || player.bandwidth() > 0.0),
            "no bandwidth measured"
        );
        println!(
            "    measured {:.1} Mb/s; playing {:?}",
            player.bandwidth() / 1e6,
            player.video_size()
        );
        for (index, height) in [(1, 480), (0, 240), (1, 480)] {
            room_to_play_on(&player);
            player.select_variant(Some(index)).unwrap();
            assert!(
                run_until(Duration::from_secs(15), || player
                    .video_size()
                    .is_some_and(|s| s.height == height)),
                "variant {index}: still {:?} at {} ns",
                player.video_size(),
                player.position()
            );
            assert_eq!(player.current_variant(), Some(index));
            println!(
                "    variant {index}: {:?} at {:.2} s",
                player.video_size().map(|s| (s.width, s.height)),
                player.position() as f64 / 1e9
            );
            shows_a_numbered_frame(&player, &format!("variant {index}"));
        }
        assert!(player.select_variant(Some(5)).is_err());
        player.select_variant(None).unwrap();
        assert_eq!(player.chosen_variant(), None);
        stop_without_errors(&player, &out);
    });
}

/// A DASH manifest with two representations of one video: both listed;
/// choosing one by hand holds the demuxer to it (the picture size follows
/// at a segment boundary, the numbered frames go on) without loading the
/// stream again; then the demuxer chooses again.
pub fn dash_representations_are_listed_and_chosen() {
    with_context(|| {
        let dir = generated_variant_dash();
        let server = HttpServer::files(&dir).start();
        let (player, out) = play_two_variants(&server.url("dash.mpd"));
        assert_eq!(player.variants()[0].label(), "320x240, 400 kb/s");
        assert!(player.variants().iter().all(|v| v.uri.is_none()));
        let manifest_requests = || {
            server
                .log()
                .iter()
                .filter(|r| r.path.ends_with("dash.mpd"))
                .count()
        };
        let manifests_before = manifest_requests();
        println!("    playing {:?} at first", player.video_size());
        // The other representation first, then back.
        let first = if player.video_size().is_some_and(|s| s.height == 240) {
            1
        } else {
            0
        };
        for index in [first, 1 - first] {
            let height = [240, 480][index];
            room_to_play_on(&player);
            player.select_variant(Some(index)).unwrap();
            assert_eq!(player.current_variant(), Some(index));
            assert!(
                run_until(Duration::from_secs(10), || player
                    .video_size()
                    .is_some_and(|s| s.height == height)),
                "representation {index}: still {:?} at {} ns",
                player.video_size(),
                player.position()
            );
            println!(
                "    representation {index}: {:?} at {:.2} s",
                player.video_size().map(|s| (s.width, s.height)),
                player.position() as f64 / 1e9
            );
            // Held to it: the segments fetched now are its own (on
            // loopback the demuxer alone would take the high one).
            let folder = ["/low/", "/high/"][index];
            let last = server
                .log()
                .last()
                .map(|l| l.path.clone())
                .unwrap_or_default();
            assert!(
                last.starts_with(folder),
                "last fetched {last}, not from {folder}"
            );
            shows_a_numbered_frame(&player, &format!("representation {index}"));
        }
        assert_eq!(
            manifest_requests(),
            manifests_before,
            "choosing a representation reloaded the manifest"
        );
        player.select_variant(None).unwrap();
        assert_eq!(player.chosen_variant(), None);
        stop_without_errors(&player, &out);
        let report = framescope::inspect::inspect(&server.url("dash.mpd"))
            .expect("the DASH stream inspects");
        println!(
            "    inspect: {:?}",
            report
                .streams
                .iter()
                .map(|s| (&s.kind, &s.codec))
                .collect::<Vec<_>>()
        );
        assert!(has_h264_video(&report), "{report:?}");
    });
}

/// Plays `uri` until two tracks of `kind` are listed and it plays (15 s at
/// most), and returns those tracks.
fn two_tracks_playing(
    player: &Player,
    out: &std::cell::RefCell<Outcome>,
    uri: &str,
    kind: framescope::engine::TrackKind,
) -> Vec<framescope::engine::Track> {
    player.open(uri);
    player.play();
    let listed = run_until(Duration::from_secs(15), || {
        player.tracks_of(kind).len() == 2 && player.state() == PlayerState::Playing
    });
    let tracks = player.tracks_of(kind);
    let name = match kind {
        framescope::engine::TrackKind::Audio => "audio",
        framescope::engine::TrackKind::Subtitle => "subtitle",
        framescope::engine::TrackKind::Video => "video",
    };
    println!(
        "    {name} tracks: {:?}",
        tracks.iter().map(|t| t.label()).collect::<Vec<_>>()
    );
    assert!(
        listed,
        "tracks {:?}, state {:?}, errors {:?}",
        player.tracks(),
        player.state(),
        out.borrow().errors
    );
    tracks
}

/// An HLS master playlist with two WebVTT subtitle renditions (English,
/// French) for its one variant: both are listed as subtitle tracks with
/// their languages while the video plays, and either can be chosen.
pub fn hls_subtitle_renditions_are_tracks() {
    use framescope::engine::TrackKind;
    with_context(|| {
        let dir = generated_variant_hls();
        for (lang, text) in [("en", "Hello"), ("fr", "Bonjour")] {
            let subs = dir.join(format!("subs_{lang}"));
            std::fs::create_dir_all(&subs).unwrap();
            std::fs::write(
                subs.join("cues.vtt"),
                format!(
                    "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n\
                     00:00:00.000 --> 00:00:05.000\n{text} one\n\n\
                     00:00:05.000 --> 00:00:10.000\n{text} two\n"
                ),
            )
            .unwrap();
            std::fs::write(
                subs.join("index.m3u8"),
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n\
                 #EXTINF:10.0,\ncues.vtt\n#EXT-X-ENDLIST\n",
            )
            .unwrap();
        }
        std::fs::write(
            dir.join("subtitled.m3u8"),
            "#EXTM3U\n\
             #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"subs_en/index.m3u8\"\n\
             #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Francais\",LANGUAGE=\"fr\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subs_fr/index.m3u8\"\n\
             #EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,SUBTITLES=\"subs\"\nlow/index.m3u8\n",
        )
        .unwrap();
        let server = HttpServer::files(&dir).start();
        let player = Player::headless();
        let out = record(&player);
        let subtitles = two_tracks_playing(
            &player,
            &out,
            &server.url("subtitled.m3u8"),
            TrackKind::Subtitle,
        );
        let languages: Vec<_> = subtitles
            .iter()
            .filter_map(|t| t.language.clone())
            .collect();
        assert!(
            languages.iter().any(|l| l.starts_with("en"))
                && languages.iter().any(|l| l.starts_with("fr")),
            "languages {languages:?}"
        );
        let french = subtitles
            .iter()
            .position(|t| t.language.as_deref().is_some_and(|l| l.starts_with("fr")))
            .unwrap();
        player
            .select_track(TrackKind::Subtitle, Some(french))
            .unwrap();
        assert!(
            run_until(Duration::from_secs(5), || player
                .current_track(TrackKind::Subtitle)
                == Some(french)),
            "the French rendition is not the one playing: {:?}",
            player.current_track(TrackKind::Subtitle)
        );
        assert_eq!(player.state(), PlayerState::Playing);
        stop_without_errors(&player, &out);
    });
}

/// Alternative audio renditions of an HLS stream are tracks: both listed
/// with their languages, the default heard first, and the other chosen while
/// playing is heard within a few seconds.
pub fn hls_audio_renditions_are_tracks() {
    use framescope::engine::TrackKind;
    with_context(|| {
        let dir = generated_rendition_hls();
        let server = HttpServer::files(&dir).start();
        let (player, heard) = listening_player();
        let out = record(&player);
        let audio = two_tracks_playing(&player, &out, &server.url("master.m3u8"), TrackKind::Audio);
        attach_ear(&player, &heard);
        run_until(Duration::from_secs(2), || false);
        let before = tone(&heard);
        let french = audio
            .iter()
            .position(|t| t.language.as_deref().is_some_and(|l| l.starts_with("fr")))
            .expect("a French track");
        player.select_track(TrackKind::Audio, Some(french)).unwrap();
        let switched = run_until(Duration::from_secs(8), || {
            (tone(&heard) - 1760.0).abs() < 60.0
        });
        println!("    heard {before:.0} Hz, then {:.0} Hz", tone(&heard));
        assert!(
            (before - 440.0).abs() < 40.0,
            "the default rendition: {before} Hz"
        );
        assert!(
            switched,
            "the French rendition is not heard ({:.0} Hz)",
            tone(&heard)
        );
        stop_without_errors(&player, &out);
    });
}
