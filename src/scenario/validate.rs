//! Validation: a parsed `ScenarioSpec` becomes the simulator's `SimConfig` (checked once here;
//! nothing downstream re-checks). Each error names the field path and the value.

use std::collections::BTreeSet;
use std::path::Path;

use super::calendar::{announcements, Announcement};
use super::spec::{
    DistKind, DistSpec, FaultSpec, NoiseSpec, PolicySpec, ScenarioSpec, SyntheticSpec,
};
use super::trace;
use crate::io::{ConfigError, Ctx};
use crate::sim::{
    ClassConfig, DurationDist, FailureConfig, Fault, FluidOptions, NoiseConfig, PoolConfig,
    Promotion, SimConfig, SimTime, Slo, Stage, TrafficConfig, TrafficSource, MAX_STAGES,
};

/// Most classes and pools (ids are 16-bit in events).
const MAX_ITEMS: usize = 1024;

fn finite_pos(ctx: &Ctx, field: &str, v: f64) -> Result<f64, ConfigError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ctx.invalid(field, v, "must be a finite number > 0"))
    }
}

fn finite_nonneg(ctx: &Ctx, field: &str, v: f64) -> Result<f64, ConfigError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(ctx.invalid(field, v, "must be a finite number >= 0"))
    }
}

/// A distribution in microseconds; `positive` forbids a zero mean.
fn dist(ctx: &Ctx, field: &str, d: &DistSpec, positive: bool) -> Result<DurationDist, ConfigError> {
    let mean_us = match (d.mean_ms, d.mean_s, d.dist) {
        (Some(ms), None, _) => finite_nonneg(ctx, &format!("{field}.mean_ms"), ms)? * 1e3,
        (None, Some(s), _) => finite_nonneg(ctx, &format!("{field}.mean_s"), s)? * 1e6,
        (None, None, DistKind::Uniform) => 0.0,
        (Some(_), Some(_), _) => {
            return Err(ctx.invalid(
                field,
                "mean_ms and mean_s",
                "give the mean once, in mean_ms or mean_s",
            ))
        }
        (None, None, _) => return Err(ctx.invalid(field, "(no mean)", "needs mean_ms or mean_s")),
    };
    if positive && d.dist != DistKind::Uniform && mean_us <= 0.0 {
        return Err(ctx.invalid(format!("{field}.mean"), mean_us / 1e3, "must be > 0 [ms]"));
    }
    let need_cv = |kind: &str| {
        d.cv.ok_or_else(|| {
            ctx.invalid(
                format!("{field}.cv"),
                "(missing)",
                format!("{kind} needs a cv (coefficient of variation)"),
            )
        })
    };
    let res = match d.dist {
        DistKind::Deterministic => DurationDist::deterministic(mean_us),
        DistKind::Exponential => DurationDist::exponential(mean_us),
        DistKind::Lognormal => DurationDist::lognormal(mean_us, need_cv("lognormal")?),
        DistKind::Gamma => DurationDist::gamma(mean_us, need_cv("gamma")?),
        DistKind::Uniform => {
            let (Some(lo), Some(hi)) = (d.min_s, d.max_s) else {
                return Err(ctx.invalid(
                    field,
                    "(missing min_s/max_s)",
                    "uniform needs min_s and max_s",
                ));
            };
            if positive && hi <= 0.0 {
                return Err(ctx.invalid(format!("{field}.max_s"), hi, "must be > 0"));
            }
            DurationDist::uniform(lo * 1e6, hi * 1e6)
        }
    };
    res.map_err(|e| ctx.invalid(field, format!("{:?}", d.dist).to_lowercase(), e.to_string()))
}

fn scaled(n: u32, scale: f64) -> u32 {
    if n == 0 {
        0
    } else {
        ((f64::from(n) * scale).round() as u32).max(1)
    }
}

