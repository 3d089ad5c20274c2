//! The Video, Audio and Subtitles menus: one radio item per track of the media
//! (language, codec, channels, title), "Off" for subtitles, rebuilt whenever
//! the player's tracks change; `app.audio-track` and `app.subtitle-track`
//! (an `i32` state: the track's number, -1 for none) switch while playing,
//! and keys B and V go round the tracks. "Add Subtitle File…"
//! (`app.add-subtitle-file`) adds external SRT, ASS/SSA, WebVTT or MicroDVD
//! files to the media, several at once if wanted; each file added is listed
//! (`app.subtitle-file`, its URI) and one is loaded at a time. V goes round
//! the media's own subtitle tracks, then each file, then off.

use framescope::engine::Player;
use framescope::engine::TrackKind;
use framescope::i18n::{gettext, gettext_noop, tr};
use framescope::widget::PlayerView;
use gtk::prelude::*;
use gtk::{gio, glib};

/// The two menus, for the main menu to show.
pub struct TrackMenus {
    /// Variants of an adaptive stream ("Automatic" and each listed).
    pub quality: gio::Menu,
    /// Video tracks.
    pub video: gio::Menu,
    /// Audio tracks.
    pub audio: gio::Menu,
    /// Subtitle tracks and "Off".
    pub subtitles: gio::Menu,
}

/// File name endings taken for subtitle files (when dropped on the window).
pub const SUBTITLE_EXTENSIONS: &[&str] = &["srt", "ass", "ssa", "vtt", "sub", "smi"];

/// Whether `uri` names a subtitle file (by its ending).
pub fn is_subtitle_file(uri: &str) -> bool {
    let name = uri.rsplit('/').next().unwrap_or(uri).to_ascii_lowercase();
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| SUBTITLE_EXTENSIONS.contains(&ext))
}

/// Asks for a subtitle file and shows it with the media.
fn choose_subtitle_file(view: &PlayerView) {
    let window = view.root().and_downcast::<gtk::Window>();
    let dialog = gtk::FileChooserNative::new(
        Some(&gettext("Add Subtitle File")),
        window.as_ref(),
        gtk::FileChooserAction::Open,
        Some(&gettext("_Add")),
        Some(&gettext("_Cancel")),
    );
    let subtitles = gtk::FileFilter::new();
    subtitles.set_name(Some(&gettext(
        "Subtitles (SRT, ASS, SSA, WebVTT, SUB, SMI)",
    )));
    for ext in SUBTITLE_EXTENSIONS {
        subtitles.add_suffix(ext);
    }
    dialog.add_filter(&subtitles);
    dialog.set_select_multiple(true);
    let weak = view.downgrade();
    dialog.connect_response(move |d, response| {
        if response == gtk::ResponseType::Accept {
            if let Some(view) = weak.upgrade() {
                let files = d.files();
                let uris: Vec<String> = (0..files.n_items())
                    .filter_map(|i| files.item(i).and_downcast::<gio::File>())
                    .map(|f| f.uri().to_string())
                    .collect();
                view.player().add_subtitle_files(&uris);
            }
        }
        d.destroy();
    });
    dialog.show();
}

/// The action of each kind's radio items.
fn action_name(kind: TrackKind) -> &'static str {
    match kind {
        TrackKind::Audio => "audio-track",
        TrackKind::Subtitle => "subtitle-track",
        TrackKind::Video => "video-track",
    }
}

