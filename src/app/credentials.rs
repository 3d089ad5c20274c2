//! Asking for a user name and password when a server refuses access (HTTP
//! or RTSP 401): a small dialog over the main window; "Connect" opens the
//! same address again with them in it (`user:password@host`), in place of
//! the queue item. The password is never shown, stored or logged: titles,
//! messages and the resume store all drop `user:password@`.

use framescope::i18n::{gettext, tr};
use gtk::prelude::*;
use gtk::{gdk, glib};

/// `uri` with `user` and `password` in it (replacing any already there),
/// both percent-encoded.
pub fn with_credentials(uri: &str, user: &str, password: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let host_and_path = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    let escape = |s: &str| glib::Uri::escape_string(s, None, false).to_string();
    Some(format!(
        "{scheme}://{}:{}@{host_and_path}",
        escape(user),
        escape(password)
    ))
}

/// Shows the dialog for `uri` (its name shown without any credentials);
/// `connect` gets the address with the user name and password in it.
pub fn ask(parent: &gtk::Window, uri: &str, connect: impl Fn(String) + 'static) {
    let shown = framescope::engine::display_name(uri);
    let dialog = gtk::Window::builder()
        .title(gettext("Sign In"))
        .transient_for(parent)
        .modal(true)
        .resizable(false)
        .default_width(380)
        .build();
    let content = gtk::Box::new(gtk::Orientation::Vertical, 12);
    content.set_margin_top(18);
    content.set_margin_bottom(18);
    content.set_margin_start(18);
    content.set_margin_end(18);
    let intro = gtk::Label::builder()
        .label(tr(
            "“{name}” needs a user name and password.",
            &[("name", &shown)],
        ))
        .wrap(true)
        .xalign(0.0)
        .build();
    content.append(&intro);
    let user = gtk::Entry::builder()
        .placeholder_text(gettext("User name"))
        .activates_default(true)
        .build();
    let password = gtk::PasswordEntry::builder()
        .placeholder_text(gettext("Password"))
        .show_peek_icon(true)
        .activates_default(true)
        .build();
    content.append(&user);
    content.append(&password);
    let buttons = gtk::Box::new(gtk::Orientation::Horizontal, 6);
    buttons.set_halign(gtk::Align::End);
    let cancel = gtk::Button::with_mnemonic(&gettext("_Cancel"));
    let sign_in = gtk::Button::with_mnemonic(&gettext("C_onnect"));
    sign_in.add_css_class("suggested-action");
    buttons.append(&cancel);
    buttons.append(&sign_in);
    content.append(&buttons);
    dialog.set_child(Some(&content));
    dialog.set_default_widget(Some(&sign_in));

    let weak = dialog.downgrade();
    cancel.connect_clicked(move |_| {
        if let Some(d) = weak.upgrade() {
            d.close();
        }
    });
    let keys = gtk::EventControllerKey::new();
    let weak = dialog.downgrade();
    keys.connect_key_pressed(move |_, key, _, _| {
        if key == gdk::Key::Escape {
            if let Some(d) = weak.upgrade() {
                d.close();
            }
            return glib::Propagation::Stop;
        }
        glib::Propagation::Proceed
    });
    dialog.add_controller(keys);
    let uri = uri.to_string();
    let weak = dialog.downgrade();
    let (user_entry, password_entry) = (user.clone(), password.clone());
    let submit = move || {
        let name = user_entry.text();
        if name.is_empty() {
            user_entry.grab_focus();
            return;
        }
        if let Some(address) = with_credentials(&uri, &name, &password_entry.text()) {
            connect(address);
        }
        if let Some(d) = weak.upgrade() {
            d.close();
        }
    };
    let submit = std::rc::Rc::new(submit);
    let s = submit.clone();
    sign_in.connect_clicked(move |_| s());
    // Enter in either field signs in (the password entry has no
    // `activates-default` of its own effect in every GTK).
    let s = submit.clone();
    password.connect_activate(move |_| s());
    let s = submit;
    user.connect_activate(move |_| s());
    dialog.present();
    user.grab_focus();
}

#[cfg(test)]
mod tests {
    use super::with_credentials;

    #[test]
    fn credentials_go_into_the_authority_escaped() {
        assert_eq!(
            with_credentials("rtsp://cam.local:554/stream", "bob", "p@ss:w/rd").as_deref(),
            Some("rtsp://bob:p%40ss%3Aw%2Frd@cam.local:554/stream")
        );
        assert_eq!(
            with_credentials("http://old:x@h/a.mp4", "new", "y").as_deref(),
            Some("http://new:y@h/a.mp4")
        );
        assert_eq!(with_credentials("/no/scheme", "a", "b"), None);
    }
}
