//! Test media whose frames carry their own number: a row of black/white
//! blocks near the top of each picture encodes the frame index (16 bits) and
//! a 4-bit check, big enough to survive lossy encoding. Clips are generated
//! with `appsrc` through real encoders (any GOP layout, B-frames, open GOPs,
//! variable frame rate, a first timestamp that is not zero), optionally with
//! white flash frames and matching audio beeps for A/V sync tests.
//! [`frame_number`] reads the code back from a decoded `gst::Sample`.

use gst::prelude::*;
use gst_video::prelude::*;
use std::path::{Path, PathBuf};

/// Bumped whenever the generator's output changes, so cached clips are remade.
const GENERATOR_VERSION: u32 = 2;
/// Blocks in the code row: 16 bits of frame number, 4 check bits.
const BITS: u32 = 20;
/// The code row's height is the picture's height divided by this.
const ROW_FRACTION: usize = 10;

fn check(n: u32) -> u32 {
    (n ^ (n >> 4) ^ (n >> 8) ^ (n >> 12) ^ 0x5) & 0xF
}

fn code(n: u32) -> u32 {
    (n & 0xFFFF) | (check(n & 0xFFFF) << 16)
}

/// What to encode.
#[derive(Debug, Clone)]
pub struct FrameClip {
    /// File name in the media folder; its extension picks the muxer
    /// (`.mp4`, `.mkv`, `.ts`, `.webm`).
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// Number of video frames.
    pub frames: u32,
    /// Frame rate numerator/denominator (nominal when `vfr` is set).
    pub fps: (u32, u32),
    /// Video encoder launch fragment, e.g. `x264enc key-int-max=60 bframes=2`.
    pub encoder: String,
    /// Durations alternate between 1x and 2x the nominal frame duration.
    pub vfr: bool,
    /// Timestamp of the first frame.
    pub first_pts: gst::ClockTime,
    /// Frames that are white (a flash); the audio beeps at the same times.
    pub flashes: Vec<u32>,
    /// Add an audio track (raw PCM in Matroska, AAC in MP4, Opus in WebM):
    /// silence with a 1 kHz beep starting exactly at each flash.
    pub audio: bool,
}

impl FrameClip {
    /// A 320x240 clip at 30 fps with the given encoder and frame count.
    pub fn new(name: &str, frames: u32, encoder: &str) -> Self {
        Self {
            name: name.into(),
            width: 320,
            height: 240,
            frames,
            fps: (30, 1),
            encoder: encoder.into(),
            vfr: false,
            first_pts: gst::ClockTime::ZERO,
            flashes: Vec::new(),
            audio: false,
        }
    }

    /// The nominal duration of one frame.
    pub fn frame_duration(&self) -> gst::ClockTime {
        gst::ClockTime::SECOND
            .mul_div_floor(self.fps.1 as u64, self.fps.0 as u64)
            .unwrap()
    }

    /// Presentation timestamps of every frame, in order, as the container
    /// stores them (Matroska and WebM round to the millisecond).
    pub fn timestamps(&self) -> Vec<gst::ClockTime> {
        let mut t = self.first_pts;
        let ms = matches!(self.name.rsplit('.').next(), Some("mkv") | Some("webm"));
        (0..self.frames)
            .map(|i| {
                let pts = t;
                t += self.duration_of(i);
                if ms {
                    gst::ClockTime::from_mseconds((pts.nseconds() + 500_000) / 1_000_000)
                } else {
                    pts
                }
            })
            .collect()
    }

    /// Duration of frame `i`.
    pub fn duration_of(&self, i: u32) -> gst::ClockTime {
        if self.vfr && i % 2 == 1 {
            self.frame_duration() * 2
        } else {
            self.frame_duration()
        }
    }

    /// The end of the last frame.
    pub fn end(&self) -> gst::ClockTime {
        let ts = self.timestamps();
        *ts.last().unwrap() + self.duration_of(self.frames - 1)
    }

