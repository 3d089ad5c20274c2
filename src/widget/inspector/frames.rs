//! The Frames tab: the video frames of the current media around the frame
//! on screen, as a table (presentation order; #, PTS, DTS, duration, size,
//! key, type) whose current row is selected and scrolled to, over a strip
//! chart of frame sizes coloured by picture type. The frames come from a
//! scan of the file or, when it cannot be scanned, from the player's
//! [`FrameIndex`](crate::engine::FrameIndex).

use super::chart::{self, Area};
use crate::engine::AccessUnit;
use crate::i18n::gettext;
use crate::inspect::{FrameRecord, PictureType};
use gtk::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Rows shown either side of the current frame.
pub const HALF_WINDOW: usize = 200;
/// How close to the edge of the shown rows the current frame may come
/// before the rows are moved.
const MARGIN: usize = 50;

/// The frames of one video stream.
#[derive(Debug, Default, Clone)]
pub struct FrameData {
    /// Decode order, as scanned.
    pub decode: Vec<FrameRecord>,
    /// Presentation order (by PTS; frames without one last).
    pub presentation: Vec<FrameRecord>,
    /// Index in `presentation` of the frame on screen.
    pub current: Option<usize>,
    /// Presentation indices of the rows shown, `start..end`.
    pub shown: (usize, usize),
}

impl FrameData {
    /// The data for frames in decode order.
    pub fn new(decode: Vec<FrameRecord>) -> Self {
        let mut presentation = decode.clone();
        presentation.sort_by_key(|f| (f.pts.is_none(), f.pts));
        Self {
            decode,
            presentation,
            current: None,
            shown: (0, 0),
        }
    }

    /// The presentation index of the frame shown at `t` (ns, stream time):
    /// the last frame whose PTS is ≤ `t`, or the first frame before it.
    pub fn frame_at(&self, t: i64) -> Option<usize> {
        let timed = self
            .presentation
            .iter()
            .take_while(|f| f.pts.is_some())
            .count();
        if timed == 0 {
            return None;
        }
        let after = self.presentation[..timed].partition_point(|f| f.pts.is_some_and(|p| p <= t));
        Some(after.saturating_sub(1))
    }
}

/// The rows to show (`start..end` presentation indices) for `len` frames
/// with `current` on screen, keeping `shown` while the current frame is well
/// inside it.
pub fn rows_for(len: usize, current: usize, shown: (usize, usize)) -> (usize, usize) {
    let (start, end) = shown;
    let inside_start = start == 0 || current >= start + MARGIN;
    let inside_end = end >= len || current + MARGIN < end;
    if end <= len && current >= start && current < end && inside_start && inside_end {
        return shown;
    }
    (
        current.saturating_sub(HALF_WINDOW),
        (current + HALF_WINDOW + 1).min(len),
    )
}

/// Frames the player has decoded, as records (no picture types).
pub fn from_units(units: &[AccessUnit]) -> Vec<FrameRecord> {
    units
        .iter()
        .map(|u| FrameRecord {
            stream: 0,
            pts: Some(u.pts.nseconds() as i64),
            dts: u.dts.map(|d| d.nseconds() as i64),
            duration: u.duration.map(|d| d.nseconds()),
            size: u.size,
            keyframe: u.keyframe,
            picture_type: None,
        })
        .collect()
}

/// The chart colour of a picture type.
pub fn type_colour(t: Option<PictureType>) -> chart::Rgb {
    match t {
        Some(PictureType::I) => chart::I_COLOUR,
        Some(PictureType::P) => chart::P_COLOUR,
        Some(PictureType::B) => chart::B_COLOUR,
        None => chart::UNKNOWN_COLOUR,
    }
}

