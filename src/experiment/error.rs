//! `ExperimentError`: why an experiment or stress test stopped. Every finished run was already
//! written (atomically) before the error, so the same command resumes after the cause is fixed.

use std::path::PathBuf;

use crate::agents::AgentError;
use crate::evaluate::EvalError;
use crate::io::{ConfigError, FileError};

#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// The experiment file, or a file it names, is not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A result, trace, report or plot file could not be written or read.
    #[error(transparent)]
    File(#[from] FileError),
    /// One run (scenario / agent / seed) failed.
    #[error("{run}")]
    Run {
        /// `scenario / agent / seed N`.
        run: String,
        #[source]
        source: Box<EvalError>,
    },
    /// Training a learner failed (what it checkpointed is kept and resumed next time).
    #[error("training {agent} on {scenario}")]
    Train {
        agent: String,
        scenario: String,
        #[source]
        source: Box<AgentError>,
    },
    /// A training left in the output directory was made with another step budget.
    #[error(
        "{} was trained for {had} steps, this run asks for {wanted}: \
         pass --force to retrain (and re-run every result), or use another --out",
        dir.display()
    )]
    Budget { dir: PathBuf, had: u64, wanted: u64 },
    /// Another experiment holds the output directory's lock (nothing was touched; wait for it
    /// or choose another `--out`).
    #[error(
        "{} is in use by another `shopgym experiment` ({holder}; lock {}): wait for it to \
         finish, or use another --out",
        dir.display(),
        lock.display()
    )]
    Locked {
        dir: PathBuf,
        lock: PathBuf,
        holder: String,
    },
    /// A stored run or trace is not what the experiment wrote.
    #[error("{}: {message}", path.display())]
    Stored { path: PathBuf, message: String },
    /// A CSV table could not be written or read.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A result could not be encoded.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// The resolved experiment could not be encoded.
    #[error(transparent)]
    Yaml(#[from] serde_yaml::Error),
    /// Formatting the report failed.
    #[error(transparent)]
    Format(#[from] std::fmt::Error),
    /// A plot could not be drawn.
    #[error("plotting: {0}")]
    Plot(String),
    /// The worker threads could not be started.
    #[error(transparent)]
    Threads(#[from] rayon::ThreadPoolBuildError),
}
