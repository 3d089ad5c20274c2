//! What GTK alone costs to show moving pictures: N tiles in the video
//! wall's grid, each showing a new 16:9 frame FPS times a second, with no
//! decoding, no conversion and no GStreamer. The frames are made once, at
//! each tile's exact size (two per tile, shown in turn), and drawn the
//! cheapest way GTK has: pixel for pixel at whole-pixel places, through a
//! cairo node (`--draw cairo`, the way `framescopesink` draws) or a
//! texture node (`--draw texture`). Whatever a player spends above the
//! decode-only floor plus this, it spends outside GTK
//! (`bench/video_wall.sh`, `bench/playback.sh`).
//!
//! `gtk_floor [--tiles N] [--fps FPS] [--in-phase] [--draw cairo|texture]
//!  [--exit-after SECONDS] [--window-size WxH]`
//!
//! By default the tiles' frames arrive out of phase with each other, as
//! independent players' do; `--in-phase` changes all of them at once.

#[path = "support/bench.rs"]
mod bench;

use bench::{cpu_seconds, parse_seconds, parse_size, WallGrid};
use clap::{Parser, ValueEnum};
use gtk::prelude::*;
use gtk::{cairo, gdk, glib};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How a tile draws its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Draw {
    /// A cairo node painting an image surface (what `framescopesink` does).
    Cairo,
    /// A texture node (`GtkPicture` with a memory texture).
    Texture,
}

/// GTK drawing moving pictures, nothing else.
#[derive(Parser, Debug, Clone)]
struct Options {
    /// Number of tiles.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u32).range(1..=64))]
    tiles: u32,
    /// New frames per second in each tile.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=240))]
    fps: u32,
    /// Change every tile's frame at the same moment.
    #[arg(long)]
    in_phase: bool,
    /// How the frames are drawn.
    #[arg(long, value_enum, default_value = "cairo")]
    draw: Draw,
    /// Quit by itself after this many seconds.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    exit_after: Option<f64>,
    /// The window's initial size.
    #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
    window_size: (i32, i32),
}

fn main() -> glib::ExitCode {
    let options = Options::parse();
    // Drawn as the wall draws: cairo on a software rasteriser (Mesa
    // llvmpipe, as on this project's machines), and no GL at all without a
    // GPU device; with a GPU, set GSK_RENDERER to the one the wall uses there.
    framescope::widget::prefer_cheap_drawing();
    let app = gtk::Application::new(
        Some("org.framescope.GtkFloorExample"),
        gio::ApplicationFlags::NON_UNIQUE,
    );
    app.connect_activate(move |app| build(app, &options));
    app.run_with_args(&["gtk_floor"])
}

/// One tile: its two frames (made at its size) and which one is shown.
struct Tile {
    frames: RefCell<Vec<Frame>>,
    shown: Cell<usize>,
    widget: gtk::Widget,
    draw: Draw,
}

/// A frame ready for either way of drawing.
struct Frame {
    surface: cairo::ImageSurface,
    texture: gdk::Texture,
}

impl Tile {
    fn new(draw: Draw) -> Rc<Tile> {
        let widget: gtk::Widget = match draw {
            Draw::Cairo => gtk::DrawingArea::new().upcast(),
            Draw::Texture => gtk::Picture::builder().can_shrink(true).build().upcast(),
        };
        widget.set_hexpand(true);
        widget.set_vexpand(true);
        let tile = Rc::new(Tile {
            frames: RefCell::new(Vec::new()),
            shown: Cell::new(0),
            widget,
            draw,
        });
        if let Some(area) = tile.widget.downcast_ref::<gtk::DrawingArea>() {
            let weak = Rc::downgrade(&tile);
            area.set_draw_func(move |_, cr, width, height| {
                if let Some(tile) = weak.upgrade() {
                    tile.paint(cr, width, height);
                }
            });
        }
        tile
    }

    /// The frame's place: 16:9 fitted in the tile, at whole pixels.
    fn place(width: i32, height: i32) -> (i32, i32, i32, i32) {
        let (w, h) = if width * 9 > height * 16 {
            (height * 16 / 9, height)
        } else {
            (width, width * 9 / 16)
        };
        ((width - w) / 2, (height - h) / 2, w.max(1), h.max(1))
    }

