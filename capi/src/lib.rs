//! Framescope's C ABI: the functions `include/framescope.h` declares, and
//! nothing else (tests/capi.rs compares the library's exports with the
//! header). C, Python (PyGObject, through the `Framescope-0` typelib) and
//! other GObject-introspection languages call these.
//!
//! Each function is a thin shim over the Rust API of `framescope`: it checks
//! its pointers the way `g_return_if_fail` does (a NULL or an object of the
//! wrong type logs a critical and returns a neutral value), converts the
//! arguments and never lets a panic cross into C (it logs a critical and
//! returns the neutral value instead). Like the Rust API, every function is
//! called on the thread that owns the GTK main context. The one type of
//! its own, `FramescopeRemoteControl` (`remote.rs`), holds a
//! `control::RemoteControl` for hosts that cannot drop one.

// The contract of every function is in framescope.h (pointers valid or
// NULL, strings NUL-terminated); each function checks what it can.
#![allow(clippy::missing_safety_doc)]

mod remote;

use framescope::engine::{
    ChapterItem, EndAction, ErrorKind, PlaybackStats, Player, PlayerError, PlayerState,
    PlaylistItem, Repeat, SeekMode, TrackItem, TrackKind, VariantItem, VideoMode, VideoPath,
    VideoSize,
};
use framescope::widget::{ControlsMode, InspectorWindow, PlayerView, QueuePanel};
use glib::ffi::{gboolean, GError, GFALSE, GTRUE};
use glib::gobject_ffi::GObject;
use glib::prelude::*;
use glib::translate::*;
use gtk::prelude::*;
use remote::RemoteControlObject;
use std::ffi::{c_char, c_int, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `body`, turning a panic into a critical and `fallback`.
fn guard<R>(function: &str, fallback: R, body: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(_) => {
            critical(&format!(
                "{function}: an internal error occurred; nothing was done"
            ));
            fallback
        }
    }
}

fn critical(text: &str) {
    glib::g_critical!("Framescope", "{}", text);
}

/// The object behind `ptr` as a `T`, or `None` (with a critical) when it is
/// NULL or not a `T`. Borrows: the caller's reference, floating or not, is
/// left as it is.
unsafe fn object<T: IsA<glib::Object>>(function: &str, ptr: *mut GObject) -> Option<T> {
    if ptr.is_null() {
        critical(&format!("{function}: assertion 'self != NULL' failed"));
        return None;
    }
    let borrowed: Borrowed<glib::Object> = from_glib_borrow(ptr);
    match borrowed.downcast_ref::<T>() {
        Some(value) => Some(value.clone()),
        None => {
            critical(&format!(
                "{function}: the object is a {}, not a {}",
                borrowed.type_().name(),
                T::static_type().name()
            ));
            None
        }
    }
}

/// A C string as Rust text (invalid UTF-8 replaced), or `None` (with a
/// critical) for NULL.
unsafe fn text(function: &str, ptr: *const c_char) -> Option<String> {
    if ptr.is_null() {
        critical(&format!("{function}: assertion 'string != NULL' failed"));
        return None;
    }
    Some(CStr::from_ptr(ptr).to_string_lossy().into_owned())
}

/// Hands `error` to the caller's `GError **` (which may be NULL).
unsafe fn set_error(out: *mut *mut GError, error: glib::Error) {
    if !out.is_null() {
        *out = error.into_glib_ptr();
    }
}

fn invalid_argument(message: &str) -> glib::Error {
    glib::Error::new(gio::IOErrorEnum::InvalidArgument, message)
}

/// A new widget for C: a floating reference, as GTK's own constructors give.
fn floating<T: IsA<gtk::Widget>>(widget: T) -> *mut gtk::ffi::GtkWidget {
    let ptr: *mut gtk::ffi::GtkWidget = widget.upcast::<gtk::Widget>().to_glib_full();
    unsafe { glib::gobject_ffi::g_object_force_floating(ptr.cast()) };
    ptr
}

/// A C enum value as the Rust enum, `None` when it is no value of it.
fn enum_value<T: TryFromGlib<c_int, Error = c_int>>(value: c_int) -> Option<T> {
    unsafe { T::try_from_glib(value) }.ok()
}

fn index_or_none(index: c_int) -> Option<usize> {
    usize::try_from(index).ok()
}

