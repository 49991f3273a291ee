//! Tables of an experiment: `runs.csv` (one row per scenario × agent × seed), `summary.csv`
//! (mean and 95 % CI per scenario × agent × metric) and `report.md` (per scenario, the means with
//! intervals and the paired differences against the reference agent, the capacity plans in real
//! instances (`capacity`), plus links to the plots).

use std::fmt::Write as _;
use std::path::Path;

use crate::io::FileError;

use super::capacity::{runs_csv_cells, write_plan_table, RUNS_CSV_COLUMNS};
use super::plots::plot_files;
use super::runs::{load_runs, load_training_runs, metric};
use super::{Experiment, ExperimentError, Role};
use crate::evaluate::mean_ci;
use crate::evaluate::stats::{
    difference_of_means, iqm_estimate, mean_estimate, paired_bootstrap_ci,
    probability_of_improvement_ci, Estimate,
};

/// Metrics reported, with their column titles.
const REPORTED: [(&str, &str); 7] = [
    ("return", "return"),
    ("cost", "cost $"),
    ("revenue_lost", "lost revenue $"),
    ("slo_violation_minutes", "SLO-violation min"),
    ("error_rate", "error rate"),
    ("scaling_actions", "scaling actions"),
    ("slo_violation_intervals", "violating class-intervals"),
];

fn fmt_ci(xs: &[f64]) -> String {
    let m = mean_ci(xs);
    let digits = if m.mean.abs() >= 100.0 {
        0
    } else if m.mean.abs() >= 1.0 {
        2
    } else {
        4
    };
    if m.ci95[0].is_nan() {
        return format!("{:.*} [n/a]", digits, m.mean);
    }
    format!(
        "{:.*} [{:.*}, {:.*}]",
        digits, m.mean, digits, m.ci95[0], digits, m.ci95[1]
    )
}

/// Decimals for a figure of this size.
fn digits(x: f64) -> usize {
    if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 1.0 {
        2
    } else {
        4
    }
}

/// `point [lo, hi]`, or `point [n/a]` without an interval.
fn fmt_est(e: &Estimate) -> String {
    let d = digits(e.point);
    match e.ci95 {
        Some([lo, hi]) => format!("{:.*} [{:.*}, {:.*}]", d, e.point, d, lo, d, hi),
        None => format!("{:.*} [n/a]", d, e.point),
    }
}

/// Bootstrap repetitions of the split protocol's intervals.
const REPS: usize = 2000;

