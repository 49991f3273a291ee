//! Plots of an experiment (plotters; each as PNG and SVG in `plots/`), per scenario:
//! - `traffic_capacity_<s>`: traffic (req/s) over time, and below it the instances each agent
//!   provisioned (running + booting), on the first evaluation seed (same traffic for every agent;
//!   a learner's first training run);
//! - `latency_<s>`: the SLO-quantile latency of the most valuable class over time against its
//!   target;
//! - `cost_slo_<s>`: cost against SLO-violation minutes, one point per agent with 95 % CI whiskers
//!   (a learner's episodes of all its training runs pooled);
//! - `learning_<s>`: the trained agents' learning curves (training episodes and held-out
//!   evaluations) from their `train/<s>__<agent>/train.csv` (the first training run), as −return
//!   on a log scale.
//!
//! Text is drawn with the DejaVu Sans font compiled in (the `dejavu` crate), so PNGs need no
//! system fonts.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::runs::{load_training_runs, metric};
use super::{Experiment, ExperimentError};
use crate::evaluate::mean_ci;
use crate::scenario::Scenario;

/// Plot file stems and titles of one scenario.
pub fn plot_files(scenario: &str) -> Vec<(String, String)> {
    vec![
        (
            format!("traffic_capacity_{scenario}"),
            format!("{scenario}: traffic and provisioned instances"),
        ),
        (
            format!("latency_{scenario}"),
            format!("{scenario}: latency against the SLO"),
        ),
        (
            format!("cost_slo_{scenario}"),
            format!("{scenario}: cost vs SLO-violation minutes"),
        ),
    ]
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Cannot fail for the compiled-in font; if it did, text would be missing, not the plot.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
}

/// One agent's trace columns.
struct Trace {
    agent: String,
    t_h: Vec<f64>,
    traffic: Vec<f64>,
    instances: Vec<f64>,
    latency: Vec<Option<f64>>,
}

fn read_trace(path: &Path, agent: &str, class: &str) -> Result<Trace, ExperimentError> {
    let mut r = csv::Reader::from_path(path)?;
    let h = r.headers()?.clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x == name)
            .ok_or_else(|| ExperimentError::Stored {
                path: path.to_path_buf(),
                message: format!("no column {name}"),
            })
    };
    let (t, a, l) = (
        col("t_s")?,
        col("arrival_rate")?,
        col(&format!("{class}_slo_latency_ms"))?,
    );
    let active: Vec<usize> = h
        .iter()
        .enumerate()
        .filter(|(_, x)| x.ends_with("_active"))
        .map(|(i, _)| i)
        .collect();
    let mut tr = Trace {
        agent: agent.to_string(),
        t_h: vec![],
        traffic: vec![],
        instances: vec![],
        latency: vec![],
    };
    for rec in r.records() {
        let rec = rec?;
        let num = |i: usize| rec.get(i).and_then(|v| v.parse::<f64>().ok());
        tr.t_h.push(num(t).unwrap_or(0.0) / 3600.0);
        tr.traffic.push(num(a).unwrap_or(0.0));
        tr.instances
            .push(active.iter().map(|&i| num(i).unwrap_or(0.0)).sum());
        tr.latency.push(num(l));
    }
    Ok(tr)
}

fn err<E: std::fmt::Debug>(e: E) -> ExperimentError {
    ExperimentError::Plot(format!("{e:?}"))
}

/// A legend entry: a short line in `style`.
fn legend_line(style: ShapeStyle) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style)
}

/// Draws the legend box (white, framed) and writes the figure out.
fn finish<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    c: &mut ChartContext<'a, DB, CT>,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ExperimentError> {
    c.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