fn hex(c: chart::Rgb) -> String {
    let b = |v: f64| (v * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", b(c.0), b(c.1), b(c.2))
}

fn secs(ns: Option<i64>) -> String {
    ns.map_or_else(|| "—".into(), |ns| format!("{:.6}", ns as f64 / 1e9))
}

/// The columns: title, numeric (right-aligned), text of a row (markup).
type Column = (&'static str, bool, fn(usize, &FrameRecord) -> String);

const COLUMNS: [Column; 7] = [
    ("#", true, |i, _| i.to_string()),
    ("PTS (s)", true, |_, f| secs(f.pts)),
    ("DTS (s)", true, |_, f| secs(f.dts)),
    ("Duration (ms)", true, |_, f| {
        f.duration
            .map_or_else(|| "—".into(), |d| format!("{:.3}", d as f64 / 1e6))
    }),
    ("Size (bytes)", true, |_, f| f.size.to_string()),
    ("Key", false, |_, f| {
        if f.keyframe { "<b>◆ key</b>" } else { "" }.into()
    }),
    ("Type", false, |_, f| match f.picture_type {
        Some(t) => format!(
            "<span foreground=\"{}\"><b>{}</b></span>",
            hex(type_colour(Some(t))),
            t.letter()
        ),
        None => "—".into(),
    }),
];

/// The Frames tab's widgets.
pub struct FramesTab {
    /// The page.
    pub root: gtk::Box,
    /// "Scanning… N frames", the frame count, or why the file is not scanned.
    pub status: gtk::Label,
    /// The frame-size strip chart.
    pub chart: gtk::DrawingArea,
    /// The table.
    pub view: gtk::ColumnView,
    rows: gtk::StringList,
    selection: gtk::SingleSelection,
    data: Rc<RefCell<FrameData>>,
    scrolled_to: Cell<Option<usize>>,
}

impl Default for FramesTab {
    fn default() -> Self {
        Self::new()
    }
}

impl FramesTab {
    /// An empty tab.
    pub fn new() -> Self {
        let data = Rc::new(RefCell::new(FrameData::default()));
        let root = gtk::Box::new(gtk::Orientation::Vertical, 6);
        let status = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .margin_start(8)
            .margin_top(6)
            .build();
        let chart = gtk::DrawingArea::builder().content_height(130).build();
        let chart_data = data.clone();
        chart.set_draw_func(move |area, cr, w, h| draw_strip(area, cr, w, h, &chart_data.borrow()));
        let rows = gtk::StringList::new(&[]);
        let selection = gtk::SingleSelection::builder()
            .model(&rows)
            .autoselect(false)
            .can_unselect(true)
            .build();
        let view = gtk::ColumnView::builder()
            .model(&selection)
            .show_row_separators(true)
            .show_column_separators(true)
            .reorderable(false)
            .build();
        super::a11y::name_table(&view);
        for (title, numeric, text) in COLUMNS {
            let factory = gtk::SignalListItemFactory::new();
            factory.connect_setup(move |_, item| {
                let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                    return;
                };
                let label = gtk::Label::builder()
                    .xalign(if numeric { 1.0 } else { 0.5 })
                    .css_classes(["monospace"])
                    .build();
                item.set_child(Some(&label));
            });
            let bind_data = data.clone();
            factory.connect_bind(move |_, item| {
                let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                    return;
                };
                let index = item
                    .item()
                    .and_downcast::<gtk::StringObject>()
                    .and_then(|s| s.string().parse::<usize>().ok());
                let Some(label) = item.child().and_downcast::<gtk::Label>() else {
                    return;
                };
                let data = bind_data.borrow();
                let markup = index
                    .and_then(|i| data.presentation.get(i).map(|f| text(i, f)))
                    .unwrap_or_default();
                label.set_markup(&markup);
                if title == COLUMNS[0].0 {
                    if let Some(i) = index {
                        super::a11y::name_frame_row(&label, i);
                    }
                }
            });
            let column = gtk::ColumnViewColumn::builder()
                .title(title)
                .factory(&factory)
                .expand(true)
                .build();
            view.append_column(&column);
        }
        // A hidden table cannot scroll: catch up when it is shown.
        let shown_selection = selection.clone();
        view.connect_map(move |view| {
            let view = view.clone();
            let selection = shown_selection.clone();
            glib::idle_add_local_once(move || {
                let row = selection.selected();
                if row != gtk::INVALID_LIST_POSITION {
                    scroll_to(&view, row);
                }
            });
        });
        let scroller = gtk::ScrolledWindow::builder()
            .vexpand(true)
            .child(&view)
            .build();
        root.append(&status);
        root.append(&chart);
        root.append(&scroller);
        Self {
            root,
            status,
            chart,
            view,
            rows,
            selection,
            data,
            scrolled_to: Cell::new(None),
        }
    }

    /// The frames shown (shared with the table and chart).
    pub fn data(&self) -> Rc<RefCell<FrameData>> {
        self.data.clone()
    }

    /// Replaces the frames (decode order).
    pub fn set_frames(&self, decode: Vec<FrameRecord>) {
        let removed = self.rows.n_items();
        *self.data.borrow_mut() = FrameData::new(decode);
        self.rows.splice(0, removed, &[]);
        self.scrolled_to.set(None);
        self.chart.queue_draw();
    }

    /// Shows the frame at `t` (ns, in the listed frames' time) as current: moves the rows
    /// around it, selects it and scrolls to it when it changed.
    pub fn set_current(&self, t: Option<i64>) {
        let (current, len, shown) = {
            let data = self.data.borrow();
            (
                t.and_then(|t| data.frame_at(t)),
                data.presentation.len(),
                data.shown,
            )
        };
        let Some(current) = current else {
            self.data.borrow_mut().current = None;
            self.selection.set_selected(gtk::INVALID_LIST_POSITION);
            self.chart.queue_draw();
            return;
        };
        let wanted = rows_for(len, current, shown);
        let rows_moved = wanted != shown || self.rows.n_items() as usize != wanted.1 - wanted.0;
        {
            let mut data = self.data.borrow_mut();
            data.current = Some(current);
            data.shown = wanted;
        }
        if rows_moved {
            let names: Vec<String> = (wanted.0..wanted.1).map(|i| i.to_string()).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            self.rows.splice(0, self.rows.n_items(), &names);
            self.scrolled_to.set(None);
        }
        let row = (current - wanted.0) as u32;
        if self.selection.selected() != row {
            self.selection.set_selected(row);
        }
        if self.scrolled_to.get() != Some(current) {
            self.scrolled_to.set(Some(current));
            scroll_to(&self.view, row);
        }
        self.chart.queue_draw();
    }

    /// The presentation index of the highlighted frame.
    pub fn current_row(&self) -> Option<usize> {
        let data = self.data.borrow();
        let selected = self.selection.selected();
        (selected != gtk::INVALID_LIST_POSITION)
            .then(|| data.shown.0 + selected as usize)
            .filter(|i| *i < data.presentation.len())
    }
}

