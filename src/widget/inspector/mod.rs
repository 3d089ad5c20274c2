//! The inspector window: everything Framescope knows about the media a
//! [`Player`] is playing, in five tabs — Media (the facts `inspect` reads),
//! Frames (every video frame around the one on screen), GOP (structure and
//! bitrate), Health (playback statistics over time) and Pipeline (the
//! running GStreamer graph). Each tab can export what it shows.
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
//! `frames`, `gop`, `health`, `pipeline`) build their widgets; [`export`]
//! turns their data into file contents; `chart` draws.

mod chart;
pub mod export;
mod frames;
mod gop;
mod health;
mod media;
mod pipeline;

pub use health::{HealthHistory, HealthSample};

use crate::engine::{Player, PlayerState};
use crate::inspect::{FrameRecord, GopReport, MediaReport, ScanKinds};
use glib::subclass::prelude::*;
use gst::prelude::*;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use std::cell::{Cell, OnceCell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
}

impl InspectorTab {
    /// Every tab, in notebook order.
    pub const ALL: [Self; 5] = [
        Self::Media,
        Self::Frames,
        Self::Gop,
        Self::Health,
        Self::Pipeline,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Media => "Media",
            Self::Frames => "Frames",
            Self::Gop => "GOP",
            Self::Health => "Health",
            Self::Pipeline => "Pipeline",
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
        }
    }
}