fn index_to_c(index: Option<usize>) -> c_int {
    index.and_then(|i| c_int::try_from(i).ok()).unwrap_or(-1)
}

// ---------------------------------------------------------------------------
// Initialisation and types

/// `framescope_init`: GStreamer and the engine; with GTK initialised on
/// this thread, also the widget types, resources and style.
#[no_mangle]
pub unsafe extern "C" fn framescope_init(error: *mut *mut GError) -> gboolean {
    guard("framescope_init", GFALSE, || {
        let result = if from_glib(gtk::ffi::gtk_is_initialized()) {
            // GTK was initialised by the host (gtk_init); tell gtk-rs so.
            gtk::init()
                .map_err(|e| glib::Error::new(glib::FileError::Failed, &e.to_string()))
                .and_then(|()| framescope::widget::init())
        } else {
            framescope::engine::init()
        };
        match result {
            Ok(()) => GTRUE,
            Err(e) => {
                set_error(error, e);
                GFALSE
            }
        }
    })
}

/// `framescope_prefer_cheap_drawing`: the app's drawing choice for this
/// process, made before `gtk_init` (`widget::prefer_cheap_drawing`).
#[no_mangle]
pub unsafe extern "C" fn framescope_prefer_cheap_drawing(gl_off: *mut gboolean) -> gboolean {
    guard("framescope_prefer_cheap_drawing", GFALSE, || {
        let choice = framescope::widget::prefer_cheap_drawing();
        if !gl_off.is_null() {
            *gl_off = (choice == framescope::widget::DrawingChoice::CairoWithoutGl).into_glib();
        }
        (choice != framescope::widget::DrawingChoice::Unchanged).into_glib()
    })
}

/// Types of the engine need GStreamer initialised for their classes.
fn engine_type<T: StaticType>() -> glib::ffi::GType {
    let _ = gst::init();
    T::static_type().into_glib()
}

/// Widget types need GTK initialised for their classes (gtk-rs checks it in
/// `class_init`) and their templates (the compiled-in resources). A host
/// that called `gtk_init` is told apart from one that did not by GTK itself;
/// without any, this initialises GTK (as GtkBuilder or g-ir-scanner's
/// dumper asking for the type would need it anyway).
fn widget_type<T: StaticType>() -> glib::ffi::GType {
    if !gtk::is_initialized_main_thread() {
        if let Err(e) = gtk::init() {
            critical(&format!(
                "{}: GTK could not be initialised ({e}); call gtk_init() first, on the main thread",
                T::static_type().name()
            ));
            return glib::gobject_ffi::G_TYPE_INVALID;
        }
    }
    let _ = gst::init();
    framescope::widget::ensure_resources();
    T::static_type().into_glib()
}

macro_rules! get_type {
    ($($name:ident => $how:ident::<$ty:ty>;)*) => {$(
        #[no_mangle]
        pub extern "C" fn $name() -> glib::ffi::GType {
            guard(stringify!($name), glib::gobject_ffi::G_TYPE_INVALID, $how::<$ty>)
        }
    )*};
}

get_type! {
    framescope_player_get_type => engine_type::<Player>;
    framescope_playlist_item_get_type => engine_type::<PlaylistItem>;
    framescope_track_item_get_type => engine_type::<TrackItem>;
    framescope_chapter_item_get_type => engine_type::<ChapterItem>;
    framescope_variant_item_get_type => engine_type::<VariantItem>;
    framescope_player_state_get_type => engine_type::<PlayerState>;
    framescope_video_mode_get_type => engine_type::<VideoMode>;
    framescope_video_path_get_type => engine_type::<VideoPath>;
    framescope_seek_mode_get_type => engine_type::<SeekMode>;
    framescope_repeat_get_type => engine_type::<Repeat>;
    framescope_end_action_get_type => engine_type::<EndAction>;
    framescope_track_kind_get_type => engine_type::<TrackKind>;
    framescope_error_kind_get_type => engine_type::<ErrorKind>;
    framescope_video_size_get_type => engine_type::<VideoSize>;
    framescope_playback_stats_get_type => engine_type::<PlaybackStats>;
    framescope_player_error_get_type => engine_type::<PlayerError>;
    framescope_controls_mode_get_type => engine_type::<ControlsMode>;
    framescope_player_view_get_type => widget_type::<PlayerView>;
    framescope_queue_panel_get_type => widget_type::<QueuePanel>;
    framescope_inspector_window_get_type => widget_type::<InspectorWindow>;
    framescope_remote_control_get_type => engine_type::<RemoteControlObject>;
}

