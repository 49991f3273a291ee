//! Scenario families: a scenario file some of whose numbers are distributions, so that each
//! episode faces its own instance (another sale time, peak, base rate, cold start ...).
//!
//! In a drawable field, instead of a number, write one of
//!
//! ```yaml
//! start_s: { uniform: [1800, 5400] }           # a <= b
//! peak: { log_uniform: [5, 20] }               # 0 < a <= b
//! base_rate: { normal: { mean: 1000, sd: 100, min: 700, max: 1300 } }  # truncated to [min, max]
//! ramp_s: { choice: [300, 600, 900] }          # one of the values, each equally likely
//! ```
//!
//! Drawable fields: `traffic.synthetic.{base_rate, trend_per_day, phase_shift_h}`,
//! `traffic.noise.sigma`, each promotion's `start_s, ramp_s, peak, hold_s, decay_s,
//! announced_s` and `mix_boost.<class>`, each pool's `cold_start.{mean_s, mean_ms}` and
//! `failures.{mtbf_s, restart.mean_s, restart.mean_ms}`, and each fault's `start_s, duration_s,
//! factor, at_s, fraction`. A distribution anywhere else is an error naming the field.
//!
//! A promotion may also carry `announce_error: { start_sd_s, peak_rel_sd, duration_rel_sd }`
//! (each default 0): the announced start is then the true start plus N(0, start_sd_s), the
//! announced peak the true peak times (1 + N(0, peak_rel_sd)) and the announced length the true
//! ramp + hold times (1 + N(0, duration_rel_sd)), each at least 0, drawn per episode. And `traffic.synthetic.generate`
//! draws whole promotions:
//!
//! ```yaml
//! generate:
//!   count: { choice: [1, 2] }       # a number or a distribution, rounded down, at least 0
//!   start_s: { uniform: [3600, 18000] }
//!   ramp_s: 600                     # each field: a number or a distribution
//!   peak: { log_uniform: [5, 15] }
//!   hold_s: 1800
//!   decay_s: 900
//!   announced_s: 7200               # optional, as for a promotion
//!   announce_error: { start_sd_s: 900, peak_rel_sd: 0.2 }   # optional
//!   min_gap_s: 3600                 # optional, default 0
//!   mix_boost: { order: 3, pay: 4 } # optional, fixed: copied into every generated promotion
//! ```
//!
//! Overlap and horizon rule for generated promotions: they are drawn one after the other, then
//! sorted by start; each one that starts before the previous one's end (start + ramp + hold)
//! plus `min_gap_s` is moved to start there; one whose ramp and hold then end after the horizon
//! is dropped. They follow the file's own promotions.
//!
//! Drawing: an episode with seed `s` draws its instance from the stream `scenario` of `s`
//! (`sim::rng`), before anything else and from no other stream, so two policies on one seed face
//! the same instance and, the simulator's streams being keyed by other names, the same
//! requests. The order of draws is: the drawable fields in file order, then each file
//! promotion's announcement errors, then the generated promotions (count, then per promotion its
//! fields in the order above and its announcement errors). A file with none of this is a family
//! of one: nothing is drawn and its instance is the file itself.
//!
//! Validation: a family is checked when it is loaded: every distribution's own parameters, that
//! no drawn start can fall at or past the horizon, and the instances with every drawn field at
//! the low end and at the high end of its range (so a range that can make a rate negative is
//! refused, naming the field and the range), plus a few seeded draws.

use std::path::Path;

use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde_yaml::{Mapping, Value};

use crate::io::{ConfigError, Ctx};
use crate::sim::rng::StreamRng;

/// The distribution of one drawn number.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Uniform on `[a, b]`.
    Uniform(f64, f64),
    /// `exp` of a uniform on `[ln a, ln b]`.
    LogUniform(f64, f64),
    /// Normal, truncated to `[min, max]` (by rejection).
    Normal {
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    },
    /// One of the values, each equally likely.
    Choice(Vec<f64>),
}

/// The distribution kinds, as written.
const KINDS: [&str; 4] = ["uniform", "log_uniform", "normal", "choice"];

