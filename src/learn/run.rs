//! The run directory and what every training loop shares: options, the Ctrl-C stop flag, the
//! logger (TensorBoard + `train.csv` + progress bar) and the checkpoint counters.
//!
//! ```text
//! RUN_DIR/
//!   agent.yaml          the resolved agent (every default filled in)
//!   run.json            scenario, seed, steps asked for, start time
//!   train.csv           step, wall_s, tag, value (one row per logged scalar)
//!   tb/                 TensorBoard event files (same scalars)
//!   checkpoints/latest/ model + obs_norm.json + state.json, every `checkpoint_every` steps
//!   final/              the same at the end of training (what `evaluate --checkpoint` loads)
//!   best/               the same at the periodic evaluation with the best mean return so far
//!                       (model selection on the held-out seeds 900..: `--checkpoint RUN_DIR/best`)
//! ```
//!
//! Checkpoints are written whole or not at all: into `.NAME.next/` beside the target, then swapped
//! in by two renames (`NAME` -> `.NAME.prev`, `.NAME.next` -> `NAME`); `recover_checkpoints`
//! finishes a swap that a kill interrupted. Before a checkpoint the logs are flushed and their
//! lengths stored in `state.json` (`LogCursor`); `--resume` truncates `train.csv` and the event
//! file to them, so rows logged after the checkpoint are rewritten, not duplicated.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::tensorboard::Tensorboard;
use super::LearnError;
use crate::env::{EpisodeTally, StepInfo};
use crate::io::{atomic_write, create_dir_all, FileError};
use crate::sim::rng::SeedRange;

/// What a run records about where it came from (in `run.json` and `agent.yaml`): the learner
/// trains from a `MakeEnv` and never reads the agent or scenario files itself.
#[derive(Debug, Clone)]
pub struct RunMeta {
    /// The scenario's name.
    pub scenario: String,
    /// The agent's name (its file stem).
    pub agent: String,
    /// The agent file, as given.
    pub agent_file: PathBuf,
    /// The resolved agent (every default filled in) as YAML: written as `agent.yaml` in the run
    /// directory and in every checkpoint, so each describes itself.
    pub agent_yaml: String,
}

/// How to run one training.
#[derive(Debug, Clone, Default)]
pub struct TrainOptions {
    /// Environment steps to train for (all envs together); `None`: the agent's `total_steps`.
    pub steps: Option<u64>,
    /// Root seed of the run (envs, exploration, network initialisation).
    pub seed: u64,
    /// The run directory.
    pub out: PathBuf,
    /// Continue from `out/checkpoints/latest/`.
    pub resume: bool,
    /// Show a progress bar on a terminal.
    pub progress: bool,
    /// The seeds training episodes start from (a benchmark's train split): each episode's hashed
    /// seed picks one of them. `None`: any seed (the hashed seed itself).
    pub train_seeds: Option<SeedRange>,
    /// Seeds for the periodic greedy evaluation that selects `best/` (a validation split; the
    /// agent's `eval_episodes` first of them are used). `None`: the agent's
    /// `eval_seed..eval_seed + eval_episodes`.
    pub eval_seeds: Option<Vec<u64>>,
}

impl TrainOptions {
    /// The evaluation seeds: the first `episodes` of `eval_seeds` when set, else
    /// `eval_seed..eval_seed + episodes`.
    pub fn eval_seeds_or(&self, eval_seed: u64, episodes: u64) -> Vec<u64> {
        match &self.eval_seeds {
            Some(v) => v.iter().copied().take(episodes as usize).collect(),
            None => (eval_seed..eval_seed + episodes).collect(),
        }
    }
}

/// What a finished (or stopped) training did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainSummary {
    pub run_dir: PathBuf,
    pub steps: u64,
    pub wall_seconds: f64,
    /// Mean greedy return on the held-out seeds at the last evaluation.
    pub last_eval_return: Option<f64>,
    /// Stopped by Ctrl-C before `steps`.
    pub interrupted: bool,
}

/// Counters saved in every checkpoint as `state.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrainState {
    /// Agent kind (`q_learning`, `ppo`).
    pub kind: String,
    /// Env steps done.
    pub global_step: u64,
    /// Updates (PPO iterations; Q-learning: equals steps).
    pub iteration: u64,
    /// Episodes finished.
    pub episodes: u64,
    /// Wall seconds of training so far (summed over resumed segments).
    pub wall_seconds: f64,
    pub seed: u64,
    /// The best mean return of a periodic evaluation so far (what `best/` holds).
    #[serde(default)]
    pub best_eval_return: Option<f64>,
    /// Lengths of the logs when this checkpoint was taken (what `--resume` truncates them to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogCursor>,
    /// Where the training envs stood (learners that resume exactly: `learn::episodes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envs: Option<super::episodes::EnvCursor>,
}