fn unique_names<'a>(
    ctx: &Ctx,
    field: &str,
    names: impl Iterator<Item = &'a String>,
) -> Result<Vec<String>, ConfigError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, n) in names.enumerate() {
        if n.is_empty()
            || !n
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        {
            return Err(ctx.invalid(
                format!("{field}[{i}].name"),
                format!("{n:?}"),
                "names use letters, digits, '_' and '-'",
            ));
        }
        if !seen.insert(n.clone()) {
            return Err(ctx.invalid(format!("{field}[{i}].name"), n, "duplicate name"));
        }
        out.push(n.clone());
    }
    if out.is_empty() {
        return Err(ctx.invalid(field, "[]", "needs at least one entry"));
    }
    if out.len() > MAX_ITEMS {
        return Err(ctx.invalid(field, out.len(), format!("at most {MAX_ITEMS} entries")));
    }
    Ok(out)
}

/// A per-class map (mix, boosts) as a vector in class order; unknown names are errors.
fn per_class(
    ctx: &Ctx,
    field: &str,
    map: &std::collections::BTreeMap<String, f64>,
    classes: &[String],
    default: f64,
) -> Result<Vec<f64>, ConfigError> {
    for (k, v) in map {
        if !classes.contains(k) {
            return Err(ctx.invalid(
                format!("{field}.{k}"),
                v,
                format!("no class named {k:?} (classes: {classes:?})"),
            ));
        }
        finite_nonneg(ctx, &format!("{field}.{k}"), *v)?;
    }
    Ok(classes
        .iter()
        .map(|c| map.get(c).copied().unwrap_or(default))
        .collect())
}

/// The validated result: the simulator configuration and the static policy's counts.
pub struct Validated {
    pub sim: SimConfig,
    /// The announced promotions.
    pub calendar: Vec<Announcement>,
    /// Instances per pool for the scenario's static policy.
    pub static_counts: Vec<u32>,
}

/// Validates a parsed scenario once, section by section; the first error found is returned.
pub fn validate(spec: &ScenarioSpec, file: &Path) -> Result<Validated, ConfigError> {
    let ctx = &Ctx { file };
    let (horizon_s, interval_s, scale) = timing(spec, ctx)?;
    let class_names = unique_names(ctx, "classes", spec.classes.iter().map(|c| &c.name))?;
    let pool_names = unique_names(ctx, "pools", spec.pools.iter().map(|p| &p.name))?;
    let classes = classes(spec, ctx)?;
    let pools = pools(spec, ctx, scale)?;
    let routes = routes(spec, ctx, &class_names, &pool_names)?;
    let traffic = traffic_config(spec, file, &class_names, ctx, horizon_s, scale)?;
    let budget = budget(spec, ctx, &pools, scale)?;
    let faults = faults(spec, ctx, &pool_names, horizon_s)?;
    let static_counts = static_counts(spec, ctx, &pool_names, &pools, scale)?;
    Ok(Validated {
        sim: SimConfig {
            classes,
            pools,
            routes,
            traffic,
            horizon: SimTime::from_secs_f64(horizon_s),
            interval: SimTime::from_secs_f64(interval_s),
            budget,
            faults,
            fidelity: spec.fidelity,
            fluid: fluid_options(spec, ctx)?,
        },
        static_counts,
        calendar: spec
            .traffic
            .synthetic
            .as_ref()
            .map_or_else(Vec::new, |s| announcements(&s.promotions)),
    })
}

/// `fluid`: the fluid model's options (defaults when absent).
fn fluid_options(spec: &ScenarioSpec, ctx: &Ctx) -> Result<FluidOptions, ConfigError> {
    let Some(f) = &spec.fluid else {
        return Ok(FluidOptions::default());
    };
    if !(f.step_ms.is_finite() && (0.001..=60_000.0).contains(&f.step_ms)) {
        return Err(ctx.invalid(
            "fluid.step_ms",
            f.step_ms,
            "must be a number in [0.001, 60000]",
        ));
    }
    Ok(FluidOptions {
        step: SimTime::from_millis_f64(f.step_ms),
        arrivals: f.arrivals,
    })
}