impl Dist {
    /// Draws one value.
    pub fn sample(&self, rng: &mut StreamRng) -> f64 {
        match self {
            Dist::Uniform(a, b) => a + (b - a) * rng.random::<f64>(),
            Dist::LogUniform(a, b) => (a.ln() + (b.ln() - a.ln()) * rng.random::<f64>()).exp(),
            Dist::Normal { mean, sd, min, max } => {
                let n = Normal::new(*mean, *sd).expect("sd checked finite and >= 0");
                // Rejection keeps the truncated shape; a range far in the tail (checked at load
                // to hold at least some mass) falls back to clamping after many tries.
                for _ in 0..10_000 {
                    let x = n.sample(rng);
                    if x >= *min && x <= *max {
                        return x;
                    }
                }
                mean.clamp(*min, *max)
            }
            Dist::Choice(values) => values[rng.random_range(0..values.len())],
        }
    }

    /// The smallest and largest value it can draw.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Uniform(a, b) | Dist::LogUniform(a, b) => (*a, *b),
            Dist::Normal { min, max, .. } => (*min, *max),
            Dist::Choice(v) => v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                }),
        }
    }

    /// The distribution written in `m` (a one-key mapping naming a kind); `None` when `m` is not
    /// one. Errors name `field` and say what is wrong.
    fn parse(m: &Mapping, field: &str, ctx: &Ctx) -> Result<Option<Dist>, ConfigError> {
        let Some((Value::String(kind), args)) = m.iter().next().filter(|_| m.len() == 1) else {
            return Ok(None);
        };
        let shown = || format!("{{ {kind}: {} }}", yaml_inline(args));
        let bad = |why: &str| ctx.invalid(field, shown(), why);
        let num = |v: &Value| v.as_f64().filter(|x| x.is_finite());
        let pair = |args: &Value| -> Result<(f64, f64), ConfigError> {
            match args
                .as_sequence()
                .map(|s| s.iter().map(num).collect::<Vec<_>>())
            {
                Some(v) if v.len() == 2 && v.iter().all(Option::is_some) => {
                    Ok((v[0].expect("checked"), v[1].expect("checked")))
                }
                _ => Err(bad("needs [a, b]: two finite numbers")),
            }
        };
        let dist = match kind.as_str() {
            "uniform" => {
                let (a, b) = pair(args)?;
                if a > b {
                    return Err(bad("min > max: needs a <= b"));
                }
                Dist::Uniform(a, b)
            }
            "log_uniform" => {
                let (a, b) = pair(args)?;
                if a > b {
                    return Err(bad("min > max: needs a <= b"));
                }
                if a <= 0.0 {
                    return Err(bad("needs 0 < a"));
                }
                Dist::LogUniform(a, b)
            }
            "normal" => {
                let get = |k: &str| {
                    args.as_mapping()
                        .and_then(|m| m.get(k))
                        .and_then(num)
                        .ok_or_else(|| bad("needs { mean, sd, min, max }, all finite numbers"))
                };
                if args.as_mapping().is_some_and(|m| m.len() != 4) {
                    return Err(bad("needs exactly { mean, sd, min, max }"));
                }
                let (mean, sd, min, max) = (get("mean")?, get("sd")?, get("min")?, get("max")?);
                if sd < 0.0 {
                    return Err(bad("sd must be >= 0"));
                }
                if min > max {
                    return Err(bad("min > max"));
                }
                // At least 1e-6 of the mass inside [min, max], so rejection terminates.
                let z = |x: f64| if sd > 0.0 { (x - mean) / sd } else { 0.0 };
                if sd > 0.0 && (z(max) < -4.75 || z(min) > 4.75) {
                    return Err(bad("[min, max] lies more than 4.75 sd from the mean"));
                }
                if sd == 0.0 && !(min..=max).contains(&mean) {
                    return Err(bad("sd 0 and the mean outside [min, max]"));
                }
                Dist::Normal { mean, sd, min, max }
            }
            "choice" => {
                let values: Vec<Option<f64>> = args
                    .as_sequence()
                    .map(|s| s.iter().map(num).collect())
                    .unwrap_or_default();
                if values.is_empty() {
                    return Err(bad("an empty choice: needs at least one value"));
                }
                if values.iter().any(Option::is_none) {
                    return Err(bad("every choice must be a finite number"));
                }
                Dist::Choice(values.into_iter().flatten().collect())
            }
            other => {
                return Err(ctx.invalid(
                    field,
                    shown(),
                    format!("unknown distribution kind `{other}` (one of {KINDS:?})"),
                ))
            }
        };
        Ok(Some(dist))
    }
}