    /// Index of the frame shown at `t`: the last one whose PTS is ≤ `t`.
    pub fn frame_at(&self, t: gst::ClockTime) -> u32 {
        let ts = self.timestamps();
        ts.iter().rposition(|&p| p <= t).unwrap_or(0) as u32
    }

    fn muxer(&self) -> &'static str {
        match self.name.rsplit('.').next() {
            Some("mp4") => "mp4mux",
            Some("ts") => "mpegtsmux",
            Some("webm") => "webmmux",
            _ => "matroskamux",
        }
    }

    fn audio_encoder(&self) -> &'static str {
        match self.name.rsplit('.').next() {
            Some("mp4") | Some("ts") => "audioconvert ! avenc_aac ! aacparse",
            Some("webm") => "audioconvert ! opusenc",
            _ => "audioconvert",
        }
    }

    /// Generates the clip once per build (and per set of parameters: the
    /// file name carries their hash) and returns its path.
    pub fn path(&self) -> PathBuf {
        use std::hash::{Hash, Hasher};
        let _guard = super::GENERATE.lock().unwrap_or_else(|e| e.into_inner());
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        format!("{GENERATOR_VERSION} {self:?}").hash(&mut hasher);
        let (stem, ext) = self.name.rsplit_once('.').unwrap_or((&self.name, "bin"));
        let file = format!("{stem}-{:08x}.{ext}", hasher.finish() as u32);
        let path = super::media_dir().join(&file);
        if !path.exists() {
            let tmp = super::media_dir().join(format!("tmp-{file}"));
            self.write(&tmp);
            std::fs::rename(&tmp, &path).unwrap();
        }
        path
    }

    fn write(&self, location: &std::path::Path) {
        gst::init().unwrap();
        let mut launch = format!(
            "appsrc name=video format=time ! videoconvert ! {} ! queue ! {} name=mux ! filesink location=\"{}\"",
            self.encoder,
            self.muxer(),
            location.display()
        );
        if self.audio {
            launch.push_str(&format!(
                " appsrc name=audio format=time ! {} ! queue ! mux.",
                self.audio_encoder()
            ));
        }
        let pipeline = gst::parse::launch(&launch)
            .unwrap_or_else(|e| panic!("{launch}: {e}"))
            .downcast::<gst::Pipeline>()
            .unwrap();
        let video = pipeline
            .by_name("video")
            .unwrap()
            .downcast::<gst_app::AppSrc>()
            .unwrap();
        let caps =
            gst_video::VideoInfo::builder(gst_video::VideoFormat::I420, self.width, self.height)
                // Variable-rate clips still announce a nominal rate (encoders need
                // a time base); their timestamps and durations are irregular.
                .fps(gst::Fraction::new(self.fps.0 as i32, self.fps.1 as i32))
                .build()
                .unwrap()
                .to_caps()
                .unwrap();
        video.set_caps(Some(&caps));
        video.set_max_bytes(0);
        let audio = pipeline
            .by_name("audio")
            .map(|a| a.downcast::<gst_app::AppSrc>().unwrap());
        pipeline.set_state(gst::State::Playing).unwrap();
        if let Some(audio) = &audio {
            audio.set_max_bytes(0);
            self.push_audio(audio);
        }
        for (i, pts) in self.timestamps().into_iter().enumerate() {
            let i = i as u32;
            let mut buffer = gst::Buffer::from_mut_slice(self.picture(i));
            let b = buffer.get_mut().unwrap();
            b.set_pts(pts);
            b.set_duration(self.duration_of(i));
            video.push_buffer(buffer).unwrap();
        }
        video.end_of_stream().unwrap();
        let bus = pipeline.bus().unwrap();
        for msg in bus.iter_timed(gst::ClockTime::from_seconds(300)) {
            match msg.view() {
                gst::MessageView::Eos(_) => break,
                gst::MessageView::Error(e) => {
                    panic!(
                        "generating {} failed: {} ({:?})",
                        self.name,
                        e.error(),
                        e.debug()
                    )
                }
                _ => {}
            }
        }
        pipeline.set_state(gst::State::Null).unwrap();
    }

    /// 48 kHz stereo S16 audio: silence, and a 1 kHz beep of 50 ms starting
    /// exactly at each flash frame's PTS.
    fn push_audio(&self, src: &gst_app::AppSrc) {
        const RATE: u64 = 48_000;
        let info = gst_audio::AudioInfo::builder(gst_audio::AudioFormat::S16le, RATE as u32, 2)
            .build()
            .unwrap();
        src.set_caps(Some(&info.to_caps().unwrap()));
        let ts = self.timestamps();
        let beeps: Vec<u64> = self
            .flashes
            .iter()
            .map(|&f| ts[f as usize].nseconds() * RATE / 1_000_000_000)
            .collect();
        let start = self.first_pts.nseconds() * RATE / 1_000_000_000;
        let end = self.end().nseconds() * RATE / 1_000_000_000;
        let chunk = 1024u64;
        let mut s = start;
        while s < end {
            let n = chunk.min(end - s);
            let mut data = Vec::with_capacity(n as usize * 4);
            for k in s..s + n {
                let beeping = beeps.iter().any(|&b| k >= b && k < b + RATE / 20);
                let v = if beeping {
                    (f64::sin(2.0 * std::f64::consts::PI * 1000.0 * k as f64 / RATE as f64)
                        * 16000.0) as i16
                } else {
                    0
                };
                data.extend_from_slice(&v.to_le_bytes());
                data.extend_from_slice(&v.to_le_bytes());
            }
            let mut buffer = gst::Buffer::from_mut_slice(data);
            let b = buffer.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_nseconds(s * 1_000_000_000 / RATE));
            b.set_duration(gst::ClockTime::from_nseconds(n * 1_000_000_000 / RATE));
            src.push_buffer(buffer).unwrap();
            s += n;
        }
        src.end_of_stream().unwrap();
    }

    /// Frame `i` in I420: a moving gradient with the code row on top (or all
    /// white for a flash frame).
    fn picture(&self, i: u32) -> Vec<u8> {
        let (w, h) = (self.width as usize, self.height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let mut data = vec![128u8; w * h + 2 * cw * ch];
        let flash = self.flashes.contains(&i);
        let value = code(i);
        let block = w / BITS as usize;
        for y in 0..h {
            for x in 0..w {
                let luma = if flash {
                    235
                } else if y < h / ROW_FRACTION {
                    let bit = (x / block) as u32;
                    if bit < BITS && value & (1 << bit) != 0 {
                        235
                    } else {
                        16
                    }
                } else {
                    // Content that moves, so encoders make real P/B-frames.
                    (40 + ((x + y + 3 * i as usize) % 160)) as u8
                };
                data[y * w + x] = luma;
            }
        }
        if !flash {
            // Tint the chroma with a slow sweep.
            for y in 0..ch {
                for x in 0..cw {
                    data[w * h + y * cw + x] = (96 + (x + i as usize) % 64) as u8;
                }
            }
        }
        data
    }
}