/// Lengths of `train.csv` and of the TensorBoard event file at a checkpoint [bytes].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCursor {
    pub csv_bytes: u64,
    pub tb_bytes: u64,
}

/// A checkpoint directory of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `checkpoints/latest/`: every `checkpoint_every` steps and when training stops.
    Latest,
    /// `best/`: the best periodic evaluation so far.
    Best,
    /// `final/`: training finished.
    Final,
}

impl Slot {
    fn path(self, run_dir: &Path) -> PathBuf {
        match self {
            Slot::Latest => run_dir.join("checkpoints").join("latest"),
            Slot::Best => run_dir.join("best"),
            Slot::Final => run_dir.join("final"),
        }
    }
}

/// `.NAME.next` and `.NAME.prev` beside checkpoint directory `dir`.
fn swap_paths(dir: &Path) -> (PathBuf, PathBuf) {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (
        dir.with_file_name(format!(".{name}.next")),
        dir.with_file_name(format!(".{name}.prev")),
    )
}

fn remove_dir_if_any(dir: &Path) -> Result<(), FileError> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(FileError::at("removing", dir)(e))
        }
        _ => Ok(()),
    }
}

/// Writes checkpoint directory `dir` whole: `write` fills a fresh `.NAME.next/`, which then
/// replaces `dir` (see the module docs). A kill at any point leaves either the old or the new
/// checkpoint (after `recover_checkpoints`), never a mix.
pub fn save_dir_atomically(
    dir: &Path,
    write: impl FnOnce(&Path) -> Result<(), LearnError>,
) -> Result<(), LearnError> {
    let (next, prev) = swap_paths(dir);
    remove_dir_if_any(&next)?;
    remove_dir_if_any(&prev)?;
    create_dir_all(&next)?;
    write(&next)?;
    if dir.exists() {
        std::fs::rename(dir, &prev).map_err(FileError::at("renaming", dir))?;
    }
    std::fs::rename(&next, dir).map_err(FileError::at("renaming", &next))?;
    remove_dir_if_any(&prev)?;
    Ok(())
}

/// True when `dir` is (or is being written as) `checkpoints/latest/`: what a learner writes only
/// there (DQN's replay buffer) is decided by this.
pub fn is_latest(dir: &Path) -> bool {
    dir.file_name()
        .is_some_and(|n| n == "latest" || n == ".latest.next")
}

/// Finishes checkpoint swaps that a kill interrupted in run directory `run_dir` (idempotent):
/// `NAME` missing with both `.NAME.prev` and `.NAME.next` present means the new checkpoint was
/// complete; otherwise leftovers are removed.
pub fn recover_checkpoints(run_dir: &Path) -> Result<(), LearnError> {
    for slot in [Slot::Latest, Slot::Best, Slot::Final] {
        let dir = slot.path(run_dir);
        let (next, prev) = swap_paths(&dir);
        if !dir.exists() && next.is_dir() && prev.is_dir() {
            std::fs::rename(&next, &dir).map_err(FileError::at("renaming", &next))?;
        }
        remove_dir_if_any(&next)?;
        remove_dir_if_any(&prev)?;
    }
    Ok(())
}

impl TrainState {
    /// Records an evaluation's mean return; true when it is the best so far (save `best/`).
    pub fn improves(&mut self, eval_return: f64) -> bool {
        let better =
            eval_return.is_finite() && self.best_eval_return.is_none_or(|best| eval_return > best);
        if better {
            self.best_eval_return = Some(eval_return);
        }
        better
    }

    pub fn save(&self, dir: &Path) -> Result<(), LearnError> {
        Ok(atomic_write(
            &dir.join("state.json"),
            &serde_json::to_vec_pretty(self)?,
        )?)
    }

    pub fn load(dir: &Path) -> Result<TrainState, LearnError> {
        super::load_json(&dir.join("state.json"), "a training state")
    }
}

static STOP: AtomicBool = AtomicBool::new(false);
static HANDLER: OnceLock<bool> = OnceLock::new();

