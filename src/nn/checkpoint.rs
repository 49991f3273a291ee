//! Checkpoints: a `VarStore` written atomically and read back into a model of the same shape.
//!
//! The format follows the file name, as in tch: `*.safetensors` is safetensors, anything else
//! libtorch's own format. [`save_var_store`] writes a temporary file beside the target, syncs it
//! and renames it over the target, so a crash mid-save leaves the previous checkpoint intact and
//! readers never see half a file.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tch::nn::VarStore;

use super::NnError;

/// Writes every variable of `vs` to `path` atomically. The parent directory must exist.
pub fn save_var_store(vs: &VarStore, path: &Path) -> Result<(), NnError> {
    let tmp = temp_path(path);
    let result = write_then_rename(vs, &tmp, path);
    if result.is_err() {
        // Best effort: the temporary file may not exist, and the original error matters more.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads `path` into the variables of `vs`, which must have the names and shapes it was saved
/// with (build the same model first). Tensors land on `vs`'s device.
pub fn load_var_store(vs: &mut VarStore, path: &Path) -> Result<(), NnError> {
    vs.load(path).map_err(|source| NnError::Checkpoint {
        path: path.to_path_buf(),
        source,
    })
}

fn write_then_rename(vs: &VarStore, tmp: &Path, path: &Path) -> Result<(), NnError> {
    vs.save(tmp).map_err(|source| NnError::Checkpoint {
        path: path.to_path_buf(),
        source,
    })?;
    let io = |source| NnError::Io {
        path: path.to_path_buf(),
        source,
    };
    fs::File::open(tmp).and_then(|f| f.sync_all()).map_err(io)?;
    fs::rename(tmp, path).map_err(io)
}

/// `dir/.name.<pid>-<n>.tmp.<ext>`: same directory (so the rename is atomic), hidden, unique per
/// process and call, and ending in the target's extension so tch picks the same format.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let mut tmp_name = format!(".{name}.{}-{n}.tmp", std::process::id());
    if let Some(ext) = path.extension() {
        tmp_name.push('.');
        tmp_name.push_str(&ext.to_string_lossy());
    }
    path.with_file_name(tmp_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_path_keeps_directory_and_extension() {
        let tmp = temp_path(Path::new("runs/x/q.safetensors"));
        assert_eq!(tmp.parent(), Some(Path::new("runs/x")));
        assert_eq!(
            tmp.extension().and_then(|e| e.to_str()),
            Some("safetensors")
        );
        assert_ne!(temp_path(Path::new("a.ot")), temp_path(Path::new("a.ot")));
    }
}
