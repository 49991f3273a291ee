//! Experiment files (`experiments/*.yaml`): a grid of scenarios × agents × seeds with per-agent
//! training budgets. Paths are relative to the experiment file.

use serde::{Deserialize, Serialize};

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
    /// Held-out evaluation seeds.
    pub seeds: SeedSpec,
    /// The `--full` budget: more seeds and the agents' `full_train_steps`.
    #[serde(default)]
    pub full: Option<FullSpec>,
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
    /// Evaluation seeds with `--full`.
    pub seeds: u64,
}
