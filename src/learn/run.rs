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

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::tensorboard::Tensorboard;
use crate::agents::Agent;
use crate::cli::output::atomic_write;
use crate::scenario::Scenario;

/// How to run one training.
#[derive(Debug, Clone)]
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

    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        atomic_write(&dir.join("state.json"), &serde_json::to_vec_pretty(self)?)
    }

    pub fn load(dir: &Path) -> anyhow::Result<TrainState> {
        let p = dir.join("state.json");
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))
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
    /// Creates (or, resuming, reopens for appending) the run directory's logs and writes
    /// `agent.yaml` and `run.json`.
    pub fn open(
        scenario: &Scenario,
        agent: &Agent,
        options: &TrainOptions,
        total_steps: u64,
        state: &TrainState,
    ) -> anyhow::Result<RunLog> {
        let dir = options.out.clone();
        std::fs::create_dir_all(dir.join("checkpoints"))
            .with_context(|| format!("creating {}", dir.display()))?;
        let yaml = serde_yaml::to_string(&agent.spec)?;
        atomic_write(&dir.join("agent.yaml"), yaml.as_bytes())?;
        let run = serde_json::json!({
            "scenario": scenario.name(),
            "scenario_file": scenario_path(scenario),
            "agent": agent.name,
            "agent_file": agent.path,
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
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(append)
            .write(true)
            .truncate(!append)
            .open(&csv_path)
            .with_context(|| format!("opening {}", csv_path.display()))?;
        let mut csv = csv::Writer::from_writer(file);
        if !append {
            csv.write_record(["step", "wall_s", "tag", "value"])?;
        }
        let tb = Tensorboard::new(&dir.join("tb"))
            .with_context(|| format!("creating {}/tb", dir.display()))?;
        let bar = if options.progress {
            crate::cli::output::progress_bar(total_steps, "steps")
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
        self.tb.flush();
        let _ = self.csv.flush();
    }

    pub fn finish(&mut self) {
        self.flush();
        self.bar.finish_and_clear();
    }

    /// `RUN_DIR/checkpoints/latest/` (created).
    pub fn latest_dir(&self) -> anyhow::Result<PathBuf> {
        let d = self.dir.join("checkpoints").join("latest");
        std::fs::create_dir_all(&d)?;
        Ok(d)
    }

    /// `RUN_DIR/best/` (created).
    pub fn best_dir(&self) -> anyhow::Result<PathBuf> {
        let d = self.dir.join("best");
        std::fs::create_dir_all(&d)?;
        Ok(d)
    }

    /// `RUN_DIR/final/` (created).
    pub fn final_dir(&self) -> anyhow::Result<PathBuf> {
        let d = self.dir.join("final");
        std::fs::create_dir_all(&d)?;
        Ok(d)
    }
}

fn scenario_path(scenario: &Scenario) -> String {
    scenario.name().to_string()
}

/// Ends a training run: saves the last state to `checkpoints/latest/` and, when all `total` steps
/// were done, to `final/`, then closes the log. `save(dir, state)` writes one checkpoint.
pub fn finish_run(
    log: &mut RunLog,
    state: &mut TrainState,
    total: u64,
    options: &TrainOptions,
    last_eval_return: Option<f64>,
    mut save: impl FnMut(&Path, &TrainState) -> anyhow::Result<()>,
) -> anyhow::Result<TrainSummary> {
    state.wall_seconds = log.wall_seconds();
    let interrupted = state.global_step < total;
    save(&log.latest_dir()?, state)?;
    if !interrupted {
        save(&log.final_dir()?, state)?;
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

/// Writes the resolved agent into a checkpoint directory, so it describes itself.
pub fn save_agent(dir: &Path, agent: &Agent) -> anyhow::Result<()> {
    atomic_write(
        &dir.join("agent.yaml"),
        serde_yaml::to_string(&agent.spec)?.as_bytes(),
    )
}

/// Adds one env's step (`info`: what `VecStep::outcome` gives) to its episode `totals`; when the
/// episode ended, counts it and logs its `charts/*`, and starts new totals.
pub fn record_step(
    log: &mut RunLog,
    state: &mut TrainState,
    totals: &mut EpisodeTotals,
    reward: f64,
    info: &crate::env::StepInfo,
    done: bool,
) {
    totals.add(reward, info);
    if done {
        state.episodes += 1;
        let ep = std::mem::take(totals);
        log_episode(log, &ep, state.global_step);
    }
}

/// Logs one finished episode's `charts/*` from its `EpisodeStats` (set by `EpisodeStatistics`).
fn log_episode(log: &mut RunLog, ep: &EpisodeTotals, step: u64) {
    log.scalar("charts/episodic_return", ep.ret, step);
    log.scalar("charts/episodic_length", ep.len as f64, step);
    log.scalar("charts/cost", ep.cost, step);
    log.scalar("charts/revenue_lost", ep.revenue_lost, step);
    log.scalar("charts/slo_violations", ep.slo_violations as f64, step);
}

/// Totals of one episode, accumulated by the training loop per env (in the scenario's reward
/// units, before any learner-side reward scaling).
#[derive(Debug, Clone, Default)]
pub struct EpisodeTotals {
    pub ret: f64,
    pub len: u64,
    pub cost: f64,
    pub revenue_lost: f64,
    pub slo_violations: u64,
}

impl EpisodeTotals {
    /// Adds one step (`info` of that step: for a `SameStep` autoreset, its `final_info`).
    pub fn add(&mut self, reward: f64, info: &crate::env::StepInfo) {
        self.ret += reward;
        self.len += 1;
        if let Some(s) = &info.stats {
            self.cost += s.cost;
            self.revenue_lost += s.revenue_lost;
        }
        self.slo_violations += u64::from(info.slo_violations);
    }
}
