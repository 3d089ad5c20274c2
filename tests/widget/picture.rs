//! The picture as rendered: a solid colour on both video paths (the GL path
//! negotiating GLMemory), the software path scaling down, an anamorphic clip
//! at its display aspect ratio, and the audio-only and error pages.

use super::*;

fn sink_caps(view: &PlayerView) -> Option<gst::Caps> {
    video_sink(view)?.static_pad("sink")?.current_caps()
}

fn video_sink(view: &PlayerView) -> Option<gst::Element> {
    let pipeline = view.player().pipeline()?;
    pipeline.iterate_recurse().into_iter().flatten().find(|e| {
        e.factory()
            .is_some_and(|f| matches!(f.name().as_str(), "gtk4paintablesink" | "framescopesink"))
    })
}

/// Whether the picture's aspect ratio came within 0.01 of `expected`
/// within `timeout`, and the last ratio read.
fn aspect_ratio_once(view: &PlayerView, expected: f64, timeout: Duration) -> (bool, f64) {
    let ratio = || {
        view.picture()
            .paintable()
            .map(|p| p.intrinsic_aspect_ratio())
            .unwrap_or_default()
    };
    let reached = run_until(timeout, || (ratio() - expected).abs() < 0.01);
    (reached, ratio())
}

/// The centre pixel of the view's picture once it is close to `expected`,
/// or the last one read within 8 s.
fn centre_pixel_once(view: &PlayerView, expected: (u8, u8, u8)) -> (u8, u8, u8) {
    let picture = view.picture();
    let mut centre = (0, 0, 0);
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        run_until(Duration::from_millis(200), || false);
        if let Ok((data, w, h, stride)) = render_pixels(&picture) {
            centre = pixel_at(&data, stride, w / 2, h / 2);
            if close(centre, expected, 16) {
                break;
            }
        }
    }
    centre
}

/// Plays a solid `argb` colour of `caps` on the software path and returns
/// the picture's centre pixel once it is close to `expected` (or the last
/// one read).
fn software_solid(
    view: &PlayerView,
    argb: &str,
    caps: &str,
    expected: (u8, u8, u8),
) -> (u8, u8, u8) {
    view.player().set_video_mode(VideoMode::Software);
    view.player().open_pipeline(&format!(
        "videotestsrc pattern=solid-color foreground-color={argb} ! {caps}"
    ));
    centre_pixel_once(view, expected)
}

fn solid_colour_is_shown(mode: VideoMode) -> TestResult {
    let expected = (0xd0, 0x30, 0x30);
    let clip = solid_clip(0xffd03030);
    let (window, view) = window_with_view();
    view.player().set_video_mode(mode);
    view.player().set_looping(true);
    view.open(&clip.display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.player().state()
            == PlayerState::Playing),
        "{mode:?}: never started playing (state {:?})",
        view.player().state()
    );
    // Read back until a frame has reached the paintable (or give up).
    let centre = centre_pixel_once(&view, expected);
    let result = if close(centre, expected, 16) {
        Ok(())
    } else {
        Err(format!(
            "{mode:?}: centre pixel is {centre:?}, expected about {expected:?}"
        ))
    };
    let caps = sink_caps(&view).map(|c| c.to_string()).unwrap_or_default();
    let renderer = window
        .renderer()
        .map(|r| r.type_().name().to_string())
        .unwrap_or_default();
    println!("    {mode:?}: centre {centre:?}, GSK renderer {renderer}, sink caps {caps}");
    match mode {
        VideoMode::Gl => check!(
            caps.contains("memory:GLMemory"),
            "GL path did not negotiate GLMemory: {caps}"
        ),
        _ => check!(
            !caps.is_empty() && !caps.contains("GLMemory"),
            "software path caps: {caps}"
        ),
    }
    check!(
        renderer.contains("GL") || renderer.contains("Ngl"),
        "GSK renderer is {renderer}, not GL"
    );
    let stats = view.player().stats();
    check!(
        stats.rendered > 5,
        "{mode:?}: only {} frames rendered",
        stats.rendered
    );
    window.destroy();
    result
}

pub fn gl_path_shows_the_colour() -> TestResult {
    solid_colour_is_shown(VideoMode::Gl)
}