// ---------------------------------------------------------------------------
// FramescopePlayer

/// `framescope_player_new`: a player showing video through its paintable.
#[no_mangle]
pub extern "C" fn framescope_player_new() -> *mut GObject {
    guard("framescope_player_new", std::ptr::null_mut(), || {
        let player = Player::new();
        player.upcast::<glib::Object>().to_glib_full()
    })
}

/// `framescope_player_new_headless`: a player for machines without a display.
#[no_mangle]
pub extern "C" fn framescope_player_new_headless() -> *mut GObject {
    guard(
        "framescope_player_new_headless",
        std::ptr::null_mut(),
        || {
            let player = Player::headless();
            player.upcast::<glib::Object>().to_glib_full()
        },
    )
}

/// Defines `extern "C" fn NAME(self)` calling `Player::METHOD()`.
macro_rules! player_void {
    ($($name:ident => $method:ident;)*) => {$(
        #[no_mangle]
        pub unsafe extern "C" fn $name(player: *mut GObject) {
            guard(stringify!($name), (), || {
                if let Some(player) = object::<Player>(stringify!($name), player) {
                    player.$method();
                }
            })
        }
    )*};
}

/// Defines `extern "C" fn NAME(self) -> gboolean` calling `Player::METHOD()`.
macro_rules! player_bool {
    ($($name:ident => $method:ident;)*) => {$(
        #[no_mangle]
        pub unsafe extern "C" fn $name(player: *mut GObject) -> gboolean {
            guard(stringify!($name), GFALSE, || {
                object::<Player>(stringify!($name), player)
                    .is_some_and(|player| player.$method())
                    .into_glib()
            })
        }
    )*};
}

player_void! {
    framescope_player_play => play;
    framescope_player_pause => pause;
    framescope_player_toggle_play => toggle_play;
    framescope_player_stop => stop;
    framescope_player_step_forward => step_forward;
    framescope_player_step_backward => step_backward;
    framescope_player_faster => faster;
    framescope_player_slower => slower;
    framescope_player_cycle_ab_loop => cycle_ab_loop;
    framescope_player_clear_ab_loop => clear_ab_loop;
}

player_bool! {
    framescope_player_next => next;
    framescope_player_previous => previous;
    framescope_player_has_next => has_next;
    framescope_player_has_previous => has_previous;
    framescope_player_next_chapter => next_chapter;
    framescope_player_previous_chapter => previous_chapter;
    framescope_player_go_to_live_edge => go_to_live_edge;
    framescope_player_is_live => is_live;
}

/// Defines `extern "C" fn NAME(self, const char *)` calling `Player::METHOD(&str)`.
macro_rules! player_text {
    ($($name:ident => $method:ident;)*) => {$(
        #[no_mangle]
        pub unsafe extern "C" fn $name(player: *mut GObject, value: *const c_char) {
            guard(stringify!($name), (), || {
                let Some(player) = object::<Player>(stringify!($name), player) else {
                    return;
                };
                if let Some(value) = text(stringify!($name), value) {
                    player.$method(&value);
                }
            })
        }
    )*};
}

player_text! {
    framescope_player_open => open;
    framescope_player_open_pipeline => open_pipeline;
    framescope_player_append_item => append_item;
}

/// `framescope_player_seek`: to `position` ns from the media's start.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_seek(player: *mut GObject, position: u64, mode: c_int) {
    guard("framescope_player_seek", (), || {
        let Some(player) = object::<Player>("framescope_player_seek", player) else {
            return;
        };
        let Some(mode) = enum_value::<SeekMode>(mode) else {
            critical(&format!(
                "framescope_player_seek: {mode} is not a FramescopeSeekMode"
            ));
            return;
        };
        let position = gst::ClockTime::from_nseconds(position.min(i64::MAX as u64));
        player.seek_with_mode(position, mode);
    })
}

/// `framescope_player_seek_by`: a relative seek.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_seek_by(player: *mut GObject, delta: i64) {
    guard("framescope_player_seek_by", (), || {
        if let Some(player) = object::<Player>("framescope_player_seek_by", player) {
            player.seek_by(delta);
        }
    })
}

