//! Custom pipelines (`--pipeline "DESC"`, [`Player::open_pipeline`](crate::engine::Player::open_pipeline)):
//! a person's own launch description played through the player, its free
//! video and audio outputs joined to the player's own chains.
//!
//! The description is not wired by hand next to playbin: it becomes
//! playbin's *source*. [`check`] parses it (one sentence per fault: syntax,
//! unknown element, property, link, no free output); [`register`] files it
//! under a random token and gives a `framescope-launch://TOKEN` URI; playbin
//! makes its source for that URI from [`LaunchSrc`], a bin holding the
//! parsed elements whose free source pads (static ones, and sometimes pads
//! as they appear) become its own pads. Playbin then does for them what it
//! does for any source: raw video and audio go straight to the player's
//! chains (GL or software path, audio device or fake sink), encoded pads are
//! decoded, and volume, offsets, statistics, the frame on screen and steps
//! work as for a file. Only a token registered in this process opens: a URI
//! from outside (a playlist file, D-Bus, a drop) cannot smuggle in elements.
//!
//! Threading (see `player/mod.rs`): nothing here is called on a running
//! pipeline from the main thread. [`check`] builds elements that never leave
//! `NULL` and drops them at once. [`LaunchSrc`] is made, given its URI and
//! changes state inside playbin, on whichever thread changes playbin's state
//! (the pipeline's gate, or the reaper at teardown); its pad-added and
//! no-more-pads handlers run on the elements' streaming threads, touch only
//! the bin's own `Mutex` and add pads, and never wait for the main thread.

use crate::engine::error::{ErrorKind, PlayerError};
use crate::i18n::{gettext, tr};
use gst::prelude::*;
use gst::subclass::prelude::*;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The URI scheme of registered launch descriptions.
pub(crate) const SCHEME: &str = "framescope-launch";

/// Descriptions registered in this process, by token.
fn registry() -> &'static Mutex<HashMap<String, String>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// Files `description` under a fresh random token; returns its URI.
pub(crate) fn register(description: &str) -> String {
    let token = glib::uuid_string_random().replace('-', "");
    registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(token.clone(), description.to_string());
    format!("{SCHEME}://{token}")
}

/// Whether `uri` is a custom pipeline's `framescope-launch://` URI
/// (registered in this process or not): such a URI means nothing to
/// another process or a later run, so it is not worth remembering.
pub fn is_launch_uri(uri: &str) -> bool {
    uri.get(..SCHEME.len() + 3)
        .is_some_and(|s| s.eq_ignore_ascii_case(&format!("{SCHEME}://")))
}

/// The description a launch URI was registered for.
pub(crate) fn description_of(uri: &str) -> Option<String> {
    if !is_launch_uri(uri) {
        return None;
    }
    let token = &uri[SCHEME.len() + 3..];
    registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(token)
        .cloned()
}

/// Checks `description` ([`check`]) and registers it: the URI returned
/// plays it in any [`Player`](crate::engine::Player) of this process
/// (with `open`, or as a playlist item), as
/// [`Player::open_pipeline`](crate::engine::Player::open_pipeline) does.
/// Only descriptions the person using the program wrote belong here: the
/// elements run with the process's rights.
pub fn pipeline_uri(description: &str) -> Result<String, PlayerError> {
    check(description)?;
    Ok(register(description))
}

/// Registers [`LaunchSrc`] as the source for `framescope-launch://` URIs.
pub(crate) fn register_element() -> Result<(), glib::BoolError> {
    gst::Element::register(
        None,
        "framescopelaunchsrc",
        gst::Rank::MARGINAL,
        LaunchSrc::static_type(),
    )
}

/// Checks a launch description the way the player will build it: it must
/// parse (syntax, element names, properties and their values, links) and
/// leave at least one source pad free (now or as a sometimes pad) for the
/// player's video or audio. Builds elements in `NULL` only; never blocks.
pub fn check(description: &str) -> Result<(), PlayerError> {
    parse(description).map(|_| ())
}