/// Where the frame list comes from.
#[derive(Debug, Clone, Default)]
enum Frames {
    /// Nothing loaded.
    #[default]
    None,
    /// Reading the facts, then scanning; the count of frames so far.
    Scanning(Arc<AtomicUsize>),
    /// The scan finished with this many frames.
    Scanned(usize),
    /// The media has no video.
    NoVideo,
    /// The input is not scanned (why); the player's decoded frames are shown.
    Decoded(String),
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
            .property("title", "Inspector — No media")
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
                .ok_or_else(|| "The media facts are not known yet.".to_string()),
            InspectorTab::Frames => {
                let data = self.ui().frames.data();
                let data = data.borrow();
                if data.decode.is_empty() {
                    Err("There are no frames to export yet.".into())
                } else {
                    Ok(export::frames_csv(&data.decode))
                }
            }
            InspectorTab::Gop => self
                .gop_report()
                .map(|r| export::gop_json(&r))
                .ok_or_else(|| "There is no GOP report yet: the frames are not scanned.".into()),
            InspectorTab::Health => Ok(export::health_csv(&self.health_history().samples())),
            InspectorTab::Pipeline => match self.player() {
                Some(p) if p.pipeline().is_some() => p.pipeline_graph().ok_or_else(|| {
                    "The pipeline is busy and did not answer; try the export again in a moment."
                        .into()
                }),
                _ => Err("There is no pipeline to export: nothing is loaded.".into()),
            },
        }
    }

    fn show_export_result(&self, tab: InspectorTab, path: &Path, result: &Result<(), String>) {
        let label = &self.ui().statuses[tab.index() as usize];
        match result {
            Ok(()) => {
                label.set_text(&format!("Saved to {}.", path.display()));
                label.remove_css_class("error");
            }
            Err(e) => {
                label.set_text(e);
                label.add_css_class("error");
            }
        }
    }

    /// Asks for a file and exports `tab` to it off the main thread.
    fn export_dialog(&self, tab: InspectorTab, svg: bool) {
        let chooser = gtk::FileChooserNative::new(
            Some(&format!("Export {}", tab.title())),
            Some(self),
            gtk::FileChooserAction::Save,
            Some("_Export"),
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
        self.ui().statuses[tab.index() as usize].set_text("Saving…");
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

    fn build_ui(&self) {
        let notebook = gtk::Notebook::builder().scrollable(true).build();
        let media = media::MediaTab::new();
        let frames = frames::FramesTab::new();
        let gop = gop::GopTab::new();
        let health = health::HealthTab::new(&self.health_history());
        let pipeline = pipeline::PipelineTab::new();
        let has_graphviz = export::graphviz().is_some();
        pipeline.export_svg.set_sensitive(has_graphviz);
        pipeline.export_svg.set_tooltip_text(Some(if has_graphviz {
            "Save the graph as SVG (drawn by Graphviz)"
        } else {
            "Graphviz is not installed, so no SVG can be made"
        }));
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
            };
            let extra: Vec<gtk::Widget> = match tab {
                InspectorTab::Pipeline => vec![
                    pipeline.refresh.clone().upcast(),
                    pipeline.export_svg.clone().upcast(),
                ],
                _ => vec![],
            };
            let export = gtk::Button::with_label(if tab == InspectorTab::Pipeline {
                "Export DOT…"
            } else {
                "Export…"
            });
            export.connect_clicked(glib::clone!(
                #[weak(rename_to = window)]
                self,
                move |_| window.export_dialog(tab, false)
            ));
            let (page, status) = page(&content, &extra, &export);
            notebook.append_page(&page, Some(&gtk::Label::new(Some(tab.title()))));
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
            _ => "No media".into(),
        };
        let title = format!("Inspector — {title}");
        if self.title().as_deref() != Some(title.as_str()) {
            self.set_title(Some(&title));
        }
        self.refresh_frames(player.as_ref());
        self.ui().health.refresh(&self.health_history());
    }

    fn refresh_frames(&self, player: Option<&Player>) {
        let ui = self.ui();
        let frames = self.imp().state.borrow().frames.clone();
        match frames {
            Frames::Scanning(count) => {
                ui.frames.status.set_text(&format!(
                    "Scanning… {} frames",
                    count.load(Ordering::Relaxed)
                ));
            }
            Frames::Decoded(why) => {
                if let Some(player) = player {
                    let units = player.frame_index().units();
                    let mut state = self.imp().state.borrow_mut();
                    if units.len() != state.decoded_count {
                        state.decoded_count = units.len();
                        drop(state);
                        ui.frames.set_frames(frames::from_units(&units));
                    }
                    ui.frames.status.set_text(&format!(
                        "{} frames the player has decoded ({why})",
                        units.len()
                    ));
                }
            }
            _ => {}
        }
        let t = player.and_then(|p| {
            let frame_pts = p.frame_pts();
            if p.state() == PlayerState::Playing || frame_pts < 0 {
                (p.uri().is_some()).then(|| p.position() as i64)
            } else {
                Some(frame_pts)
            }
        });
        ui.frames.set_current(t);
    }

    /// Starts over for new media (or none).
    fn media_changed(&self, uri: Option<String>) {
        let ui = self.ui();
        let generation = {
            let mut state = self.imp().state.borrow_mut();
            if let Some(cancel) = state.cancel.take() {
                cancel.store(true, Ordering::Relaxed);
            }
            state.generation += 1;
            state.uri = uri.clone();
            state.report = None;
            state.frames = Frames::None;
            state.decoded_count = 0;
            state.generation
        };
        ui.frames.set_frames(Vec::new());
        for status in &ui.statuses {
            status.set_text("");
            status.remove_css_class("error");
        }
        let Some(uri) = uri else {
            ui.media.show_message("No media.");
            ui.frames.status.set_text("No media.");
            ui.gop.show_message("No media.");
            ui.pipeline.show(None);
            return;
        };
        ui.media.show_message("Reading the media…");
        ui.gop.show_message("Waiting for the frame scan…");
        let cancel = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        {
            let mut state = self.imp().state.borrow_mut();
            state.cancel = Some(cancel.clone());
            state.frames = Frames::Scanning(count.clone());
        }
        ui.frames.status.set_text("Scanning… 0 frames");
        let (report_tx, report_rx) = futures_channel::oneshot::channel();
        let (scan_tx, scan_rx) = futures_channel::oneshot::channel();
        std::thread::spawn(move || read_media(&uri, &cancel, &count, report_tx, scan_tx));
        let weak = self.downgrade();
        glib::MainContext::default().spawn_local(async move {
            let Ok(report) = report_rx.await else {
                return;
            };
            match weak.upgrade() {
                Some(window) if window.imp().state.borrow().generation == generation => {
                    window.show_report(report)
                }
                _ => return,
            }
            let Ok(scan) = scan_rx.await else {
                return;
            };
            if let Some(window) = weak.upgrade() {
                if window.imp().state.borrow().generation == generation {
                    window.show_scan(scan);
                }
            }
        });
    }

    fn show_report(&self, report: Result<MediaReport, String>) {
        let ui = self.ui();
        match report {
            Ok(report) => {
                ui.media.show_report(&report);
                self.imp().state.borrow_mut().report = Some(report);
            }
            Err(e) => ui.media.show_message(&e),
        }
    }

    fn show_scan(&self, scan: Scan) {
        let ui = self.ui();
        match scan {
            Scan::Frames(frames) => {
                let n = frames.len();
                match gop::analyse(&frames) {
                    Some(report) => ui.gop.show_report(report),
                    None => ui.gop.show_message("The scan found no video frames."),
                }
                ui.frames.set_frames(frames);
                ui.frames.status.set_text(&format!("{n} frames (scanned)"));
                self.imp().state.borrow_mut().frames = Frames::Scanned(n);
            }
            Scan::NoVideo => {
                ui.frames.status.set_text("The media has no video stream.");
                ui.gop.show_message("The media has no video stream.");
                self.imp().state.borrow_mut().frames = Frames::NoVideo;
            }
            Scan::NotScanned(why) => {
                ui.gop
                    .show_message(&format!("No GOP report: the input is not scanned ({why})."));
                ui.frames
                    .status
                    .set_text(&format!("Frames the player has decoded ({why})"));
                self.imp().state.borrow_mut().frames = Frames::Decoded(why);
            }
        }
        self.refresh();
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

/// Writes an export, through Graphviz for SVG.
fn write_export(text: &str, svg: bool, path: &Path) -> Result<(), String> {
    if svg {
        export::write(path, &export::dot_to_svg(text)?)
    } else {
        export::write(path, text)
    }
}

/// The outcome of the frame scan.
#[derive(Debug)]
enum Scan {
    /// The first video stream's frames, decode order.
    Frames(Vec<FrameRecord>),
    /// There is no video stream.
    NoVideo,
    /// The input is not scanned; why.
    NotScanned(String),
}

/// The worker: reads the facts of `uri`, sends them, then scans its video
/// frames (counting them in `count`) unless it should not or `cancel` is set.
fn read_media(
    uri: &str,
    cancel: &AtomicBool,
    count: &AtomicUsize,
    report_tx: futures_channel::oneshot::Sender<Result<MediaReport, String>>,
    scan_tx: futures_channel::oneshot::Sender<Scan>,
) {
    let report = crate::inspect::inspect(uri).map_err(|e| e.message);
    let _ = report_tx.send(report.clone());
    let report = match report {
        Ok(r) => r,
        Err(_) => {
            let _ = scan_tx.send(Scan::NotScanned("the media facts could not be read".into()));
            return;
        }
    };
    let why_not = if report.live {
        Some("live input")
    } else if !uri.starts_with("file:") {
        Some("network input")
    } else if !report.seekable {
        Some("the input is not seekable")
    } else {
        None
    };
    if let Some(why) = why_not {
        let _ = scan_tx.send(Scan::NotScanned(why.into()));
        return;
    }
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let Some(video) = report.streams.iter().position(|s| s.kind == "video") else {
        let _ = scan_tx.send(Scan::NoVideo);
        return;
    };
    let mut frames = Vec::new();
    let result = crate::inspect::scan_frames(uri, &report.streams, ScanKinds::VIDEO, cancel, |f| {
        if f.stream == video {
            frames.push(f);
            count.fetch_add(1, Ordering::Relaxed);
        }
    });
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let _ = scan_tx.send(match result {
        Ok(()) => Scan::Frames(frames),
        Err(e) => Scan::NotScanned(format!(
            "the scan failed: {}",
            e.message.trim_end_matches('.')
        )),
    });
}
