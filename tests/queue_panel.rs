//! The queue side panel under X with real input (Xvfb when no display is
//! set): its rows follow the player's playlist and mark the item playing, a
//! real pointer drag moves an item, the remove button and the Delete key
//! remove one, Alt+Down moves one, clicking a row plays it, and the repeat
//! and shuffle buttons drive the player's properties. GTK runs on the main
//! thread: own harness.

mod common;

use common::gui::*;
use common::*;
use framescope::engine::{PlayerState, PlaylistItem, Repeat};
use framescope::widget::{PlayerView, QueuePanel};
use gtk::prelude::*;
use std::time::Duration;

const NAMES: [&str; 4] = [
    "h264_aac.mp4",
    "vp9_opus.webm",
    "video_only.webm",
    "audio_only.ogg",
];

/// A window with a view and a queue panel over four queued clips (the
/// first loaded, not playing).
fn panel_window() -> Result<(gtk::Window, PlayerView, QueuePanel), String> {
    let window = gtk::Window::builder()
        .default_width(900)
        .default_height(480)
        .title("widget test")
        .build();
    let view = PlayerView::new();
    view.set_hexpand(true);
    let panel = QueuePanel::new(Some(&view.player()));
    let layout = gtk::Box::new(gtk::Orientation::Horizontal, 0);
    layout.append(&view);
    layout.append(&panel);
    window.set_child(Some(&layout));
    window.present();
    let items: Vec<String> = NAMES
        .iter()
        .map(|n| clip(n).display().to_string())
        .collect();
    view.player().set_items(&items);
    check!(
        run_until(Duration::from_secs(5), || panel.width() > 0
            && panel.list().row_at_index(3).is_some_and(|r| r.height() > 0)),
        "the panel's rows were not shown"
    );
    settle();
    Ok((window, view, panel))
}

/// Lets GTK handle what is queued (input, idle callbacks, relayout).
fn settle() {
    run_until(Duration::from_millis(300), || false);
}

/// The playlist's titles, in order.
fn titles(view: &PlayerView) -> Vec<String> {
    let store = view.player().playlist();
    (0..store.n_items())
        .filter_map(|i| store.item(i).and_downcast::<PlaylistItem>())
        .map(|item| item.display_title())
        .collect()
}

/// The rows' labels, in order, as shown.
fn row_labels(panel: &QueuePanel) -> Vec<String> {
    let mut labels = Vec::new();
    let mut i = 0;
    while let Some(row) = panel.list().row_at_index(i) {
        let label = find_label(row.upcast_ref()).unwrap_or_default();
        labels.push(label);
        i += 1;
    }
    labels
}

fn find_label(widget: &gtk::Widget) -> Option<String> {
    if let Some(label) = widget.downcast_ref::<gtk::Label>() {
        return Some(label.label().to_string());
    }
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(found) = find_label(&c) {
            return Some(found);
        }
        child = c.next_sibling();
    }
    None
}

fn row(panel: &QueuePanel, index: i32) -> Result<gtk::ListBoxRow, String> {
    panel
        .list()
        .row_at_index(index)
        .ok_or_else(|| format!("no row {index}"))
}

/// A real left click at the middle of `widget`.
fn click(window: &gtk::Window, widget: &impl IsA<gtk::Widget>) -> TestResult {
    let (w, h) = (widget.width() as f64, widget.height() as f64);
    pointer_to(window, widget, w / 2.0, h / 2.0)?;
    settle();
    xdotool(&["click", "1"])?;
    settle();
    Ok(())
}

fn rows_follow_the_playlist_and_mark_the_item_playing() -> TestResult {
    let (window, view, panel) = panel_window()?;
    let player = view.player();
    check!(
        row_labels(&panel) == NAMES,
        "rows {:?}, want {NAMES:?}",
        row_labels(&panel)
    );
    check!(
        row(&panel, 0)?.has_css_class("current"),
        "the first item is not marked as playing"
    );
    player.set_current_index(2);
    settle();
    for i in 0..4 {
        check!(
            row(&panel, i)?.has_css_class("current") == (i == 2),
            "row {i} marked wrongly after choosing item 2"
        );
    }
    player.append_item(&clip("theora_vorbis.ogg").display().to_string());
    settle();
    check!(
        row_labels(&panel).len() == 5 && row_labels(&panel)[4] == "theora_vorbis.ogg",
        "an appended item is not shown: {:?}",
        row_labels(&panel)
    );
    check!(
        row(&panel, 2)?.has_css_class("current"),
        "appending moved the mark"
    );
    window.close();
    Ok(())
}

/// A real drag of the first row onto the third moves the item there; the
/// item playing (the one dragged) stays current at its new place.
fn dragging_a_row_moves_the_item() -> TestResult {
    let (window, view, panel) = panel_window()?;
    let (from, to) = (row(&panel, 0)?, row(&panel, 2)?);
    let (w, h) = (from.width() as f64, from.height() as f64);
    // Grab the row by its title (not its remove button).
    pointer_to(&window, &from, w / 3.0, h / 2.0)?;
    settle();
    xdotool(&["mousedown", "1"])?;
    settle();
    let start = from
        .compute_point(
            &to,
            &gtk::graphene::Point::new((w / 3.0) as f32, (h / 2.0) as f32),
        )
        .ok_or("rows not in one window")?;
    for step in 1..=10 {
        let y = f64::from(start.y()) * (1.0 - step as f64 / 10.0) + h / 2.0 * (step as f64 / 10.0);
        pointer_to(&window, &to, w / 3.0, y)?;
        run_until(Duration::from_millis(60), || false);
    }
    settle();
    xdotool(&["mouseup", "1"])?;
    settle();
    let want = [NAMES[1], NAMES[2], NAMES[0], NAMES[3]];
    check!(titles(&view) == want, "after the drag: {:?}", titles(&view));
    check!(
        row_labels(&panel) == want,
        "rows after the drag: {:?}",
        row_labels(&panel)
    );
    check!(
        view.player().current_index() == 2,
        "the dragged item playing is at {}, not 2",
        view.player().current_index()
    );
    check!(
        row(&panel, 2)?.has_css_class("current"),
        "the mark did not follow the dragged item"
    );
    window.close();
    Ok(())
}