/// Adds the track actions to `app` and returns the menus they drive.
pub fn install(app: &gtk::Application, view: &PlayerView) -> TrackMenus {
    let menus = TrackMenus {
        quality: gio::Menu::new(),
        video: gio::Menu::new(),
        audio: gio::Menu::new(),
        subtitles: gio::Menu::new(),
    };
    let player = view.player();
    for kind in [TrackKind::Video, TrackKind::Audio, TrackKind::Subtitle] {
        let action = gio::SimpleAction::new_stateful(
            action_name(kind),
            Some(glib::VariantTy::INT32),
            &(-1i32).to_variant(),
        );
        let weak_view = view.downgrade();
        action.connect_change_state(move |action, value| {
            let (Some(view), Some(index)) =
                (weak_view.upgrade(), value.and_then(|v| v.get::<i32>()))
            else {
                return;
            };
            let choice = usize::try_from(index).ok();
            match view.player().select_track(kind, choice) {
                Ok(()) => {
                    action.set_state(&index.to_variant());
                    view.show_message(&describe_choice(&view.player(), kind, choice));
                }
                Err(sentence) => view.show_message(&sentence),
            }
        });
        app.add_action(&action);
    }
    // One external file at a time: choosing another loads it instead.
    let file_action = gio::SimpleAction::new_stateful(
        "subtitle-file",
        Some(glib::VariantTy::STRING),
        &String::new().to_variant(),
    );
    let weak_view = view.downgrade();
    file_action.connect_change_state(move |action, value| {
        let (Some(view), Some(uri)) = (weak_view.upgrade(), value.and_then(|v| v.get::<String>()))
        else {
            return;
        };
        view.player().set_subtitle_file(Some(uri.as_str()));
        action.set_state(&uri.to_variant());
        view.show_message(&tr("Subtitles: {file}", &[("file", &file_name(&uri))]));
    });
    app.add_action(&file_action);
    // The quality of an adaptive stream: -1 lets the demuxer choose.
    let variant_action = gio::SimpleAction::new_stateful(
        "variant",
        Some(glib::VariantTy::INT32),
        &(-1i32).to_variant(),
    );
    let weak_view = view.downgrade();
    variant_action.connect_change_state(move |action, value| {
        let (Some(view), Some(index)) = (weak_view.upgrade(), value.and_then(|v| v.get::<i32>()))
        else {
            return;
        };
        let player = view.player();
        let choice = usize::try_from(index).ok();
        match player.select_variant(choice) {
            Ok(()) => {
                action.set_state(&index.to_variant());
                let label = choice
                    .and_then(|i| player.variants().get(i).map(|v| v.label()))
                    .unwrap_or_else(|| gettext("automatic"));
                view.show_message(&tr("Quality: {label}", &[("label", &label)]));
            }
            Err(sentence) => view.show_message(&sentence),
        }
    });
    app.add_action(&variant_action);
    let quality = menus.quality.clone();
    let weak_app = app.downgrade();
    player.connect_variants_changed(move |player| {
        if let Some(app) = weak_app.upgrade() {
            rebuild_quality(&app, player, &quality);
        }
    });
    rebuild_quality(app, &player, &menus.quality);
    let action = gio::SimpleAction::new("cycle-audio", None);
    let weak_app = app.downgrade();
    let weak_view = view.downgrade();
    action.connect_activate(move |_, _| {
        let (Some(app), Some(view)) = (weak_app.upgrade(), weak_view.upgrade()) else {
            return;
        };
        let next = next_choice(&view.player(), TrackKind::Audio);
        app.change_action_state(action_name(TrackKind::Audio), &next.to_variant());
    });
    app.add_action(&action);
    let action = gio::SimpleAction::new("cycle-subtitles", None);
    let weak_app = app.downgrade();
    let weak_view = view.downgrade();
    action.connect_activate(move |_, _| {
        let (Some(app), Some(view)) = (weak_app.upgrade(), weak_view.upgrade()) else {
            return;
        };
        match next_subtitle_choice(&view.player()) {
            SubtitleChoice::Track(i) => {
                app.change_action_state(action_name(TrackKind::Subtitle), &(i as i32).to_variant())
            }
            SubtitleChoice::File(uri) => {
                app.change_action_state("subtitle-file", &uri.to_variant())
            }
            SubtitleChoice::Off => {
                app.change_action_state(action_name(TrackKind::Subtitle), &(-1i32).to_variant())
            }
        }
    });
    app.add_action(&action);
    let add = gio::SimpleAction::new("add-subtitle-file", None);
    let weak_view = view.downgrade();
    add.connect_activate(move |_, _| {
        if let Some(view) = weak_view.upgrade() {
            choose_subtitle_file(&view);
        }
    });
    app.add_action(&add);
    let (video, audio, subtitles) = (
        menus.video.clone(),
        menus.audio.clone(),
        menus.subtitles.clone(),
    );
    let weak_app = app.downgrade();
    player.connect_tracks_changed(move |player| {
        if let Some(app) = weak_app.upgrade() {
            rebuild(&app, player, [&video, &audio, &subtitles]);
        }
    });
    rebuild(app, &player, [&menus.video, &menus.audio, &menus.subtitles]);
    menus
}