/// Installs the Ctrl-C handler (once per process): it sets the stop flag, and the training loop
/// checkpoints and returns at its next step.
pub fn install_ctrlc() {
    HANDLER.get_or_init(|| ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst)).is_ok());
}

/// True once Ctrl-C was pressed (or `request_stop` called).
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Asks running trainings to stop at their next step (what Ctrl-C does; for tests).
pub fn request_stop(stop: bool) {
    STOP.store(stop, Ordering::SeqCst);
}

/// Writes the run's scalars to TensorBoard and `train.csv` and drives the progress bar.
pub struct RunLog {
    pub dir: PathBuf,
    tb: Tensorboard,
    csv: csv::Writer<File>,
    bar: indicatif::ProgressBar,
    start: Instant,
    /// Wall seconds before this segment (resume).
    offset_s: f64,
    recent_return: Option<f64>,
}

impl RunLog {
    /// Creates (or, resuming, reopens) the run directory's logs and writes `agent.yaml` and
    /// `run.json`. Resuming from a checkpoint with a `LogCursor`, both logs are cut back to it.
    pub fn open(
        meta: &RunMeta,
        options: &TrainOptions,
        total_steps: u64,
        state: &TrainState,
    ) -> Result<RunLog, LearnError> {
        let dir = options.out.clone();
        std::fs::create_dir_all(dir.join("checkpoints"))
            .map_err(FileError::at("creating", &dir))?;
        atomic_write(&dir.join("agent.yaml"), meta.agent_yaml.as_bytes())?;
        let run = serde_json::json!({
            "scenario": meta.scenario,
            "scenario_file": meta.scenario,
            "agent": meta.agent,
            "agent_file": meta.agent_file,
            "seed": options.seed,
            "total_steps": total_steps,
            "resumed_from_step": state.global_step,
        });
        let run_file = if options.resume {
            "run_resume.json"
        } else {
            "run.json"
        };
        atomic_write(&dir.join(run_file), &serde_json::to_vec_pretty(&run)?)?;
        let csv_path = dir.join("train.csv");
        let append = options.resume && csv_path.is_file();
        let cursor = state.log.filter(|_| options.resume);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(append)
            .write(true)
            .truncate(!append)
            .open(&csv_path)
            .map_err(FileError::at("opening", &csv_path))?;
        if let (true, Some(c)) = (append, cursor) {
            file.set_len(c.csv_bytes)
                .map_err(FileError::at("truncating", &csv_path))?;
        }
        let mut csv = csv::Writer::from_writer(file);
        if !append {
            csv.write_record(["step", "wall_s", "tag", "value"])
                .map_err(|source| LearnError::Csv {
                    path: csv_path.clone(),
                    source,
                })?;
        }
        let tb_dir = dir.join("tb");
        let tb_keep = match (options.resume, cursor) {
            (true, Some(c)) => Some(c.tb_bytes),
            // A checkpoint from before log cursors: append to whatever is there.
            (true, None) => std::fs::metadata(tb_dir.join(super::tensorboard::EVENTS_FILE))
                .map(|m| m.len())
                .ok(),
            (false, _) => None,
        };
        let tb = Tensorboard::open(&tb_dir, tb_keep).map_err(FileError::at("creating", &tb_dir))?;
        let bar = if options.progress {
            crate::io::progress_bar(total_steps, "steps")
        } else {
            indicatif::ProgressBar::hidden()
        };
        if options.progress {
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} steps {per_sec} ({eta} left) {msg}",
                )
                .expect("static template is valid"),
            );
        }
        bar.set_position(state.global_step);
        Ok(RunLog {
            dir,
            tb,
            csv,
            bar,
            start: Instant::now(),
            offset_s: state.wall_seconds,
            recent_return: None,
        })
    }

    /// Wall seconds of the whole run so far.
    pub fn wall_seconds(&self) -> f64 {
        self.offset_s + self.start.elapsed().as_secs_f64()
    }

    /// Logs `tag = value` at `step` to TensorBoard and `train.csv`.
    pub fn scalar(&mut self, tag: &str, value: f64, step: u64) {
        self.tb.scalar(tag, value, step);
        let wall = format!("{:.3}", self.wall_seconds());
        // A failed CSV write must not kill a long training: the TensorBoard copy remains.
        let _ =
            self.csv
                .write_record([step.to_string(), wall, tag.to_string(), format!("{value}")]);
        if tag == "charts/episodic_return" {
            self.recent_return = Some(match self.recent_return {
                Some(r) => 0.9 * r + 0.1 * value,
                None => value,
            });
        }
    }

    /// Moves the progress bar to `step` (message: recent return).
    pub fn progress(&mut self, step: u64) {
        self.bar.set_position(step);
        if let Some(r) = self.recent_return {
            self.bar.set_message(format!("return {r:.1}"));
        }
    }

    pub fn flush(&mut self) {
        let _ = self.tb.flush();
        let _ = self.csv.flush();
    }

    /// Flushes both logs and returns their lengths.
    pub fn cursor(&mut self) -> Result<LogCursor, LearnError> {
        let csv_path = self.dir.join("train.csv");
        self.csv
            .flush()
            .map_err(FileError::at("writing", &csv_path))?;
        self.tb
            .flush()
            .map_err(FileError::at("writing", self.tb.path()))?;
        let csv_bytes = std::fs::metadata(&csv_path)
            .map_err(FileError::at("reading", &csv_path))?
            .len();
        Ok(LogCursor {
            csv_bytes,
            tb_bytes: self.tb.len(),
        })
    }

    pub fn finish(&mut self) {
        self.flush();
        self.bar.finish_and_clear();
    }

    /// Writes checkpoint `slot` whole (`save_dir_atomically`): stamps `state` with the wall time
    /// and the flushed logs' lengths, then `write(dir, state)` fills the directory.
    pub fn save(
        &mut self,
        slot: Slot,
        state: &mut TrainState,
        write: impl FnOnce(&Path, &TrainState) -> Result<(), LearnError>,
    ) -> Result<(), LearnError> {
        state.wall_seconds = self.wall_seconds();
        state.log = Some(self.cursor()?);
        let state = &*state;
        save_dir_atomically(&slot.path(&self.dir), |d| write(d, state))
    }
}