/// `framescope_player_step`: frames forward (positive) or backward.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_step(player: *mut GObject, frames: i64) {
    guard("framescope_player_step", (), || {
        if let Some(player) = object::<Player>("framescope_player_step", player) {
            player.step(frames);
        }
    })
}

/// `framescope_player_set_items`: replaces the playlist.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_set_items(
    player: *mut GObject,
    items: *const *const c_char,
) {
    guard("framescope_player_set_items", (), || {
        let Some(player) = object::<Player>("framescope_player_set_items", player) else {
            return;
        };
        let mut list = Vec::new();
        if !items.is_null() {
            let mut at = items;
            while !(*at).is_null() {
                list.push(CStr::from_ptr(*at).to_string_lossy().into_owned());
                at = at.add(1);
            }
        }
        player.set_items(&list);
    })
}

/// `framescope_player_move_item`.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_move_item(player: *mut GObject, from: u32, to: u32) {
    guard("framescope_player_move_item", (), || {
        if let Some(player) = object::<Player>("framescope_player_move_item", player) {
            player.move_item(from, to);
        }
    })
}

/// `framescope_player_remove_item`.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_remove_item(player: *mut GObject, index: u32) {
    guard("framescope_player_remove_item", (), || {
        if let Some(player) = object::<Player>("framescope_player_remove_item", player) {
            player.remove_item(index);
        }
    })
}

/// `framescope_player_select_track`: a track of `kind` by index, -1 none.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_select_track(
    player: *mut GObject,
    kind: c_int,
    index: c_int,
    error: *mut *mut GError,
) -> gboolean {
    guard("framescope_player_select_track", GFALSE, || {
        let Some(player) = object::<Player>("framescope_player_select_track", player) else {
            return GFALSE;
        };
        let Some(kind) = enum_value::<TrackKind>(kind) else {
            set_error(
                error,
                invalid_argument(&format!("{kind} is not a track kind")),
            );
            return GFALSE;
        };
        match player.select_track(kind, index_or_none(index)) {
            Ok(()) => GTRUE,
            Err(why) => {
                set_error(error, invalid_argument(&why));
                GFALSE
            }
        }
    })
}

/// `framescope_player_get_current_track`: the index of the track of `kind`
/// playing, -1 none.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_get_current_track(
    player: *mut GObject,
    kind: c_int,
) -> c_int {
    guard("framescope_player_get_current_track", -1, || {
        let Some(player) = object::<Player>("framescope_player_get_current_track", player) else {
            return -1;
        };
        enum_value::<TrackKind>(kind)
            .map(|kind| index_to_c(player.current_track(kind)))
            .unwrap_or(-1)
    })
}

/// `framescope_player_select_variant`: a variant by index, -1 automatic.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_select_variant(
    player: *mut GObject,
    index: c_int,
    error: *mut *mut GError,
) -> gboolean {
    guard("framescope_player_select_variant", GFALSE, || {
        let Some(player) = object::<Player>("framescope_player_select_variant", player) else {
            return GFALSE;
        };
        match player.select_variant(index_or_none(index)) {
            Ok(()) => GTRUE,
            Err(why) => {
                set_error(error, invalid_argument(&why));
                GFALSE
            }
        }
    })
}

/// `framescope_player_describe_pipeline`: the launch description for `uri`.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_describe_pipeline(
    player: *mut GObject,
    uri: *const c_char,
) -> *mut c_char {
    guard(
        "framescope_player_describe_pipeline",
        std::ptr::null_mut(),
        || {
            let function = "framescope_player_describe_pipeline";
            let Some(player) = object::<Player>(function, player) else {
                return std::ptr::null_mut();
            };
            match text(function, uri) {
                Some(uri) => player.describe_pipeline(&uri).to_glib_full(),
                None => std::ptr::null_mut(),
            }
        },
    )
}

/// The frame on screen as a texture (None when there is none).
fn current_texture(player: &Player) -> Option<gdk::Texture> {
    player
        .current_frame()
        .and_then(|sample| framescope::engine::texture_from_sample(&sample))
}

/// `framescope_player_get_current_texture`: the frame on screen.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_get_current_texture(
    player: *mut GObject,
) -> *mut gdk::ffi::GdkTexture {
    let function = "framescope_player_get_current_texture";
    guard(function, std::ptr::null_mut(), || {
        object::<Player>(function, player)
            .and_then(|player| current_texture(&player))
            .to_glib_full()
    })
}

