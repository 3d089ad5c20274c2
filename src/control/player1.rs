//! The Framescope D-Bus interface, `org.framescope.Player1` at
//! `/org/framescope/Framescope/Player`: the whole player for scripts and
//! `framescope ctl`. Methods carry out one action each and answer at once
//! (`Snapshot` answers when the PNG is written); properties are read from
//! the player's cached values and announced with `PropertiesChanged` as
//! they change (all but `Position`, `FramePts` and `FrameNumber`, which
//! change with every frame: read them when needed); the player's errors,
//! warnings, state changes and end of stream are signals. Times are
//! seconds (`d`) in calls and microseconds (`x`) in properties, both from
//! the media's start. The threading rule is the module's (see
//! [`crate::control`]).

use super::{args, state_name, Hooks, ERROR_FAILED, ERROR_INVALID_ARGS, INTERFACE, OBJECT_PATH};
use crate::engine::{Player, TrackKind};
use glib::prelude::*;
use std::rc::Rc;

/// The interface's introspection data (also what GIO checks argument
/// types against).
pub const INTROSPECTION: &str = r#"<node>
  <interface name="org.framescope.Player1">
    <method name="Open"><arg direction="in" name="uri" type="s"/></method>
    <method name="Queue"><arg direction="in" name="uris" type="as"/></method>
    <method name="Play"/>
    <method name="Pause"/>
    <method name="TogglePlay"/>
    <method name="Stop"/>
    <method name="Next"><arg direction="out" name="moved" type="b"/></method>
    <method name="Previous"><arg direction="out" name="moved" type="b"/></method>
    <method name="Seek">
      <arg direction="in" name="seconds" type="d"/>
      <arg direction="in" name="mode" type="s"/>
    </method>
    <method name="Step"><arg direction="in" name="frames" type="i"/></method>
    <method name="SetRate"><arg direction="in" name="rate" type="d"/></method>
    <method name="SetVolume"><arg direction="in" name="volume" type="d"/></method>
    <method name="SetMuted"><arg direction="in" name="muted" type="b"/></method>
    <method name="SetLoop">
      <arg direction="in" name="a_seconds" type="d"/>
      <arg direction="in" name="b_seconds" type="d"/>
    </method>
    <method name="ClearLoop"/>
    <method name="SelectTrack">
      <arg direction="in" name="kind" type="s"/>
      <arg direction="in" name="index" type="i"/>
    </method>
    <method name="Tracks"><arg direction="out" name="json" type="s"/></method>
    <method name="SetSubtitleFile"><arg direction="in" name="path" type="s"/></method>
    <method name="Snapshot">
      <arg direction="in" name="path" type="s"/>
      <arg direction="out" name="width" type="u"/>
      <arg direction="out" name="height" type="u"/>
      <arg direction="out" name="pts_seconds" type="d"/>
    </method>
    <method name="Stats"><arg direction="out" name="json" type="s"/></method>
    <signal name="StateChanged"><arg name="state" type="s"/></signal>
    <signal name="Error">
      <arg name="kind" type="s"/>
      <arg name="message" type="s"/>
    </signal>
    <signal name="Warning"><arg name="message" type="s"/></signal>
    <signal name="EndOfStream"/>
    <property name="State" type="s" access="read"/>
    <property name="Uri" type="s" access="read"/>
    <property name="Title" type="s" access="read"/>
    <property name="Position" type="x" access="read"/>
    <property name="Duration" type="x" access="read"/>
    <property name="Seekable" type="b" access="read"/>
    <property name="Rate" type="d" access="read"/>
    <property name="Volume" type="d" access="read"/>
    <property name="Muted" type="b" access="read"/>
    <property name="FramePts" type="x" access="read"/>
    <property name="FrameNumber" type="x" access="read"/>
    <property name="LoopA" type="x" access="read"/>
    <property name="LoopB" type="x" access="read"/>
    <property name="CurrentIndex" type="i" access="read"/>
  </interface>
</node>"#;

/// Microseconds from nanoseconds (-1 stays -1).
fn micros(ns: i64) -> i64 {
    if ns < 0 {
        -1
    } else {
        ns / 1000
    }
}