/// A YAML value on one line, for error messages.
fn yaml_inline(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| format!("{v:?}"))
}

/// One step of a path into the YAML document.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A drawn field: where it sits, its name in messages and its distribution.
#[derive(Debug, Clone)]
struct Drawn {
    path: Vec<Seg>,
    field: String,
    dist: Dist,
}

/// A number or a distribution (the fields of `generate`).
#[derive(Debug, Clone)]
enum Param {
    Fixed(f64),
    Dist(Dist),
}

impl Param {
    fn parse(v: &Value, field: &str, ctx: &Ctx) -> Result<Param, ConfigError> {
        if let Some(x) = v.as_f64() {
            if x.is_finite() {
                return Ok(Param::Fixed(x));
            }
        }
        if let Some(m) = v.as_mapping() {
            if let Some(d) = Dist::parse(m, field, ctx)? {
                return Ok(Param::Dist(d));
            }
        }
        Err(ctx.invalid(
            field,
            yaml_inline(v),
            "needs a finite number or a distribution ({ uniform: [a, b] }, ...)",
        ))
    }

    fn sample(&self, rng: &mut StreamRng) -> f64 {
        match self {
            Param::Fixed(x) => *x,
            Param::Dist(d) => d.sample(rng),
        }
    }

    fn support(&self) -> (f64, f64) {
        match self {
            Param::Fixed(x) => (*x, *x),
            Param::Dist(d) => d.support(),
        }
    }
}

/// `announce_error` of a promotion.
#[derive(Debug, Clone)]
struct AnnounceError {
    start_sd_s: f64,
    peak_rel_sd: f64,
    duration_rel_sd: f64,
}

impl AnnounceError {
    fn parse(v: &Value, field: &str, ctx: &Ctx) -> Result<AnnounceError, ConfigError> {
        let m = v.as_mapping().ok_or_else(|| {
            ctx.invalid(
                field,
                yaml_inline(v),
                "needs { start_sd_s, peak_rel_sd, duration_rel_sd }",
            )
        })?;
        let mut out = AnnounceError {
            start_sd_s: 0.0,
            peak_rel_sd: 0.0,
            duration_rel_sd: 0.0,
        };
        for (k, x) in m {
            let key = k.as_str().unwrap_or_default();
            let f = format!("{field}.{key}");
            let val = x
                .as_f64()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| ctx.invalid(&f, yaml_inline(x), "must be a finite number >= 0"))?;
            match key {
                "start_sd_s" => out.start_sd_s = val,
                "peak_rel_sd" => out.peak_rel_sd = val,
                "duration_rel_sd" => out.duration_rel_sd = val,
                _ => {
                    return Err(ctx.invalid(
                        &f,
                        yaml_inline(x),
                        "unknown field (start_sd_s, peak_rel_sd, duration_rel_sd)",
                    ))
                }
            }
        }
        Ok(out)
    }

    /// Draws the announced start, peak and length of a promotion with true `start_s`, `peak`
    /// and length (ramp + hold) `duration_s`.
    fn draw(&self, start_s: f64, peak: f64, duration_s: f64, rng: &mut StreamRng) -> [f64; 3] {
        let z = |rng: &mut StreamRng| -> f64 { rand_distr::StandardNormal.sample(rng) };
        let start = (start_s + self.start_sd_s * z(rng)).max(0.0);
        let peak = (peak * (1.0 + self.peak_rel_sd * z(rng))).max(0.0);
        let duration = (duration_s * (1.0 + self.duration_rel_sd * z(rng))).max(0.0);
        [start, peak, duration]
    }
}

/// `traffic.synthetic.generate`.
#[derive(Debug, Clone)]
struct Generate {
    count: Param,
    start_s: Param,
    ramp_s: Param,
    peak: Param,
    hold_s: Param,
    decay_s: Param,
    announced_s: Option<Param>,
    announce_error: Option<AnnounceError>,
    min_gap_s: f64,
    /// Copied into every generated promotion as is (fixed per-class share boosts).
    mix_boost: Option<Value>,
}

const GENERATE: &str = "traffic.synthetic.generate";