pub fn software_path_shows_the_colour() -> TestResult {
    solid_colour_is_shown(VideoMode::Software)
}

/// The software path hands the sink frames at the picture's size, smaller
/// or larger than the video's: a 320x240 video in a 200x150 window and in a
/// 640x480 one.
pub fn software_path_scales_to_the_picture() -> TestResult {
    software_path_scales_in(200, 150, |w| w < 320)?;
    software_path_scales_in(640, 480, |w| w > 320)
}

/// A `width`x`height` window with a view playing the 320x240 red clip on
/// the software path, looping.
fn solid_clip_playing_in(width: i32, height: i32) -> (gtk::Window, PlayerView) {
    let window = gtk::Window::builder()
        .default_width(width)
        .default_height(height)
        .title("widget test")
        .build();
    let view = PlayerView::new();
    window.set_child(Some(&view));
    window.present();
    view.player().set_video_mode(VideoMode::Software);
    view.player().set_looping(true);
    view.open(&solid_clip(0xffd03030).display().to_string());
    (window, view)
}

/// Plays a 320x240 video in a `width`x`height` window and waits for the
/// sink's frames to be as wide as `wanted` accepts and exactly the
/// picture's size (its side touching the view's edges equal to the view's).
fn software_path_scales_in(width: i32, height: i32, wanted: fn(i32) -> bool) -> TestResult {
    let (window, view) = solid_clip_playing_in(width, height);
    let sink_size = || {
        sink_caps(&view).and_then(|c| {
            let s = c.structure(0)?;
            Some((s.get::<i32>("width").ok()?, s.get::<i32>("height").ok()?))
        })
    };
    let fits = |(w, h): (i32, i32)| {
        let scale = view.scale_factor().max(1);
        let (vw, vh) = (view.width() * scale, view.height() * scale);
        // 4:3: the touching side is the view's, the other rounded.
        wanted(w)
            && ((w == vw && (h - vw * 3 / 4).abs() <= 1)
                || (h == vh && (w - vh * 4 / 3).abs() <= 1))
    };
    let scaled = run_until(Duration::from_secs(10), || sink_size().is_some_and(fits));
    let caps = sink_caps(&view).map(|c| c.to_string()).unwrap_or_default();
    check!(
        scaled,
        "320x240 video in a {width}x{height} window (view {}x{}) did not reach the sink at the picture's size: {caps}",
        view.width(),
        view.height()
    );
    let size = view.player().video_size().ok_or("no video size")?;
    check!(
        (size.width, size.height) == (320, 240),
        "video-size reports the scaled size"
    );
    window.destroy();
    Ok(())
}

pub fn anamorphic_video_keeps_its_pixel_aspect_ratio() -> TestResult {
    for mode in [VideoMode::Gl, VideoMode::Software] {
        anamorphic_video_is_shown_wide(mode).map_err(|e| format!("{mode:?}: {e}"))?;
    }
    Ok(())
}

/// The software path's sink tells frames with alpha from opaque ones: a
/// half-transparent red frame (BGRA, straight alpha, as GStreamer's
/// formats are) is drawn half-covering the black behind it. Taken for
/// premultiplied (as opaque frames are handed to cairo), it would be drawn
/// at full strength.
pub fn software_path_draws_frames_with_alpha_blended() -> TestResult {
    let (window, view) = window_with_view();
    let half = (0x68, 0x18, 0x18);
    let centre = software_solid(
        &view,
        "0x80d03030",
        "video/x-raw,format=BGRA,width=320,height=240,framerate=15/1",
        half,
    );
    let caps = sink_caps(&view).map(|c| c.to_string()).unwrap_or_default();
    window.destroy();
    check!(
        close(centre, half, 16),
        "centre pixel {centre:?}, expected about {half:?} (sink caps {caps})"
    );
    Ok(())
}