/// Ends a training run: saves the last state to `checkpoints/latest/` and, when all `total` steps
/// were done, to `final/`, then closes the log. `save(dir, state)` writes one checkpoint.
pub fn finish_run(
    log: &mut RunLog,
    state: &mut TrainState,
    total: u64,
    options: &TrainOptions,
    last_eval_return: Option<f64>,
    mut save: impl FnMut(&Path, &TrainState) -> Result<(), LearnError>,
) -> Result<TrainSummary, LearnError> {
    let interrupted = state.global_step < total;
    log.save(Slot::Latest, state, &mut save)?;
    if !interrupted {
        log.save(Slot::Final, state, &mut save)?;
    }
    log.finish();
    Ok(TrainSummary {
        run_dir: options.out.clone(),
        steps: state.global_step,
        wall_seconds: state.wall_seconds,
        last_eval_return,
        interrupted,
    })
}

/// True when the step count went past a multiple of `every` on the last stride of `stride` steps:
/// evaluations and checkpoints fall on fixed multiples of their periods whether or not the run
/// was resumed (the same steps as counting up from the start).
pub fn crossed(step: u64, stride: u64, every: u64) -> bool {
    let every = every.max(1);
    step / every > step.saturating_sub(stride) / every
}

/// Writes the resolved agent into a checkpoint directory, so it describes itself.
pub fn save_agent(dir: &Path, meta: &RunMeta) -> Result<(), FileError> {
    atomic_write(&dir.join("agent.yaml"), meta.agent_yaml.as_bytes())
}

/// Adds one env's step (`info`: what `VecStep::outcome` gives) to its episode `tally`; when the
/// episode ended, counts it, logs its `charts/*` and starts a new tally.
pub fn record_step(
    log: &mut RunLog,
    state: &mut TrainState,
    tally: &mut EpisodeTally,
    reward: f64,
    info: &StepInfo,
    done: bool,
) {
    tally.add(reward, info);
    if done {
        state.episodes += 1;
        let ep = std::mem::take(tally);
        log_episode(log, &ep, state.global_step);
    }
}

/// Logs one finished episode's `charts/*`.
fn log_episode(log: &mut RunLog, ep: &EpisodeTally, step: u64) {
    log.scalar("charts/episodic_return", ep.episode_return, step);
    log.scalar("charts/episodic_length", ep.steps as f64, step);
    log.scalar("charts/cost", ep.cost, step);
    log.scalar("charts/revenue_lost", ep.revenue_lost, step);
    log.scalar(
        "charts/slo_violations",
        ep.slo_violation_intervals as f64,
        step,
    );
}