fn property(player: &Player, name: &str) -> glib::Variant {
    let ns = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    match name {
        "State" => state_name(player.state()).to_variant(),
        "Uri" => player
            .uri()
            .map(|u| crate::engine::redact_uri(&u))
            .unwrap_or_default()
            .to_variant(),
        "Title" => player.title().unwrap_or_default().to_variant(),
        "Position" => micros(ns(player.position())).to_variant(),
        "Duration" => micros(ns(player.duration())).to_variant(),
        "Seekable" => player.seekable().to_variant(),
        "Rate" => player.rate().to_variant(),
        "Volume" => player.volume().to_variant(),
        "Muted" => player.muted().to_variant(),
        "FramePts" => micros(player.frame_pts()).to_variant(),
        "FrameNumber" => player.frame_number().to_variant(),
        "LoopA" => micros(player.loop_a()).to_variant(),
        "LoopB" => micros(player.loop_b()).to_variant(),
        "CurrentIndex" => player.current_index().to_variant(),
        _ => glib::Variant::from_none(glib::VariantTy::VARIANT),
    }
}

/// How a call went: a value to answer with, or an error to answer with.
enum Answer {
    Done(Option<glib::Variant>),
    /// A bad argument.
    Invalid(String),
    /// A call that could not be carried out.
    Failed(String),
}

use Answer::{Done, Failed, Invalid};

fn ok() -> Answer {
    Done(None)
}

fn needs_media(player: &Player) -> Result<(), Answer> {
    if player.uri().is_none() {
        Err(Failed(
            "Nothing is loaded; open a file or URI first.".into(),
        ))
    } else {
        Ok(())
    }
}

fn tracks_json(player: &Player) -> String {
    let list: Vec<serde_json::Value> = [TrackKind::Video, TrackKind::Audio, TrackKind::Subtitle]
        .into_iter()
        .flat_map(|kind| {
            let current = player.current_track(kind);
            player.tracks_of(kind).into_iter().map(move |t| {
                serde_json::json!({
                    "kind": match kind {
                        TrackKind::Video => "video",
                        TrackKind::Audio => "audio",
                        TrackKind::Subtitle => "subtitle",
                    },
                    "index": t.index,
                    "language": t.language,
                    "title": t.title,
                    "codec": t.codec,
                    "current": current == Some(t.index),
                })
            })
        })
        .collect();
    serde_json::to_string(&list).unwrap_or_default()
}

