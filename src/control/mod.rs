//! Remote control of a [`Player`] over the D-Bus session bus, opt-in: a
//! host calls [`RemoteControl::export`] and keeps the value; dropping it
//! leaves the bus. Two surfaces, each chosen in [`ControlOptions`]:
//!
//! - **MPRIS 2** ([`mpris`]): `org.mpris.MediaPlayer2` and
//!   `org.mpris.MediaPlayer2.Player` at `/org/mpris/MediaPlayer2` under
//!   `org.mpris.MediaPlayer2.framescope.<instance>`, for media keys, desktop
//!   widgets and `playerctl`;
//! - **the Framescope interface** ([`player1`]): [`INTERFACE`] at
//!   [`OBJECT_PATH`] under `org.framescope.Framescope.<instance>`, covering
//!   the whole player (open and queue, transport, seeks with a mode, frame
//!   steps, rate, volume, A-B loop, tracks, subtitle files, snapshots,
//!   statistics), with properties announced by `PropertiesChanged` and the
//!   player's errors, warnings and state changes as signals. `framescope
//!   ctl` is its client.
//!
//! `<instance>` is `instance<PID>` unless the host names it, so several
//! players coexist on one bus. (`org.framescope.Framescope` itself is the
//! desktop app's `GApplication` name, which is why the interface is not
//! offered under it.)
//!
//! # Threading
//!
//! Method calls arrive on the thread-default main context, which must be
//! the one that owns the player. They call the player's public API only —
//! which never waits for a streaming thread — and answer from the values it
//! caches; nothing here queries a pipeline element. The one slow call,
//! `Snapshot`, decodes on a thread of its own and answers when it is done.
//!
//! # Safety against callers
//!
//! Every argument is checked ([`args`]) before the player sees it: a
//! not-a-number, an infinity, a negative time, an unknown track kind, an
//! index out of range, a missing file each get a D-Bus error whose message
//! is one sentence; a call with the wrong argument types is refused by GIO
//! against the introspection data before it reaches us.

pub mod args;
pub mod mpris;
pub mod player1;

use crate::engine::{Player, PlayerState};
use glib::prelude::*;
use std::rc::Rc;

/// The Framescope interface's name.
pub const INTERFACE: &str = "org.framescope.Player1";
/// Where the Framescope interface is offered.
pub const OBJECT_PATH: &str = "/org/framescope/Framescope/Player";
/// The start of every Framescope remote-control bus name; the instance
/// follows (`org.framescope.Framescope.instance1234`).
pub const BUS_NAME_PREFIX: &str = "org.framescope.Framescope.";
/// The D-Bus error a bad argument gets.
pub const ERROR_INVALID_ARGS: &str = "org.freedesktop.DBus.Error.InvalidArgs";
/// The D-Bus error a call that could not be carried out gets (nothing
/// playing, no frame on screen, a file that could not be written).
pub const ERROR_FAILED: &str = "org.framescope.Player1.Error.Failed";

/// What the remote surfaces ask of the host beyond the player itself.
/// Every hook is optional: without one the player's own API does the work
/// (`next` is [`Player::next`] then [`Player::play`], `stats_json` is
/// [`stats_json`], …), and without `raise` or `quit` MPRIS says it cannot.
#[derive(Default)]
pub struct Hooks {
    /// Go to the next item and play it (false: there is none).
    pub next: Option<Box<dyn Fn() -> bool>>,
    /// Go to the previous item and play it (false: there is none).
    pub previous: Option<Box<dyn Fn() -> bool>>,
    /// Replace the queue with these URIs and play the first.
    pub open: Option<Box<dyn Fn(Vec<String>)>>,
    /// Add these URIs to the end of the queue.
    pub queue: Option<Box<dyn Fn(Vec<String>)>>,
    /// Bring the host's window to the front.
    pub raise: Option<Box<dyn Fn()>>,
    /// End the host.
    pub quit: Option<Box<dyn Fn()>>,
    /// The statistics the `Stats` method returns, as JSON with a `state`
    /// member.
    pub stats_json: Option<Box<dyn Fn() -> String>>,
}

impl Hooks {
    pub(crate) fn next(&self, player: &Player) -> bool {
        match &self.next {
            Some(f) => f(),
            None => {
                let go = player.next();
                if go {
                    player.play();
                }
                go
            }
        }
    }

    pub(crate) fn previous(&self, player: &Player) -> bool {
        match &self.previous {
            Some(f) => f(),
            None => {
                let go = player.previous();
                if go {
                    player.play();
                }
                go
            }
        }
    }

    pub(crate) fn open(&self, player: &Player, uris: Vec<String>) {
        match &self.open {
            Some(f) => f(uris),
            None => {
                player.set_items(&uris);
                player.play();
            }
        }
    }

    pub(crate) fn queue(&self, player: &Player, uris: Vec<String>) {
        match &self.queue {
            Some(f) => f(uris),
            None => {
                for uri in &uris {
                    player.append_item(uri);
                }
            }
        }
    }

    pub(crate) fn stats(&self, player: &Player) -> String {
        match &self.stats_json {
            Some(f) => f(),
            None => stats_json(player),
        }
    }
}

/// What [`RemoteControl::export`] offers.
#[derive(Default)]
pub struct ControlOptions {
    /// Offer MPRIS 2.
    pub mpris: bool,
    /// Offer the Framescope interface ([`INTERFACE`]).
    pub player_interface: bool,
    /// The instance part of the bus names (letters, digits and `_`, not
    /// starting with a digit); `None`: `instance<PID>`.
    pub instance: Option<String>,
    /// What the host does for the calls that reach beyond the player.
    pub hooks: Hooks,
}

