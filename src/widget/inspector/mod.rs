//! The inspector window: everything Framescope knows about the media a
//! [`Player`] is playing, in six tabs — Media (the facts `inspect` reads),
//! Frames (every video frame around the one on screen), GOP (structure and
//! bitrate), Health (playback statistics over time), Pipeline (the
//! running GStreamer graph) and Check (the findings of `check`, on demand).
//! Each tab can export what it shows.
//!
//! How it fits together: [`InspectorWindow`] is a `gtk::Window` subclass
//! holding only a weak reference to the player. A 500 ms timer (stopped when
//! the window closes) notices media changes and moves the live parts (the
//! current frame, the health graphs). On a media change one worker thread
//! reads the facts with [`crate::inspect::inspect`] and then scans the video
//! frames with [`crate::inspect::scan_frames`]; results come back to the main
//! context through `futures_channel::oneshot` and are dropped if the media
//! changed meanwhile. Inputs that cannot be scanned (live, network,
//! unseekable) show the frames the player itself decoded instead. Health
//! samples come from a [`HealthHistory`], which an application may attach to
//! its player early to keep the whole session. The tab modules (`media`,
//! `frames`, `gop`, `health`, `pipeline`, `check`) build their widgets; `loading`
//! reads new media and scans its frames; `saving` runs the Export… buttons;
//! [`export`] turns the tabs' data into file contents; `chart` draws.

mod a11y;
mod chart;
mod check;
pub mod export;
mod frames;
mod gop;
mod health;
mod loading;
mod media;
mod pipeline;
mod saving;

pub use health::{HealthHistory, HealthSample};

use crate::engine::Player;
use crate::i18n::{gettext, gettext_noop, tr};
use crate::inspect::{FrameRecord, GopReport, MediaReport};
use glib::subclass::prelude::*;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use loading::Frames;
use std::cell::{Cell, OnceCell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the live parts are refreshed.
const REFRESH: Duration = Duration::from_millis(500);

/// The inspector's tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectorTab {
    /// Media facts (exports JSON).
    Media,
    /// Video frames (exports CSV).
    Frames,
    /// GOP structure (exports JSON).
    Gop,
    /// Playback statistics over time (exports CSV).
    Health,
    /// The running pipeline (exports DOT, or SVG for a `.svg` path).
    Pipeline,
    /// Validation findings, on demand (exports JSON).
    Check,
}

impl InspectorTab {
    /// Every tab, in notebook order.
    pub const ALL: [Self; 6] = [
        Self::Media,
        Self::Frames,
        Self::Gop,
        Self::Health,
        Self::Pipeline,
        Self::Check,
    ];

    /// The tab's title, in English (shown translated with
    /// [`crate::i18n::gettext`]).
    pub fn title(self) -> &'static str {
        match self {
            Self::Media => gettext_noop("Media"),
            Self::Frames => gettext_noop("Frames"),
            Self::Gop => gettext_noop("GOP"),
            Self::Health => gettext_noop("Health"),
            Self::Pipeline => gettext_noop("Pipeline"),
            Self::Check => gettext_noop("Check"),
        }
    }

    /// Position in the notebook.
    pub fn index(self) -> u32 {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0) as u32
    }

    /// The file name the export dialog suggests.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Media => "media.json",
            Self::Frames => "frames.csv",
            Self::Gop => "gop.json",
            Self::Health => "health.csv",
            Self::Pipeline => "pipeline.dot",
            Self::Check => "check.json",
        }
    }
}

/// What the window is showing.
#[derive(Debug, Default)]
struct State {
    /// The media shown (None: "No media").
    uri: Option<String>,
    /// Bumped on each media change; late results of older ones are dropped.
    generation: u64,
    cancel: Option<Arc<AtomicBool>>,
    report: Option<MediaReport>,
    frames: Frames,
    /// Frames taken from the player's index last time (fallback mode).
    decoded_count: usize,
}