/// Carries out one method call (all but `Snapshot`).
fn call(player: &Player, hooks: &Hooks, method: &str, params: &glib::Variant) -> Answer {
    // GIO has checked the types against the introspection data, so `get`
    // fails only for a method of another signature: a bug of ours, still
    // answered, never a panic.
    macro_rules! params {
        ($t:ty) => {
            match params.get::<$t>() {
                Some(v) => v,
                None => return Invalid(format!("{method} was called with the wrong arguments.")),
            }
        };
    }
    match method {
        "Open" => {
            let (uri,) = params!((String,));
            match args::media(&uri) {
                Ok(uri) => hooks.open(player, vec![uri]),
                Err(e) => return Invalid(e),
            }
        }
        "Queue" => {
            let (uris,) = params!((Vec<String>,));
            if uris.is_empty() {
                return Invalid("No file or URI was given; pass one or more to queue.".into());
            }
            let checked: Result<Vec<String>, String> =
                uris.iter().map(|u| args::media(u)).collect();
            match checked {
                Ok(uris) => hooks.queue(player, uris),
                Err(e) => return Invalid(e),
            }
        }
        "Play" => {
            if let Err(e) = needs_media(player) {
                return e;
            }
            player.play()
        }
        "Pause" => {
            if let Err(e) = needs_media(player) {
                return e;
            }
            player.pause()
        }
        "TogglePlay" => {
            if let Err(e) = needs_media(player) {
                return e;
            }
            player.toggle_play()
        }
        "Stop" => player.stop(),
        "Next" => return Done(Some((hooks.next(player),).to_variant())),
        "Previous" => return Done(Some((hooks.previous(player),).to_variant())),
        "Seek" => {
            let (seconds, mode) = params!((f64, String));
            if let Err(e) = needs_media(player) {
                return e;
            }
            let mode = match args::seek_mode(&mode) {
                Ok(m) => m,
                Err(e) => return Invalid(e),
            };
            let at = match args::time(seconds, "The seek position", player.duration()) {
                Ok(t) => t,
                Err(e) => return Invalid(e),
            };
            if !player.seekable() && player.duration() == 0 {
                return Failed("This media cannot be seeked.".into());
            }
            match mode {
                Some(mode) => player.seek_with_mode(at, mode),
                None => player.seek(at),
            }
        }
        "Step" => {
            let (frames,) = params!((i32,));
            if let Err(e) = needs_media(player) {
                return e;
            }
            match args::step(frames) {
                Ok(n) => player.step(n),
                Err(e) => return Invalid(e),
            }
        }
        "SetRate" => {
            let (rate,) = params!((f64,));
            match args::rate(rate) {
                Ok(r) => player.set_rate(r),
                Err(e) => return Invalid(e),
            }
        }
        "SetVolume" => {
            let (volume,) = params!((f64,));
            match args::volume(volume) {
                Ok(v) => player.set_volume(v),
                Err(e) => return Invalid(e),
            }
        }
        "SetMuted" => {
            let (muted,) = params!((bool,));
            player.set_muted(muted);
        }
        "SetLoop" => {
            let (a, b) = params!((f64, f64));
            if let Err(e) = needs_media(player) {
                return e;
            }
            let duration = player.duration();
            let (a, b) = match (
                args::time(a, "Loop point A", duration),
                args::time(b, "Loop point B", duration),
            ) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return Invalid(e),
            };
            if b <= a {
                return Invalid(format!(
                    "Loop point B ({:.3} s) must come after A ({:.3} s).",
                    b.nseconds() as f64 / 1e9,
                    a.nseconds() as f64 / 1e9
                ));
            }
            let ns = |t: gst::ClockTime| i64::try_from(t.nseconds()).unwrap_or(i64::MAX);
            player.clear_ab_loop();
            player.set_loop_a(ns(a));
            player.set_loop_b(ns(b));
        }
        "ClearLoop" => player.clear_ab_loop(),
        "SelectTrack" => {
            let (kind, index) = params!((String, i32));
            if let Err(e) = needs_media(player) {
                return e;
            }
            let kind = match args::track_kind(&kind) {
                Ok(k) => k,
                Err(e) => return Invalid(e),
            };
            let index = match args::track_index(index, player.tracks_of(kind).len()) {
                Ok(i) => i,
                Err(e) => return Invalid(e),
            };
            if let Err(e) = player.select_track(kind, index) {
                return Failed(e);
            }
        }
        "Tracks" => return Done(Some((tracks_json(player),).to_variant())),
        "SetSubtitleFile" => {
            let (path,) = params!((String,));
            if let Err(e) = needs_media(player) {
                return e;
            }
            match args::media(&path) {
                Ok(uri) => player.add_subtitle_files(&[uri]),
                Err(e) => return Invalid(e),
            }
        }
        "Stats" => return Done(Some((hooks.stats(player),).to_variant())),
        other => return Invalid(format!("Framescope has no method {other}.")),
    }
    ok()
}

/// `Snapshot(path)`: the frame on screen, decoded again at full size on a
/// thread of its own, written as PNG to `path`; answers when written.
fn snapshot(player: &Player, params: &glib::Variant, invocation: gio::DBusMethodInvocation) {
    let Some((path,)) = params.get::<(String,)>() else {
        invocation.return_dbus_error(ERROR_INVALID_ARGS, "Snapshot takes a file path.");
        return;
    };
    let path = match args::snapshot_path(&path) {
        Ok(p) => p,
        Err(e) => return invocation.return_dbus_error(ERROR_INVALID_ARGS, &e),
    };
    let (Some(uri), Ok(pts)) = (player.uri(), u64::try_from(player.frame_pts())) else {
        invocation.return_dbus_error(
            ERROR_FAILED,
            "There is no video frame on screen to save; open a video and let it show a frame.",
        );
        return;
    };
    let pts = gst::ClockTime::from_nseconds(pts);
    let (reply, answer) = futures_channel::oneshot::channel();
    std::thread::spawn(move || {
        let result = crate::engine::snapshot(&uri, pts, false)
            .and_then(|shot| crate::engine::write_snapshot(&shot, &path).map(|_| shot));
        let _ = reply.send(result);
    });
    glib::MainContext::ref_thread_default().spawn_local(async move {
        match answer.await {
            Ok(Ok(shot)) => invocation.return_value(Some(
                &(shot.width, shot.height, shot.pts.nseconds() as f64 / 1e9).to_variant(),
            )),
            Ok(Err(e)) => invocation.return_dbus_error(ERROR_FAILED, &e.message),
            Err(_) => {
                invocation.return_dbus_error(ERROR_FAILED, "The snapshot could not be taken.")
            }
        }
    });
}