impl Generate {
    fn parse(v: &Value, ctx: &Ctx) -> Result<Generate, ConfigError> {
        let m = v.as_mapping().ok_or_else(|| {
            ctx.invalid(
                GENERATE,
                yaml_inline(v),
                "needs a mapping (count, start_s, ...)",
            )
        })?;
        let field = |k: &str| format!("{GENERATE}.{k}");
        for k in m.keys() {
            let key = k.as_str().unwrap_or_default();
            if ![
                "count",
                "start_s",
                "ramp_s",
                "peak",
                "hold_s",
                "decay_s",
                "announced_s",
                "announce_error",
                "min_gap_s",
                "mix_boost",
            ]
            .contains(&key)
            {
                return Err(ctx.invalid(field(key), "", "unknown field of generate"));
            }
        }
        let req = |k: &str| -> Result<Param, ConfigError> {
            match m.get(k) {
                Some(v) => Param::parse(v, &field(k), ctx),
                None => Err(ctx.invalid(field(k), "(missing)", "required")),
            }
        };
        let opt = |k: &str, default: f64| -> Result<Param, ConfigError> {
            m.get(k).map_or(Ok(Param::Fixed(default)), |v| {
                Param::parse(v, &field(k), ctx)
            })
        };
        let g = Generate {
            count: req("count")?,
            start_s: req("start_s")?,
            ramp_s: opt("ramp_s", 0.0)?,
            peak: req("peak")?,
            hold_s: opt("hold_s", 0.0)?,
            decay_s: opt("decay_s", 0.0)?,
            announced_s: m
                .get("announced_s")
                .map(|v| Param::parse(v, &field("announced_s"), ctx))
                .transpose()?,
            announce_error: m
                .get("announce_error")
                .map(|v| AnnounceError::parse(v, &field("announce_error"), ctx))
                .transpose()?,
            mix_boost: match m.get("mix_boost") {
                None => None,
                Some(v @ Value::Mapping(b)) if b.values().all(|x| x.as_f64().is_some()) => {
                    Some(v.clone())
                }
                Some(v) => {
                    return Err(ctx.invalid(
                        field("mix_boost"),
                        yaml_inline(v),
                        "needs a mapping of class -> number (fixed, not drawn)",
                    ))
                }
            },
            min_gap_s: match m.get("min_gap_s") {
                None => 0.0,
                Some(v) => v
                    .as_f64()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .ok_or_else(|| {
                        ctx.invalid(field("min_gap_s"), yaml_inline(v), "must be >= 0")
                    })?,
            },
        };
        let (lo, hi) = g.count.support();
        if lo < 0.0 || hi > 100.0 {
            return Err(ctx.invalid(
                field("count"),
                format!("[{lo}, {hi}]"),
                "must lie in [0, 100]",
            ));
        }
        for (k, p) in [
            ("start_s", &g.start_s),
            ("ramp_s", &g.ramp_s),
            ("peak", &g.peak),
            ("hold_s", &g.hold_s),
            ("decay_s", &g.decay_s),
        ]
        .into_iter()
        .chain(g.announced_s.iter().map(|p| ("announced_s", p)))
        {
            let (lo, _) = p.support();
            if lo < 0.0 {
                return Err(ctx.invalid(field(k), lo, "can draw a negative value"));
            }
        }
        Ok(g)
    }