    /// Makes the two frames again when the tile's size changed.
    fn fit(&self, width: i32, height: i32) {
        let (_, _, w, h) = Tile::place(width, height);
        let same = self
            .frames
            .borrow()
            .first()
            .is_some_and(|f| f.surface.width() == w && f.surface.height() == h);
        if !same {
            let made: Vec<Frame> = (0..2).filter_map(|k| frame(w, h, k)).collect();
            self.frames.replace(made);
        }
    }

    fn paint(&self, cr: &cairo::Context, width: i32, height: i32) {
        self.fit(width, height);
        let frames = self.frames.borrow();
        let Some(frame) = frames.get(self.shown.get() % frames.len().max(1)) else {
            return;
        };
        let (x, y, _, _) = Tile::place(width, height);
        if cr
            .set_source_surface(&frame.surface, f64::from(x), f64::from(y))
            .is_ok()
        {
            let _ = cr.paint();
        }
    }

    /// Shows the next frame.
    fn flip(&self) {
        self.shown.set(self.shown.get().wrapping_add(1));
        match self.draw {
            Draw::Cairo => self.widget.queue_draw(),
            Draw::Texture => {
                self.fit(self.widget.width(), self.widget.height());
                let frames = self.frames.borrow();
                if let (Some(picture), Some(frame)) = (
                    self.widget.downcast_ref::<gtk::Picture>(),
                    frames.get(self.shown.get() % frames.len().max(1)),
                ) {
                    picture.set_paintable(Some(&frame.texture));
                }
            }
        }
    }
}

/// A `width` x `height` opaque frame: a gradient, turned by `k`.
fn frame(width: i32, height: i32, k: usize) -> Option<Frame> {
    let stride = usize::try_from(width).ok()?.checked_mul(4)?;
    let rows = usize::try_from(height).ok()?;
    let mut data = vec![0u8; stride.checked_mul(rows)?];
    for (y, row) in data.chunks_exact_mut(stride).enumerate() {
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let v = ((x + y + k * 97) % 256) as u8;
            px.copy_from_slice(&[v, v.wrapping_mul(3), 255 - v, 255]);
        }
    }
    let bytes = glib::Bytes::from(&data);
    let texture = gdk::MemoryTexture::new(
        width,
        height,
        gdk::MemoryFormat::B8g8r8a8Premultiplied,
        &bytes,
        stride,
    )
    .upcast();
    let surface = cairo::ImageSurface::create_for_data(
        data,
        cairo::Format::Rgb24,
        width,
        height,
        i32::try_from(stride).ok()?,
    )
    .ok()?;
    Some(Frame { surface, texture })
}

fn build(app: &gtk::Application, options: &Options) {
    let tiles = options.tiles as usize;
    let mut grid = WallGrid::new(tiles);
    let all: Vec<Rc<Tile>> = (0..tiles).map(|_| Tile::new(options.draw)).collect();
    for tile in &all {
        grid.add(&tile.widget);
    }
    let (width, height) = options.window_size;
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title(format!("GTK alone: {tiles} moving pictures"))
        .default_width(width)
        .default_height(height)
        .child(&grid.grid)
        .build();
    let period = Duration::from_secs_f64(1.0 / f64::from(options.fps));
    let flips = Rc::new(Cell::new(0u64));
    if options.in_phase {
        let (all, flips) = (all.clone(), flips.clone());
        glib::timeout_add_local(period, move || {
            all.iter().for_each(|t| t.flip());
            flips.set(flips.get() + all.len() as u64);
            glib::ControlFlow::Continue
        });
    } else {
        // Each tile starts its own clock a fraction of a period after the last.
        for (i, tile) in all.iter().enumerate() {
            let offset = period.mul_f64(i as f64 / tiles as f64);
            let (tile, flips) = (tile.clone(), flips.clone());
            glib::timeout_add_local_once(offset, move || {
                glib::timeout_add_local(period, move || {
                    tile.flip();
                    flips.set(flips.get() + 1);
                    glib::ControlFlow::Continue
                });
            });
        }
    }
    let started = (Instant::now(), cpu_seconds());
    if let Some(seconds) = options.exit_after {
        let window = window.downgrade();
        glib::timeout_add_local_once(Duration::from_secs_f64(seconds), move || {
            println!(
                "gtk_floor: {} frames shown in {:.2} s, {:.2} CPU s since the window was shown",
                flips.get(),
                started.0.elapsed().as_secs_f64(),
                cpu_seconds() - started.1
            );
            if let Some(window) = window.upgrade() {
                window.destroy();
            }
        });
    }
    window.present();
}
