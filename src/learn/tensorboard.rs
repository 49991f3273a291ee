//! TensorBoard scalars: one event file per run, `RUN_DIR/tb/events.out.tfevents.0.shopgym` (open
//! with `tensorboard --logdir runs`). Steps are environment steps.
//!
//! The file is written synchronously (records framed by `tensorboard-rs`'s `RecordWriter`, events
//! encoded here: `Event { wall_time, step, summary { value { tag, simple_value } } }`), so after
//! `flush` its length is exact. A checkpoint stores that length; `--resume` truncates the file to
//! it and appends, so scalars logged after the checkpoint by the interrupted segment are rewritten,
//! not duplicated. Only `wall_time` differs between an interrupted and a straight run.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tensorboard_rs::record_writer::RecordWriter;

/// The event file's name inside `RUN_DIR/tb/`.
pub const EVENTS_FILE: &str = "events.out.tfevents.0.shopgym";

/// Scalar logger for one run.
pub struct Tensorboard {
    path: PathBuf,
    file: BufWriter<File>,
    /// Bytes written so far (flushed or buffered).
    len: u64,
}

impl Tensorboard {
    /// The event file in `dir` (created if missing). `keep: None` starts a new file; `Some(n)`
    /// continues the existing one from its first `n` bytes (what a checkpoint recorded).
    pub fn open(dir: &Path, keep: Option<u64>) -> std::io::Result<Tensorboard> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(EVENTS_FILE);
        let existing = std::fs::metadata(&path).map(|m| m.len()).ok();
        let keep = match (keep, existing) {
            (Some(n), Some(len)) if n <= len => Some(n),
            _ => None,
        };
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(keep.is_none())
            .open(&path)?;
        let mut tb = Tensorboard {
            path,
            file: BufWriter::new(file),
            len: 0,
        };
        match keep {
            Some(n) => {
                tb.file.get_ref().set_len(n)?;
                use std::io::Seek;
                tb.file.seek(std::io::SeekFrom::Start(n))?;
                tb.len = n;
            }
            None => {
                let mut event = Vec::new();
                put_wall_time(&mut event);
                put_bytes(&mut event, 3, b"brain.Event:2");
                tb.record(&event)?;
            }
        }
        Ok(tb)
    }

    /// `tag` (e.g. `charts/episodic_return`) = `value` at env step `step`.
    pub fn scalar(&mut self, tag: &str, value: f64, step: u64) {
        let mut v = Vec::new();
        put_bytes(&mut v, 1, tag.as_bytes());
        v.push(0x15); // field 2, fixed32: simple_value
        v.extend_from_slice(&(value as f32).to_le_bytes());
        let mut summary = Vec::new();
        put_bytes(&mut summary, 1, &v);
        let mut event = Vec::new();
        put_wall_time(&mut event);
        event.push(0x10); // field 2, varint: step
        put_varint(&mut event, step);
        put_bytes(&mut event, 5, &summary);
        // A failed write must not kill a long training: `train.csv` keeps the same scalars.
        let _ = self.record(&event);
    }

    fn record(&mut self, event: &[u8]) -> std::io::Result<()> {
        RecordWriter::new(&mut self.file).write(event)?;
        self.len += 16 + event.len() as u64;
        Ok(())
    }

    /// Writes buffered events to the file.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }

    /// Length of the file once flushed [bytes].
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True before anything was written (never after `open`: the file starts with a header).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, field: u8, bytes: &[u8]) {
    out.push((field << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_wall_time(out: &mut Vec<u8>) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    out.push(0x09); // field 1, fixed64: wall_time
    out.extend_from_slice(&now.to_le_bytes());
}

/// One scalar read back from an event file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarEvent {
    pub wall_time: f64,
    pub step: u64,
    pub tag: String,
    pub value: f32,
}

/// Reads the scalars of an event file written by `Tensorboard` (for tests and tools); `None` when
/// the file is not a sequence of whole records of the fields written here.
pub fn read_scalars(path: &Path) -> std::io::Result<Option<Vec<ScalarEvent>>> {
    let bytes = std::fs::read(path)?;
    Ok(decode_records(&bytes))
}

fn decode_records(mut b: &[u8]) -> Option<Vec<ScalarEvent>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let len = u64::from_le_bytes(b.get(..8)?.try_into().ok()?) as usize;
        let data = b.get(12..12 + len)?;
        b.get(12 + len..16 + len)?;
        if let Some(e) = decode_event(data)? {
            out.push(e);
        }
        b = &b[16 + len..];
    }
    Some(out)
}

/// `Some(None)`: a valid event without a scalar (the file header).
fn decode_event(mut b: &[u8]) -> Option<Option<ScalarEvent>> {
    let (mut wall_time, mut step, mut scalar) = (0.0, 0, None);
    while !b.is_empty() {
        let key = b[0];
        b = &b[1..];
        match key {
            0x09 => {
                wall_time = f64::from_le_bytes(b.get(..8)?.try_into().ok()?);
                b = &b[8..];
            }
            0x10 => step = take_varint(&mut b)?,
            0x1a => {
                take_bytes(&mut b)?;
            }
            0x2a => {
                let mut s = take_bytes(&mut b)?;
                if s.first() != Some(&0x0a) {
                    return None;
                }
                s = &s[1..];
                let mut v = take_bytes(&mut s)?;
                if v.first() != Some(&0x0a) {
                    return None;
                }
                v = &v[1..];
                let tag = String::from_utf8(take_bytes(&mut v)?.to_vec()).ok()?;
                if v.first() != Some(&0x15) {
                    return None;
                }
                let value = f32::from_le_bytes(v.get(1..5)?.try_into().ok()?);
                scalar = Some((tag, value));
            }
            _ => return None,
        }
    }
    Some(scalar.map(|(tag, value)| ScalarEvent {
        wall_time,
        step,
        tag,
        value,
    }))
}

fn take_varint(b: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = b.split_first()?;
        *b = rest;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
    }
    None
}

fn take_bytes<'a>(b: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = take_varint(b)? as usize;
    let out = b.get(..len)?;
    *b = &b[len..];
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_round_trip_and_resume_truncates() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut tb = Tensorboard::open(dir.path(), None).expect("opens");
        tb.scalar("a/x", 1.5, 10);
        tb.flush().expect("flush");
        let keep = tb.len();
        tb.scalar("a/x", 2.5, 300);
        tb.flush().expect("flush");
        drop(tb);
        let mut tb = Tensorboard::open(dir.path(), Some(keep)).expect("reopens");
        tb.scalar("a/y", -3.0, 1 << 40);
        tb.flush().expect("flush");
        let got = read_scalars(&dir.path().join(EVENTS_FILE))
            .expect("reads")
            .expect("decodes");
        let got: Vec<_> = got.into_iter().map(|e| (e.tag, e.step, e.value)).collect();
        assert_eq!(
            got,
            vec![("a/x".into(), 10, 1.5), ("a/y".into(), 1 << 40, -3.0)]
        );
        assert_eq!(
            std::fs::metadata(dir.path().join(EVENTS_FILE))
                .expect("exists")
                .len(),
            tb.len()
        );
    }
}