/// Luma (0–255) of pixel (x, y) of a mapped frame of any common format.
fn luma(frame: &gst_video::VideoFrameRef<&gst::BufferRef>, x: u32, y: u32) -> Option<u8> {
    let finfo = frame.format_info();
    let data = frame.plane_data(0).ok()?;
    let stride = frame.plane_stride()[0] as usize;
    if finfo.is_yuv() {
        let ps = finfo.pixel_stride()[0] as usize;
        let off = finfo.poffset()[0] as usize;
        return data
            .get(y as usize * stride + x as usize * ps + off)
            .copied();
    }
    if finfo.is_rgb() && finfo.n_planes() == 1 {
        let ps = finfo.pixel_stride()[0] as usize;
        let base = y as usize * stride + x as usize * ps;
        let c = |i: usize| data.get(base + finfo.poffset()[i] as usize).copied();
        let (r, g, b) = (c(0)? as f64, c(1)? as f64, c(2)? as f64);
        return Some((0.299 * r + 0.587 * g + 0.114 * b) as u8);
    }
    None
}

/// Reads the frame number burnt into a decoded sample; `None` when the code
/// is unreadable (or the check bits do not match), e.g. a flash frame.
pub fn frame_number(sample: &gst::Sample) -> Option<u32> {
    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(sample.buffer()?, &info).ok()?;
    // The picture may have been scaled: sample block centres proportionally.
    let (w, h) = (info.width(), info.height());
    let y = h / (2 * ROW_FRACTION as u32);
    let mut value = 0u32;
    for bit in 0..BITS {
        let x = ((2 * bit + 1) * w) / (2 * BITS);
        if luma(&frame, x, y)? > 128 {
            value |= 1 << bit;
        }
    }
    let n = value & 0xFFFF;
    (value >> 16 == check(n)).then_some(n)
}