/// `horizon_s`, `decision_interval_s`, `scale` and `start`: returns the first three.
fn timing(spec: &ScenarioSpec, ctx: &Ctx) -> Result<(f64, f64, f64), ConfigError> {
    let horizon_s = finite_pos(ctx, "horizon_s", spec.horizon_s)?;
    let interval_s = finite_pos(ctx, "decision_interval_s", spec.decision_interval_s)?;
    if interval_s > horizon_s {
        return Err(ctx.invalid(
            "decision_interval_s",
            interval_s,
            format!("longer than horizon_s ({horizon_s})"),
        ));
    }
    let scale = finite_pos(ctx, "scale", spec.scale)?;
    if spec.start.weekday > 6 {
        return Err(ctx.invalid(
            "start.weekday",
            spec.start.weekday,
            "0 (Monday) to 6 (Sunday)",
        ));
    }
    if !(0.0..24.0).contains(&spec.start.hour) {
        return Err(ctx.invalid("start.hour", spec.start.hour, "must be in [0, 24)"));
    }
    Ok((horizon_s, interval_s, scale))
}

/// `classes`: SLOs, timeouts and failure values.
fn classes(spec: &ScenarioSpec, ctx: &Ctx) -> Result<Vec<ClassConfig>, ConfigError> {
    let mut classes = Vec::new();
    for (i, c) in spec.classes.iter().enumerate() {
        let f = format!("classes[{i}]");
        let q = c.slo.quantile;
        if !(q > 0.0 && q < 1.0) {
            return Err(ctx.invalid(
                format!("{f}.slo.quantile"),
                q,
                "must be in (0, 1), e.g. 0.95",
            ));
        }
        finite_pos(ctx, &format!("{f}.slo.latency_ms"), c.slo.latency_ms)?;
        let er = c.slo.max_error_rate;
        if !(0.0..=1.0).contains(&er) {
            return Err(ctx.invalid(format!("{f}.slo.max_error_rate"), er, "must be in [0, 1]"));
        }
        let timeout = c
            .timeout_ms
            .map(|t| finite_pos(ctx, &format!("{f}.timeout_ms"), t).map(SimTime::from_millis_f64))
            .transpose()?;
        finite_nonneg(ctx, &format!("{f}.value_per_failure"), c.value_per_failure)?;
        classes.push(ClassConfig {
            name: c.name.clone(),
            slo: Slo {
                quantile: q,
                latency_ms: c.slo.latency_ms,
                max_error_rate: er,
            },
            timeout,
            value_per_failure: c.value_per_failure,
        });
    }
    Ok(classes)
}

/// `pools`: sizes (scaled by `scale`), cold starts, costs and failures.
fn pools(spec: &ScenarioSpec, ctx: &Ctx, scale: f64) -> Result<Vec<PoolConfig>, ConfigError> {
    let mut pools = Vec::new();
    for (i, p) in spec.pools.iter().enumerate() {
        let f = format!("pools[{i}]");
        if p.concurrency == 0 {
            return Err(ctx.invalid(format!("{f}.concurrency"), 0, "must be >= 1"));
        }
        if p.max == 0 {
            return Err(ctx.invalid(format!("{f}.max"), 0, "must be >= 1"));
        }
        if p.min > p.max {
            return Err(ctx.invalid(
                format!("{f}.min"),
                p.min,
                format!("greater than max ({})", p.max),
            ));
        }
        let initial = p.initial.unwrap_or(p.min);
        if initial < p.min || initial > p.max {
            return Err(ctx.invalid(
                format!("{f}.initial"),
                initial,
                format!("outside [min, max] = [{}, {}]", p.min, p.max),
            ));
        }
        // queue_capacity 0 is allowed: a loss system (M/M/c/c), every request finding no free slot is rejected.
        let cold_start = match &p.cold_start {
            Some(d) => dist(ctx, &format!("{f}.cold_start"), d, false)?,
            None => DurationDist::deterministic(0.0).expect("zero is a valid mean"),
        };
        finite_nonneg(ctx, &format!("{f}.cost_per_hour"), p.cost_per_hour)?;
        let failures = match &p.failures {
            Some(fs) => {
                let mtbf = finite_pos(ctx, &format!("{f}.failures.mtbf_s"), fs.mtbf_s)?;
                Some(FailureConfig {
                    time_to_failure: DurationDist::exponential(mtbf * 1e6).expect("checked mean"),
                    restart: dist(ctx, &format!("{f}.failures.restart"), &fs.restart, false)?,
                })
            }
            None => None,
        };
        let (min, max, initial) = (
            scaled(p.min, scale),
            scaled(p.max, scale),
            scaled(initial, scale),
        );
        pools.push(PoolConfig {
            name: p.name.clone(),
            concurrency: p.concurrency,
            initial: initial.clamp(min, max),
            min,
            max,
            queue_capacity: p.queue_capacity,
            cold_start,
            cost_per_hour: p.cost_per_hour,
            failures,
        });
    }
    Ok(pools)
}