/// Parses `description` into a bin (no ghost pads), with the sentence for
/// each fault.
fn parse(description: &str) -> Result<gst::Bin, PlayerError> {
    if description.trim().is_empty() {
        return Err(fault(
            description,
            gettext("The pipeline description is empty; give elements such as “videotestsrc ! video/x-raw,width=640,height=360”."),
            "empty description".into(),
        ));
    }
    let bin = gst::parse::bin_from_description_full(
        &with_trailing_caps(description),
        false,
        None,
        gst::ParseFlags::FATAL_ERRORS,
    )
    .map_err(|e| parse_fault(description, &e))?;
    let bin = bin.downcast::<gst::Bin>().map_err(|_| {
        fault(
            description,
            gettext("The pipeline description did not make a bin."),
            String::new(),
        )
    })?;
    if free_pads(&bin).is_empty() && dynamic_elements(&bin).is_empty() {
        return Err(fault(
            description,
            tr(
                "The pipeline “{description}” has no free output for the player: every source pad is linked (or it ends in a sink); end it with the element whose video or audio should play, without a sink.",
                &[("description", description)],
            ),
            "no unlinked source pad and no sometimes pads".into(),
        ));
    }
    Ok(bin)
}

/// `description` as GStreamer's parser takes it: launch syntax has caps
/// only between two elements, so a description ending in caps (`… !
/// video/x-raw,width=640`) gets an `identity` after them, whose free pad
/// carries what the caps allow.
fn with_trailing_caps(description: &str) -> String {
    let last = description.rsplit('!').next().unwrap_or_default().trim();
    let is_caps = description.contains('!')
        && last.contains('/')
        && !last.contains(' ')
        && last.parse::<gst::Caps>().is_ok();
    if is_caps {
        format!("{description} ! identity")
    } else {
        description.to_string()
    }
}

fn fault(description: &str, message: String, detail: String) -> PlayerError {
    let mut e = PlayerError::new(ErrorKind::BadPipeline, message, detail);
    if e.detail.is_empty() {
        e.detail = description.to_string();
    }
    // A description may carry a password (`rtspsrc location=rtsp://u:p@…`).
    e.redacted()
}

/// The text between the first pair of double quotes in `s`.
fn quoted(s: &str) -> Option<&str> {
    let start = s.find('"')? + 1;
    let len = s[start..].find('"')?;
    Some(&s[start..start + len])
}

/// The element a GStreamer property error names ("… element \"x\" …").
fn named_element(text: &str) -> &str {
    text.split("element ")
        .nth(1)
        .and_then(quoted)
        .unwrap_or("?")
}

/// The 1-based character position of `word` in `description`, as a word.
fn position_of(description: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = description[from..].find(word) {
        let at = from + found;
        let before = description[..at].chars().next_back();
        let after = description[at + word.len()..].chars().next();
        let boundary =
            |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
        if boundary(before) && boundary(after) {
            return Some(description[..at].chars().count() + 1);
        }
        from = at + word.len();
    }
    None
}

