//! TensorBoard scalars: a thin wrapper over `tensorboard-rs`'s `SummaryWriter` that writes
//! `events.out.tfevents.*` files under `RUN_DIR/tb/` (open with `tensorboard --logdir runs`).
//! Steps are environment steps.

use std::path::Path;

use tensorboard_rs::summary_writer::SummaryWriter;

/// Scalar logger for one run.
pub struct Tensorboard {
    writer: SummaryWriter,
}

impl Tensorboard {
    /// Event files in `dir` (created if missing).
    pub fn new(dir: &Path) -> std::io::Result<Tensorboard> {
        std::fs::create_dir_all(dir)?;
        Ok(Tensorboard {
            writer: SummaryWriter::new(dir),
        })
    }

    /// `tag` (e.g. `charts/episodic_return`) = `value` at env step `step`.
    pub fn scalar(&mut self, tag: &str, value: f64, step: u64) {
        self.writer.add_scalar(tag, value as f32, step as usize);
    }

    pub fn flush(&mut self) {
        self.writer.flush();
    }
}
