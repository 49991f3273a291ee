//! Small file helpers shared by the library's writers.

use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to `path` via a temporary file and a rename, so readers never see half a file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}