/// `framescope_player_get_current_png`: the frame on screen as PNG bytes.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_get_current_png(
    player: *mut GObject,
    error: *mut *mut GError,
) -> *mut glib::ffi::GBytes {
    let function = "framescope_player_get_current_png";
    guard(function, std::ptr::null_mut(), || {
        let Some(player) = object::<Player>(function, player) else {
            return std::ptr::null_mut();
        };
        match current_texture(&player) {
            Some(texture) => texture.save_to_png_bytes().to_glib_full(),
            None => {
                set_error(
                    error,
                    glib::Error::new(
                        gio::IOErrorEnum::NotFound,
                        "The player shows no frame yet; open media and wait until it is paused or playing.",
                    ),
                );
                std::ptr::null_mut()
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Boxed types

/// `framescope_player_error_get_kind`.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_error_get_kind(error: *const PlayerError) -> c_int {
    if error.is_null() {
        critical("framescope_player_error_get_kind: assertion 'error != NULL' failed");
        return ErrorKind::Other.into_glib();
    }
    (*error).kind.into_glib()
}

/// `framescope_player_error_get_message`: the sentence for people.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_error_get_message(
    error: *const PlayerError,
) -> *mut c_char {
    if error.is_null() {
        critical("framescope_player_error_get_message: assertion 'error != NULL' failed");
        return std::ptr::null_mut();
    }
    (*error).message.to_glib_full()
}

/// `framescope_video_size_get_width`.
#[no_mangle]
pub unsafe extern "C" fn framescope_video_size_get_width(size: *const VideoSize) -> u32 {
    if size.is_null() {
        critical("framescope_video_size_get_width: assertion 'size != NULL' failed");
        return 0;
    }
    (*size).width
}

/// `framescope_video_size_get_height`.
#[no_mangle]
pub unsafe extern "C" fn framescope_video_size_get_height(size: *const VideoSize) -> u32 {
    if size.is_null() {
        critical("framescope_video_size_get_height: assertion 'size != NULL' failed");
        return 0;
    }
    (*size).height
}

// ---------------------------------------------------------------------------
// FramescopePlayerView

/// `framescope_player_view_new`: a view with its own player.
#[no_mangle]
pub extern "C" fn framescope_player_view_new() -> *mut gtk::ffi::GtkWidget {
    guard("framescope_player_view_new", std::ptr::null_mut(), || {
        floating(PlayerView::new())
    })
}

/// `framescope_player_view_new_with_player`: a view of the host's player.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_view_new_with_player(
    player: *mut GObject,
) -> *mut gtk::ffi::GtkWidget {
    let function = "framescope_player_view_new_with_player";
    guard(function, std::ptr::null_mut(), || {
        match object::<Player>(function, player) {
            Some(player) => floating(PlayerView::with_player(&player)),
            None => std::ptr::null_mut(),
        }
    })
}

/// `framescope_player_view_get_player`: the view's player (transfer none).
#[no_mangle]
pub unsafe extern "C" fn framescope_player_view_get_player(view: *mut GObject) -> *mut GObject {
    let function = "framescope_player_view_get_player";
    guard(function, std::ptr::null_mut(), || {
        match object::<PlayerView>(function, view) {
            // The view holds its player, so the pointer outlives this call.
            Some(view) => view.player().upcast::<glib::Object>().as_ptr(),
            None => std::ptr::null_mut(),
        }
    })
}

/// `framescope_player_view_open`: opens and, with `autoplay`, plays.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_view_open(view: *mut GObject, uri: *const c_char) {
    let function = "framescope_player_view_open";
    guard(function, (), || {
        let Some(view) = object::<PlayerView>(function, view) else {
            return;
        };
        if let Some(uri) = text(function, uri) {
            view.open(&uri);
        }
    })
}

/// `framescope_player_view_get_action_group`: the `player.` actions
/// (transfer none: the view keeps the group).
#[no_mangle]
pub unsafe extern "C" fn framescope_player_view_get_action_group(
    view: *mut GObject,
) -> *mut gio::ffi::GActionGroup {
    let function = "framescope_player_view_get_action_group";
    guard(function, std::ptr::null_mut(), || {
        match object::<PlayerView>(function, view) {
            Some(view) => view.action_group().upcast::<gio::ActionGroup>().as_ptr(),
            None => std::ptr::null_mut(),
        }
    })
}

/// `framescope_player_view_add_overlay` / `_remove_overlay`.
macro_rules! view_widget {
    ($($name:ident => $method:ident;)*) => {$(
        #[no_mangle]
        pub unsafe extern "C" fn $name(view: *mut GObject, widget: *mut GObject) {
            guard(stringify!($name), (), || {
                let Some(view) = object::<PlayerView>(stringify!($name), view) else {
                    return;
                };
                if let Some(widget) = object::<gtk::Widget>(stringify!($name), widget) {
                    view.$method(&widget);
                }
            })
        }
    )*};
}

view_widget! {
    framescope_player_view_add_overlay => add_overlay;
    framescope_player_view_remove_overlay => remove_overlay;
}

/// `framescope_player_view_show_message`: a line on the on-screen display.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_view_show_message(
    view: *mut GObject,
    message: *const c_char,
) {
    let function = "framescope_player_view_show_message";
    guard(function, (), || {
        let Some(view) = object::<PlayerView>(function, view) else {
            return;
        };
        if let Some(message) = text(function, message) {
            view.show_message(&message);
        }
    })
}