/// The software path turns the picture as the stream's
/// `image-orientation` tag says (a phone's portrait video): a 320x240
/// stream tagged `rotate-90` is shown 240 wide and 320 high.
pub fn software_path_turns_the_picture_as_tagged() -> TestResult {
    let (window, view) = window_with_view();
    view.player().set_video_mode(VideoMode::Software);
    view.player().open_pipeline(
        "videotestsrc ! video/x-raw,width=320,height=240,framerate=15/1 \
         ! taginject tags=\"image-orientation=rotate-90\"",
    );
    let expected = 240.0 / 320.0;
    let (turned, ratio) = aspect_ratio_once(&view, expected, Duration::from_secs(10));
    window.destroy();
    check!(
        turned,
        "picture aspect ratio {ratio:.3}, expected {expected:.3} (turned a quarter)"
    );
    Ok(())
}

/// Reading the software sink's `paintable` from another thread (as a
/// debug dump of the pipeline's properties does) leaves the picture on
/// screen fed: the reader gets a picture of its own.
pub fn software_path_keeps_its_picture_when_another_thread_reads_the_sink() -> TestResult {
    let (window, view) = window_with_view();
    view.player().set_video_mode(VideoMode::Software);
    view.player().open_pipeline(
        "videotestsrc pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1",
    );
    view.player().play();
    check!(
        run_until(Duration::from_secs(10), || view.player().state()
            == PlayerState::Playing),
        "never started playing"
    );
    let sink = video_sink(&view).ok_or("no video sink")?;
    std::thread::spawn(move || {
        let _ = sink.property_value("paintable");
    })
    .join()
    .map_err(|_| "the read panicked")?;
    let paintable = view.player().paintable().ok_or("no paintable")?;
    let frames = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let count = frames.clone();
    let handler = paintable.connect_invalidate_contents(move |_| count.set(count.get() + 1));
    let fed = run_until(Duration::from_secs(5), || frames.get() >= 10);
    paintable.disconnect(handler);
    window.destroy();
    check!(
        fed,
        "{} new frames in 5 s after another thread read the sink's paintable",
        frames.get()
    );
    Ok(())
}

fn anamorphic_video_is_shown_wide(mode: VideoMode) -> TestResult {
    // 720x576 with 16:11 pixels is a 1047x576 picture (PAL widescreen).
    let clip = anamorphic_clip();
    let (window, view) = window_with_view();
    view.player().set_video_mode(mode);
    view.open(&clip.display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view
            .player()
            .video_size()
            .is_some()),
        "no video size"
    );
    let size = view.player().video_size().ok_or("no video size")?;
    // Matroska stores a display width (1047), so the PAR comes back as 349:240.
    let par = size.par_n as f64 / size.par_d as f64;
    check!(
        (size.width, size.height) == (720, 576) && (par - 16.0 / 11.0).abs() < 0.005,
        "video-size {size:?}"
    );
    let expected = 720.0 * par / 576.0;
    let (ratio_ok, ratio) = aspect_ratio_once(&view, expected, Duration::from_secs(5));
    check!(
        ratio_ok,
        "picture aspect ratio {ratio:.3}, expected {expected:.3}"
    );
    window.destroy();
    Ok(())
}

pub fn audio_only_view_is_shown() -> TestResult {
    let (window, view) = window_with_view();
    view.open(&clip("audio_only.ogg").display().to_string());
    let shown = run_until(Duration::from_secs(10), || view.visible_page() == "audio");
    check!(
        shown,
        "audio page not shown; page {} state {:?}",
        view.visible_page(),
        view.player().state()
    );
    // The page is not a black void: some pixels are bright (icon and text).
    let mut bright = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while bright <= 50 && Instant::now() < deadline {
        run_until(Duration::from_millis(200), || false);
        if let Ok((data, w, h, stride)) = render_pixels(&window) {
            bright = (0..h)
                .step_by(4)
                .flat_map(|y| (0..w).step_by(4).map(move |x| (x, y)))
                .filter(|&(x, y)| pixel_at(&data, stride, x, y).0 > 150)
                .count();
        }
    }
    check!(
        bright > 50,
        "audio page looks empty ({bright} bright samples)"
    );
    window.destroy();
    Ok(())
}