/// Where a syntax error is: the first `!`-separated part whose prefix no
/// longer parses, as (1-based character position, the part's text).
fn syntax_error_at(description: &str) -> Option<(usize, String)> {
    // Split at `!` outside double quotes.
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    let mut escaped = false;
    for (i, c) in description.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '!' if !quoted => {
                parts.push((start, &description[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push((start, &description[start..]));
    for (n, (at, part)) in parts.iter().enumerate() {
        let end = at + part.len();
        let leading = part.len() - part.trim_start().len();
        let position = description[..at + leading].chars().count() + 1;
        if part.trim().is_empty() {
            let position = if n + 1 == parts.len() {
                description[..*at].chars().count()
            } else {
                position
            };
            return Some((
                position,
                "an empty link (“!” with nothing on one side)".into(),
            ));
        }
        let prefix = &description[..end];
        if let Err(e) = gst::parse::bin_from_description_full(
            prefix,
            false,
            None,
            gst::ParseFlags::FATAL_ERRORS,
        ) {
            if e.matches(gst::ParseError::Syntax) {
                return Some((position, format!("“{}”", part.trim())));
            }
        }
    }
    None
}

/// The sentence for a parse error: what is wrong and where.
fn parse_fault(description: &str, e: &glib::Error) -> PlayerError {
    let text = e.message().to_string();
    let at = |word: &str| {
        position_of(description, word)
            .map(|p| tr(" (character {position})", &[("position", &p.to_string())]))
            .unwrap_or_default()
    };
    let message = if e.matches(gst::ParseError::NoSuchElement) {
        let name = quoted(&text).unwrap_or("?");
        tr(
            "The pipeline names an element “{name}”{at} that does not exist; check the spelling with gst-inspect-1.0, or install the plugin that provides it.",
            &[("name", name), ("at", &at(name))],
        )
    } else if e.matches(gst::ParseError::NoSuchProperty) {
        let property = quoted(&text).unwrap_or("?");
        let element = named_element(&text);
        tr(
            "The element “{element}” in the pipeline has no property “{property}”{at}; gst-inspect-1.0 {element} lists its properties.",
            &[("element", element), ("property", property), ("at", &at(property))],
        )
    } else if e.matches(gst::ParseError::CouldNotSetProperty) {
        let property = quoted(&text).unwrap_or("?");
        let element = named_element(&text);
        let value = text.split(" to ").nth(1).and_then(quoted).unwrap_or("?");
        tr(
            "The property “{property}” of “{element}” in the pipeline cannot be set to “{value}”{at}; gst-inspect-1.0 {element} lists the values it takes.",
            &[("property", property), ("element", element), ("value", value), ("at", &at(property))],
        )
    } else if e.matches(gst::ParseError::Link) || e.matches(gst::ParseError::DelayedLink) {
        link_fault(description, &text)
    } else if e.matches(gst::ParseError::EmptyBin) {
        let position = description
            .find('(')
            .map(|at| {
                let position = (description[..at].chars().count() + 1).to_string();
                tr(" at character {position}", &[("position", &position)])
            })
            .unwrap_or_default();
        tr(
            "The pipeline has an empty bin “( )”{at}; put elements inside the parentheses or remove them.",
            &[("at", &position)],
        )
    } else if e.matches(gst::ParseError::Syntax) {
        match syntax_error_at(description) {
            Some((position, what)) => tr(
                "The pipeline has a syntax error at character {position}, at {what}; elements are joined with “!” and properties written name=value.",
                &[("position", &position.to_string()), ("what", &what)],
            ),
            None => gettext("The pipeline has a syntax error; elements are joined with “!” and properties written name=value."),
        }
    } else {
        tr(
            "The pipeline “{description}” could not be built: {reason}.",
            &[
                ("description", description),
                ("reason", text.trim_end_matches('.')),
            ],
        )
    };
    fault(description, message, format!("{text} in: {description}"))
}

/// The factory name behind an element name GStreamer made up
/// (`videotestsrc3` → `videotestsrc`), or the name as it is.
fn factory_of(name: &str) -> &str {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.len() < name.len() && gst::ElementFactory::find(stem).is_some() {
        stem
    } else {
        name
    }
}

/// The sentence for elements that cannot be linked, from GStreamer's
/// "could not link A to B, A can't handle caps C".
fn link_fault(description: &str, text: &str) -> String {
    let parsed = text.strip_prefix("could not link ").and_then(|rest| {
        let (from, rest) = rest.split_once(" to ")?;
        let (to, reason) = rest.split_once(", ").unwrap_or((rest, ""));
        Some((from, to, reason))
    });
    let Some((from, to, reason)) = parsed else {
        return tr(
            "Two elements of the pipeline cannot be linked ({reason}); check that the caps between them match, or put a converter between them.",
            &[("reason", text.trim_end_matches('.'))],
        );
    };
    let named = |name: &str| {
        let factory = factory_of(name);
        match position_of(description, factory) {
            Some(p) => tr(
                "“{element}” (character {position})",
                &[("element", factory), ("position", &p.to_string())],
            ),
            None => format!("“{factory}”"),
        }
    };
    let reason = reason
        .replace(from, factory_of(from))
        .replace(to, factory_of(to));
    let reason = reason.trim_end_matches('.');
    let because = if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    };
    tr(
        "In the pipeline, {from} cannot be linked to {to}{because}; check that the caps between them match, or put a converter between them.",
        &[("from", &named(from)), ("to", &named(to)), ("because", &because)],
    )
}

/// The elements of `bin` (not inside nested bins) that add source pads
/// later: their sometimes pads the description did not link come out.
fn dynamic_elements(bin: &gst::Bin) -> Vec<gst::Element> {
    bin.iterate_elements()
        .into_iter()
        .flatten()
        .filter(|e| {
            e.pad_template_list().iter().any(|t| {
                t.direction() == gst::PadDirection::Src
                    && t.presence() == gst::PadPresence::Sometimes
            })
        })
        .collect()
}

/// The source pads of `bin`'s elements linked to nothing.
fn free_pads(bin: &gst::Bin) -> Vec<gst::Pad> {
    bin.iterate_elements()
        .into_iter()
        .flatten()
        .flat_map(|e| e.src_pads())
        .filter(|p| !p.is_linked())
        .collect()
}

glib::wrapper! {
    /// Playbin's source for a registered launch description: a bin of the
    /// parsed elements whose free source pads are its `src_%u` pads.
    pub(crate) struct LaunchSrc(ObjectSubclass<imp::LaunchSrc>)
        @extends gst::Bin, gst::Element, gst::Object,
        @implements gst::URIHandler, gst::ChildProxy;
}

mod imp {
    use super::*;

    /// The bin's state: set once from the URI, then touched by the thread
    /// changing its state and by the streaming threads adding pads.
    #[derive(Default)]
    struct State {
        uri: Option<String>,
        /// The parsed description, a child of this bin.
        inner: Option<gst::Bin>,
        /// Elements with sometimes pads that have not said no-more-pads.
        waiting: usize,
        /// Whether the static pads are out (from the first READY→PAUSED).
        started: bool,
        /// Pads made so far (for their names).
        pads: u32,
    }

    #[derive(Default)]
    pub(crate) struct LaunchSrc {
        state: Mutex<State>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for LaunchSrc {
        const NAME: &'static str = "FramescopeLaunchSrc";
        type Type = super::LaunchSrc;
        type ParentType = gst::Bin;
        type Interfaces = (gst::URIHandler,);
    }

    impl ObjectImpl for LaunchSrc {}
    impl GstObjectImpl for LaunchSrc {}
    impl BinImpl for LaunchSrc {}

    impl ElementImpl for LaunchSrc {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: OnceLock<gst::subclass::ElementMetadata> = OnceLock::new();
            Some(META.get_or_init(|| {
                gst::subclass::ElementMetadata::new(
                    "Framescope launch source",
                    "Source",
                    "Runs a launch description registered with Framescope; its free source pads are this bin's",
                    "Framescope",
                )
            }))
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: OnceLock<Vec<gst::PadTemplate>> = OnceLock::new();
            TEMPLATES.get_or_init(|| {
                gst::PadTemplate::new(
                    "src_%u",
                    gst::PadDirection::Src,
                    gst::PadPresence::Sometimes,
                    &gst::Caps::new_any(),
                )
                .map(|t| vec![t])
                .unwrap_or_default()
            })
        }

        fn change_state(
            &self,
            transition: gst::StateChange,
        ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
            if transition == gst::StateChange::ReadyToPaused {
                self.start();
            }
            self.parent_change_state(transition)
        }
    }

    impl URIHandlerImpl for LaunchSrc {
        const URI_TYPE: gst::URIType = gst::URIType::Src;

        fn protocols() -> &'static [&'static str] {
            &[SCHEME]
        }

        fn uri(&self) -> Option<String> {
            self.state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .uri
                .clone()
        }

        fn set_uri(&self, uri: &str) -> Result<(), glib::Error> {
            // Claimed under the lock, built without it: adding the elements
            // emits signals (playbin's element-setup) that must not find
            // the lock held.
            {
                let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
                if state.uri.is_some() {
                    return Err(glib::Error::new(
                        gst::URIError::BadState,
                        "the launch source already runs a description",
                    ));
                }
                state.uri = Some(uri.to_string());
            }
            let built = self.build(uri);
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            match built {
                Ok((inner, waiting)) => {
                    state.inner = Some(inner);
                    state.waiting += waiting;
                    Ok(())
                }
                Err(e) => {
                    state.uri = None;
                    Err(e)
                }
            }
        }
    }

    impl LaunchSrc {
        /// Parses the description registered for `uri` into a child bin
        /// and follows the elements that add pads later; returns the bin
        /// and how many of those there are.
        fn build(&self, uri: &str) -> Result<(gst::Bin, usize), glib::Error> {
            let description = description_of(uri).ok_or_else(|| {
                glib::Error::new(
                    gst::URIError::BadUri,
                    "no launch description is registered in this process for this URI",
                )
            })?;
            let inner = parse(&description)
                .map_err(|e| glib::Error::new(gst::URIError::BadUri, &e.message))?;
            self.obj()
                .add(&inner)
                .map_err(|e| glib::Error::new(gst::URIError::BadState, &e.to_string()))?;
            let dynamic = dynamic_elements(&inner);
            for element in &dynamic {
                let weak = self.obj().downgrade();
                element.connect_pad_added(move |_, pad| {
                    if let Some(bin) = weak.upgrade() {
                        // The description's own delayed links ran first
                        // (connected at parse time): a pad still free is ours.
                        if pad.direction() == gst::PadDirection::Src && !pad.is_linked() {
                            bin.imp().expose(pad);
                        }
                    }
                });
                let weak = self.obj().downgrade();
                element.connect_no_more_pads(move |_| {
                    if let Some(bin) = weak.upgrade() {
                        bin.imp().one_done();
                    }
                });
            }
            Ok((inner, dynamic.len()))
        }

        /// Puts out the static free pads; says no-more-pads when no
        /// element will add any.
        fn start(&self) {
            let (inner, done) = {
                let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
                if state.started {
                    return;
                }
                state.started = true;
                (state.inner.clone(), state.waiting == 0)
            };
            let Some(inner) = inner else { return };
            for pad in free_pads(&inner) {
                self.expose(&pad);
            }
            if done {
                self.obj().no_more_pads();
            }
        }

        /// Gives `pad` (on an element of the inner bin) a pad of this bin.
        fn expose(&self, pad: &gst::Pad) {
            let (inner, n) = {
                let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
                state.pads += 1;
                (state.inner.clone(), state.pads - 1)
            };
            let Some(inner) = inner else { return };
            let result = (|| -> Result<(), glib::BoolError> {
                let inner_ghost = gst::GhostPad::builder_with_target(pad)?
                    .name(format!("src_{n}"))
                    .build();
                let outer_ghost = gst::GhostPad::builder_with_target(&inner_ghost)?
                    .name(format!("src_{n}"))
                    .build();
                let running = self.obj().current_state() > gst::State::Ready;
                if running {
                    inner_ghost.set_active(true)?;
                    outer_ghost.set_active(true)?;
                }
                inner.add_pad(&inner_ghost)?;
                self.obj().add_pad(&outer_ghost)?;
                Ok(())
            })();
            if let Err(e) = result {
                tracing::warn!("a free pad of the launch description could not be exposed: {e}");
            }
        }

        fn one_done(&self) {
            let done = {
                let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
                state.waiting = state.waiting.saturating_sub(1);
                state.waiting == 0 && state.started
            };
            if done {
                self.obj().no_more_pads();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_uris() {
        assert!(is_launch_uri("framescope-launch://abc"));
        assert!(is_launch_uri("FRAMESCOPE-LAUNCH://abc"));
        assert!(!is_launch_uri("file:///framescope-launch://"));
        assert!(!is_launch_uri("framescope"));
        let uri = register("videotestsrc");
        assert_eq!(description_of(&uri).as_deref(), Some("videotestsrc"));
        assert_eq!(description_of("framescope-launch://nope"), None);
    }

    #[test]
    fn positions() {
        assert_eq!(position_of("videotestsrc ! nosuch ! x", "nosuch"), Some(16));
        assert_eq!(position_of("ab abc", "abc"), Some(4));
        assert_eq!(quoted("no element \"foo\""), Some("foo"));
    }

    #[test]
    fn trailing_caps_get_an_element_after_them() {
        gst::init().unwrap();
        assert_eq!(
            with_trailing_caps("videotestsrc ! video/x-raw,width=640,height=360"),
            "videotestsrc ! video/x-raw,width=640,height=360 ! identity"
        );
        assert_eq!(
            with_trailing_caps("videotestsrc ! videoconvert"),
            "videotestsrc ! videoconvert"
        );
        assert_eq!(with_trailing_caps("audiotestsrc"), "audiotestsrc");
    }
}
