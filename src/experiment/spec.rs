//! Experiment files (`experiments/*.yaml`): a grid of scenarios × agents × seeds with per-agent
//! training budgets. Paths are relative to the experiment file.
//!
//! Two protocols. With `seeds`, every scenario is evaluated on those seeds and learners train on
//! hashed seeds (the first benchmark). With `splits`, each scenario (a family) has disjoint
//! `train`, `validation` and `test` seed ranges: learners train on train draws only, select
//! `best/` on validation draws, and every agent is evaluated on the test draws; `ood` scenarios
//! are evaluated only, with the learners trained on a named family.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::sim::rng::SeedRange;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Scenario files.
    pub scenarios: Vec<String>,
    pub agents: Vec<AgentEntry>,
    /// Agent (by name: its file stem) that paired differences are taken against.
    pub reference: String,
    /// Held-out evaluation seeds (the protocol without splits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<SeedSpec>,
    /// Train / validation / test seed ranges of every scenario (the protocol with splits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splits: Option<Splits>,
    /// Scenario name -> its own splits, replacing `splits` for that scenario.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scenario_splits: BTreeMap<String, Splits>,
    /// Out-of-distribution sets: evaluated only, never trained or tuned on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ood: Vec<OodEntry>,
    /// The `--full` budget: more seeds and the agents' `full_train_steps`.
    #[serde(default)]
    pub full: Option<FullSpec>,
}

/// Disjoint seed ranges of one family.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Splits {
    /// Learners' training episodes are drawn from these seeds.
    pub train: SeedRange,
    /// Model selection (`best/`) and tuning.
    pub validation: SeedRange,
    /// Reported results (`full.seeds` replaces its count under `--full`).
    pub test: SeedRange,
}

/// An out-of-distribution set: a scenario (a trace replay or a family of another shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OodEntry {
    /// Scenario file.
    pub file: String,
    /// The scenario (by name) whose trained learners and fitted forecast run here.
    pub trained_on: String,
    /// Evaluation seeds.
    pub seeds: SeedRange,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    /// Agent file.
    pub file: String,
    /// Training steps (learners) in the default budget.
    #[serde(default)]
    pub train_steps: Option<u64>,
    /// Training steps with `--full`.
    #[serde(default)]
    pub full_train_steps: Option<u64>,
    /// A trained run directory to reuse instead of training (relative to the experiment file;
    /// `{scenario}` is replaced by the scenario's name).
    #[serde(default)]
    pub checkpoint: Option<String>,
    /// Names of the scenarios this agent runs on. Default: all.
    #[serde(default)]
    pub scenarios: Option<Vec<String>>,
    /// Training runs of a learner (seeds 0, 1, ...; run k >= 1 is reported as `<name>.t<k>` in
    /// `runs/` and pooled with the others, stratified by run, in the report). Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_runs: Option<u64>,
    /// Training runs with `--full`. Default: `training_runs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_training_runs: Option<u64>,
    /// The agent's name in the experiment. Default: the file's stem (two entries of one file
    /// need names of their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A learner trained on this scenario file instead of the one it runs on (with its own
    /// protocol: hashed seeds, the agent's own evaluation seeds), e.g. the memorisation control:
    /// a learner trained on one fixed scenario, evaluated on a family's test draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSpec {
    /// First evaluation seed. Default 1000 (training uses seeds below it).
    #[serde(default = "default_start")]
    pub start: u64,
    pub count: u64,
}

fn default_start() -> u64 {
    1000
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullSpec {
    /// Evaluation seeds (test draws with `splits`) with `--full`.
    pub seeds: u64,
}
