//! The bottom floor: plumbing every other module may use, and that uses none of them. The one
//! config error type (`ConfigError`, naming file, field and value) with its validation context
//! `Ctx`, YAML config reading, atomic file writes (`FileError` when one fails) and progress bars.
//! Nothing here knows about simulation, environments or agents.

mod error;
mod progress;
mod write;
mod yaml;

pub use error::{ConfigError, Ctx, FileError};
pub use progress::progress_bar;
pub use write::{atomic_write, create_dir_all};
pub use yaml::{from_yaml_value, parse_yaml, read_text, read_yaml};
