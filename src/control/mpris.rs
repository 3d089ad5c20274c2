//! MPRIS 2 on the session bus, so media keys, desktop widgets and
//! `playerctl` drive the player: the `org.mpris.MediaPlayer2` and
//! `org.mpris.MediaPlayer2.Player` interfaces at `/org/mpris/MediaPlayer2`
//! under the name `org.mpris.MediaPlayer2.framescope.instance<pid>` (one per
//! running player, or the host's own instance name). Play, pause, stop,
//! next, previous, seek, position, rate, volume and metadata map onto the
//! player and the host's [`Hooks`]; property changes are announced with
//! `PropertiesChanged`. Registered by
//! [`RemoteControl::export`](super::RemoteControl::export) when
//! [`ControlOptions::mpris`](super::ControlOptions::mpris) is set; the
//! threading rule is the module's (see [`crate::control`]).

use super::Hooks;
use crate::engine::{Player, PlayerState};
use glib::prelude::*;
use std::rc::Rc;

const PATH: &str = "/org/mpris/MediaPlayer2";
const ROOT: &str = "org.mpris.MediaPlayer2";
const PLAYER: &str = "org.mpris.MediaPlayer2.Player";

const INTROSPECTION: &str = r#"<node>
  <interface name="org.mpris.MediaPlayer2">
    <method name="Raise"/>
    <method name="Quit"/>
    <property name="CanQuit" type="b" access="read"/>
    <property name="CanRaise" type="b" access="read"/>
    <property name="HasTrackList" type="b" access="read"/>
    <property name="Identity" type="s" access="read"/>
    <property name="DesktopEntry" type="s" access="read"/>
    <property name="SupportedUriSchemes" type="as" access="read"/>
    <property name="SupportedMimeTypes" type="as" access="read"/>
  </interface>
  <interface name="org.mpris.MediaPlayer2.Player">
    <method name="Next"/>
    <method name="Previous"/>
    <method name="Pause"/>
    <method name="PlayPause"/>
    <method name="Stop"/>
    <method name="Play"/>
    <method name="Seek"><arg direction="in" name="Offset" type="x"/></method>
    <method name="SetPosition">
      <arg direction="in" name="TrackId" type="o"/>
      <arg direction="in" name="Position" type="x"/>
    </method>
    <method name="OpenUri"><arg direction="in" name="Uri" type="s"/></method>
    <signal name="Seeked"><arg name="Position" type="x"/></signal>
    <property name="PlaybackStatus" type="s" access="read"/>
    <property name="Rate" type="d" access="readwrite"/>
    <property name="Metadata" type="a{sv}" access="read"/>
    <property name="Volume" type="d" access="readwrite"/>
    <property name="Position" type="x" access="read"/>
    <property name="MinimumRate" type="d" access="read"/>
    <property name="MaximumRate" type="d" access="read"/>
    <property name="CanGoNext" type="b" access="read"/>
    <property name="CanGoPrevious" type="b" access="read"/>
    <property name="CanPlay" type="b" access="read"/>
    <property name="CanPause" type="b" access="read"/>
    <property name="CanSeek" type="b" access="read"/>
    <property name="CanControl" type="b" access="read"/>
  </interface>
</node>"#;

/// A microsecond count for MPRIS from nanoseconds.
fn micros(ns: u64) -> i64 {
    // u64::MAX ns is 1.8e16 µs: always within i64.
    i64::try_from(ns / 1000).unwrap_or(i64::MAX)
}

/// A position in µs from a D-Bus caller as a stream time, when it is one
/// (not negative, and within the longest time Framescope takes anywhere).
fn within_any_media(us: i64) -> Option<gst::ClockTime> {
    crate::engine::clock_time_from_micros(us).filter(|t| t.nseconds() <= crate::engine::MAX_TIME_NS)
}

/// The volume to set for an MPRIS `Volume` write: the spec brings a
/// negative value to 0, and Framescope does not amplify, so more than 1 is
/// 1; not-a-number is refused (`None`, a D-Bus error to the caller).
fn volume_to_set(v: f64) -> Option<f64> {
    (!v.is_nan()).then(|| v.clamp(0.0, 1.0))
}

fn playback_status(player: &Player) -> &'static str {
    match player.state() {
        PlayerState::Playing | PlayerState::Buffering => "Playing",
        PlayerState::Paused | PlayerState::Loading => "Paused",
        PlayerState::Stopped | PlayerState::Error => "Stopped",
    }
}