/// `framescope_player_view_toggle_fullscreen`.
#[no_mangle]
pub unsafe extern "C" fn framescope_player_view_toggle_fullscreen(view: *mut GObject) {
    let function = "framescope_player_view_toggle_fullscreen";
    guard(function, (), || {
        if let Some(view) = object::<PlayerView>(function, view) {
            view.toggle_fullscreen();
        }
    })
}

// ---------------------------------------------------------------------------
// FramescopeQueuePanel and FramescopeInspectorWindow

/// `framescope_queue_panel_new`: a queue panel showing `player` (nullable).
#[no_mangle]
pub unsafe extern "C" fn framescope_queue_panel_new(
    player: *mut GObject,
) -> *mut gtk::ffi::GtkWidget {
    let function = "framescope_queue_panel_new";
    guard(function, std::ptr::null_mut(), || {
        let player = if player.is_null() {
            None
        } else {
            match object::<Player>(function, player) {
                Some(player) => Some(player),
                None => return std::ptr::null_mut(),
            }
        };
        floating(QueuePanel::new(player.as_ref()))
    })
}

/// `framescope_inspector_window_new`: the inspector of `player`. Like
/// `gtk_window_new`, GTK's list of toplevels holds the window (transfer
/// none) until `gtk_window_destroy`.
#[no_mangle]
pub unsafe extern "C" fn framescope_inspector_window_new(
    player: *mut GObject,
) -> *mut gtk::ffi::GtkWidget {
    let function = "framescope_inspector_window_new";
    guard(function, std::ptr::null_mut(), || {
        match object::<Player>(function, player) {
            Some(player) => {
                let window = InspectorWindow::new(&player);
                window.upcast_ref::<gtk::Widget>().as_ptr()
            }
            None => std::ptr::null_mut(),
        }
    })
}

// ---------------------------------------------------------------------------
// FramescopeRemoteControl

/// `framescope_remote_control_export`: `player` on the session bus until
/// the returned object's last reference goes (transfer full).
#[no_mangle]
pub unsafe extern "C" fn framescope_remote_control_export(
    player: *mut GObject,
    instance: *const c_char,
    mpris: gboolean,
    error: *mut *mut GError,
) -> *mut GObject {
    let function = "framescope_remote_control_export";
    guard(function, std::ptr::null_mut(), || {
        let Some(player) = object::<Player>(function, player) else {
            return std::ptr::null_mut();
        };
        let instance =
            (!instance.is_null()).then(|| CStr::from_ptr(instance).to_string_lossy().into_owned());
        match RemoteControlObject::export(&player, instance, from_glib(mpris)) {
            Ok(remote) => remote.upcast::<glib::Object>().to_glib_full(),
            Err(e) => {
                set_error(error, e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `framescope_remote_control_get_bus_names`: a NULL-terminated array of
/// the names asked for (transfer full).
#[no_mangle]
pub unsafe extern "C" fn framescope_remote_control_get_bus_names(
    remote: *mut GObject,
) -> *mut *mut c_char {
    let function = "framescope_remote_control_get_bus_names";
    guard(function, std::ptr::null_mut(), || {
        match object::<RemoteControlObject>(function, remote) {
            Some(remote) => glib::StrV::from(remote.bus_names()).into_raw(),
            None => std::ptr::null_mut(),
        }
    })
}