/// Whether a decoded sample is a flash frame (almost all white).
pub fn is_flash(sample: &gst::Sample) -> bool {
    let Some(caps) = sample.caps() else {
        return false;
    };
    let Ok(info) = gst_video::VideoInfo::from_caps(caps) else {
        return false;
    };
    let Some(buffer) = sample.buffer() else {
        return false;
    };
    let Ok(frame) = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info) else {
        return false;
    };
    let (w, h) = (info.width(), info.height());
    let points = [
        (w / 4, h / 2),
        (w / 2, h / 2),
        (3 * w / 4, 3 * h / 4),
        (w / 2, h / 20),
    ];
    points
        .iter()
        .all(|&(x, y)| luma(&frame, x, y).is_some_and(|l| l > 200))
}

/// Decodes a PNG to RGB bytes with GStreamer (width, height, pixels).
pub fn rgb_of_png(path: &Path) -> (u32, u32, Vec<u8>) {
    gst::init().unwrap();
    let pipeline = gst::parse::launch(&format!(
        "filesrc location=\"{}\" ! pngdec ! videoconvert ! video/x-raw,format=RGB ! appsink name=sink",
        path.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    pipeline.set_state(gst::State::Paused).unwrap();
    let sample = sink.pull_preroll().expect("a decoded PNG");
    let info = gst_video::VideoInfo::from_caps(sample.caps().unwrap()).unwrap();
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(sample.buffer().unwrap(), &info)
        .unwrap();
    let stride = info.stride()[0] as usize;
    let data = frame.plane_data(0).unwrap();
    let mut rgb = Vec::with_capacity(info.width() as usize * info.height() as usize * 3);
    for y in 0..info.height() as usize {
        rgb.extend_from_slice(&data[y * stride..y * stride + info.width() as usize * 3]);
    }
    drop(frame);
    pipeline.set_state(gst::State::Null).unwrap();
    (info.width(), info.height(), rgb)
}

/// The frame number burnt into a PNG.
pub fn number_in_png(path: &Path) -> Option<u32> {
    gst::init().unwrap();
    let (w, h, rgb) = rgb_of_png(path);
    let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgb, w, h)
        .build()
        .unwrap();
    let mut buffer = gst::Buffer::with_size(info.size()).unwrap();
    {
        let b = buffer.get_mut().unwrap();
        let mut map = b.map_writable().unwrap();
        let stride = info.stride()[0] as usize;
        for y in 0..h as usize {
            map[y * stride..y * stride + w as usize * 3]
                .copy_from_slice(&rgb[y * w as usize * 3..(y + 1) * w as usize * 3]);
        }
    }
    let sample = gst::Sample::builder()
        .buffer(&buffer)
        .caps(&info.to_caps().unwrap())
        .build();
    frame_number(&sample)
}