fn metadata(player: &Player) -> glib::Variant {
    let dict = glib::VariantDict::new(None);
    let track = glib::variant::ObjectPath::try_from(format!(
        "/org/framescope/track/{}",
        player.current_index().max(0)
    ))
    .expect("a valid object path");
    dict.insert_value("mpris:trackid", &track.to_variant());
    if player.duration() > 0 {
        dict.insert_value("mpris:length", &micros(player.duration()).to_variant());
    }
    if let Some(title) = player.title() {
        dict.insert_value("xesam:title", &title.to_variant());
    }
    if let Some(uri) = player.uri() {
        // Never a password or token, even to the desktop's own widgets.
        let uri = crate::engine::redact_uri(&uri);
        dict.insert_value("xesam:url", &uri.to_variant());
    }
    dict.end()
}

fn player_property(player: &Player, name: &str) -> glib::Variant {
    match name {
        "PlaybackStatus" => playback_status(player).to_variant(),
        "Rate" => player.rate().to_variant(),
        "Metadata" => metadata(player),
        "Volume" => player.volume().to_variant(),
        "Position" => micros(player.position()).to_variant(),
        "MinimumRate" => (1.0f64 / 16.0).to_variant(),
        "MaximumRate" => 16.0f64.to_variant(),
        "CanGoNext" => player.has_next().to_variant(),
        "CanGoPrevious" => player.has_previous().to_variant(),
        "CanPlay" | "CanPause" => player.uri().is_some().to_variant(),
        "CanSeek" => player.seekable().to_variant(),
        "CanControl" => true.to_variant(),
        _ => glib::Variant::from_none(glib::VariantTy::VARIANT),
    }
}

fn root_property(hooks: &Hooks, name: &str) -> glib::Variant {
    match name {
        "CanQuit" => hooks.quit.is_some().to_variant(),
        "CanRaise" => hooks.raise.is_some().to_variant(),
        "HasTrackList" => false.to_variant(),
        "Identity" => "Framescope".to_variant(),
        "DesktopEntry" => "org.framescope.Framescope".to_variant(),
        "SupportedUriSchemes" => vec!["file", "http", "https", "rtsp", "udp", "srt"].to_variant(),
        "SupportedMimeTypes" => vec![
            "video/mp4",
            "video/webm",
            "video/x-matroska",
            "video/ogg",
            "video/mp2t",
            "video/quicktime",
        ]
        .to_variant(),
        _ => glib::Variant::from_none(glib::VariantTy::VARIANT),
    }
}

/// Carries out one method call; returns where a seek went (µs, for the
/// `Seeked` signal), or a D-Bus error message when it cannot be done.
fn call(
    player: &Player,
    hooks: &Hooks,
    method: &str,
    params: &glib::Variant,
) -> Result<Option<i64>, String> {
    match method {
        "Raise" => {
            if let Some(raise) = &hooks.raise {
                raise()
            }
        }
        "Quit" => match &hooks.quit {
            Some(quit) => quit(),
            None => return Err("This player cannot be quit remotely.".into()),
        },
        "Play" => player.play(),
        "Pause" => player.pause(),
        "PlayPause" => player.toggle_play(),
        "Stop" => player.stop(),
        "Next" => {
            hooks.next(player);
        }
        "Previous" => {
            hooks.previous(player);
        }
        "Seek" => {
            let (offset,) = params.get::<(i64,)>().ok_or("Seek takes an offset in µs")?;
            // Checked: an offset of ±i64::MAX µs is a valid call, not a crash.
            let target = micros(player.position()).saturating_add(offset).max(0);
            if player.duration() > 0 && target > micros(player.duration()) {
                // Past the end: the spec says act as Next.
                hooks.next(player);
            } else {
                let at = within_any_media(target).ok_or_else(|| {
                    format!("Seeking by {offset} µs goes past any time media can have (100 days); seek by less.")
                })?;
                player.seek(at);
                return Ok(Some(target));
            }
        }
        "SetPosition" => {
            let (_track, position) = params
                .get::<(glib::variant::ObjectPath, i64)>()
                .ok_or("SetPosition takes a track id and a position in µs")?;
            // The spec: a negative position, or one past the end, does
            // nothing; with the length unknown, past any media's end.
            let within_track = player.duration() == 0 || position <= micros(player.duration());
            if let Some(at) = within_any_media(position).filter(|_| within_track) {
                player.seek(at);
                return Ok(Some(position));
            }
        }
        "OpenUri" => {
            let (uri,) = params.get::<(String,)>().ok_or("OpenUri takes a URI")?;
            hooks.open(player, vec![uri]);
        }
        other => return Err(format!("Framescope has no method {other}")),
    }
    Ok(None)
}