/// The tabs' widgets.
struct Ui {
    notebook: gtk::Notebook,
    media: media::MediaTab,
    frames: frames::FramesTab,
    gop: gop::GopTab,
    health: health::HealthTab,
    pipeline: pipeline::PipelineTab,
    check: check::CheckTab,
    /// One status line per tab (export results, errors), in tab order.
    statuses: Vec<gtk::Label>,
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct InspectorWindow {
        pub(super) player: glib::WeakRef<Player>,
        pub(super) history: OnceCell<HealthHistory>,
        pub(super) ui: OnceCell<Ui>,
        pub(super) state: RefCell<State>,
        pub(super) chooser: RefCell<Option<gtk::FileChooserNative>>,
        pub(super) closed: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for InspectorWindow {
        const NAME: &'static str = "FramescopeInspectorWindow";
        type Type = super::InspectorWindow;
        type ParentType = gtk::Window;
    }

    impl ObjectImpl for InspectorWindow {
        fn dispose(&self) {
            self.obj().stop();
        }
    }

    impl WidgetImpl for InspectorWindow {}

    impl WindowImpl for InspectorWindow {
        fn close_request(&self) -> glib::Propagation {
            self.obj().stop();
            self.parent_close_request()
        }
    }
}

glib::wrapper! {
    /// The inspector window of one player. Closing it ends it (the scan is
    /// cancelled, the timer stops); create a new one to show it again.
    pub struct InspectorWindow(ObjectSubclass<imp::InspectorWindow>)
        @extends gtk::Window, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget,
                    gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl InspectorWindow {
    /// An inspector for `player` (kept as a weak reference: when the player
    /// is dropped the window says "No media"). Uses the player's
    /// [`HealthHistory`], attaching one if none was. Call
    /// [`present`](gtk::prelude::GtkWindowExt::present) to show it.
    pub fn new(player: &Player) -> Self {
        let window: Self = glib::Object::builder()
            .property(
                "title",
                tr("Inspector — {media}", &[("media", &gettext("No media"))]),
            )
            .property("default-width", 900)
            .property("default-height", 600)
            .build();
        let imp = window.imp();
        imp.player.set(Some(player));
        let _ = imp.history.set(HealthHistory::attach(player));
        window.build_ui();
        window.start_timer();
        window.refresh();
        window
    }

    /// The window, as a plain `gtk::Window` (e.g. to set a transient parent).
    pub fn window(&self) -> gtk::Window {
        self.clone().upcast()
    }

    /// The player inspected, while it lives.
    pub fn player(&self) -> Option<Player> {
        self.imp().player.upgrade()
    }

    /// The statistics history shown on the Health tab.
    pub fn health_history(&self) -> HealthHistory {
        self.imp()
            .history
            .get()
            .cloned()
            .unwrap_or_else(HealthHistory::detached)
    }

    fn ui(&self) -> &Ui {
        self.imp().ui.get().expect("the UI is built in new()")
    }

    /// Shows `tab`.
    pub fn select_tab(&self, tab: InspectorTab) {
        self.ui().notebook.set_current_page(Some(tab.index()));
    }

    /// The tab shown.
    pub fn current_tab(&self) -> InspectorTab {
        let page = self.ui().notebook.current_page().unwrap_or(0) as usize;
        InspectorTab::ALL
            .get(page)
            .copied()
            .unwrap_or(InspectorTab::Media)
    }

    /// The media facts, once read.
    pub fn media_report(&self) -> Option<MediaReport> {
        self.imp().state.borrow().report.clone()
    }

    /// Frames in the finished scan of the current media (0 while scanning,
    /// or when the input could not be scanned).
    pub fn frames_scanned(&self) -> usize {
        match self.imp().state.borrow().frames {
            Frames::Scanned(n) => n,
            _ => 0,
        }
    }

    /// Frames the Frames tab lists (scanned, or decoded by the player).
    pub fn frame_count(&self) -> usize {
        self.ui().frames.data().borrow().presentation.len()
    }

    /// The Frames tab's status line ("Scanning… N frames", …).
    pub fn frames_status(&self) -> String {
        self.ui().frames.status.text().to_string()
    }

    /// The presentation index of the highlighted (current) frame.
    pub fn current_frame_row(&self) -> Option<usize> {
        self.ui().frames.current_row()
    }

    /// The highlighted frame.
    pub fn current_frame(&self) -> Option<FrameRecord> {
        let row = self.current_frame_row()?;
        self.ui()
            .frames
            .data()
            .borrow()
            .presentation
            .get(row)
            .copied()
    }

    /// The GOP report shown, once the scan finished.
    pub fn gop_report(&self) -> Option<GopReport> {
        self.ui().gop.report()
    }

    /// The GOP histogram's data: (length in frames, number of GOPs).
    pub fn gop_histogram(&self) -> Vec<(u64, usize)> {
        self.gop_report()
            .map(|r| gop::histogram(&r))
            .unwrap_or_default()
    }

    /// The Pipeline tab's listing.
    pub fn pipeline_text(&self) -> String {
        self.ui().pipeline.text()
    }

    /// Re-reads the pipeline into the Pipeline tab.
    pub fn refresh_pipeline(&self) {
        let pipeline = self.player().and_then(|p| p.pipeline());
        self.ui().pipeline.show(pipeline.as_ref());
    }

    /// The status line of `tab` (export results and errors).
    pub fn tab_status(&self, tab: InspectorTab) -> String {
        self.ui().statuses[tab.index() as usize].text().to_string()
    }

    fn build_ui(&self) {
        let notebook = gtk::Notebook::builder().scrollable(true).build();
        let media = media::MediaTab::new();
        let frames = frames::FramesTab::new();
        let gop = gop::GopTab::new();
        let health = health::HealthTab::new(&self.health_history());
        let pipeline = pipeline::PipelineTab::new();
        let check = check::CheckTab::new();
        check.show_message(&gettext(
            "Run Check reads the whole input and lists its faults.",
        ));
        check.run.connect_clicked(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| window.run_check()
        ));
        let has_graphviz = export::graphviz().is_some();
        pipeline.export_svg.set_sensitive(has_graphviz);
        pipeline
            .export_svg
            .set_tooltip_text(Some(&gettext(if has_graphviz {
                gettext_noop("Save the graph as SVG (drawn by Graphviz)")
            } else {
                gettext_noop("Graphviz is not installed, so no SVG can be made")
            })));
        pipeline.refresh.connect_clicked(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| window.refresh_pipeline()
        ));
        pipeline.export_svg.connect_clicked(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| window.export_dialog(InspectorTab::Pipeline, true)
        ));
        let mut statuses = Vec::new();
        for tab in InspectorTab::ALL {
            let content: gtk::Widget = match tab {
                InspectorTab::Media => media.root.clone().upcast(),
                InspectorTab::Frames => frames.root.clone().upcast(),
                InspectorTab::Gop => gop.root.clone().upcast(),
                InspectorTab::Health => health.root.clone().upcast(),
                InspectorTab::Pipeline => pipeline.root.clone().upcast(),
                InspectorTab::Check => check.root.clone().upcast(),
            };
            let extra: Vec<gtk::Widget> = match tab {
                InspectorTab::Pipeline => vec![
                    pipeline.refresh.clone().upcast(),
                    pipeline.export_svg.clone().upcast(),
                ],
                InspectorTab::Check => vec![check.run.clone().upcast()],
                _ => vec![],
            };
            let export = gtk::Button::with_label(&gettext(if tab == InspectorTab::Pipeline {
                gettext_noop("Export DOT…")
            } else {
                gettext_noop("Export…")
            }));
            export.connect_clicked(glib::clone!(
                #[weak(rename_to = window)]
                self,
                move |_| window.export_dialog(tab, false)
            ));
            let (page, status) = page(&content, &extra, &export);
            let tab_label = gtk::Label::new(Some(&gettext(tab.title())));
            notebook.append_page(&page, Some(&tab_label));
            a11y::name_tab(&tab_label, &gettext(tab.title()));
            statuses.push(status);
        }
        notebook.connect_switch_page(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_, _, page| {
                if page == InspectorTab::Pipeline.index() {
                    window.refresh_pipeline();
                }
            }
        ));
        self.set_child(Some(&notebook));
        let _ = self.imp().ui.set(Ui {
            notebook,
            media,
            frames,
            gop,
            health,
            pipeline,
            check,
            statuses,
        });
    }

    fn start_timer(&self) {
        let weak = self.downgrade();
        glib::timeout_add_local(REFRESH, move || {
            let Some(window) = weak.upgrade() else {
                return glib::ControlFlow::Break;
            };
            if window.imp().closed.get() {
                return glib::ControlFlow::Break;
            }
            window.refresh();
            glib::ControlFlow::Continue
        });
    }

    /// Stops everything running for the window (scan, timer).
    fn stop(&self) {
        let imp = self.imp();
        imp.closed.set(true);
        if let Some(cancel) = imp.state.borrow_mut().cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Brings the live parts up to date now: notices a media change, moves
    /// the current frame, redraws the health graphs (the timer does this
    /// every 500 ms).
    pub fn refresh(&self) {
        if self.imp().closed.get() {
            return;
        }
        let player = self.player();
        let uri = player.as_ref().and_then(|p| p.uri());
        if uri != self.imp().state.borrow().uri {
            self.media_changed(uri.clone());
        }
        let title = match (&player, &uri) {
            (Some(p), Some(uri)) => p
                .title()
                .unwrap_or_else(|| crate::engine::display_name(uri)),
            _ => gettext("No media"),
        };
        let title = tr("Inspector — {media}", &[("media", &title)]);
        if self.title().as_deref() != Some(title.as_str()) {
            self.set_title(Some(&title));
        }
        self.refresh_frames(player.as_ref());
        self.ui().health.refresh(&self.health_history());
    }
}

/// A tab's page: `content` above a row with a status line, `extra` buttons
/// and the Export button. Returns the page and its status line.
fn page(
    content: &gtk::Widget,
    extra: &[gtk::Widget],
    export: &gtk::Button,
) -> (gtk::Box, gtk::Label) {
    let page = gtk::Box::new(gtk::Orientation::Vertical, 0);
    content.set_vexpand(true);
    page.append(content);
    let row = gtk::Box::builder()
        .orientation(gtk::Orientation::Horizontal)
        .spacing(6)
        .margin_start(8)
        .margin_end(8)
        .margin_top(6)
        .margin_bottom(6)
        .build();
    let status = gtk::Label::builder()
        .xalign(0.0)
        .hexpand(true)
        .wrap(true)
        .selectable(true)
        .build();
    row.append(&status);
    for w in extra {
        row.append(w);
    }
    row.append(export);
    page.append(&gtk::Separator::new(gtk::Orientation::Horizontal));
    page.append(&row);
    (page, status)
}