/// The tables of one scenario under the split protocol: per agent the mean and IQM of the return
/// with stratified-bootstrap intervals, cost, lost revenue and SLO-violation minutes, and the
/// probability of improvement over the reference; paired differences against the reference with
/// the share of the reference -> `dp_oracle` gap closed; the generalisation gap of learners; the
/// agents no other beats on both cost and SLO-violation minutes. Strata are the training runs
/// (one per learner here); every table states n.
fn write_split_tables(
    md: &mut String,
    exp: &Experiment,
    out: &Path,
    si: usize,
    full: bool,
) -> Result<(), ExperimentError> {
    let s = &exp.scenarios[si];
    let seeds = exp.eval_seeds(si, full);
    let seed = crate::sim::rng::child_seed(0x5eed, s.name(), 0);
    let reference = load_runs(out, s.name(), &exp.spec.reference, &seeds)?;
    let col = |runs: &[super::runs::RunRecord], key: &str| -> Vec<f64> {
        runs.iter().map(|r| metric(r, key)).collect()
    };
    let ref_return = col(&reference, "return");
    let oracle = exp
        .agents
        .iter()
        .position(|(a, _)| a.name == "dp_oracle")
        .filter(|&ai| exp.runs_on(ai, si))
        .map(|_| load_runs(out, s.name(), "dp_oracle", &seeds))
        .transpose()?;
    writeln!(
        md,
        "{} draws per agent; a learner's n is its training runs × draws, its training runs the \
         strata of the intervals (stratified bootstrap, {REPS} repetitions, 95 %). P(> {}) is the \
         probability that the agent's return on a draw beats the reference's on a draw (rliable's \
         probability of improvement).\n",
        seeds.len(),
        exp.spec.reference
    )?;
    writeln!(
        md,
        "| agent | n | return | IQM return | cost $ | lost revenue $ | SLO-violation min | P(> {}) |\n|---|---|---|---|---|---|---|---|",
        exp.spec.reference
    )?;
    let mut paired = String::new();
    let mut points = Vec::new();
    let mut plans = Vec::new();
    for (ai, (a, _)) in exp.agents.iter().enumerate() {
        if !exp.runs_on(ai, si) {
            continue;
        }
        // One stratum per training run.
        let by_run = load_training_runs(exp, out, si, ai, &seeds, full)?;
        plans.push((a.name.clone(), by_run.concat()));
        let strata_of =
            |key: &str| -> Vec<Vec<f64>> { by_run.iter().map(|r| col(r, key)).collect() };
        let strata = &strata_of("return");
        let ret: Vec<f64> = strata.concat();
        let est = |key: &str| mean_estimate(&strata_of(key), REPS, seed);
        let poi = probability_of_improvement_ci(
            std::slice::from_ref(&ret),
            std::slice::from_ref(&ref_return),
            REPS,
            seed,
        );
        let (cost, slo) = (est("cost"), est("slo_violation_minutes"));
        points.push((a.name.clone(), cost.point, slo.point));
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            a.name,
            ret.len(),
            fmt_est(&mean_estimate(strata, REPS, seed)),
            fmt_est(&iqm_estimate(strata, REPS, seed)),
            fmt_est(&cost),
            fmt_est(&est("revenue_lost")),
            fmt_est(&slo),
            if a.name == exp.spec.reference {
                "-".into()
            } else {
                fmt_est(&poi)
            }
        )?;
        if a.name == exp.spec.reference {
            continue;
        }
        let diff = |key: &str| {
            let d: Vec<Vec<f64>> = by_run
                .iter()
                .map(|r| paired_diffs(r, &reference, key))
                .collect();
            paired_bootstrap_ci(&d, REPS, seed)
        };
        let (dr, ds) = (diff("return"), diff("slo_violation_minutes"));
        let closed = oracle.as_ref().map_or("-".to_string(), |o| {
            let gap = mean_ci(&col(o, "return")).mean - mean_ci(&ref_return).mean;
            if gap > 0.0 {
                format!("{:.0} %", 100.0 * dr.point / gap)
            } else {
                "n/a (no gap)".into()
            }
        });
        writeln!(
            paired,
            "| {} | {} | {} | {} | {} | {closed} |",
            a.name,
            ret.len(),
            fmt_est(&dr),
            if dr.ci_above(0.0) { "yes" } else { "no" },
            fmt_est(&ds),
        )?;
    }
    writeln!(
        md,
        "\nPaired differences against `{}` on the same draws (positive Δ return = better; \
         \"above 0\": the whole 95 % interval is; \"gap closed\": Δ return as a share of the \
         {} -> dp_oracle gap):\n",
        exp.spec.reference, exp.spec.reference
    )?;
    writeln!(
        md,
        "| agent | n | Δ return | above 0 | Δ SLO-violation min | gap closed |\n|---|---|---|---|---|---|"
    )?;
    md.push_str(&paired);
    let keep = super::plots::non_dominated(&points.iter().map(|p| (p.1, p.2)).collect::<Vec<_>>());
    let front: Vec<&str> = points
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| p.0.as_str())
        .collect();
    writeln!(
        md,
        "\nNot dominated on (mean cost, mean SLO-violation minutes): {}.\n",
        front.join(", ")
    )?;
    write_plan_table(md, s, &plans)?;
    let gap_seeds = exp.gap_seeds(si, full);
    if gap_seeds.is_empty() {
        return Ok(());
    }
    let mut rows = String::new();
    for (ai, (a, _)) in exp.agents.iter().enumerate() {
        if !a.spec.is_learner() || !exp.runs_on(ai, si) {
            continue;
        }
        let pooled = |seeds: &[u64]| -> Result<Vec<f64>, ExperimentError> {
            Ok(load_training_runs(exp, out, si, ai, seeds, full)?
                .iter()
                .flat_map(|r| col(r, "return"))
                .collect())
        };
        let (train, test) = (pooled(&gap_seeds)?, pooled(&seeds)?);
        let gap = difference_of_means(&train, &test, REPS, seed);
        writeln!(
            rows,
            "| {} | {} / {} | {} | {} | {} |",
            a.name,
            train.len(),
            test.len(),
            fmt_est(&mean_estimate(&[train], REPS, seed)),
            fmt_est(&mean_estimate(&[test], REPS, seed)),
            fmt_est(&gap)
        )?;
    }
    if !rows.is_empty() {
        writeln!(
            md,
            "Generalisation gap of the learners: return on training draws (seeds {}..={}) minus \
             return on the test draws (bootstrap interval of the difference of means):\n",
            gap_seeds[0],
            gap_seeds[gap_seeds.len() - 1]
        )?;
        writeln!(
            md,
            "| agent | n train / test | training-draw return | test-draw return | gap |\n|---|---|---|---|---|"
        )?;
        md.push_str(&rows);
        writeln!(md)?;
    }
    Ok(())
}