    /// Draws the promotions (as YAML mappings) and records what was drawn in `params`.
    fn draw(
        &self,
        horizon_s: f64,
        rng: &mut StreamRng,
        params: &mut Vec<(String, f64)>,
    ) -> Vec<Value> {
        let n = self.count.sample(rng).floor().max(0.0) as usize;
        params.push((format!("{GENERATE}.count"), n as f64));
        struct P {
            start: f64,
            ramp: f64,
            peak: f64,
            hold: f64,
            decay: f64,
            announced: Option<f64>,
            errs: Option<[f64; 3]>,
        }
        let mut drawn: Vec<P> = (0..n)
            .map(|_| {
                let start = self.start_s.sample(rng);
                let ramp = self.ramp_s.sample(rng);
                let peak = self.peak.sample(rng);
                let hold = self.hold_s.sample(rng);
                let decay = self.decay_s.sample(rng);
                let announced = self.announced_s.as_ref().map(|p| p.sample(rng));
                let errs = self
                    .announce_error
                    .as_ref()
                    .map(|e| e.draw(start, peak, ramp + hold, rng));
                P {
                    start,
                    ramp,
                    peak,
                    hold,
                    decay,
                    announced,
                    errs,
                }
            })
            .collect();
        drawn.sort_by(|a, b| a.start.total_cmp(&b.start));
        let mut kept = Vec::new();
        let mut busy_until = f64::NEG_INFINITY;
        for mut p in drawn {
            let earliest = busy_until + self.min_gap_s;
            if p.start < earliest {
                let shift = earliest - p.start;
                p.start = earliest;
                if let Some([s, _, _]) = p.errs.as_mut() {
                    *s += shift;
                }
            }
            if p.start + p.ramp + p.hold > horizon_s {
                continue;
            }
            busy_until = p.start + p.ramp + p.hold;
            kept.push(p);
        }
        params.push((format!("{GENERATE}.kept"), kept.len() as f64));
        kept.into_iter()
            .enumerate()
            .map(|(k, p)| {
                let mut fields = vec![
                    ("start_s", p.start),
                    ("ramp_s", p.ramp),
                    ("peak", p.peak),
                    ("hold_s", p.hold),
                    ("decay_s", p.decay),
                ];
                fields.extend(p.announced.map(|a| ("announced_s", a)));
                if let Some([s, pk, d]) = p.errs {
                    fields.extend([
                        ("announced_start_s", s),
                        ("announced_peak", pk),
                        ("announced_duration_s", d),
                    ]);
                }
                let mut m = Mapping::new();
                m.insert(Value::from("name"), Value::from(format!("generated_{k}")));
                if let Some(b) = &self.mix_boost {
                    m.insert(Value::from("mix_boost"), b.clone());
                }
                for (name, v) in fields {
                    m.insert(Value::from(name), Value::from(v));
                    params.push((format!("{GENERATE}[{k}].{name}"), v));
                }
                Value::Mapping(m)
            })
            .collect()
    }
}

/// The field name of `path` with indices and map keys generalised (`pools[3].cold_start.mean_s`
/// -> `pools[].cold_start.mean_s`; a mix boost's class -> `*`), to test it against `DRAWABLE`.
fn pattern(path: &[Seg]) -> String {
    let mut out = String::new();
    for (i, s) in path.iter().enumerate() {
        match s {
            Seg::Index(_) => out.push_str("[]"),
            Seg::Key(k) => {
                if i > 0 {
                    out.push('.');
                }
                let parent_is_boost = i > 0 && path[i - 1] == Seg::Key("mix_boost".into());
                out.push_str(if parent_is_boost { "*" } else { k });
            }
        }
    }
    out
}

fn field_name(path: &[Seg]) -> String {
    let mut out = String::new();
    for (i, s) in path.iter().enumerate() {
        match s {
            Seg::Index(k) => out.push_str(&format!("[{k}]")),
            Seg::Key(k) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(k);
            }
        }
    }
    out
}

/// The fields that may be distributions (see the module docs).
const DRAWABLE: &[&str] = &[
    "traffic.synthetic.base_rate",
    "traffic.synthetic.trend_per_day",
    "traffic.synthetic.phase_shift_h",
    "traffic.noise.sigma",
    "traffic.synthetic.promotions[].start_s",
    "traffic.synthetic.promotions[].ramp_s",
    "traffic.synthetic.promotions[].peak",
    "traffic.synthetic.promotions[].hold_s",
    "traffic.synthetic.promotions[].decay_s",
    "traffic.synthetic.promotions[].announced_s",
    "traffic.synthetic.promotions[].mix_boost.*",
    "pools[].cold_start.mean_s",
    "pools[].cold_start.mean_ms",
    "pools[].failures.mtbf_s",
    "pools[].failures.restart.mean_s",
    "pools[].failures.restart.mean_ms",
    "faults[].start_s",
    "faults[].duration_s",
    "faults[].factor",
    "faults[].at_s",
    "faults[].fraction",
];

/// A scenario file with its drawn parts taken out: the template (distributions in place) and
/// what to draw. Built by `Family::parse`; `draw` gives one instance's YAML.
#[derive(Debug, Clone)]
pub struct Family {
    template: Value,
    drawn: Vec<Drawn>,
    /// (promotion index, its `announce_error`) of the file's own promotions.
    announce: Vec<(usize, AnnounceError)>,
    generate: Option<Generate>,
    horizon_s: f64,
}

/// One instance of a family: its YAML (a plain scenario) and the values drawn, by field.
#[derive(Debug, Clone)]
pub struct Instance {
    pub yaml: Value,
    pub params: Vec<(String, f64)>,
}

