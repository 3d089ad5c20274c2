//! Reusable GTK4 widgets.
