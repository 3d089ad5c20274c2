//! Shared by the benchmark examples (`video_wall`, `gtk_floor`): the
//! wall's grid, the process's CPU time, and the command-line values they
//! take.

use gtk::prelude::*;

/// The wall's grid of `tiles` equal cells, square-ish (9 → 3x3), 2 pixels
/// apart; [`WallGrid::add`] fills it in reading order.
pub struct WallGrid {
    /// The grid, for the window.
    pub grid: gtk::Grid,
    columns: usize,
    added: usize,
}

impl WallGrid {
    /// An empty grid for `tiles` cells.
    pub fn new(tiles: usize) -> WallGrid {
        let grid = gtk::Grid::builder()
            .row_homogeneous(true)
            .column_homogeneous(true)
            .row_spacing(2)
            .column_spacing(2)
            .build();
        let columns = (tiles.max(1) as f64).sqrt().ceil() as usize;
        WallGrid {
            grid,
            columns,
            added: 0,
        }
    }

    /// Puts `widget` in the next cell.
    pub fn add(&mut self, widget: &impl IsA<gtk::Widget>) {
        let (column, row) = (self.added % self.columns, self.added / self.columns);
        self.grid.attach(widget, column as i32, row as i32, 1, 1);
        self.added += 1;
    }
}

/// User + system CPU seconds of this process so far.
pub fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// A number of seconds, more than 0 and at most a day.
pub fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "“{s}” is not a number of seconds between 0 and 86400"
        )),
    }
}

/// A size like `1280x720`, 1 to 16384 pixels a side.
pub fn parse_size(s: &str) -> Result<(i32, i32), String> {
    let parsed = s.split_once(['x', 'X']).and_then(|(w, h)| {
        let w = w.trim().parse::<i32>().ok()?;
        let h = h.trim().parse::<i32>().ok()?;
        ((1..=16384).contains(&w) && (1..=16384).contains(&h)).then_some((w, h))
    });
    parsed.ok_or_else(|| format!("“{s}” is not a size like 1280x720 (1 to 16384 pixels a side)"))
}