impl Family {
    /// Finds the distributions, announcement errors and `generate` of a parsed YAML scenario;
    /// `Ok(None)` when it has none (a family of one). Errors name `file` and the field.
    pub fn parse(doc: &Value, file: &Path) -> Result<Option<Family>, ConfigError> {
        let ctx = &Ctx { file };
        let mut drawn = Vec::new();
        scan(doc, &mut Vec::new(), &mut drawn, ctx)?;
        let promotions = doc
            .get("traffic")
            .and_then(|t| t.get("synthetic"))
            .and_then(|s| s.get("promotions"))
            .and_then(Value::as_sequence);
        let mut announce = Vec::new();
        for (k, p) in promotions.into_iter().flatten().enumerate() {
            if let Some(e) = p.get("announce_error") {
                let f = format!("traffic.synthetic.promotions[{k}].announce_error");
                announce.push((k, AnnounceError::parse(e, &f, ctx)?));
            }
        }
        let generate = doc
            .get("traffic")
            .and_then(|t| t.get("synthetic"))
            .and_then(|s| s.get("generate"))
            .map(|g| Generate::parse(g, ctx))
            .transpose()?;
        if drawn.is_empty() && announce.is_empty() && generate.is_none() {
            return Ok(None);
        }
        let horizon_s = doc
            .get("horizon_s")
            .and_then(Value::as_f64)
            .unwrap_or(f64::INFINITY);
        for d in &drawn {
            if d.field.ends_with(".start_s") && d.dist.support().1 >= horizon_s {
                return Err(ctx.invalid(
                    &d.field,
                    format!("{:?}", d.dist.support()),
                    format!("can put the sale at or past the horizon ({horizon_s} s)"),
                ));
            }
        }
        if let Some(g) = &generate {
            if g.start_s.support().1 >= horizon_s {
                return Err(ctx.invalid(
                    format!("{GENERATE}.start_s"),
                    format!("{:?}", g.start_s.support()),
                    format!("can put the sale at or past the horizon ({horizon_s} s)"),
                ));
            }
        }
        Ok(Some(Family {
            template: doc.clone(),
            drawn,
            announce,
            generate,
            horizon_s,
        }))
    }

    /// The same family with its `scale` multiplied by `k`.
    pub fn rescaled(&self, k: f64) -> Family {
        let scale = self
            .template
            .get("scale")
            .and_then(Value::as_f64)
            .unwrap_or(1.0);
        self.with_top_level("scale", Value::from(scale * k))
    }

    /// The same family with the top-level field `key` (not a drawn one) set to `value`.
    pub fn with_top_level(&self, key: &str, value: Value) -> Family {
        let mut f = self.clone();
        if let Some(m) = f.template.as_mapping_mut() {
            m.insert(key.into(), value);
        }
        f
    }

    /// The names of the drawn fields and their ranges, for the corner checks.
    pub fn ranges(&self) -> Vec<(String, (f64, f64))> {
        self.drawn
            .iter()
            .map(|d| (d.field.clone(), d.dist.support()))
            .collect()
    }

    /// The instance with every drawn field at the low (`high = false`) or high end of its range,
    /// no announcement error and no generated promotion: for validation at load time.
    pub fn corner(&self, high: bool) -> Value {
        let mut doc = self.template.clone();
        for d in &self.drawn {
            let (lo, hi) = d.dist.support();
            set(&mut doc, &d.path, Value::from(if high { hi } else { lo }));
        }
        strip_family_keys(&mut doc);
        doc
    }

    /// Draws one instance from `rng` (see the module docs for the order of draws).
    pub fn draw(&self, rng: &mut StreamRng) -> Instance {
        let mut doc = self.template.clone();
        let mut params = Vec::new();
        for d in &self.drawn {
            let x = d.dist.sample(rng);
            set(&mut doc, &d.path, Value::from(x));
            params.push((d.field.clone(), x));
        }
        for (k, e) in &self.announce {
            let p = promotion_mut(&mut doc, *k).expect("announce_error was found on it");
            let num = |p: &Mapping, key: &str| p.get(key).and_then(Value::as_f64).unwrap_or(0.0);
            let length = num(p, "ramp_s") + num(p, "hold_s");
            let drawn = e.draw(num(p, "start_s"), num(p, "peak"), length, rng);
            let f = format!("traffic.synthetic.promotions[{k}]");
            for (name, v) in [
                "announced_start_s",
                "announced_peak",
                "announced_duration_s",
            ]
            .into_iter()
            .zip(drawn)
            {
                p.insert(name.into(), Value::from(v));
                params.push((format!("{f}.{name}"), v));
            }
        }
        if let Some(g) = &self.generate {
            let extra = g.draw(self.horizon_s, rng, &mut params);
            if let Some(list) = promotions_mut(&mut doc) {
                list.extend(extra);
            }
        }
        strip_family_keys(&mut doc);
        Instance { yaml: doc, params }
    }
}