/// `routes` (and each class's default one-stage route to the pool of its name).
fn routes(
    spec: &ScenarioSpec,
    ctx: &Ctx,
    class_names: &[String],
    pool_names: &[String],
) -> Result<Vec<Vec<Stage>>, ConfigError> {
    for name in spec.routes.keys() {
        if !class_names.contains(name) {
            return Err(ctx.invalid(
                format!("routes.{name}"),
                name,
                format!("no class named {name:?}"),
            ));
        }
    }
    let mut routes = Vec::new();
    for (i, c) in spec.classes.iter().enumerate() {
        let service = dist(ctx, &format!("classes[{i}].service"), &c.service, true)?;
        let route = match spec.routes.get(&c.name) {
            None => {
                let pool = pool_names
                    .iter()
                    .position(|p| *p == c.name)
                    .ok_or_else(|| {
                        ctx.invalid(
                            format!("classes[{i}].name"),
                            &c.name,
                            "no pool of the same name and no entry under routes",
                        )
                    })?;
                vec![Stage { pool, service }]
            }
            Some(stages) => {
                if stages.is_empty() || stages.len() > MAX_STAGES {
                    return Err(ctx.invalid(
                        format!("routes.{}", c.name),
                        stages.len(),
                        format!("a route has 1 to {MAX_STAGES} stages"),
                    ));
                }
                let mut out = Vec::new();
                for (k, st) in stages.iter().enumerate() {
                    let f = format!("routes.{}[{k}]", c.name);
                    let pool = pool_names
                        .iter()
                        .position(|p| *p == st.pool)
                        .ok_or_else(|| {
                            ctx.invalid(
                                format!("{f}.pool"),
                                &st.pool,
                                format!("no pool of that name (pools: {pool_names:?})"),
                            )
                        })?;
                    let service = match &st.service {
                        Some(d) => dist(ctx, &format!("{f}.service"), d, true)?,
                        None => service.clone(),
                    };
                    out.push(Stage { pool, service });
                }
                out
            }
        };
        routes.push(route);
    }
    Ok(routes)
}

/// `budget`: the cluster-wide cap on billed instances (scaled), at least the initial total.
fn budget(
    spec: &ScenarioSpec,
    ctx: &Ctx,
    pools: &[PoolConfig],
    scale: f64,
) -> Result<Option<u32>, ConfigError> {
    Ok(match spec.budget {
        Some(0) => return Err(ctx.invalid("budget", 0, "must be >= 1 (omit it for no cap)")),
        Some(b) => {
            // u64: scaled counts saturate at u32::MAX each, so their sum must not overflow.
            let initial: u64 = pools.iter().map(|p| u64::from(p.initial)).sum();
            let file_initial: u64 = spec
                .pools
                .iter()
                .map(|p| u64::from(p.initial.unwrap_or(p.min)))
                .sum();
            // Rounding at a small `scale` (every count at least 1) must not make a consistent file
            // inconsistent: the scaled budget then covers the scaled initial instances.
            let b = if u64::from(b) >= file_initial {
                scaled(b, scale).max(u32::try_from(initial).unwrap_or(u32::MAX))
            } else {
                scaled(b, scale)
            };
            if initial > u64::from(b) {
                return Err(ctx.invalid(
                    "budget",
                    b,
                    format!("smaller than the sum of initial instances ({initial})"),
                ));
            }
            Some(b)
        }
        None => None,
    })
}

