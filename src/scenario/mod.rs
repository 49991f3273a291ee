//! Scenario files: YAML in, a validated simulator configuration out.
//!
//! Lifecycle: YAML is parsed into `ScenarioSpec` (`deny_unknown_fields`, documented defaults),
//! validated once into a `SimConfig` (`validate`, one function per section; every error is a
//! `ConfigError` naming file, field path and value), and nothing downstream re-checks it. The
//! `env:` section (`env_spec`) is validated by `crate::env::EnvConfig` against the scenario.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod calendar;
pub mod env_spec;
pub mod family;
pub mod size;
pub mod spec;
pub mod trace;
pub mod validate;

pub use calendar::Announcement;
pub use family::Family;
pub use spec::ScenarioSpec;

use crate::io::ConfigError;
use crate::sim::rng::{self, stream, StreamRng};
use crate::sim::{Fidelity, SimConfig};

/// The stream an episode's instance of a family is drawn from (`sim::rng`).
pub const DRAW_STREAM: &str = "scenario";

/// Seeded draws validated when a family is loaded, besides its corners.
const CHECK_DRAWS: u64 = 16;

/// A loaded, validated scenario: a fixed scenario, one instance of a family, or a family (its
/// fields then describe its nominal instance, the draw of seed 0, and `draw` gives the others).
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The parsed file with defaults filled in (a family: its nominal instance).
    pub spec: ScenarioSpec,
    /// Where it came from.
    pub path: PathBuf,
    pub sim: Arc<SimConfig>,
    /// Instances per pool under the scenario's static policy.
    pub static_counts: Vec<u32>,
    /// The announced promotions.
    pub calendar: Vec<Announcement>,
    /// The values drawn for this instance, by field (empty for a fixed scenario).
    pub params: Vec<(String, f64)>,
    /// The family this is the nominal instance of (`None`: a fixed scenario or an instance).
    family: Option<Arc<Family>>,
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ConfigError> {
        let path = path.as_ref();
        let text = crate::io::read_text(path)?;
        Scenario::from_yaml(&text, path)
    }

    /// Parses and validates scenario text; `path` names it in errors and anchors relative trace
    /// paths. A text with distributions (see `family`) gives a family.
    pub fn from_yaml(text: &str, path: &Path) -> Result<Scenario, ConfigError> {
        let doc: serde_yaml::Value = crate::io::parse_yaml(text, path)?;
        match Family::parse(&doc, path)? {
            None => {
                let spec: ScenarioSpec = crate::io::parse_yaml(text, path)?;
                Scenario::from_spec(spec, path)
            }
            Some(family) => Scenario::from_family(family, path),
        }
    }

    /// Validates an already parsed spec.
    pub fn from_spec(spec: ScenarioSpec, path: &Path) -> Result<Scenario, ConfigError> {
        let v = validate::validate(&spec, path)?;
        Ok(Scenario {
            spec,
            path: path.to_path_buf(),
            sim: Arc::new(v.sim),
            static_counts: v.static_counts,
            calendar: v.calendar,
            params: Vec::new(),
            family: None,
        })
    }

    /// A family, checked at its corners and on a few draws; its nominal instance is seed 0's.
    fn from_family(family: Family, path: &Path) -> Result<Scenario, ConfigError> {
        for high in [false, true] {
            let spec: ScenarioSpec = crate::io::from_yaml_value(family.corner(high), path)?;
            validate::validate(&spec, path).map_err(|e| in_range(e, &family, high))?;
        }
        for seed in 1..=CHECK_DRAWS {
            instance(&family, &mut stream(seed, DRAW_STREAM), path)?;
        }
        let mut nominal = instance(&family, &mut stream(0, DRAW_STREAM), path)?;
        nominal.family = Some(Arc::new(family));
        Ok(nominal)
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The same scenario (or family) with its `scale` multiplied by `k` (rates and instance
    /// counts together).
    pub fn rescaled(&self, k: f64) -> Result<Scenario, ConfigError> {
        match &self.family {
            None => {
                let mut spec = self.spec.clone();
                spec.scale *= k;
                Scenario::from_spec(spec, &self.path)
            }
            Some(f) => Scenario::from_family(f.rescaled(k), &self.path),
        }
    }

    /// True for a family with something to draw.
    pub fn is_family(&self) -> bool {
        self.family.is_some()
    }

    /// The instance of the episode with seed `seed`: drawn from its stream `scenario` for a
    /// family, the scenario itself otherwise.
    pub fn draw_seed(&self, seed: u64) -> Result<Scenario, ConfigError> {
        self.draw(&mut stream(seed, DRAW_STREAM))
    }

    /// The signature of the instance of seed `seed`: a hash of the values drawn (field names and
    /// exact bits), so two seeds that give the same instance give the same signature. Draws only
    /// the parameters (no validation), for counting the instances splits share. Every seed of a
    /// fixed scenario gives the same signature: its instances are all one.
    pub fn instance_signature(&self, seed: u64) -> u64 {
        let params = match &self.family {
            None => Vec::new(),
            Some(f) => f.draw(&mut stream(seed, DRAW_STREAM)).params,
        };
        params.iter().fold(rng::FNV_OFFSET, |h, (name, v)| {
            let h = rng::fnv1a_extend(h, name.as_bytes());
            rng::fnv1a_extend(h, &v.to_bits().to_le_bytes())
        })
    }

    /// The next instance drawn from `rng` (a fixed scenario: itself, drawing nothing).
    pub fn draw(&self, rng: &mut StreamRng) -> Result<Scenario, ConfigError> {
        match &self.family {
            None => Ok(self.clone()),
            Some(f) => instance(f, rng, &self.path),
        }
    }

    /// The same scenario run at `fidelity` (the `--fidelity` flags; `None` keeps the file's).
    pub fn with_fidelity(mut self, fidelity: Option<Fidelity>) -> Scenario {
        if let Some(f) = fidelity {
            self.spec.fidelity = f;
            Arc::make_mut(&mut self.sim).fidelity = f;
            // A family's later draws run at that fidelity too.
            if let Some(fam) = &self.family {
                let value = serde_yaml::to_value(f).expect("a fidelity serialises");
                self.family = Some(Arc::new(fam.with_top_level("fidelity", value)));
            }
        }
        self
    }

    /// The resolved scenario as YAML.
    /// The resolved scenario as YAML (a family: its nominal instance; an instance: a plain
    /// scenario file that reproduces it).
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(&self.spec).expect("a parsed spec serialises")
    }
}

/// One validated instance of `family`, drawn from `rng`.
fn instance(family: &Family, rng: &mut StreamRng, path: &Path) -> Result<Scenario, ConfigError> {
    let drawn = family.draw(rng);
    let spec: ScenarioSpec = crate::io::from_yaml_value(drawn.yaml, path)?;
    let mut s = Scenario::from_spec(spec, path)?;
    s.params = drawn.params;
    Ok(s)
}

/// A corner instance's error, said of the drawn field's range when it names a drawn field.
fn in_range(e: ConfigError, family: &Family, high: bool) -> ConfigError {
    match e {
        ConfigError::Invalid {
            file,
            field,
            value,
            message,
        } => match family.ranges().into_iter().find(|(f, _)| *f == field) {
            Some((_, (lo, hi))) => ConfigError::Invalid {
                file,
                field,
                value: format!("range [{lo}, {hi}]"),
                message: format!(
                    "its {} end ({value}) is not allowed: {message}",
                    if high { "high" } else { "low" }
                ),
            },
            None => ConfigError::Invalid {
                file,
                field,
                value,
                message: format!(
                    "{message} (with every drawn field at the {} end of its range)",
                    if high { "high" } else { "low" }
                ),
            },
        },
        other => other,
    }
}