/// Refills the Quality menu: "Automatic", then each variant listed.
fn rebuild_quality(app: &gtk::Application, player: &Player, menu: &gio::Menu) {
    menu.remove_all();
    let variants = player.variants();
    if variants.is_empty() {
        let none = gio::MenuItem::new(Some(&gettext("Not an adaptive stream")), None);
        none.set_action_and_target_value(Some("app.none"), None);
        menu.append_item(&none);
        return;
    }
    let auto = gio::MenuItem::new(Some(&gettext("Automatic")), None);
    auto.set_action_and_target_value(Some("app.variant"), Some(&(-1i32).to_variant()));
    menu.append_item(&auto);
    for (i, variant) in variants.iter().enumerate() {
        let item = gio::MenuItem::new(Some(&variant.label()), None);
        item.set_action_and_target_value(Some("app.variant"), Some(&(i as i32).to_variant()));
        menu.append_item(&item);
    }
    if let Some(action) = app
        .lookup_action("variant")
        .and_downcast::<gio::SimpleAction>()
    {
        let chosen = player.chosen_variant().map_or(-1, |i| i as i32);
        action.set_state(&chosen.to_variant());
    }
}

/// One stop on V's round of the subtitles.
#[derive(Debug, PartialEq, Eq, Clone)]
enum SubtitleChoice {
    /// A subtitle track of what is loaded.
    Track(usize),
    /// An external file not loaded now.
    File(String),
    /// Subtitles off.
    Off,
}

/// The file name at the end of a URI, decoded.
pub fn file_name(uri: &str) -> String {
    let name = framescope::engine::display_name(uri);
    name.rsplit('/').next().unwrap_or(&name).to_string()
}

/// V's round: the media's own subtitle tracks, then each external file in
/// the order added, then off. The file loaded is the last subtitle track.
fn subtitle_round(tracks: usize, files: &[String], loaded: Option<&str>) -> Vec<SubtitleChoice> {
    let own = if loaded.is_some() {
        tracks.saturating_sub(1)
    } else {
        tracks
    };
    let mut round: Vec<SubtitleChoice> = (0..own).map(SubtitleChoice::Track).collect();
    for file in files {
        round.push(if Some(file.as_str()) == loaded && tracks > own {
            SubtitleChoice::Track(own)
        } else {
            SubtitleChoice::File(file.clone())
        });
    }
    round.push(SubtitleChoice::Off);
    round
}

/// The stop after `current` (a track number, `None` for off) on the round.
fn next_on_round(round: &[SubtitleChoice], current: Option<usize>) -> SubtitleChoice {
    let here = match current {
        Some(i) => round.iter().position(|c| *c == SubtitleChoice::Track(i)),
        None => round.iter().position(|c| *c == SubtitleChoice::Off),
    };
    let next = here.map_or(0, |h| (h + 1) % round.len());
    round[next].clone()
}

fn next_subtitle_choice(player: &Player) -> SubtitleChoice {
    let round = subtitle_round(
        player.tracks_of(TrackKind::Subtitle).len(),
        &player.subtitle_files(),
        player.subtitle_file().as_deref(),
    );
    next_on_round(&round, player.current_track(TrackKind::Subtitle))
}

/// The next choice going round: each track in turn, then (subtitles) off.
fn next_choice(player: &Player, kind: TrackKind) -> i32 {
    let count = player.tracks_of(kind).len() as i32;
    if count == 0 {
        return -1;
    }
    let current = player.current_track(kind).map_or(-1, |i| i as i32);
    let next = current + 1;
    match kind {
        TrackKind::Subtitle if next >= count => -1,
        _ => next % count,
    }
}

/// "Audio: fr — MPEG-4 AAC, stereo" or "Subtitles off".
fn describe_choice(player: &Player, kind: TrackKind, choice: Option<usize>) -> String {
    let (on, off) = match kind {
        TrackKind::Audio => (gettext_noop("Audio: {track}"), gettext_noop("Audio off")),
        TrackKind::Subtitle => (
            gettext_noop("Subtitles: {track}"),
            gettext_noop("Subtitles off"),
        ),
        TrackKind::Video => (gettext_noop("Video: {track}"), gettext_noop("Video off")),
    };
    match choice.and_then(|i| player.tracks_of(kind).get(i).map(|t| t.label())) {
        Some(label) => tr(on, &[("track", &label)]),
        None => gettext(off),
    }
}

