//! The Check tab: the findings of [`crate::inspect::check`] (what
//! `framescope check` prints) for the media shown, as a table. Checking
//! reads the whole input, so it runs on demand (the Run Check button) on a
//! worker thread; the result comes back through `futures_channel::oneshot`
//! and is dropped when the media changed meanwhile. Exports the report as
//! JSON.

use super::InspectorWindow;
use crate::i18n::gettext;
use crate::inspect::CheckReport;
use glib::subclass::prelude::*;
use gtk::prelude::*;
use std::cell::RefCell;

/// The tab's widgets and the report shown.
pub(super) struct CheckTab {
    pub(super) root: gtk::Box,
    /// Starts a check of the media shown.
    pub(super) run: gtk::Button,
    text: gtk::TextView,
    report: RefCell<Option<CheckReport>>,
}

impl CheckTab {
    pub(super) fn new() -> Self {
        let root = gtk::Box::new(gtk::Orientation::Vertical, 0);
        let text = gtk::TextView::builder()
            .editable(false)
            .cursor_visible(false)
            .monospace(true)
            .wrap_mode(gtk::WrapMode::None)
            .left_margin(8)
            .top_margin(6)
            .build();
        text.update_property(&[gtk::accessible::Property::Label(&gettext(
            super::a11y::CHECK_TEXT,
        ))]);
        let scroller = gtk::ScrolledWindow::builder()
            .vexpand(true)
            .child(&text)
            .build();
        root.append(&scroller);
        let run = gtk::Button::with_label(&gettext("Run Check"));
        run.set_tooltip_text(Some(&gettext(
            "Read the whole input and list its faults (as framescope check does)",
        )));
        Self {
            root,
            run,
            text,
            report: RefCell::new(None),
        }
    }

    /// Shows a sentence in place of findings (and forgets the report).
    pub(super) fn show_message(&self, message: &str) {
        self.report.replace(None);
        self.text.buffer().set_text(message);
    }

    /// Shows `report` as a table.
    pub(super) fn show(&self, report: CheckReport) {
        self.text.buffer().set_text(&report.to_text());
        self.report.replace(Some(report));
    }

    /// The report shown, once a check finished.
    pub(super) fn report(&self) -> Option<CheckReport> {
        self.report.borrow().clone()
    }
}

impl InspectorWindow {
    /// Checks the media shown on a worker thread; the Check tab shows the
    /// findings when it is done ([`InspectorWindow::check_report`]).
    pub fn run_check(&self) {
        let ui = self.ui();
        let (uri, generation) = {
            let state = self.imp().state.borrow();
            (state.uri.clone(), state.generation)
        };
        let Some(uri) = uri else {
            ui.check.show_message(&gettext("No media."));
            return;
        };
        ui.check
            .show_message(&gettext("Checking… (the whole input is read)"));
        ui.check.run.set_sensitive(false);
        let (tx, rx) = futures_channel::oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(crate::inspect::check(&uri, &mut || {}));
        });
        let weak = self.downgrade();
        glib::MainContext::default().spawn_local(async move {
            let Ok(result) = rx.await else {
                return;
            };
            let Some(window) = weak.upgrade() else {
                return;
            };
            let ui = window.ui();
            ui.check.run.set_sensitive(true);
            if window.imp().state.borrow().generation != generation {
                return;
            }
            match result {
                Ok(report) => ui.check.show(report),
                Err(e) => ui.check.show_message(&e.message),
            }
        });
    }

    /// The findings of the last check of the media shown.
    pub fn check_report(&self) -> Option<CheckReport> {
        self.ui().check.report()
    }
}