/// `policy`: the static policy's instance counts per pool (scaled, clamped to `[min, max]`).
fn static_counts(
    spec: &ScenarioSpec,
    ctx: &Ctx,
    pool_names: &[String],
    pools: &[PoolConfig],
    scale: f64,
) -> Result<Vec<u32>, ConfigError> {
    Ok(match &spec.policy {
        PolicySpec::Static { instances } => {
            for (k, v) in instances {
                let Some(p) = pool_names.iter().position(|n| n == k) else {
                    return Err(ctx.invalid(
                        format!("policy.instances.{k}"),
                        v,
                        format!("no pool named {k:?}"),
                    ));
                };
                let (lo, hi) = (spec.pools[p].min, spec.pools[p].max);
                if *v < lo || *v > hi {
                    return Err(ctx.invalid(
                        format!("policy.instances.{k}"),
                        v,
                        format!("outside the pool's [min, max] = [{lo}, {hi}]"),
                    ));
                }
            }
            pools
                .iter()
                .map(|p| {
                    instances
                        .get(&p.name)
                        .map_or(p.initial, |&v| scaled(v, scale).clamp(p.min, p.max))
                })
                .collect()
        }
    })
}

fn traffic_config(
    spec: &ScenarioSpec,
    file: &Path,
    classes: &[String],
    ctx: &Ctx,
    horizon_s: f64,
    scale: f64,
) -> Result<TrafficConfig, ConfigError> {
    let t = &spec.traffic;
    let rate_step = finite_pos(ctx, "traffic.rate_step_s", t.rate_step_s)?;
    let noise = t.noise.as_ref().map(|n| noise(ctx, n)).transpose()?;
    let mut mix = per_class(ctx, "traffic.mix", &t.mix, classes, 0.0)?;
    let needs_mix = t.synthetic.is_some()
        || t.trace
            .as_ref()
            .is_some_and(|tr| tr.class_columns.is_empty());
    let mix_sum: f64 = mix.iter().sum();
    if needs_mix {
        if mix_sum.is_nan() || mix_sum <= 0.0 {
            return Err(ctx.invalid(
                "traffic.mix",
                format!("{:?}", t.mix),
                "needs a positive share for at least one class",
            ));
        }
        mix.iter_mut().for_each(|m| *m /= mix_sum);
    }
    let mut start_offset_s = f64::from(spec.start.weekday) * 86_400.0 + spec.start.hour * 3600.0;
    let source = match (&t.synthetic, &t.trace) {
        (Some(s), None) => synthetic(ctx, s, classes)?,
        (None, Some(tr)) => {
            let factor = finite_nonneg(ctx, "traffic.trace.factor", tr.factor)?;
            let dir = file.parent().unwrap_or(Path::new("."));
            let loaded = trace::load(tr, dir, classes, ctx)?;
            let covered = loaded.row_s * loaded.rows.len() as f64;
            if covered + 1e-9 < horizon_s {
                return Err(ctx.invalid(
                    "horizon_s",
                    horizon_s,
                    format!("longer than the trace ({covered} s from its start)"),
                ));
            }
            if let Some(off) = loaded.start_offset_s {
                start_offset_s = off;
            }
            let rows = if loaded.per_class {
                loaded.rows
            } else {
                loaded
                    .rows
                    .into_iter()
                    .map(|r| mix.iter().map(|m| r[0] * m).collect())
                    .collect()
            };
            TrafficSource::Trace {
                row_s: loaded.row_s,
                rows,
                factor,
            }
        }
        (Some(_), Some(_)) => {
            return Err(ctx.invalid(
                "traffic",
                "synthetic and trace",
                "give exactly one of synthetic or trace",
            ))
        }
        (None, None) => {
            return Err(ctx.invalid(
                "traffic",
                "(neither)",
                "give exactly one of synthetic or trace",
            ))
        }
    };
    Ok(TrafficConfig {
        source,
        mix,
        start_offset_s,
        rate_step: SimTime::from_secs_f64(rate_step),
        noise,
        scale,
    })
}