fn emit(connection: &gio::DBusConnection, signal: &str, args: Option<&glib::Variant>) {
    let _ = connection.emit_signal(None, OBJECT_PATH, INTERFACE, signal, args);
}

/// Announces that `names` changed.
fn announce(connection: &gio::DBusConnection, player: &Player, names: &[&str]) {
    let changed = glib::VariantDict::new(None);
    for name in names {
        changed.insert_value(name, &property(player, name));
    }
    let invalidated: Vec<String> = Vec::new();
    let _ = connection.emit_signal(
        None,
        OBJECT_PATH,
        "org.freedesktop.DBus.Properties",
        "PropertiesChanged",
        Some(&(INTERFACE, changed.end(), invalidated).to_variant()),
    );
}

/// Registers the interface on `connection` for `player`; returns the
/// registration and the player's signal handlers.
pub(super) fn register(
    connection: &gio::DBusConnection,
    player: &Player,
    hooks: Rc<Hooks>,
) -> Result<(Vec<gio::RegistrationId>, Vec<glib::SignalHandlerId>), glib::Error> {
    let node = gio::DBusNodeInfo::for_xml(INTROSPECTION).expect("the interface XML is valid");
    let info = node.lookup_interface(INTERFACE).expect("declared above");
    let (p1, p2) = (player.downgrade(), player.downgrade());
    let id = connection
        .register_object(OBJECT_PATH, &info)
        .method_call(move |_, _, _, _, method, params, invocation| {
            let Some(player) = p1.upgrade() else {
                invocation.return_dbus_error(ERROR_FAILED, "The player is gone.");
                return;
            };
            if method == "Snapshot" {
                return snapshot(&player, &params, invocation);
            }
            match call(&player, &hooks, method, &params) {
                Done(value) => invocation.return_value(value.as_ref()),
                Invalid(message) => invocation.return_dbus_error(ERROR_INVALID_ARGS, &message),
                Failed(message) => invocation.return_dbus_error(ERROR_FAILED, &message),
            }
        })
        .property(move |_, _, _, _, name| match p2.upgrade() {
            Some(player) => property(&player, name),
            None => glib::Variant::from_none(glib::VariantTy::VARIANT),
        })
        .build()?;
    let watch = |names: &'static [&'static str]| {
        let connection = connection.clone();
        move |player: &Player| announce(&connection, player, names)
    };
    let c = connection.clone();
    let state_changed = move |player: &Player| {
        announce(&c, player, &["State"]);
        emit(
            &c,
            "StateChanged",
            Some(&(state_name(player.state()),).to_variant()),
        );
    };
    let c = connection.clone();
    let error = move |_: &Player, e: &crate::engine::PlayerError| {
        let kind = crate::engine::types::enum_nick(e.kind);
        emit(&c, "Error", Some(&(kind, e.message.as_str()).to_variant()));
    };
    let c = connection.clone();
    let warning = move |_: &Player, text: &str| emit(&c, "Warning", Some(&(text,).to_variant()));
    let c = connection.clone();
    let eos = move |_: &Player| emit(&c, "EndOfStream", None);
    let handlers = vec![
        player.connect_state_notify(state_changed),
        player.connect_error(error),
        player.connect_warning(warning),
        player.connect_eos(eos),
        player.connect_uri_notify(watch(&["Uri", "CurrentIndex"])),
        player.connect_title_notify(watch(&["Title"])),
        player.connect_duration_notify(watch(&["Duration", "Seekable"])),
        player.connect_seekable_notify(watch(&["Seekable"])),
        player.connect_rate_notify(watch(&["Rate"])),
        player.connect_volume_notify(watch(&["Volume"])),
        player.connect_muted_notify(watch(&["Muted"])),
        player.connect_loop_a_notify(watch(&["LoopA"])),
        player.connect_loop_b_notify(watch(&["LoopB"])),
        player.connect_current_index_notify(watch(&["CurrentIndex"])),
    ];
    Ok((vec![id], handlers))
}