pub fn error_view_is_shown_and_next_file_plays() -> TestResult {
    let (window, view) = window_with_view();
    view.open(&bad_file("text.mp4").display().to_string());
    check!(
        run_until(Duration::from_secs(5), || view.visible_page() == "error"),
        "error page not shown"
    );
    let text = view.error_text().unwrap_or_default();
    check!(
        text.contains("text.mp4") && text.contains("not a media file"),
        "error text: {text}"
    );
    view.open(&clip("video_only.webm").display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.visible_page() == "video"
            && view.player().state() == PlayerState::Playing),
        "next file did not play after an error"
    );
    window.destroy();
    Ok(())
}

/// The area of the black colour nodes in `node` and below (the view's
/// backdrop; no clip or transform sits between it and the view's node).
fn black_area(node: &gtk::gsk::RenderNode) -> f32 {
    use gtk::gsk;
    let children: Vec<gsk::RenderNode> = if let Some(n) = node.downcast_ref::<gsk::ContainerNode>()
    {
        (0..n.n_children()).map(|i| n.child(i)).collect()
    } else if let Some(n) = node.downcast_ref::<gsk::DebugNode>() {
        vec![n.child()]
    } else if let Some(n) = node.downcast_ref::<gsk::ColorNode>() {
        let c = n.color();
        let black = c.red() == 0.0 && c.green() == 0.0 && c.blue() == 0.0 && c.alpha() == 1.0;
        let b = node.bounds();
        return if black { b.width() * b.height() } else { 0.0 };
    } else {
        Vec::new()
    };
    children.iter().map(black_area).sum()
}

/// What the view draws in black, and its own area. The view's last
/// rendered node is read; between an invalidation and the next render GTK
/// has none, so the main loop runs (up to 2 s) until there is one.
fn view_black_area(view: &PlayerView) -> (f32, f32) {
    let (w, h) = (view.width() as f64, view.height() as f64);
    let mut area = None;
    run_until(Duration::from_secs(2), || {
        let snapshot = gtk::Snapshot::new();
        gtk::WidgetPaintable::new(Some(view)).snapshot(&snapshot, w, h);
        area = snapshot.to_node().map(|n| black_area(&n));
        area.is_some()
    });
    (area.unwrap_or_default(), (w * h) as f32)
}

/// Around an opaque frame the view draws black only in the letterbox
/// bars, not under the picture (with GTK's cairo renderer each colour
/// under it is one more fill of the whole area per frame); with no frame
/// yet, and under a frame with alpha, the whole view is black.
pub fn view_draws_black_only_around_an_opaque_picture() -> TestResult {
    let (window, view) = window_with_view();
    let (before, whole) = view_black_area(&view);
    let red = (0xd0, 0x30, 0x30);
    let centre = software_solid(
        &view,
        "0xffd03030",
        "video/x-raw,format=I420,width=320,height=180,framerate=15/1",
        red,
    );
    let (opaque, _) = view_black_area(&view);
    let (pixels, w, _, stride) = render_pixels(&view)?;
    let corner = pixel_at(&pixels, stride, 2, 2);
    let edge = pixel_at(&pixels, stride, w / 2, 2);
    software_solid(
        &view,
        "0x80d03030",
        "video/x-raw,format=BGRA,width=320,height=180,framerate=15/1",
        (0x68, 0x18, 0x18),
    );
    let (alpha, _) = view_black_area(&view);
    window.destroy();
    println!(
        "    black area: no frame {before:.0}, opaque frame {opaque:.0}, frame with alpha {alpha:.0} of {whole:.0}"
    );
    check!(
        close(centre, red, 16),
        "centre pixel {centre:?}, expected {red:?}"
    );
    check!(
        before >= whole,
        "before the first frame only {before} of {whole} is black"
    );
    // A 16:9 picture in the 640 x 480 view: bars of about a quarter.
    check!(
        opaque > 0.1 * whole && opaque < 0.5 * whole,
        "around an opaque frame {opaque} of {whole} is black (bars only expected)"
    );
    check!(
        close(corner, (0, 0, 0), 2) && close(edge, (0, 0, 0), 2),
        "the bars are not black: {corner:?} at the corner, {edge:?} above the picture"
    );
    check!(
        alpha >= whole,
        "under a frame with alpha only {alpha} of {whole} is black"
    );
    Ok(())
}