/// Announces that `names` of the Player interface changed.
fn announce(connection: &gio::DBusConnection, player: &Player, names: &[&str]) {
    let changed = glib::VariantDict::new(None);
    for name in names {
        changed.insert_value(name, &player_property(player, name));
    }
    let invalidated: Vec<String> = Vec::new();
    let _ = connection.emit_signal(
        None,
        PATH,
        "org.freedesktop.DBus.Properties",
        "PropertiesChanged",
        Some(&(PLAYER, changed.end(), invalidated).to_variant()),
    );
}

/// Registers both MPRIS interfaces on `connection` for `player`; returns
/// the registrations and the player's signal handlers (the caller owns the
/// bus name and undoes both).
pub(super) fn register(
    connection: &gio::DBusConnection,
    player: &Player,
    hooks: Rc<Hooks>,
) -> Result<(Vec<gio::RegistrationId>, Vec<glib::SignalHandlerId>), glib::Error> {
    let node = gio::DBusNodeInfo::for_xml(INTROSPECTION).expect("the MPRIS XML is valid");
    let mut registrations = Vec::new();
    for interface in [ROOT, PLAYER] {
        let info = node.lookup_interface(interface).expect("declared above");
        let (p1, h1) = (player.downgrade(), hooks.clone());
        let (p2, h2) = (player.downgrade(), hooks.clone());
        let p3 = player.downgrade();
        let registered = connection
            .register_object(PATH, &info)
            .method_call(move |connection, _, _, _, method, params, invocation| {
                let Some(player) = p1.upgrade() else {
                    invocation
                        .return_dbus_error("org.mpris.MediaPlayer2.Error", "The player is gone.");
                    return;
                };
                match call(&player, &h1, method, &params) {
                    Ok(seeked) => {
                        invocation.return_value(None);
                        if let Some(position) = seeked {
                            let _ = connection.emit_signal(
                                None,
                                PATH,
                                PLAYER,
                                "Seeked",
                                Some(&(position,).to_variant()),
                            );
                        }
                    }
                    Err(message) => invocation
                        .return_dbus_error("org.freedesktop.DBus.Error.InvalidArgs", &message),
                }
            })
            .property(move |_, _, _, interface, name| {
                if interface == ROOT {
                    return root_property(&h2, name);
                }
                match p2.upgrade() {
                    Some(player) => player_property(&player, name),
                    None => glib::Variant::from_none(glib::VariantTy::VARIANT),
                }
            })
            .set_property(move |_, _, _, _, name, value| {
                let Some(player) = p3.upgrade() else {
                    return false;
                };
                match (name, value.get::<f64>()) {
                    ("Volume", Some(v)) => match volume_to_set(v) {
                        Some(v) => player.set_volume(v),
                        None => return false,
                    },
                    ("Rate", Some(r)) if (1.0 / 16.0..=16.0).contains(&r) => player.set_rate(r),
                    _ => return false,
                }
                true
            })
            .build();
        match registered {
            Ok(id) => registrations.push(id),
            Err(e) => {
                for id in registrations {
                    let _ = connection.unregister_object(id);
                }
                return Err(e);
            }
        }
    }
    // Tell the desktop what changes, as it changes.
    let watch = move |names: &'static [&'static str]| {
        let connection = connection.clone();
        move |player: &Player| announce(&connection, player, names)
    };
    let handlers = vec![
        player.connect_state_notify(watch(&["PlaybackStatus", "CanPlay", "CanPause"])),
        player.connect_title_notify(watch(&["Metadata"])),
        player.connect_duration_notify(watch(&["Metadata", "CanSeek"])),
        player.connect_uri_notify(watch(&["Metadata", "CanGoNext", "CanGoPrevious"])),
        player.connect_volume_notify(watch(&["Volume"])),
        player.connect_rate_notify(watch(&["Rate"])),
    ];
    Ok((registrations, handlers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_volumes_from_callers_never_overflow() {
        assert_eq!(micros(u64::MAX), 18_446_744_073_709_551);
        assert_eq!(within_any_media(-1), None);
        assert_eq!(within_any_media(i64::MAX), None);
        assert_eq!(within_any_media(i64::MIN), None);
        assert_eq!(
            within_any_media(2_000_000),
            Some(gst::ClockTime::from_seconds(2))
        );
        assert_eq!(volume_to_set(f64::NAN), None);
        assert_eq!(volume_to_set(f64::INFINITY), Some(1.0));
        assert_eq!(volume_to_set(-1.0), Some(0.0));
        assert_eq!(volume_to_set(0.5), Some(0.5));
    }
}
