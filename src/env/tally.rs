//! `EpisodeTally`: the one running total of an episode, built step by step from what `step`
//! returns. The same type is the `EpisodeStatistics` wrapper's `info.episode`, what
//! `policy::run_episode` returns, what training logs as `charts/*` and `eval/*`, and the step
//! side of an evaluation's `EpisodeMetrics`.

use serde::Serialize;

use super::{RewardTerms, Step, StepInfo};

/// Totals of one episode so far (in the scenario's reward units: learners scale rewards on their
/// own side).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EpisodeTally {
    /// Σ reward.
    #[serde(rename = "return")]
    pub episode_return: f64,
    /// Steps taken.
    pub steps: u64,
    /// Σ reward terms (their sum is the return, up to rounding).
    pub reward_terms: RewardTerms,
    /// Σ instance cost of the intervals [$].
    pub cost: f64,
    /// Σ revenue lost to failed requests over the intervals [$].
    pub revenue_lost: f64,
    /// Σ over intervals of the classes violating their SLO [class-intervals].
    pub slo_violation_intervals: u64,
    /// Minutes of intervals in which any class violated its SLO [min].
    pub slo_violation_minutes: f64,
    /// (step, pool) pairs whose instance target changed.
    pub scaling_actions: u64,
    /// Steps whose action was clipped (to a pool's `[min, max]` or the budget).
    pub clipped_steps: u64,
    /// The episode ended by the task's own end condition.
    pub terminated: bool,
    /// The episode was cut by the horizon or a time limit.
    pub truncated: bool,
}

impl EpisodeTally {
    /// Adds one step with reward `reward` and its `info` (for a `SameStep` autoreset, the ended
    /// episode's `final_info`). `terminated`/`truncated` are set by `end`.
    pub fn add(&mut self, reward: f64, info: &StepInfo) {
        self.episode_return += reward;
        self.steps += 1;
        self.reward_terms.add(&info.reward_terms);
        if let Some(s) = &info.stats {
            self.cost += s.cost;
            self.revenue_lost += s.revenue_lost;
            if s.classes.iter().any(|c| c.slo_violated) {
                self.slo_violation_minutes += (s.end_s - s.start_s) / 60.0;
            }
        }
        self.slo_violation_intervals += u64::from(info.slo_violations);
        self.clipped_steps += u64::from(info.clipped);
        self.scaling_actions += info.scaling.iter().filter(|o| o.target != o.before).count() as u64;
    }

    /// Adds `step` (its own info) and records how it ended; true when the episode is over.
    pub fn add_step(&mut self, step: &Step) -> bool {
        self.add(step.reward, &step.info);
        self.end(step.terminated, step.truncated)
    }

    /// Records the end flags of the last step added; true when either is set.
    pub fn end(&mut self, terminated: bool, truncated: bool) -> bool {
        self.terminated = terminated;
        self.truncated = truncated;
        terminated || truncated
    }
}