/// The black colour nodes and the cairo nodes (the software path's
/// picture) under `node`, in its coordinates.
fn drawn_rects(
    node: &gtk::gsk::RenderNode,
    (dx, dy): (f32, f32),
    black: &mut Vec<gtk::graphene::Rect>,
    pictures: &mut Vec<gtk::graphene::Rect>,
) {
    use gtk::gsk;
    let moved = |r: gtk::graphene::Rect| r.offset_r(dx, dy);
    if let Some(n) = node.downcast_ref::<gsk::ContainerNode>() {
        for i in 0..n.n_children() {
            drawn_rects(&n.child(i), (dx, dy), black, pictures);
        }
    } else if let Some(n) = node.downcast_ref::<gsk::DebugNode>() {
        drawn_rects(&n.child(), (dx, dy), black, pictures);
    } else if let Some(n) = node.downcast_ref::<gsk::ClipNode>() {
        drawn_rects(&n.child(), (dx, dy), black, pictures);
    } else if let Some(n) = node.downcast_ref::<gsk::TransformNode>() {
        let t = n.transform();
        if matches!(
            t.category(),
            gsk::TransformCategory::_2dTranslate | gsk::TransformCategory::Identity
        ) {
            let (tx, ty) = t.to_translate();
            drawn_rects(&n.child(), (dx + tx, dy + ty), black, pictures);
        }
    } else if let Some(n) = node.downcast_ref::<gsk::ColorNode>() {
        let c = n.color();
        if c.red() == 0.0 && c.green() == 0.0 && c.blue() == 0.0 && c.alpha() == 1.0 {
            black.push(moved(node.bounds()));
        }
    } else if node.node_type() == gsk::RenderNodeType::CairoNode {
        pictures.push(moved(node.bounds()));
    }
}

/// A frame the video chain made at its place's size is drawn unscaled, in
/// whole pixels, and the view's black bars meet it exactly: nothing is
/// drawn under the picture, and no pixel is left out. (With GTK's cairo
/// renderer on X11, cairo then copies the frame straight into the window's
/// buffer, bench/RESULTS.md.) A 4:3 clip in a 650 pixels wide view: frames
/// of 650 x 488 (its place is 487.5 high); before, the bars reached a
/// pixel under the picture on each side.
pub fn an_unscaled_frame_meets_the_bars_exactly() -> TestResult {
    let (window, view) = solid_clip_playing_in(650, 700);
    let red = (0xd0, 0x30, 0x30);
    let centre = centre_pixel_once(&view, red);
    let (w, h) = (view.width() as f32, view.height() as f32);
    let area = |r: &gtk::graphene::Rect| r.width() * r.height();
    let mut seen = String::new();
    let exact = run_until(Duration::from_secs(10), || {
        let snapshot = gtk::Snapshot::new();
        gtk::WidgetPaintable::new(Some(&view)).snapshot(&snapshot, f64::from(w), f64::from(h));
        let Some(node) = snapshot.to_node() else {
            return false;
        };
        let (mut black, mut pictures) = (Vec::new(), Vec::new());
        drawn_rects(&node, (0.0, 0.0), &mut black, &mut pictures);
        let [picture] = pictures[..] else {
            seen = format!("{} picture nodes", pictures.len());
            return false;
        };
        let whole = [picture.x(), picture.y(), picture.width(), picture.height()]
            .iter()
            .all(|v| v.fract() == 0.0);
        let under: f32 = black
            .iter()
            .filter_map(|b| b.intersection(&picture))
            .map(|r| area(&r))
            .sum();
        let covered = black.iter().map(area).sum::<f32>() + area(&picture);
        seen = format!(
            "picture at {:?}, black {under} px² under it, {covered} of {} px² covered; frames {}",
            picture,
            w * h,
            sink_caps(&view).map(|c| c.to_string()).unwrap_or_default()
        );
        whole && under == 0.0 && covered == w * h
    });
    window.destroy();
    println!("    {seen}");
    check!(
        close(centre, red, 16),
        "centre pixel {centre:?}, expected {red:?}"
    );
    check!(
        exact,
        "the picture in a {w}x{h} view is not drawn in whole pixels with the bars meeting it: {seen}"
    );
    Ok(())
}