/// Removes `generate` and every `announce_error` (what remains is a plain scenario).
fn strip_family_keys(doc: &mut Value) {
    if let Some(s) = doc
        .get_mut("traffic")
        .and_then(|t| t.get_mut("synthetic"))
        .and_then(Value::as_mapping_mut)
    {
        s.remove("generate");
        if !s.contains_key("promotions") {
            s.insert("promotions".into(), Value::Sequence(Vec::new()));
        }
    }
    if let Some(list) = promotions_mut(doc) {
        for p in list.iter_mut().filter_map(Value::as_mapping_mut) {
            p.remove("announce_error");
        }
    }
}

fn promotions_mut(doc: &mut Value) -> Option<&mut Vec<Value>> {
    doc.get_mut("traffic")?
        .get_mut("synthetic")?
        .get_mut("promotions")?
        .as_sequence_mut()
}

fn promotion_mut(doc: &mut Value, k: usize) -> Option<&mut Mapping> {
    promotions_mut(doc)?.get_mut(k)?.as_mapping_mut()
}

/// Sets the value at `path` (which exists: it was found by `scan`).
fn set(doc: &mut Value, path: &[Seg], v: Value) {
    let mut cur = doc;
    for s in path {
        cur = match s {
            Seg::Key(k) => cur.get_mut(k.as_str()),
            Seg::Index(i) => cur.get_mut(*i),
        }
        .expect("the path was found in this document");
    }
    *cur = v;
}

/// A one-key mapping that reads as a distribution (a kind with a list of numbers, or a `normal`
/// with a `mean`): what a distribution in a field that cannot be drawn looks like. Maps keyed by
/// class or pool names (which may be called `uniform`) do not look like this.
fn looks_like_dist(m: &Mapping) -> bool {
    let Some((Value::String(kind), args)) = m.iter().next().filter(|_| m.len() == 1) else {
        return false;
    };
    KINDS.contains(&kind.as_str())
        && (args
            .as_sequence()
            .is_some_and(|s| !s.is_empty() && s.iter().all(|x| x.as_f64().is_some()))
            || args.as_mapping().is_some_and(|a| a.contains_key("mean")))
}

/// Finds every distribution in `v` (at `path`), refusing one in a field that is not drawable.
fn scan(
    v: &Value,
    path: &mut Vec<Seg>,
    out: &mut Vec<Drawn>,
    ctx: &Ctx,
) -> Result<(), ConfigError> {
    match v {
        Value::Mapping(m) => {
            let drawable = DRAWABLE.contains(&pattern(path).as_str());
            if drawable {
                let Some(dist) = Dist::parse(m, &field_name(path), ctx)? else {
                    return Err(ctx.invalid(
                        field_name(path),
                        yaml_inline(v),
                        format!("needs a number or one distribution (one of {KINDS:?})"),
                    ));
                };
                out.push(Drawn {
                    path: path.clone(),
                    field: field_name(path),
                    dist,
                });
                return Ok(());
            }
            if looks_like_dist(m) {
                return Err(ctx.invalid(
                    field_name(path),
                    yaml_inline(v),
                    format!(
                        "this field cannot be drawn (drawable: {})",
                        DRAWABLE.join(", ")
                    ),
                ));
            }
            for (k, x) in m {
                let Some(key) = k.as_str() else { continue };
                let here = pattern(path);
                // Family-only keys are read by `Family::parse` itself.
                if (here == "traffic.synthetic" && key == "generate")
                    || (here == "traffic.synthetic.promotions[]" && key == "announce_error")
                {
                    continue;
                }
                path.push(Seg::Key(key.to_string()));
                scan(x, path, out, ctx)?;
                path.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, x) in s.iter().enumerate() {
                path.push(Seg::Index(i));
                scan(x, path, out, ctx)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}