/// `traffic.noise`: the AR(1) log-normal noise on the rates.
fn noise(ctx: &Ctx, n: &NoiseSpec) -> Result<NoiseConfig, ConfigError> {
    finite_nonneg(ctx, "traffic.noise.sigma", n.sigma)?;
    if !(0.0..1.0).contains(&n.phi) {
        return Err(ctx.invalid("traffic.noise.phi", n.phi, "must be in [0, 1)"));
    }
    let step = finite_pos(ctx, "traffic.noise.step_s", n.step_s)?;
    Ok(NoiseConfig {
        sigma: n.sigma,
        phi: n.phi,
        step: SimTime::from_secs_f64(step),
    })
}

/// The 24-hour profile `p` moved `shift_h` hours later: value at hour h = `p` linearly
/// interpolated at h − shift (periodic). A shift of 0 returns `p` unchanged.
fn shifted_profile(p: &[f64], shift_h: f64) -> Vec<f64> {
    if shift_h == 0.0 {
        return p.to_vec();
    }
    let n = p.len() as f64;
    (0..p.len())
        .map(|h| {
            let x = (h as f64 - shift_h).rem_euclid(n);
            let i = x.floor() as usize % p.len();
            let frac = x - x.floor();
            p[i] * (1.0 - frac) + p[(i + 1) % p.len()] * frac
        })
        .collect()
}

/// `traffic.synthetic`: base rate, daily and weekly profiles, trend and promotions.
fn synthetic(
    ctx: &Ctx,
    s: &SyntheticSpec,
    classes: &[String],
) -> Result<TrafficSource, ConfigError> {
    finite_nonneg(ctx, "traffic.synthetic.base_rate", s.base_rate)?;
    if s.daily_profile.len() != 24 {
        return Err(ctx.invalid(
            "traffic.synthetic.daily_profile",
            s.daily_profile.len(),
            "needs 24 values (one per hour)",
        ));
    }
    if s.weekly_profile.len() != 7 {
        return Err(ctx.invalid(
            "traffic.synthetic.weekly_profile",
            s.weekly_profile.len(),
            "needs 7 values (Monday first)",
        ));
    }
    for (k, v) in s.daily_profile.iter().enumerate() {
        finite_nonneg(ctx, &format!("traffic.synthetic.daily_profile[{k}]"), *v)?;
    }
    for (k, v) in s.weekly_profile.iter().enumerate() {
        finite_nonneg(ctx, &format!("traffic.synthetic.weekly_profile[{k}]"), *v)?;
    }
    if !(s.trend_per_day.is_finite() && s.trend_per_day > -1.0) {
        return Err(ctx.invalid(
            "traffic.synthetic.trend_per_day",
            s.trend_per_day,
            "must be > -1",
        ));
    }
    if !s.phase_shift_h.is_finite() {
        return Err(ctx.invalid(
            "traffic.synthetic.phase_shift_h",
            s.phase_shift_h,
            "must be finite",
        ));
    }
    let mut promotions = Vec::new();
    for (k, p) in s.promotions.iter().enumerate() {
        let f = format!("traffic.synthetic.promotions[{k}]");
        finite_nonneg(ctx, &format!("{f}.start_s"), p.start_s)?;
        finite_nonneg(ctx, &format!("{f}.ramp_s"), p.ramp_s)?;
        finite_nonneg(ctx, &format!("{f}.peak"), p.peak)?;
        finite_nonneg(ctx, &format!("{f}.hold_s"), p.hold_s)?;
        finite_nonneg(ctx, &format!("{f}.decay_s"), p.decay_s)?;
        for (name, v) in [
            ("announced_s", p.announced_s),
            ("announced_start_s", p.announced_start_s),
            ("announced_peak", p.announced_peak),
            ("announced_duration_s", p.announced_duration_s),
        ] {
            if let Some(v) = v {
                finite_nonneg(ctx, &format!("{f}.{name}"), v)?;
            }
        }
        let mix_boost = per_class(ctx, &format!("{f}.mix_boost"), &p.mix_boost, classes, 1.0)?;
        promotions.push(Promotion {
            start_s: p.start_s,
            ramp_s: p.ramp_s,
            peak: p.peak,
            hold_s: p.hold_s,
            decay_s: p.decay_s,
            mix_boost,
        });
    }
    Ok(TrafficSource::Synthetic {
        base_rate: s.base_rate,
        daily_profile: shifted_profile(&s.daily_profile, s.phase_shift_h),
        weekly_profile: s.weekly_profile.clone(),
        trend_per_day: s.trend_per_day,
        promotions,
    })
}

