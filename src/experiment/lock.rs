//! `OutLock`: one experiment at a time per output directory. Two `shopgym experiment` runs on one
//! `--out` would train into the same run directories and interleave their result files; the
//! second one refuses instead, with a message that names the directory and the holder's pid.
//!
//! The lock is an advisory exclusive lock (`File::try_lock`) on `OUT/.shopgym.lock`, held for the
//! life of the `OutLock`. The OS drops it when the process ends, however it ends (`kill -9`
//! included), so a stale lock file never blocks the next run; the file itself stays.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::ExperimentError;
use crate::io::FileError;

/// The lock file's name inside the output directory.
pub const LOCK_FILE: &str = ".shopgym.lock";

/// Holds the output directory's lock until dropped.
#[derive(Debug)]
pub struct OutLock {
    _file: File,
}

impl OutLock {
    /// Locks `out` (which must exist), or says who holds it.
    pub fn acquire(out: &Path) -> Result<OutLock, ExperimentError> {
        let path = out.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(FileError::at("opening", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(ExperimentError::Locked {
                    dir: out.to_path_buf(),
                    lock: path,
                    holder: holder.trim().to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(FileError::at("locking", &path)(e).into())
            }
        }
        // Who holds it, for the message of a run that is refused (best effort).
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "pid {}", std::process::id()))
            .and_then(|()| file.flush());
        Ok(OutLock { _file: file })
    }
}