/// The remove button removes its row's item; with a row selected, Delete
/// removes it and Alt+Down moves it down.
fn remove_button_delete_and_alt_down() -> TestResult {
    let (window, view, panel) = panel_window()?;
    let remove = find_by_class(row(&panel, 1)?.upcast_ref(), "framescope-queue-remove")
        .ok_or("row 1 has no remove button")?;
    click(&window, &remove)?;
    let want = [NAMES[0], NAMES[2], NAMES[3]];
    check!(titles(&view) == want, "after remove: {:?}", titles(&view));
    check!(
        view.player().current_index() == 0,
        "removing another item changed the current one"
    );

    let list = panel.list();
    let first = row(&panel, 0)?;
    list.select_row(Some(&first));
    first.grab_focus();
    settle();
    xdotool(&["key", "alt+Down"])?;
    settle();
    let want = [NAMES[2], NAMES[0], NAMES[3]];
    check!(titles(&view) == want, "after Alt+Down: {:?}", titles(&view));
    check!(
        view.player().current_index() == 1,
        "the moved item playing is at {}",
        view.player().current_index()
    );
    check!(
        list.selected_row().map(|r| r.index()) == Some(1),
        "the selection did not follow the moved row"
    );

    xdotool(&["key", "Delete"])?;
    settle();
    let want = [NAMES[2], NAMES[3]];
    check!(titles(&view) == want, "after Delete: {:?}", titles(&view));
    // The item playing was removed: the one in its place is loaded.
    check!(
        view.player().current_index() == 1
            && view.player().uri().is_some_and(|u| u.ends_with(NAMES[3])),
        "after removing the item playing: index {}, uri {:?}",
        view.player().current_index(),
        view.player().uri()
    );
    window.close();
    Ok(())
}

/// Clicking a row plays its item.
fn clicking_a_row_plays_it() -> TestResult {
    let (window, view, panel) = panel_window()?;
    let target = row(&panel, 2)?;
    let (w, h) = (target.width() as f64, target.height() as f64);
    pointer_to(&window, &target, w / 3.0, h / 2.0)?;
    settle();
    xdotool(&["click", "1"])?;
    let player = view.player();
    check!(
        run_until(Duration::from_secs(10), || player.current_index() == 2
            && player.state() == PlayerState::Playing),
        "clicking row 2: index {}, state {:?}",
        player.current_index(),
        player.state()
    );
    check!(
        player.uri().is_some_and(|u| u.ends_with(NAMES[2])),
        "row 2's item is not the one playing"
    );
    player.pause();
    window.close();
    Ok(())
}

/// The repeat button goes round off, all and one; the shuffle button and
/// the player's `shuffle` follow each other.
fn repeat_and_shuffle_buttons_drive_the_player() -> TestResult {
    let (window, view, panel) = panel_window()?;
    let player = view.player();
    let repeat = panel.repeat_button();
    let mut seen = vec![(player.repeat(), repeat.icon_name().unwrap_or_default())];
    for _ in 0..3 {
        click(&window, &repeat)?;
        seen.push((player.repeat(), repeat.icon_name().unwrap_or_default()));
    }
    let modes: Vec<Repeat> = seen.iter().map(|(r, _)| *r).collect();
    check!(
        modes == [Repeat::None, Repeat::All, Repeat::One, Repeat::None],
        "repeat went {modes:?}"
    );
    check!(
        seen[1].1 == "media-playlist-repeat-symbolic"
            && seen[2].1 == "media-playlist-repeat-song-symbolic"
            && seen[3].1 == "media-playlist-consecutive-symbolic",
        "icons: {seen:?}"
    );
    // Repeat set elsewhere shows on the button.
    player.set_repeat(Repeat::One);
    settle();
    check!(
        repeat
            .tooltip_text()
            .is_some_and(|t| t.contains("current item")),
        "the repeat button did not follow the player"
    );

    let shuffle = panel.shuffle_button();
    check!(
        !player.shuffle() && !shuffle.is_active(),
        "shuffle starts off"
    );
    click(&window, &shuffle)?;
    check!(
        player.shuffle(),
        "the shuffle button did not turn shuffle on"
    );
    player.set_shuffle(false);
    settle();
    check!(
        !shuffle.is_active(),
        "the shuffle button did not follow the player"
    );
    window.close();
    Ok(())
}

fn main() {
    let tests: &[NamedTest] = &[
        (
            "rows_follow_the_playlist_and_mark_the_item_playing",
            rows_follow_the_playlist_and_mark_the_item_playing,
        ),
        (
            "dragging_a_row_moves_the_item",
            dragging_a_row_moves_the_item,
        ),
        (
            "remove_button_delete_and_alt_down",
            remove_button_delete_and_alt_down,
        ),
        ("clicking_a_row_plays_it", clicking_a_row_plays_it),
        (
            "repeat_and_shuffle_buttons_drive_the_player",
            repeat_and_shuffle_buttons_drive_the_player,
        ),
    ];
    gui_main("queue panel", tests);
}
