//! The Export… buttons of the inspector's tabs: the text each tab exports
//! (redacted), the file dialog, and the writing, done off the main thread
//! (an SVG runs Graphviz). What the files contain is [`super::export`]'s.

use super::{export, InspectorTab, InspectorWindow};
use crate::i18n::{gettext, tr};
use glib::subclass::prelude::*;
use gtk::prelude::*;
use std::path::{Path, PathBuf};

impl InspectorWindow {
    /// Writes what `tab` shows to `path` (Media and GOP: JSON, Frames and
    /// Health: CSV, Pipeline: DOT, or SVG when `path` ends in `.svg`). The
    /// error is a sentence, also shown in the tab. Blocks (an SVG runs
    /// Graphviz); the tabs' Export buttons do the writing off the main thread.
    pub fn export_tab(&self, tab: InspectorTab, path: &Path) -> Result<(), String> {
        let svg = tab == InspectorTab::Pipeline && export::is_svg(path);
        let result = self
            .export_text(tab)
            .and_then(|text| write_export(&text, svg, path));
        self.show_export_result(tab, path, &result);
        result
    }

    /// The text an export of `tab` writes (DOT for the pipeline), redacted:
    /// element properties and reports hold URIs, and no secret in them
    /// reaches a file.
    fn export_text(&self, tab: InspectorTab) -> Result<String, String> {
        self.raw_export_text(tab)
            .map(|text| crate::engine::redact_text(&text))
    }

    fn raw_export_text(&self, tab: InspectorTab) -> Result<String, String> {
        let state = self.imp().state.borrow();
        match tab {
            InspectorTab::Media => state
                .report
                .as_ref()
                .map(export::media_json)
                .ok_or_else(|| gettext("The media facts are not known yet.")),
            InspectorTab::Frames => {
                let data = self.ui().frames.data();
                let data = data.borrow();
                if data.decode.is_empty() {
                    Err(gettext("There are no frames to export yet."))
                } else {
                    Ok(export::frames_csv(&data.decode))
                }
            }
            InspectorTab::Gop => self
                .gop_report()
                .map(|r| export::gop_json(&r))
                .ok_or_else(|| gettext("There is no GOP report yet: the frames are not scanned.")),
            InspectorTab::Health => Ok(export::health_csv(&self.health_history().samples())),
            InspectorTab::Pipeline => match self.player() {
                Some(p) if p.pipeline().is_some() => p.pipeline_graph().ok_or_else(|| {
                    gettext("The pipeline is busy and did not answer; try the export again in a moment.")
                }),
                _ => Err(gettext("There is no pipeline to export: nothing is loaded.")),
            },
            InspectorTab::Check => self
                .check_report()
                .and_then(|r| serde_json::to_string_pretty(&r).ok())
                .ok_or_else(|| gettext("There are no findings to export yet: press Run Check first.")),
        }
    }

    fn show_export_result(&self, tab: InspectorTab, path: &Path, result: &Result<(), String>) {
        let label = &self.ui().statuses[tab.index() as usize];
        match result {
            Ok(()) => {
                label.set_text(&tr(
                    "Saved to {file}.",
                    &[("file", &path.display().to_string())],
                ));
                label.remove_css_class("error");
            }
            Err(e) => {
                label.set_text(e);
                label.add_css_class("error");
            }
        }
    }

    /// Asks for a file and exports `tab` to it off the main thread.
    pub(super) fn export_dialog(&self, tab: InspectorTab, svg: bool) {
        let chooser = gtk::FileChooserNative::new(
            Some(&tr("Export {tab}", &[("tab", &gettext(tab.title()))])),
            Some(self),
            gtk::FileChooserAction::Save,
            Some(&gettext("_Export")),
            Some("_Cancel"),
        );
        chooser.set_modal(true);
        let name = if svg { "pipeline.svg" } else { tab.file_name() };
        chooser.set_current_name(name);
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |chooser, response| {
                let path = chooser.file().and_then(|f| f.path());
                if let (gtk::ResponseType::Accept, Some(path)) = (response, path) {
                    window.export_in_background(tab, svg, path);
                }
                window.imp().chooser.replace(None);
            }
        ));
        chooser.show();
        self.imp().chooser.replace(Some(chooser));
    }

    fn export_in_background(&self, tab: InspectorTab, svg: bool, path: PathBuf) {
        let text = match self.export_text(tab) {
            Ok(text) => text,
            Err(e) => {
                self.show_export_result(tab, &path, &Err(e));
                return;
            }
        };
        self.ui().statuses[tab.index() as usize].set_text(&gettext("Saving…"));
        let (tx, rx) = futures_channel::oneshot::channel();
        let target = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(write_export(&text, svg, &target));
        });
        let weak = self.downgrade();
        glib::MainContext::default().spawn_local(async move {
            let result = rx
                .await
                .unwrap_or_else(|_| Err("The export stopped unexpectedly.".into()));
            if let Some(window) = weak.upgrade() {
                window.show_export_result(tab, &path, &result);
            }
        });
    }
}

/// Writes an export, through Graphviz for SVG.
fn write_export(text: &str, svg: bool, path: &Path) -> Result<(), String> {
    if svg {
        export::write(path, &export::dot_to_svg(text)?)
    } else {
        export::write(path, text)
    }
}