/// Refills the video, audio and subtitle menus and sets the actions'
/// states to what plays.
fn rebuild(app: &gtk::Application, player: &Player, menus: [&gio::Menu; 3]) {
    let kinds = [TrackKind::Video, TrackKind::Audio, TrackKind::Subtitle];
    for (kind, menu) in kinds.into_iter().zip(menus) {
        menu.remove_all();
        let name = action_name(kind);
        let detailed = format!("app.{name}");
        if kind == TrackKind::Subtitle {
            let off = gio::MenuItem::new(Some(&gettext("Off")), None);
            off.set_action_and_target_value(Some(&detailed), Some(&(-1i32).to_variant()));
            menu.append_item(&off);
        }
        let tracks = player.tracks_of(kind);
        if tracks.is_empty() && kind != TrackKind::Subtitle {
            let label = match kind {
                TrackKind::Video => gettext("No video tracks"),
                _ => gettext("No audio tracks"),
            };
            let none = gio::MenuItem::new(Some(&label), None);
            none.set_action_and_target_value(Some("app.none"), None);
            menu.append_item(&none);
        }
        for track in tracks {
            let item = gio::MenuItem::new(Some(&track.label().replace('_', "__")), None);
            item.set_action_and_target_value(
                Some(&detailed),
                Some(&(track.index as i32).to_variant()),
            );
            menu.append_item(&item);
        }
        if kind == TrackKind::Subtitle {
            let files = gio::Menu::new();
            for uri in player.subtitle_files() {
                let item = gio::MenuItem::new(
                    Some(&tr(
                        "File: {file}",
                        &[("file", &file_name(&uri).replace('_', "__"))],
                    )),
                    None,
                );
                item.set_action_and_target_value(
                    Some("app.subtitle-file"),
                    Some(&uri.to_variant()),
                );
                files.append_item(&item);
            }
            files.append(
                Some(&gettext("Add Subtitle _File…")),
                Some("app.add-subtitle-file"),
            );
            menu.append_section(None, &files);
            // The file's mark: the file loaded, while its track is shown.
            if let Some(action) = app
                .lookup_action("subtitle-file")
                .and_downcast::<gio::SimpleAction>()
            {
                let last = player.tracks_of(kind).len().checked_sub(1);
                let shown = player
                    .subtitle_file()
                    .filter(|_| last.is_some() && player.current_track(kind) == last)
                    .unwrap_or_default();
                action.set_state(&shown.to_variant());
            }
        }
        // The radio mark follows the track that plays (no switch is made).
        if let Some(action) = app.lookup_action(name).and_downcast::<gio::SimpleAction>() {
            let current = player.current_track(kind).map_or(-1, |i| i as i32);
            action.set_state(&current.to_variant());
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn subtitle_files_are_known_by_their_ending() {
        assert!(super::is_subtitle_file("file:///films/Film.EN.SRT"));
        assert!(super::is_subtitle_file("/films/a.ass"));
        assert!(!super::is_subtitle_file("file:///films/film.mkv"));
        assert!(!super::is_subtitle_file("file:///films/srt"));
    }

    #[test]
    fn v_goes_round_own_tracks_then_files_then_off() {
        use super::SubtitleChoice::{File, Off, Track};
        let files = vec!["file:///a.srt".to_string(), "file:///b.srt".to_string()];
        // Two tracks of its own, b.srt loaded as the third.
        let round = super::subtitle_round(3, &files, Some("file:///b.srt"));
        assert_eq!(
            round,
            [Track(0), Track(1), File(files[0].clone()), Track(2), Off]
        );
        assert_eq!(
            super::next_on_round(&round, Some(1)),
            File(files[0].clone())
        );
        assert_eq!(super::next_on_round(&round, Some(2)), Off);
        assert_eq!(super::next_on_round(&round, None), Track(0));
        // No file loaded yet (tracks not listed yet either).
        let round = super::subtitle_round(0, &files, None);
        assert_eq!(round, [File(files[0].clone()), File(files[1].clone()), Off]);
        assert_eq!(super::next_on_round(&round, None), File(files[0].clone()));
    }
}