fn faults(
    spec: &ScenarioSpec,
    ctx: &Ctx,
    pools: &[String],
    horizon_s: f64,
) -> Result<Vec<Fault>, ConfigError> {
    let pool_index = |field: String, name: &str| {
        pools.iter().position(|p| p == name).ok_or_else(|| {
            ctx.invalid(
                field,
                name,
                format!("no pool of that name (pools: {pools:?})"),
            )
        })
    };
    let window = |f: &str, start: f64, duration: f64| -> Result<(SimTime, SimTime), ConfigError> {
        finite_nonneg(ctx, &format!("{f}.start_s"), start)?;
        finite_pos(ctx, &format!("{f}.duration_s"), duration)?;
        if start >= horizon_s {
            return Err(ctx.invalid(
                format!("{f}.start_s"),
                start,
                format!("after the horizon ({horizon_s} s)"),
            ));
        }
        Ok((
            SimTime::from_secs_f64(start),
            SimTime::from_secs_f64(start + duration),
        ))
    };
    let mut out = Vec::new();
    for (i, fs) in spec.faults.iter().enumerate() {
        let f = format!("faults[{i}]");
        out.push(match fs {
            FaultSpec::Slowdown {
                pool,
                start_s,
                duration_s,
                factor,
            } => {
                let (start, end) = window(&f, *start_s, *duration_s)?;
                Fault::Slowdown {
                    pool: pool_index(format!("{f}.pool"), pool)?,
                    start,
                    end,
                    factor: finite_pos(ctx, &format!("{f}.factor"), *factor)?,
                }
            }
            FaultSpec::SlowColdStart {
                pool,
                start_s,
                duration_s,
                factor,
            } => {
                let (start, end) = window(&f, *start_s, *duration_s)?;
                Fault::SlowColdStart {
                    pool: pool
                        .as_deref()
                        .map(|p| pool_index(format!("{f}.pool"), p))
                        .transpose()?,
                    start,
                    end,
                    factor: finite_pos(ctx, &format!("{f}.factor"), *factor)?,
                }
            }
            FaultSpec::CrashBurst {
                pool,
                at_s,
                fraction,
                restart,
            } => {
                finite_nonneg(ctx, &format!("{f}.at_s"), *at_s)?;
                if !(*fraction > 0.0 && *fraction <= 1.0) {
                    return Err(ctx.invalid(
                        format!("{f}.fraction"),
                        fraction,
                        "must be in (0, 1]",
                    ));
                }
                Fault::CrashBurst {
                    pool: pool_index(format!("{f}.pool"), pool)?,
                    at: SimTime::from_secs_f64(*at_s),
                    fraction: *fraction,
                    restart: dist(ctx, &format!("{f}.restart"), restart, false)?,
                }
            }
        });
    }
    if out.len() > usize::from(u16::MAX) {
        return Err(ctx.invalid("faults", out.len(), "too many faults"));
    }
    Ok(out)
}
