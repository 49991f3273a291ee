//! Capacity plans of the report: per scenario × agent, the instances an engineer would reserve
//! for the event (each pool's peak over the episodes, in real instances whatever the run's
//! `scale`) and what the instances cost per 1,000 completed orders; and the per-run plan columns
//! of `runs.csv`. The arithmetic is `evaluate::plan`'s, shared with `shopgym stress`.

use std::fmt::Write as _;

use super::runs::{metric, orders_completed, peak_instances, RunRecord};
use super::ExperimentError;
use crate::evaluate::plan::{self, ORDER_CLASS};
use crate::scenario::Scenario;

/// The plan columns `runs.csv` adds after `p99_ms`.
pub const RUNS_CSV_COLUMNS: [&str; 4] = [
    "orders_completed",
    "cost_per_1000_orders",
    "peak_instances",
    "peak_instances_real",
];

/// The `RUNS_CSV_COLUMNS` cells of one run on `scenario`: completed orders, instance cost per
/// 1,000 of them [$] (empty without orders), and the peak active instances per pool as
/// `pool=n;...`, at the run's scale and in real instances (empty when stored without them).
pub fn runs_csv_cells(scenario: &Scenario, rec: &RunRecord) -> [String; 4] {
    let orders = orders_completed(rec);
    let cost = plan::cost_per_1000_orders(metric(rec, "cost"), orders)
        .map_or(String::new(), |c| format!("{c}"));
    let names = pool_names(scenario);
    let listed = |counts: &[u32]| {
        names
            .iter()
            .zip(counts)
            .map(|(p, n)| format!("{p}={n}"))
            .collect::<Vec<_>>()
            .join(";")
    };
    let (peak, real) = match peak_instances(rec, &names) {
        Some(peak) => (
            listed(&peak),
            listed(&plan::real_plan(&peak, scenario.spec.scale)),
        ),
        None => (String::new(), String::new()),
    };
    [orders.to_string(), cost, peak, real]
}

/// Writes the capacity-plan table of `scenario`: one row per `(agent, runs)`, its runs being the
/// episodes the scenario's main table states (a learner's training runs pooled).
pub fn write_plan_table(
    md: &mut String,
    scenario: &Scenario,
    rows: &[(String, Vec<RunRecord>)],
) -> Result<(), ExperimentError> {
    let names = pool_names(scenario);
    let scale = scenario.spec.scale;
    let orders = if scenario.sim.class_index(ORDER_CLASS).is_some() {
        format!("class `{ORDER_CLASS}`")
    } else {
        format!("every class: the scenario has no `{ORDER_CLASS}` class")
    };
    let scaled = if scale == 1.0 {
        "the scenario runs at scale 1: simulated counts are real".to_string()
    } else {
        format!("the scenario runs at scale {scale}: simulated counts ÷ {scale}, rounded")
    };
    writeln!(
        md,
        "Capacity plan in real instances ({scaled}). Per pool, the peak active instances of an episode (running + \
         provisioning, at the end of each decision interval): the largest over the n episodes, \
         the mean peak in parentheses. $ / 1,000 orders: the instance cost of the n episodes \
         over the orders they completed ({orders}), × 1000 (both shrink with the scale, so \
         the ratio does not).\n"
    )?;
    writeln!(
        md,
        "| agent | n | {} | $ / 1,000 orders |\n|---|---|{}---|",
        names
            .iter()
            .map(|p| format!("{p}: max (mean)"))
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(names.len())
    )?;
    for (agent, runs) in rows {
        let peaks: Option<Vec<Vec<u32>>> = runs.iter().map(|r| peak_instances(r, &names)).collect();
        let cells: Vec<String> = match peaks {
            Some(peaks) if !peaks.is_empty() => (0..names.len())
                .map(|p| {
                    let max = peaks.iter().map(|k| k[p]).max().unwrap_or(0);
                    let mean =
                        peaks.iter().map(|k| f64::from(k[p])).sum::<f64>() / peaks.len() as f64;
                    format!(
                        "{} ({})",
                        plan::real_instances(f64::from(max), scale),
                        plan::real_instances(mean, scale)
                    )
                })
                .collect(),
            _ => vec!["n/a".to_string(); names.len()],
        };
        let cost: f64 = runs.iter().map(|r| metric(r, "cost")).sum();
        let completed: u64 = runs.iter().map(orders_completed).sum();
        let per_1000 = plan::cost_per_1000_orders(cost, completed).map_or("n/a".into(), |c| {
            if c >= 1.0 {
                format!("{c:.2}")
            } else {
                format!("{c:.4}")
            }
        });
        writeln!(
            md,
            "| {agent} | {} | {} | {per_1000} |",
            runs.len(),
            cells.join(" | ")
        )?;
    }
    writeln!(md)?;
    Ok(())
}

fn pool_names(scenario: &Scenario) -> Vec<&str> {
    scenario.sim.pools.iter().map(|p| p.name.as_str()).collect()
}