fn draw_traffic<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    traces: &[Trace],
) -> Result<(), ExperimentError> {
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, ("sans-serif", 22)).map_err(err)?;
    let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 / 2);
    let t_max = traces
        .iter()
        .flat_map(|t| t.t_h.last().copied())
        .fold(0.0, f64::max)
        .max(1e-3);
    let first = &traces[0];
    let y_max = first.traffic.iter().copied().fold(0.0, f64::max).max(1.0) * 1.05;
    let mut c = ChartBuilder::on(&top)
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..t_max, 0.0..y_max)
        .map_err(err)?;
    c.configure_mesh()
        .y_desc("arrivals [req/s]")
        .draw()
        .map_err(err)?;
    c.draw_series(LineSeries::new(
        first.t_h.iter().copied().zip(first.traffic.iter().copied()),
        &BLACK,
    ))
    .map_err(err)?;
    let i_max = traces
        .iter()
        .flat_map(|t| t.instances.iter().copied())
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.05;
    let mut c = ChartBuilder::on(&bottom)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..t_max, 0.0..i_max)
        .map_err(err)?;
    c.configure_mesh()
        .x_desc("time [h]")
        .y_desc("instances (all pools)")
        .draw()
        .map_err(err)?;
    for (i, tr) in traces.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        c.draw_series(LineSeries::new(
            tr.t_h.iter().copied().zip(tr.instances.iter().copied()),
            color.stroke_width(2),
        ))
        .map_err(err)?
        .label(tr.agent.clone())
        .legend(legend_line(color.stroke_width(2)));
    }
    finish(&mut c, &root)
}

fn draw_latency<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    traces: &[Trace],
    target_ms: f64,
) -> Result<(), ExperimentError> {
    root.fill(&WHITE).map_err(err)?;
    let t_max = traces
        .iter()
        .flat_map(|t| t.t_h.last().copied())
        .fold(0.0, f64::max)
        .max(1e-3);
    let y_max = 4.0 * target_ms;
    let mut c = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..t_max, 0.0..y_max)
        .map_err(err)?;
    c.configure_mesh()
        .x_desc("time [h]")
        .y_desc("latency [ms] (clipped at 4x SLO)")
        .draw()
        .map_err(err)?;
    c.draw_series(LineSeries::new(
        vec![(0.0, target_ms), (t_max, target_ms)],
        BLACK.stroke_width(2),
    ))
    .map_err(err)?
    .label("SLO target")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
    for (i, tr) in traces.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let pts: Vec<(f64, f64)> = tr
            .t_h
            .iter()
            .zip(&tr.latency)
            .filter_map(|(&t, l)| l.map(|v| (t, v.min(y_max))))
            .collect();
        c.draw_series(LineSeries::new(pts, color.stroke_width(1)))
            .map_err(err)?
            .label(tr.agent.clone())
            .legend(legend_line(color.stroke_width(2)));
    }
    finish(&mut c, root)
}

/// (agent, cost mean/ci, SLO minutes mean/ci)
type Point = (String, f64, [f64; 2], f64, [f64; 2]);

/// Which of the (cost, SLO-violation minutes) points no other point dominates (as low or lower
/// on both, lower on one): the agents worth choosing between.
pub fn non_dominated(points: &[(f64, f64)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(c, v)| {
            !points
                .iter()
                .any(|&(c2, v2)| c2 <= c && v2 <= v && (c2 < c || v2 < v))
        })
        .collect()
}

fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    pts: &[Point],
) -> Result<(), ExperimentError> {
    root.fill(&WHITE).map_err(err)?;
    let x_max = pts.iter().map(|p| p.2[1]).fold(0.0, f64::max).max(1e-3) * 1.15;
    let y_max = pts.iter().map(|p| p.4[1]).fold(0.0, f64::max).max(1.0) * 1.15;
    let mut c = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(err)?;
    c.configure_mesh()
        .x_desc("instance cost [$] per episode")
        .y_desc("SLO-violation minutes")
        .draw()
        .map_err(err)?;
    let front = non_dominated(&pts.iter().map(|p| (p.1, p.3)).collect::<Vec<_>>());
    for (i, (name, x, xci, y, yci)) in pts.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let (x, y) = (*x, *y);
        if front[i] {
            c.draw_series(std::iter::once(Circle::new(
                (x, y),
                10,
                BLACK.stroke_width(2),
            )))
            .map_err(err)?;
        }
        c.draw_series(std::iter::once(PathElement::new(
            vec![(xci[0].max(0.0), y), (xci[1], y)],
            color.stroke_width(2),
        )))
        .map_err(err)?;
        c.draw_series(std::iter::once(PathElement::new(
            vec![(x, yci[0].max(0.0)), (x, yci[1])],
            color.stroke_width(2),
        )))
        .map_err(err)?;
        c.draw_series(std::iter::once(Circle::new((x, y), 5, color.filled())))
            .map_err(err)?;
        c.draw_series(std::iter::once(Text::new(
            name.clone(),
            (x, y),
            ("sans-serif", 14).into_font().color(&BLACK),
        )))
        .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// One learner's curve: (step, −return) of training episodes and of held-out evaluations.
struct Curve {
    agent: String,
    train: Vec<(f64, f64)>,
    eval: Vec<(f64, f64)>,
}

fn read_curve(path: &Path, agent: &str) -> Result<Curve, ExperimentError> {
    let mut r = csv::Reader::from_path(path)?;
    let mut c = Curve {
        agent: agent.to_string(),
        train: vec![],
        eval: vec![],
    };
    for rec in r.records() {
        let rec = rec?;
        let (Some(step), Some(tag), Some(v)) = (rec.get(0), rec.get(2), rec.get(3)) else {
            continue;
        };
        let (Ok(step), Ok(v)) = (step.parse::<f64>(), v.parse::<f64>()) else {
            continue;
        };
        match tag {
            "charts/episodic_return" => c.train.push((step, (-v).max(1e-3))),
            "eval/episodic_return" => c.eval.push((step, (-v).max(1e-3))),
            _ => {}
        }
    }
    Ok(c)
}

fn draw_learning<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    curves: &[Curve],
) -> Result<(), ExperimentError> {
    root.fill(&WHITE).map_err(err)?;
    let pts = || curves.iter().flat_map(|c| c.train.iter().chain(&c.eval));
    let x_max = pts().map(|p| p.0).fold(1.0, f64::max);
    let y_min = pts().map(|p| p.1).fold(f64::INFINITY, f64::min).max(1e-3) * 0.8;
    let y_max = pts().map(|p| p.1).fold(1.0, f64::max) * 1.25;
    let mut c = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_max, (y_min..y_max).log_scale())
        .map_err(err)?;
    c.configure_mesh()
        .x_desc("environment steps")
        .y_desc("−return [$] (log)")
        .draw()
        .map_err(err)?;
    for (i, cv) in curves.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        // Training episodes end in batches (one per env), so they are dots, not a line.
        c.draw_series(
            cv.train
                .iter()
                .map(|&p| Circle::new(p, 2, color.mix(0.35).filled())),
        )
        .map_err(err)?;
        c.draw_series(cv.eval.iter().map(|&p| Circle::new(p, 5, color.filled())))
            .map_err(err)?;
        c.draw_series(LineSeries::new(cv.eval.clone(), color.stroke_width(3)))
            .map_err(err)?
            .label(format!("{} (big dots: held-out eval)", cv.agent))
            .legend(legend_line(color.stroke_width(3)));
    }
    finish(&mut c, root)
}

/// Draws one figure into `<dir>/<stem>.png` and `<dir>/<stem>.svg`.
fn render(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    png: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), ExperimentError>,
    svg: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ExperimentError>,
) -> Result<(), ExperimentError> {
    let p = dir.join(format!("{stem}.png"));
    png(&BitMapBackend::new(&p, size).into_drawing_area())?;
    let s = dir.join(format!("{stem}.svg"));
    svg(&SVGBackend::new(&s, size).into_drawing_area())?;
    Ok(())
}

/// The class whose failures cost the most (the one a shop watches during a sale).
fn key_class(s: &Scenario) -> usize {
    let cls = &s.sim.classes;
    (0..cls.len())
        .max_by(|&a, &b| {
            cls[a]
                .value_per_failure
                .total_cmp(&cls[b].value_per_failure)
        })
        .unwrap_or(0)
}