pub fn write_all(exp: &Experiment, out: &Path, full: bool) -> Result<(), ExperimentError> {
    let mut runs_csv = csv::Writer::from_path(out.join("runs.csv.tmp"))?;
    let mut summary_csv = csv::Writer::from_path(out.join("summary.csv.tmp"))?;
    let mut md = String::new();
    writeln!(md, "# {}\n", exp.spec.name)?;
    if !exp.spec.description.is_empty() {
        writeln!(md, "{}\n", exp.spec.description)?;
    }
    if exp.spec.splits.is_none() {
        let seeds = exp.eval_seeds(0, full);
        writeln!(
            md,
            "Evaluation seeds {}..{} ({} episodes per agent and scenario; common random numbers across agents). \
             Means with 95 % confidence intervals; paired differences are agent − {} on the same seeds.\n",
            seeds.first().copied().unwrap_or(0),
            seeds.last().copied().unwrap_or(0),
            seeds.len(),
            exp.spec.reference
        )?;
        let pooled: Vec<String> = (0..exp.agents.len())
            .filter(|&ai| exp.training_runs(ai, full) > 1)
            .map(|ai| {
                format!(
                    "{} ({} runs)",
                    exp.agents[ai].0.name,
                    exp.training_runs(ai, full)
                )
            })
            .collect();
        if !pooled.is_empty() {
            writeln!(
                md,
                "Learners trained more than once pool the episodes of all their training runs \
                 (n = runs × episodes; `runs.csv` names run k >= 1 `<agent>.t<k>`): {}.\n",
                pooled.join(", ")
            )?;
        }
    } else {
        write_protocol(&mut md, exp, full)?;
    }
    summary_csv.write_record(["scenario", "agent", "metric", "mean", "ci_low", "ci_high"])?;
    let mut header_written = false;
    for (si, s) in exp.scenarios.iter().enumerate() {
        let seeds = &exp.eval_seeds(si, full);
        let classes: Vec<String> = s.sim.classes.iter().map(|c| c.name.clone()).collect();
        let mut names: Vec<(String, String)> = REPORTED
            .iter()
            .map(|(k, t)| (k.to_string(), t.to_string()))
            .collect();
        names.extend(
            classes
                .iter()
                .map(|c| (format!("p99_ms.{c}"), format!("p99 {c} ms"))),
        );
        if !header_written {
            let mut h = vec!["scenario".to_string(), "agent".into(), "seed".into()];
            h.extend(REPORTED.iter().map(|(k, _)| k.to_string()));
            h.push("p99_ms".into());
            h.extend(RUNS_CSV_COLUMNS.iter().map(|c| c.to_string()));
            runs_csv.write_record(&h)?;
            header_written = true;
        }
        writeln!(md, "## {}\n", s.name())?;
        if !s.spec.description.is_empty() {
            writeln!(md, "{}\n", s.spec.description)?;
        }
        // Under splits the plain tables below still fill runs.csv and summary.csv, but the
        // report shows the split protocol's tables instead (`mark` is where they go).
        let mark = md.len();
        let mut split_md = String::new();
        if exp.spec.splits.is_some() {
            let what = match exp.roles[si] {
                Role::Ood { trained_on, .. } => format!(
                    "out-of-distribution set (learners and fitted forecasts from `{}`)",
                    exp.scenarios[trained_on].name()
                ),
                _ => "test draws".to_string(),
            };
            writeln!(
                split_md,
                "{what}: seeds {}..={}, n = {} episodes per agent.\n",
                seeds[0],
                seeds[seeds.len() - 1],
                seeds.len()
            )?;
            write_split_tables(&mut split_md, exp, out, si, full)?;
        }
        writeln!(
            md,
            "| agent | {} |",
            names
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        )?;
        writeln!(md, "|---|{}", "---|".repeat(names.len()))?;
        let reference = load_runs(out, s.name(), &exp.spec.reference, seeds)?;
        let mut paired_rows = String::new();
        let mut plans = Vec::new();
        for (ai, (a, _)) in exp.agents.iter().enumerate() {
            if !exp.runs_on(ai, si) {
                continue;
            }
            // Every training run of a learner: its rows in runs.csv under the run's own name,
            // its episodes pooled in the means and paired with the reference's on their draws.
            let by_run = load_training_runs(exp, out, si, ai, seeds, full)?;
            let runs: Vec<super::runs::RunRecord> = by_run.concat();
            let mut cells = Vec::new();
            for (key, _) in &names {
                let xs: Vec<f64> = runs.iter().map(|r| metric(r, key)).collect();
                let m = mean_ci(&xs);
                summary_csv.write_record([
                    s.name().to_string(),
                    a.name.clone(),
                    key.clone(),
                    format!("{}", m.mean),
                    format!("{}", m.ci95[0]),
                    format!("{}", m.ci95[1]),
                ])?;
                cells.push(fmt_ci(&xs));
            }
            writeln!(md, "| {} | {} |", a.name, cells.join(" | "))?;
            for (name, r) in exp
                .run_names(ai, full)
                .iter()
                .zip(&by_run)
                .flat_map(|(n, rs)| rs.iter().map(move |r| (n, r)))
            {
                let mut row = vec![s.name().to_string(), name.clone(), r.seed.to_string()];
                row.extend(REPORTED.iter().map(|(k, _)| format!("{}", metric(r, k))));
                row.push(
                    classes
                        .iter()
                        .map(|c| format!("{c}={}", metric(r, &format!("p99_ms.{c}"))))
                        .collect::<Vec<_>>()
                        .join(";"),
                );
                row.extend(runs_csv_cells(s, r));
                runs_csv.write_record(&row)?;
            }
            if a.name != exp.spec.reference {
                let diff = |key: &str| {
                    let d: Vec<f64> = by_run
                        .iter()
                        .flat_map(|r| paired_diffs(r, &reference, key))
                        .collect();
                    fmt_ci(&d)
                };
                writeln!(
                    paired_rows,
                    "| {} | {} | {} | {} | {} |",
                    a.name,
                    diff("return"),
                    diff("cost"),
                    diff("revenue_lost"),
                    diff("slo_violation_minutes")
                )?;
            }
            plans.push((a.name.clone(), runs));
        }
        writeln!(
            md,
            "\nPaired differences against `{}` (positive return difference = better):\n",
            exp.spec.reference
        )?;
        writeln!(md, "| agent | Δ return | Δ cost $ | Δ lost revenue $ | Δ SLO-violation min |\n|---|---|---|---|---|")?;
        md.push_str(&paired_rows);
        writeln!(md)?;
        write_plan_table(&mut md, s, &plans)?;
        if exp.spec.splits.is_some() {
            md.truncate(mark);
            md.push_str(&split_md);
        }
        write_plot_links(&mut md, out, s.name())?;
    }
    runs_csv
        .flush()
        .map_err(FileError::at("writing", &out.join("runs.csv.tmp")))?;
    summary_csv
        .flush()
        .map_err(FileError::at("writing", &out.join("summary.csv.tmp")))?;
    drop(runs_csv);
    drop(summary_csv);
    for f in ["runs.csv", "summary.csv"] {
        let (tmp, to) = (out.join(format!("{f}.tmp")), out.join(f));
        std::fs::rename(&tmp, &to)
            .map_err(FileError::at(format!("renaming {} to", tmp.display()), &to))?;
    }
    crate::io::atomic_write(&out.join("report.md"), md.as_bytes())?;
    Ok(())
}