/// Scrolls the table so `row` is visible.
fn scroll_to(view: &gtk::ColumnView, row: u32) {
    if let Some(list) = find_list_view(view.upcast_ref()) {
        let _ = list.activate_action("list.scroll-to-item", Some(&row.to_variant()));
    }
}

/// The list view inside a column view (GTK 4.8 has no
/// `gtk_column_view_scroll_to`; the list's `list.scroll-to-item` action does it).
pub(super) fn find_list_view(widget: &gtk::Widget) -> Option<gtk::ListView> {
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(list) = c.downcast_ref::<gtk::ListView>() {
            return Some(list.clone());
        }
        if let Some(found) = find_list_view(&c) {
            return Some(found);
        }
        child = c.next_sibling();
    }
    None
}

fn draw_strip(area: &gtk::DrawingArea, cr: &gtk::cairo::Context, w: i32, h: i32, data: &FrameData) {
    let fg = chart::foreground(area);
    chart::title(cr, &gettext("Frame sizes (presentation order)"), fg);
    chart::legend(
        cr,
        w,
        &[
            ("I", chart::I_COLOUR),
            ("P", chart::P_COLOUR),
            ("B", chart::B_COLOUR),
            ("unknown", chart::UNKNOWN_COLOUR),
        ],
        fg,
    );
    let len = data.presentation.len();
    if len == 0 {
        chart::placeholder(cr, w, h, &gettext("No frames yet"), fg);
        return;
    }
    let plot = Area::plot(w, h);
    let n = ((plot.w / 7.0) as usize).clamp(1, len);
    let centre = data.current.unwrap_or(0);
    let start = centre.saturating_sub(n / 2).min(len - n);
    let frames = &data.presentation[start..start + n];
    let top = chart::nice_max(frames.iter().map(|f| f.size as f64).fold(0.0, f64::max));
    chart::axes(
        cr,
        plot,
        &chart::bytes_label(top),
        (&format!("#{start}"), &format!("#{}", start + n - 1)),
        fg,
    );
    for (i, f) in frames.iter().enumerate() {
        chart::bar(
            cr,
            plot,
            i,
            n,
            f.size as f64,
            top,
            type_colour(f.picture_type),
        );
    }
    if let Some(c) = data.current.filter(|c| (start..start + n).contains(c)) {
        chart::marker(cr, plot, c - start, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pts_ms: i64) -> FrameRecord {
        FrameRecord {
            stream: 0,
            pts: Some(pts_ms * 1_000_000),
            dts: None,
            duration: None,
            size: 1,
            keyframe: false,
            picture_type: None,
        }
    }

    #[test]
    fn presentation_order_and_lookup() {
        let d = FrameData::new(vec![f(0), f(120), f(40), f(80)]);
        let pts: Vec<_> = d
            .presentation
            .iter()
            .map(|f| f.pts.unwrap() / 1_000_000)
            .collect();
        assert_eq!(pts, vec![0, 40, 80, 120]);
        assert_eq!(d.frame_at(85_000_000), Some(2));
        assert_eq!(d.frame_at(80_000_000), Some(2));
        assert_eq!(d.frame_at(-5), Some(0));
        assert_eq!(d.frame_at(10_000_000_000), Some(3));
        assert_eq!(FrameData::default().frame_at(0), None);
    }

    #[test]
    fn rows_follow_the_current_frame() {
        assert_eq!(rows_for(60, 10, (0, 0)), (0, 60));
        assert_eq!(rows_for(60, 59, (0, 60)), (0, 60));
        assert_eq!(rows_for(1000, 500, (0, 0)), (300, 701));
        assert_eq!(rows_for(1000, 520, (300, 701)), (300, 701));
        assert_eq!(rows_for(1000, 680, (300, 701)), (480, 881));
    }
}