pub fn write_all(exp: &Experiment, out: &Path, full: bool) -> Result<(), ExperimentError> {
    register_font();
    let dir = out.join("plots");
    crate::io::create_dir_all(&dir)?;
    for (si, s) in exp.scenarios.iter().enumerate() {
        let seeds = &exp.eval_seeds(si, full);
        let k = key_class(s);
        let class = &s.sim.classes[k];
        let mut traces = Vec::new();
        for (a, _) in &exp.agents {
            let p = out
                .join("traces")
                .join(format!("{}__{}.csv", s.name(), a.name));
            if p.exists() {
                traces.push(read_trace(&p, &a.name, &class.name)?);
            }
        }
        if !traces.is_empty() {
            let title = format!(
                "{}: traffic (seed {}) and instances provisioned",
                s.name(),
                seeds[0]
            );
            render(
                &dir,
                &format!("traffic_capacity_{}", s.name()),
                (1000, 700),
                |r| draw_traffic(r, &title, &traces),
                |r| draw_traffic(r, &title, &traces),
            )?;
            let title = format!(
                "{}: p{:.0} latency of {} (SLO {} ms)",
                s.name(),
                class.slo.quantile * 100.0,
                class.name,
                class.slo.latency_ms
            );
            render(
                &dir,
                &format!("latency_{}", s.name()),
                (1000, 500),
                |r| draw_latency(r, &title, &traces, class.slo.latency_ms),
                |r| draw_latency(r, &title, &traces, class.slo.latency_ms),
            )?;
        }
        let mut pts = Vec::new();
        for (ai, (a, _)) in exp.agents.iter().enumerate() {
            if !exp.runs_on(ai, si) {
                continue;
            }
            // A learner's point pools all its training runs, as the report's tables do.
            let runs = load_training_runs(exp, out, si, ai, seeds, full)?.concat();
            // One episode has no interval: its bars shrink to the point.
            let mean_bar = |key: &str| {
                let m = mean_ci(&runs.iter().map(|r| metric(r, key)).collect::<Vec<_>>());
                let bar = if m.ci95[0].is_nan() {
                    [m.mean; 2]
                } else {
                    m.ci95
                };
                (m.mean, bar)
            };
            let ((cost, cost_ci), (slo, slo_ci)) =
                (mean_bar("cost"), mean_bar("slo_violation_minutes"));
            pts.push((a.name.clone(), cost, cost_ci, slo, slo_ci));
        }
        let mut curves = Vec::new();
        for (a, _) in &exp.agents {
            let p = out
                .join("train")
                .join(format!("{}__{}", s.name(), a.name))
                .join("train.csv");
            if p.exists() {
                curves.push(read_curve(&p, &a.name)?);
            }
        }
        if curves
            .iter()
            .any(|c| !c.train.is_empty() || !c.eval.is_empty())
        {
            let title = format!(
                "{}: learning curves (small dots: training episodes)",
                s.name()
            );
            render(
                &dir,
                &format!("learning_{}", s.name()),
                (1000, 500),
                |r| draw_learning(r, &title, &curves),
                |r| draw_learning(r, &title, &curves),
            )?;
        }
        let title = format!(
            "{}: cost vs SLO-violation minutes (mean, 95 % CI; ringed: not dominated)",
            s.name()
        );
        render(
            &dir,
            &format!("cost_slo_{}", s.name()),
            (900, 600),
            |r| draw_scatter(r, &title, &pts),
            |r| draw_scatter(r, &title, &pts),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::non_dominated;

    #[test]
    fn non_dominated_keeps_the_front_and_ties() {
        // (1, 5) and (3, 1) trade cost for SLO minutes; (4, 4) is beaten by (3, 1) on both;
        // (1, 6) is beaten by (1, 5) on one and tied on the other; equal points keep each other.
        let pts = [(1.0, 5.0), (3.0, 1.0), (4.0, 4.0), (1.0, 6.0), (3.0, 1.0)];
        assert_eq!(non_dominated(&pts), [true, true, false, false, true]);
    }
}
