//! `FramescopeRemoteControl`: remote control (`framescope::control`) for C
//! and GObject introspection. In Rust a host keeps a
//! [`framescope::control::RemoteControl`] and drops it to leave the bus;
//! C has no drop, so this GObject holds one and lets it go when its last
//! reference does (`dispose`). The Rust API needs no such object, which is
//! why it lives here and not in the library.

use framescope::control::{ControlError, ControlOptions, RemoteControl};
use framescope::engine::Player;
use glib::prelude::*;
use glib::subclass::prelude::*;
use std::cell::RefCell;

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct RemoteControlObject {
        /// The player on the bus; `None` once disposed.
        pub(super) remote: RefCell<Option<RemoteControl>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for RemoteControlObject {
        const NAME: &'static str = "FramescopeRemoteControl";
        type Type = super::RemoteControlObject;
    }

    impl ObjectImpl for RemoteControlObject {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPERTIES: std::sync::OnceLock<Vec<glib::ParamSpec>> =
                std::sync::OnceLock::new();
            PROPERTIES.get_or_init(|| {
                vec![glib::ParamSpecBoxed::builder::<glib::StrV>("bus-names")
                    .nick("Bus names")
                    .blurb("The D-Bus names asked for (granted or not)")
                    .read_only()
                    .build()]
            })
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            match pspec.name() {
                "bus-names" => glib::StrV::from(self.obj().bus_names()).to_value(),
                name => unreachable!("FramescopeRemoteControl has no property {name}"),
            }
        }

        /// Leaves the bus: objects unregistered, names released, the
        /// player's handlers disconnected.
        fn dispose(&self) {
            self.remote.take();
        }
    }
}

glib::wrapper! {
    /// A player offered on the session bus until the last reference goes.
    pub struct RemoteControlObject(ObjectSubclass<imp::RemoteControlObject>);
}

impl RemoteControlObject {
    /// Offers `player` as [`RemoteControl::export`] does: the Framescope
    /// interface always (what `framescope ctl` drives), MPRIS when asked.
    pub fn export(
        player: &Player,
        instance: Option<String>,
        mpris: bool,
    ) -> Result<RemoteControlObject, glib::Error> {
        let options = ControlOptions {
            mpris,
            player_interface: true,
            instance,
            hooks: Default::default(),
        };
        let remote = RemoteControl::export(player, options).map_err(to_glib_error)?;
        let object: RemoteControlObject = glib::Object::new();
        object.imp().remote.replace(Some(remote));
        Ok(object)
    }

    /// The bus names asked for; none once disposed.
    pub fn bus_names(&self) -> Vec<String> {
        self.imp()
            .remote
            .borrow()
            .as_ref()
            .map(|r| r.names().to_vec())
            .unwrap_or_default()
    }
}

/// A [`ControlError`] as a `GError` whose message is one sentence.
fn to_glib_error(error: ControlError) -> glib::Error {
    match error {
        ControlError::NoBus(why) => glib::Error::new(
            gio::IOErrorEnum::NotConnected,
            &format!(
                "There is no D-Bus session bus ({}); run the program in a desktop session or under dbus-run-session.",
                why.trim().trim_end_matches('.')
            ),
        ),
        ControlError::BadInstance(_) => glib::Error::new(
            gio::IOErrorEnum::InvalidArgument,
            &sentence(&error.to_string()),
        ),
        ControlError::Register(_) => {
            glib::Error::new(gio::IOErrorEnum::Exists, &sentence(&error.to_string()))
        }
    }
}

/// `text` with a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.trim().trim_end_matches('.').chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn messages_become_sentences() {
        assert_eq!(
            sentence("there is no D-Bus session bus (no address)"),
            "There is no D-Bus session bus (no address)."
        );
        assert_eq!(sentence("“9x” cannot be a name."), "“9x” cannot be a name.");
        assert_eq!(sentence(""), "");
    }
}
