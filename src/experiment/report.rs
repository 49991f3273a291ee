//! Tables of an experiment: `runs.csv` (one row per scenario × agent × seed), `summary.csv`
//! (mean and 95 % CI per scenario × agent × metric) and `report.md` (per scenario, the means with
//! intervals and the paired differences against the reference agent, plus links to the plots).

use std::fmt::Write as _;
use std::path::Path;

use crate::io::FileError;

use super::plots::plot_files;
use super::runs::{load_runs, metric};
use super::{Experiment, ExperimentError};
use crate::evaluate::mean_ci;

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
    format!(
        "{:.*} [{:.*}, {:.*}]",
        digits, m.mean, digits, m.ci95[0], digits, m.ci95[1]
    )
}

pub fn write_all(exp: &Experiment, out: &Path, seeds: &[u64]) -> Result<(), ExperimentError> {
    let mut runs_csv = csv::Writer::from_path(out.join("runs.csv.tmp"))?;
    let mut summary_csv = csv::Writer::from_path(out.join("summary.csv.tmp"))?;
    let mut md = String::new();
    writeln!(md, "# {}\n", exp.spec.name)?;
    if !exp.spec.description.is_empty() {
        writeln!(md, "{}\n", exp.spec.description)?;
    }
    writeln!(
        md,
        "Evaluation seeds {}..{} ({} episodes per agent and scenario; common random numbers across agents). \
         Means with 95 % confidence intervals; paired differences are agent − {} on the same seeds.\n",
        seeds.first().copied().unwrap_or(0),
        seeds.last().copied().unwrap_or(0),
        seeds.len(),
        exp.spec.reference
    )?;
    summary_csv.write_record(["scenario", "agent", "metric", "mean", "ci_low", "ci_high"])?;
    let mut header_written = false;
    for (si, s) in exp.scenarios.iter().enumerate() {
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
            runs_csv.write_record(&h)?;
            header_written = true;
        }
        writeln!(md, "## {}\n", s.name())?;
        if !s.spec.description.is_empty() {
            writeln!(md, "{}\n", s.spec.description)?;
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
        for (ai, (a, _)) in exp.agents.iter().enumerate() {
            if !exp.runs_on(ai, si) {
                continue;
            }
            let runs = load_runs(out, s.name(), &a.name, seeds)?;
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
            for r in &runs {
                let mut row = vec![s.name().to_string(), a.name.clone(), r.seed.to_string()];
                row.extend(REPORTED.iter().map(|(k, _)| format!("{}", metric(r, k))));
                row.push(
                    classes
                        .iter()
                        .map(|c| format!("{c}={}", metric(r, &format!("p99_ms.{c}"))))
                        .collect::<Vec<_>>()
                        .join(";"),
                );
                runs_csv.write_record(&row)?;
            }
            if a.name != exp.spec.reference {
                let diff = |key: &str| -> String {
                    let d: Vec<f64> = runs
                        .iter()
                        .zip(&reference)
                        .map(|(x, y)| metric(x, key) - metric(y, key))
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
        }
        writeln!(
            md,
            "\nPaired differences against `{}` (positive return difference = better):\n",
            exp.spec.reference
        )?;
        writeln!(md, "| agent | Δ return | Δ cost $ | Δ lost revenue $ | Δ SLO-violation min |\n|---|---|---|---|---|")?;
        md.push_str(&paired_rows);
        writeln!(md)?;
        for (file, title) in plot_files(s.name()) {
            if out.join("plots").join(format!("{file}.png")).exists() {
                writeln!(
                    md,
                    "![{title}](plots/{file}.png) ([SVG](plots/{file}.svg))\n"
                )?;
            }
        }
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