/// Why remote control could not be offered.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// There is no session bus (a bare X server, a service without a
    /// session).
    #[error("there is no D-Bus session bus ({0})")]
    NoBus(String),
    /// The instance name cannot be part of a bus name.
    #[error("“{0}” cannot be part of a D-Bus name; use letters, digits and _, not starting with a digit")]
    BadInstance(String),
    /// The objects could not be registered (already offered on this
    /// connection by another `RemoteControl`).
    #[error("the remote control objects could not be registered ({0})")]
    Register(String),
}

/// A player on the session bus; dropping it unexports the objects, gives
/// up the names and stops listening to the player.
pub struct RemoteControl {
    connection: gio::DBusConnection,
    registrations: Vec<gio::RegistrationId>,
    owners: Vec<gio::OwnerId>,
    player: glib::WeakRef<Player>,
    handlers: Vec<glib::SignalHandlerId>,
    names: Vec<String>,
}

impl std::fmt::Debug for RemoteControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteControl")
            .field("names", &self.names)
            .finish()
    }
}

impl RemoteControl {
    /// Offers `player` on the session bus as `options` say. Call it on the
    /// thread that owns the player's main context. The bus names are
    /// requested, not waited for: callers see them once the bus grants them
    /// (a name already taken is logged).
    pub fn export(player: &Player, options: ControlOptions) -> Result<RemoteControl, ControlError> {
        let connection = gio::bus_get_sync(gio::BusType::Session, None::<&gio::Cancellable>)
            .map_err(|e| ControlError::NoBus(e.to_string()))?;
        Self::export_on(&connection, player, options)
    }

    /// [`RemoteControl::export`] on a connection of the host's choosing.
    pub fn export_on(
        connection: &gio::DBusConnection,
        player: &Player,
        options: ControlOptions,
    ) -> Result<RemoteControl, ControlError> {
        let instance = match options.instance {
            Some(name) => {
                let good = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && name.chars().next().is_some_and(|c| !c.is_ascii_digit())
                    && name.len() <= 200;
                if !good {
                    return Err(ControlError::BadInstance(name));
                }
                name
            }
            None => format!("instance{}", std::process::id()),
        };
        let hooks = Rc::new(options.hooks);
        let mut control = RemoteControl {
            connection: connection.clone(),
            registrations: Vec::new(),
            owners: Vec::new(),
            player: player.downgrade(),
            handlers: Vec::new(),
            names: Vec::new(),
        };
        if options.mpris {
            let (ids, handlers) = mpris::register(connection, player, hooks.clone())
                .map_err(|e| ControlError::Register(e.to_string()))?;
            control.registrations.extend(ids);
            control.handlers.extend(handlers);
            control.own(format!("org.mpris.MediaPlayer2.framescope.{instance}"));
        }
        if options.player_interface {
            let (ids, handlers) = player1::register(connection, player, hooks)
                .map_err(|e| ControlError::Register(e.to_string()))?;
            control.registrations.extend(ids);
            control.handlers.extend(handlers);
            control.own(format!("{BUS_NAME_PREFIX}{instance}"));
        }
        Ok(control)
    }

    fn own(&mut self, name: String) {
        let owner = gio::bus_own_name_on_connection(
            &self.connection,
            &name,
            gio::BusNameOwnerFlags::NONE,
            |_, name| tracing::debug!("remote control: bus name {name} acquired"),
            |_, name| tracing::warn!("remote control: the bus name {name} could not be had"),
        );
        self.owners.push(owner);
        self.names.push(name);
    }

    /// The bus names asked for (granted or not).
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

impl Drop for RemoteControl {
    fn drop(&mut self) {
        for id in self.registrations.drain(..) {
            let _ = self.connection.unregister_object(id);
        }
        for owner in self.owners.drain(..) {
            gio::bus_unown_name(owner);
        }
        if let Some(player) = self.player.upgrade() {
            for handler in self.handlers.drain(..) {
                player.disconnect(handler);
            }
        }
    }
}

/// The name of a player state, as the interface's `State` and the
/// statistics' `state` give it.
pub fn state_name(state: PlayerState) -> &'static str {
    match state {
        PlayerState::Stopped => "stopped",
        PlayerState::Loading => "loading",
        PlayerState::Buffering => "buffering",
        PlayerState::Paused => "paused",
        PlayerState::Playing => "playing",
        PlayerState::Error => "error",
    }
}

/// The player's statistics as JSON, for hosts without their own report:
/// the state, the media (redacted), where it is, the watchdog's setting
/// (`max_restarts`, 0: off) and counts (`restarts`, `errors`, `stalls`,
/// named as in the app's `--stats-json`), and
/// [`PlaybackStats`](crate::engine::PlaybackStats)' counts.
pub fn stats_json(player: &Player) -> String {
    let stats = player.stats();
    let value = serde_json::json!({
        "state": state_name(player.state()),
        "uri": player.uri().map(|u| crate::engine::redact_uri(&u)),
        "position_s": player.position() as f64 / 1e9,
        "duration_s": (player.duration() > 0).then(|| player.duration() as f64 / 1e9),
        "frame_pts_s": (player.frame_pts() >= 0).then(|| player.frame_pts() as f64 / 1e9),
        "frame_number": player.frame_number(),
        "rate": player.rate(),
        "volume": player.volume(),
        "max_restarts": player.max_restarts(),
        "restarts": player.restarts(),
        "errors": player.errors(),
        "stalls": player.stalls(),
        "stats": stats,
    });
    let json = serde_json::to_string_pretty(&value).unwrap_or_default();
    crate::engine::redact_text(&json)
}
