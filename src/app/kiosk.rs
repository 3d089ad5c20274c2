//! `--kiosk`: unattended full-screen playback. The window is fullscreen
//! with no controls, the pointer hides after 1 s still, every input to the
//! video is locked (only the quit chord, Ctrl+Alt+Q, works), the screen is
//! kept from blanking while video plays, the playlist loops, and the
//! watchdog restarts any item that errors or stalls: a lone item for as long
//! as it takes, an item of a list a few times before the list moves on to
//! the next one (and comes back to it on the next round).

use framescope::engine::Player;
use framescope::widget::{ControlsMode, PlayerView};
use gtk::prelude::*;
use gtk::{gdk, glib};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

/// The key chord that quits kiosk mode (GTK accelerator syntax).
pub const QUIT_CHORD: &str = "<Control><Alt>q";
/// How long the pointer must be still before it hides.
pub const CURSOR_HIDE_DELAY: Duration = Duration::from_secs(1);
/// Restarts in a row an item of a list gets before the list moves on.
pub const RESTARTS_PER_LIST_ITEM: u32 = 3;

/// What kiosk mode did, for `--stats-json`.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct KioskReport {
    /// Times the screen saver was asked to stay off (once per play).
    pub inhibit_requests: u32,
    /// Times the session granted it (0 without a session manager, e.g. Xvfb).
    pub inhibit_granted: u32,
    /// Times the pointer was hidden after a second without moving.
    pub cursor_hidden: u32,
}

/// Puts `window` and `view` in kiosk mode for a list of `items` inputs;
/// returns the shared report.
pub fn apply(
    app: &gtk::Application,
    window: &gtk::ApplicationWindow,
    view: &PlayerView,
    items: usize,
) -> Rc<Cell<KioskReport>> {
    view.set_controls(ControlsMode::Off);
    view.set_input_locked(true);
    let player = view.player();
    // Unattended: a lone item is retried forever, backing off up to 30 s
    // between tries; in a list a dead item must not hold up the others.
    player.set_max_restarts(if items > 1 {
        RESTARTS_PER_LIST_ITEM
    } else {
        u32::MAX
    });
    player.set_restart_delay(1000);
    player.set_restart_delay_max(30_000);
    cover_the_monitor(window);
    window.fullscreen();
    let report: Rc<Cell<KioskReport>> = Rc::default();
    hide_idle_cursor(window, &report);
    quit_on_chord(app, window);
    keep_screen_awake(app, window, &player, &report);
    report
}

/// Sizes the window to the first monitor, so the screen is covered even
/// where no window manager honours the fullscreen request.
fn cover_the_monitor(window: &gtk::ApplicationWindow) {
    window.set_decorated(false);
    let size_to_monitor = |window: &gtk::ApplicationWindow| {
        let display = gtk::prelude::WidgetExt::display(window);
        let monitor = window
            .surface()
            .and_then(|s| display.monitor_at_surface(&s))
            .or_else(|| display.monitors().item(0).and_downcast::<gdk::Monitor>());
        if let Some(monitor) = monitor {
            let area = monitor.geometry();
            window.set_default_size(area.width(), area.height());
        }
    };
    size_to_monitor(window);
    // Once the window has a surface its own monitor is known: size again.
    window.connect_realize(move |w| {
        if let Some(w) = w.downcast_ref::<gtk::ApplicationWindow>() {
            size_to_monitor(w);
        }
    });
}

/// Hides the pointer over the window after it has been still for a second.
fn hide_idle_cursor(window: &gtk::ApplicationWindow, report: &Rc<Cell<KioskReport>>) {
    let timer: Rc<RefCell<Option<glib::SourceId>>> = Rc::default();
    let schedule = {
        let window = window.downgrade();
        let timer = timer.clone();
        let report = report.clone();
        move || {
            if let Some(id) = timer.take() {
                id.remove();
            }
            let window = window.clone();
            let timer_inner = timer.clone();
            let report = report.clone();
            let id = glib::timeout_add_local_once(CURSOR_HIDE_DELAY, move || {
                timer_inner.take();
                if let Some(window) = window.upgrade() {
                    window.set_cursor_from_name(Some("none"));
                    let mut r = report.get();
                    r.cursor_hidden += 1;
                    report.set(r);
                }
            });
            timer.replace(Some(id));
        }
    };
    schedule();
    let motion = gtk::EventControllerMotion::new();
    motion.set_propagation_phase(gtk::PropagationPhase::Capture);
    let last = Cell::new((f64::NAN, f64::NAN));
    motion.connect_motion(move |controller, x, y| {
        // Relayouts send motion at the same spot: only real moves count.
        if last.replace((x, y)) == (x, y) {
            return;
        }
        if let Some(window) = controller.widget() {
            window.set_cursor(None::<&gdk::Cursor>);
        }
        schedule();
    });
    window.add_controller(motion);
}

/// The one key chord that works in kiosk mode: it quits.
fn quit_on_chord(app: &gtk::Application, window: &gtk::ApplicationWindow) {
    let (quit_key, quit_mods) =
        gtk::accelerator_parse(QUIT_CHORD).expect("the quit chord is a valid accelerator");
    let keys = gtk::EventControllerKey::new();
    keys.set_propagation_phase(gtk::PropagationPhase::Capture);
    let app = app.downgrade();
    keys.connect_key_pressed(move |_, key, _, modifiers| {
        let mods = modifiers & gtk::accelerator_get_default_mod_mask();
        if key.to_lower() == quit_key && mods == quit_mods {
            if let Some(app) = app.upgrade() {
                app.quit();
            }
        }
        // Every other key stops here, before the window's shortcuts.
        glib::Propagation::Stop
    });
    window.add_controller(keys);
}

/// Counts the screen-blanking inhibitor's requests in the report.
fn keep_screen_awake(
    app: &gtk::Application,
    window: &gtk::ApplicationWindow,
    player: &Player,
    report: &Rc<Cell<KioskReport>>,
) {
    let report = report.clone();
    crate::app::screensaver::keep_awake_while_playing(app, window, player, move |granted| {
        let mut r = report.get();
        r.inhibit_requests += 1;
        r.inhibit_granted += u32::from(granted);
        report.set(r);
    });
}
