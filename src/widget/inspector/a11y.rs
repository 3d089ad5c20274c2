//! The inspector's accessible names that no visible label gives on GTK
//! 4.8 (whose AT-SPI names a widget only from its own label property):
//! the notebook tabs, the frame table and its rows, the text panes. The
//! strings are here, in one place, as plain English literals ready for
//! gettext.

use gtk::prelude::*;

/// The Check tab's findings pane.
pub(super) const CHECK_TEXT: &str = crate::i18n::gettext_noop("Check findings");
/// The Pipeline tab's listing.
pub(super) const PIPELINE_TEXT: &str = crate::i18n::gettext_noop("Pipeline elements and caps");
/// The Frames tab's table.
pub(super) const FRAMES_TABLE: &str = crate::i18n::gettext_noop("Frames");
/// The row of column titles above the frame table.
pub(super) const COLUMN_TITLES: &str = crate::i18n::gettext_noop("Column titles");

/// Names the notebook tab that shows `label` (GTK 4.8 calls every tab
/// "Tab"; the tab is the label's parent).
pub(super) fn name_tab(label: &gtk::Label, title: &str) {
    if let Some(tab) = label.parent() {
        tab.update_property(&[gtk::accessible::Property::Label(title)]);
    }
}

/// Names the frame table, its row of column titles and the list inside
/// it, which take the focus.
pub(super) fn name_table(view: &gtk::ColumnView) {
    view.update_property(&[gtk::accessible::Property::Label(&crate::i18n::gettext(
        FRAMES_TABLE,
    ))]);
    let mut child = view.first_child();
    while let Some(c) = child {
        if c.type_().name() == "GtkListItemWidget" {
            c.update_property(&[gtk::accessible::Property::Label(&crate::i18n::gettext(
                COLUMN_TITLES,
            ))]);
        }
        child = c.next_sibling();
    }
    if let Some(list) = super::frames::find_list_view(view.upcast_ref()) {
        list.update_property(&[gtk::accessible::Property::Label(&crate::i18n::gettext(
            FRAMES_TABLE,
        ))]);
    }
}

/// Names the table row showing frame `index`, from the label of its
/// first cell: the row is that cell's parent (GTK 4.8 offers no API on
/// the list item for it).
pub(super) fn name_frame_row(cell_label: &gtk::Label, index: usize) {
    let row = cell_label.parent().and_then(|cell| cell.parent());
    if let Some(row) = row.filter(|r| r.type_().name() == "GtkListItemWidget") {
        row.update_property(&[gtk::accessible::Property::Label(&crate::i18n::tr(
            "Frame {index}",
            &[("index", &index.to_string())],
        ))]);
    }
}