/// Most training seeds whose instances are drawn to count the instances splits share.
const SIGNATURE_CAP: u64 = 50_000;

/// The protocol with splits: what each scenario is for, its seed ranges and how many of the
/// evaluated instances were also drawn for training or validation (by the signature of the drawn
/// parameters; 0 expected for a family, every one for a fixed scenario).
fn write_protocol(md: &mut String, exp: &Experiment, full: bool) -> Result<(), ExperimentError> {
    writeln!(
        md,
        "Protocol: learners train on each family's train draws and select `best/` on its \
         validation draws; baselines are tuned, where tuned, on validation draws; every table \
         below is on test draws or out-of-distribution sets that no choice looked at. Common \
         random numbers across agents; n is stated per table; paired differences are agent − {} \
         on the same draws.\n",
        exp.spec.reference
    )?;
    writeln!(
        md,
        "| scenario | role | train seeds | validation seeds | evaluation seeds | evaluated instances also drawn in train | in validation |\n|---|---|---|---|---|---|---|"
    )?;
    let range = |r: &crate::sim::rng::SeedRange| format!("{}..{} ({})", r.start, r.end(), r.count);
    for (si, s) in exp.scenarios.iter().enumerate() {
        let eval = exp.eval_seeds(si, full);
        let (role, splits) = match exp.roles[si] {
            Role::Split(sp) => ("family".to_string(), Some(sp)),
            Role::Ood { trained_on, .. } => (
                format!("OOD (trained on {})", exp.scenarios[trained_on].name()),
                match exp.roles[trained_on] {
                    Role::Split(sp) => Some(sp),
                    _ => None,
                },
            ),
            Role::Plain => ("plain".to_string(), None),
        };
        let Some(sp) = splits else {
            writeln!(
                md,
                "| {} | {role} | - | - | {} | - | - |",
                s.name(),
                eval.len()
            )?;
            continue;
        };
        let family = match exp.roles[si] {
            Role::Ood { trained_on, .. } => &exp.scenarios[trained_on],
            _ => s,
        };
        let signatures = |r: &crate::sim::rng::SeedRange| {
            let n = r.count.min(SIGNATURE_CAP);
            (r.start..r.start + n)
                .map(|seed| family.instance_signature(seed))
                .collect::<std::collections::HashSet<u64>>()
        };
        let (train, validation) = (signatures(&sp.train), signatures(&sp.validation));
        let evaluated: Vec<u64> = eval
            .iter()
            .map(|&seed| s.instance_signature(seed))
            .collect();
        let shared = |set: &std::collections::HashSet<u64>| {
            evaluated.iter().filter(|h| set.contains(h)).count()
        };
        let capped = if sp.train.count > SIGNATURE_CAP {
            format!(" (first {SIGNATURE_CAP} drawn)")
        } else {
            String::new()
        };
        writeln!(
            md,
            "| {} | {role} | {}{capped} | {} | {}..={} ({}) | {} of {} | {} of {} |",
            s.name(),
            range(&sp.train),
            range(&sp.validation),
            eval[0],
            eval[eval.len() - 1],
            eval.len(),
            shared(&train),
            eval.len(),
            shared(&validation),
            eval.len()
        )?;
    }
    writeln!(md)?;
    Ok(())
}

/// Links to the plots of `scenario` that exist.
fn write_plot_links(md: &mut String, out: &Path, scenario: &str) -> Result<(), ExperimentError> {
    for (file, title) in plot_files(scenario) {
        if out.join("plots").join(format!("{file}.png")).exists() {
            writeln!(
                md,
                "![{title}](plots/{file}.png) ([SVG](plots/{file}.svg))\n"
            )?;
        }
    }
    Ok(())
}

/// `metric(run) − metric(reference run)` on each common seed, in seed order.
fn paired_diffs(
    runs: &[super::runs::RunRecord],
    reference: &[super::runs::RunRecord],
    key: &str,
) -> Vec<f64> {
    runs.iter()
        .zip(reference)
        .map(|(x, y)| metric(x, key) - metric(y, key))
        .collect()
}
