//! Where an MP4 (ISO BMFF, QuickTime) file keeps its index: the top-level
//! boxes are walked by their headers alone, so a large file costs a few
//! reads. A `moov` after the `mdat` means a player reading over a network
//! must fetch the end of the file before it can show anything.

use super::finding::{Finding, Severity};
use crate::i18n::gettext;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Top-level boxes read at most (a damaged file could hold millions).
const MAX_BOXES: usize = 10_000;

/// The top-level box types of the file at `path`, in order; `None` when it
/// is not an ISO BMFF file (its first box is not `ftyp`, `moov`, `mdat`,
/// `free`, `skip` or `wide`).
pub(crate) fn top_level_boxes(path: &Path) -> Option<Vec<[u8; 4]>> {
    let mut file = std::fs::File::open(path).ok()?;
    let length = file.metadata().ok()?.len();
    let mut boxes = Vec::new();
    let mut at = 0u64;
    while at.checked_add(8)? <= length && boxes.len() < MAX_BOXES {
        file.seek(SeekFrom::Start(at)).ok()?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8]).ok()?;
        let kind = [header[4], header[5], header[6], header[7]];
        if boxes.is_empty()
            && !matches!(
                &kind,
                b"ftyp" | b"moov" | b"mdat" | b"free" | b"skip" | b"wide"
            )
        {
            return None;
        }
        let size = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let size = match size {
            // To the end of the file.
            0 => length - at,
            // A 64-bit size follows.
            1 => {
                file.read_exact(&mut header[8..16]).ok()?;
                let mut big = [0u8; 8];
                big.copy_from_slice(&header[8..16]);
                u64::from_be_bytes(big)
            }
            n => n,
        };
        boxes.push(kind);
        if size < 8 {
            break;
        }
        at = at.checked_add(size)?;
    }
    Some(boxes)
}

/// The finding for an MP4 file whose index comes after its media data, if
/// it is one.
pub(crate) fn index_position(path: &Path) -> Option<Finding> {
    let boxes = top_level_boxes(path)?;
    let moov = boxes.iter().position(|b| b == b"moov");
    let mdat = boxes.iter().position(|b| b == b"mdat");
    let fragmented = boxes.iter().any(|b| b == b"moof");
    match (moov, mdat) {
        (Some(moov), Some(mdat)) if moov > mdat && !fragmented => Some(Finding::new(
            Severity::Warning,
            "index-at-end",
            gettext("The MP4 index (moov) comes after the media data, so the file cannot start playing until it is read to the end over a network; remux it with ffmpeg -movflags +faststart."),
        )),
        (None, Some(_)) if !fragmented => Some(Finding::new(
            Severity::Error,
            "index-missing",
            gettext("The MP4 file has media data but no index (moov); it was probably cut short while being written."),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], body: usize) -> Vec<u8> {
        let mut b = ((body + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend(std::iter::repeat_n(0u8, body));
        b
    }

    #[test]
    fn the_index_after_the_data_is_found() {
        let dir = std::env::temp_dir().join(format!("fs-mp4-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let late = dir.join("late.mp4");
        let early = dir.join("early.mp4");
        let text = dir.join("text.mp4");
        std::fs::write(
            &late,
            [boxed(b"ftyp", 8), boxed(b"mdat", 100), boxed(b"moov", 20)].concat(),
        )
        .unwrap();
        std::fs::write(
            &early,
            [boxed(b"ftyp", 8), boxed(b"moov", 20), boxed(b"mdat", 100)].concat(),
        )
        .unwrap();
        std::fs::write(&text, b"just some text, long enough").unwrap();
        assert_eq!(index_position(&late).unwrap().kind, "index-at-end");
        assert!(index_position(&early).is_none());
        assert!(index_position(&text).is_none());
        // A size that points past the end stops the walk.
        let mut broken = boxed(b"ftyp", 8);
        broken.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
        broken.extend_from_slice(b"mdat");
        std::fs::write(&text, &broken).unwrap();
        assert_eq!(top_level_boxes(&text).unwrap().len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
