//! Writing results so that readers (and a rerun after a crash) never see half a file.

use std::path::Path;

use super::FileError;

/// Writes `bytes` to `path` via a temporary file and a rename, so readers never see half a file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(FileError::at("writing", &tmp))?;
    std::fs::rename(&tmp, path).map_err(FileError::at(
        format!("renaming {} to", tmp.display()),
        path,
    ))
}

/// `std::fs::create_dir_all` with the path in the error.
pub fn create_dir_all(path: &Path) -> Result<(), FileError> {
    std::fs::create_dir_all(path).map_err(FileError::at("creating", path))
}
