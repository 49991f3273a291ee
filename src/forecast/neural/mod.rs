//! Neural forecasters on libtorch (`tch`): an LSTM and a small Transformer encoder behind the same
//! [`Forecaster`](super::Forecaster) / [`FittedForecaster`](super::FittedForecaster) pair as the
//! classical models.
//!
//! The YAML spec ([`NeuralSpec`]) and its validation ([`NeuralConfig`]) are plain Rust and always
//! compiled, so a spec naming `model: lstm` parses and its fields are checked in every build; only
//! the models themselves need `--features tch`. Without it, building the spec fails with an error
//! saying the crate was built without the tch feature.
//!
//! # Model
//! * **Direct multi-horizon**: the network reads the last `lookback` steps and outputs all
//!   `horizon` steps at once. Forecasts beyond `horizon` are made recursively (the predicted block
//!   is appended to the input window and the network run again).
//! * **Inputs per step**: the scaled value, plus (when the series has a [`Calendar`](super::Calendar)
//!   and `calendar: true`) sin/cos of the time of day and of the position in the week.
//! * **Scaling**: `log1p` then standardisation with mean and sd of the training part
//!   (`scale: auto` uses log1p when the series has no negative value, plain standardisation
//!   otherwise). The network predicts the change of every future step from the last observed
//!   scaled value, and its output layer starts at zero, so an untrained network is the naive
//!   forecast.
//! * **Training**: Adam on the mean squared error (scaled space), gradient norm clipped at 1,
//!   minibatches shuffled by a ChaCha stream seeded with `seed`, at most `max_samples` windows per
//!   epoch, early stopping on the last `val_frac` of the windows (chronologically; training
//!   targets end before the first validation target) with `patience` epochs, best weights kept.
//!   Weight initialisation is seeded with `nn::seed_exclusive(seed)` (a process-wide lock), and no
//!   other libtorch randomness is used (no dropout), so on the CPU the same seed gives the same
//!   forecasts, also when several fits run in parallel.
//! * **Prediction intervals**: empirical quantiles of the validation residuals per horizon step,
//!   in scaled space, added to the point forecast and transformed back (so they are asymmetric
//!   after log1p). Beyond `horizon` the last step's quantiles are widened by `sqrt(k / horizon)`.
//!   The validation tail also chose the stopping epoch, so the intervals are somewhat optimistic.
//! * **Online use**: `update(y)` appends `y` to the input window (no retraining); refits come from
//!   the spec's `refit_every` through [`OnlineForecaster`](super::online::OnlineForecaster).
//!
//! # YAML
//! ```yaml
//! model: lstm          # or transformer
//! lookback: 60         # input window in steps (default 60). `window` is the common
//!                      # "fit on at most this many recent steps" key, as for every model.
//! horizon: 60          # steps predicted at once (default 60)
//! hidden: 32           # lstm only: hidden units (default 32)
//! d_model: 32          # transformer only: model width (default 32)
//! heads: 4             # transformer only: attention heads, must divide d_model (default 4)
//! ff: 64               # transformer only: feed-forward width (default 2 x d_model)
//! layers: 1            # LSTM layers / encoder layers, 1-4 (default 1)
//! epochs: 30           # most epochs (default 30)
//! lr: 0.003            # Adam learning rate (default 0.003)
//! batch: 64            # minibatch size (default 64)
//! max_samples: 4096    # training windows drawn per epoch (default 4096)
//! patience: 5          # epochs without validation improvement before stopping (default 5)
//! val_frac: 0.2        # share of windows held out for early stopping and intervals (default 0.2)
//! seed: 0              # initialisation and shuffling seed (default 0)
//! calendar: true       # time-of-day / day-of-week inputs when the series has a calendar
//! scale: auto          # auto | log1p | standard
//! ```

#[cfg(feature = "tch")]
mod data;
#[cfg(feature = "tch")]
mod model;
#[cfg(feature = "tch")]
mod net;

#[cfg(feature = "tch")]
pub use model::{FittedNeural, NeuralForecaster};

use super::{ForecastError, Forecaster};
use serde::Deserialize;
use std::sync::Arc;

/// Which network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    /// LSTM over the input window; the last hidden state feeds a linear head.
    Lstm,
    /// Pre-norm Transformer encoder with sinusoidal positions; the last token feeds a linear head.
    Transformer,
}

impl Arch {
    /// Model name as in specs.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Lstm => "lstm",
            Arch::Transformer => "transformer",
        }
    }
}

/// Input scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ScaleSpec {
    /// log1p when the training series has no negative value, else standardisation (default).
    #[default]
    Auto,
    /// log1p then standardisation (negative inputs are an error when fitting, clamped to 0 in
    /// `update`).
    Log1p,
    /// Standardisation only.
    Standard,
}

/// The fields of `model: lstm` and `model: transformer` (see the module docs for defaults).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NeuralSpec {
    /// Input window in steps.
    pub lookback: usize,
    /// Steps predicted at once.
    pub horizon: usize,
    /// LSTM hidden units (lstm only; default 32).
    pub hidden: Option<usize>,
    /// Transformer width (transformer only; default 32).
    pub d_model: Option<usize>,
    /// Attention heads (transformer only; default 4).
    pub heads: Option<usize>,
    /// Feed-forward width (transformer only; default 2 x d_model).
    pub ff: Option<usize>,
    /// Recurrent / encoder layers.
    pub layers: usize,
    /// Most training epochs.
    pub epochs: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Minibatch size.
    pub batch: usize,
    /// Training windows drawn per epoch.
    pub max_samples: usize,
    /// Early-stopping patience in epochs.
    pub patience: usize,
    /// Share of windows held out (chronologically last).
    pub val_frac: f64,
    /// Seed of initialisation and shuffling.
    pub seed: u64,
    /// Calendar inputs when the series has a calendar.
    pub calendar: bool,
    /// Input scaling.
    pub scale: ScaleSpec,
}

impl Default for NeuralSpec {
    fn default() -> Self {
        NeuralSpec {
            lookback: 60,
            horizon: 60,
            hidden: None,
            d_model: None,
            heads: None,
            ff: None,
            layers: 1,
            epochs: 30,
            lr: 0.003,
            batch: 64,
            max_samples: 4096,
            patience: 5,
            val_frac: 0.2,
            seed: 0,
            calendar: true,
            scale: ScaleSpec::Auto,
        }
    }
}

/// Training windows a fit needs at least (after holding out the validation tail).
pub const MIN_TRAIN_WINDOWS: usize = 16;

/// A validated neural configuration: every size filled in and in range.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuralConfig {
    /// The network.
    pub arch: Arch,
    /// Input window.
    pub lookback: usize,
    /// Output steps.
    pub horizon: usize,
    /// LSTM hidden units or Transformer width.
    pub width: usize,
    /// Attention heads (1 for the LSTM).
    pub heads: usize,
    /// Feed-forward width (0 for the LSTM).
    pub ff: usize,
    /// Layers.
    pub layers: usize,
    /// Most epochs.
    pub epochs: usize,
    /// Learning rate.
    pub lr: f64,
    /// Minibatch size.
    pub batch: usize,
    /// Windows per epoch.
    pub max_samples: usize,
    /// Early-stopping patience.
    pub patience: usize,
    /// Held-out share.
    pub val_frac: f64,
    /// Seed.
    pub seed: u64,
    /// Calendar inputs.
    pub calendar: bool,
    /// Scaling.
    pub scale: ScaleSpec,
}

fn range(field: &str, v: usize, lo: usize, hi: usize) -> Result<(), ForecastError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(ForecastError::invalid(
            field,
            v,
            format!("must be between {lo} and {hi}"),
        ))
    }
}

impl NeuralConfig {
    /// Validates `spec` for `arch`. Errors name the offending field.
    pub fn new(arch: Arch, spec: &NeuralSpec) -> Result<Self, ForecastError> {
        let s = spec;
        range("lookback", s.lookback, 2, 10_000)?;
        range("horizon", s.horizon, 1, 2_000)?;
        range("layers", s.layers, 1, 4)?;
        range("epochs", s.epochs, 1, 10_000)?;
        range("batch", s.batch, 1, 65_536)?;
        range("max_samples", s.max_samples, 1, 10_000_000)?;
        range("patience", s.patience, 1, 10_000)?;
        if !(s.lr.is_finite() && s.lr > 0.0 && s.lr <= 1.0) {
            return Err(ForecastError::invalid("lr", s.lr, "must be in (0, 1]"));
        }
        if !(s.val_frac.is_finite() && s.val_frac > 0.0 && s.val_frac <= 0.5) {
            return Err(ForecastError::invalid(
                "val_frac",
                s.val_frac,
                "must be in (0, 0.5]",
            ));
        }
        let only = |field: &str, set: bool, model: &str, hint: &str| {
            if set {
                Err(ForecastError::invalid(
                    field,
                    "given",
                    format!("applies to model: {model} only{hint}"),
                ))
            } else {
                Ok(())
            }
        };
        let (width, heads, ff) = match arch {
            Arch::Lstm => {
                only(
                    "d_model",
                    s.d_model.is_some(),
                    "transformer",
                    " (use hidden)",
                )?;
                only("heads", s.heads.is_some(), "transformer", "")?;
                only("ff", s.ff.is_some(), "transformer", "")?;
                let hidden = s.hidden.unwrap_or(32);
                range("hidden", hidden, 1, 1024)?;
                (hidden, 1, 0)
            }
            Arch::Transformer => {
                only("hidden", s.hidden.is_some(), "lstm", " (use d_model)")?;
                let d = s.d_model.unwrap_or(32);
                range("d_model", d, 2, 1024)?;
                let heads = s.heads.unwrap_or(4);
                range("heads", heads, 1, 64)?;
                if !d.is_multiple_of(heads) {
                    return Err(ForecastError::invalid(
                        "heads",
                        heads,
                        format!("must divide d_model = {d}"),
                    ));
                }
                let ff = s.ff.unwrap_or(2 * d);
                range("ff", ff, 1, 8192)?;
                (d, heads, ff)
            }
        };
        Ok(NeuralConfig {
            arch,
            lookback: s.lookback,
            horizon: s.horizon,
            width,
            heads,
            ff,
            layers: s.layers,
            epochs: s.epochs,
            lr: s.lr,
            batch: s.batch,
            max_samples: s.max_samples,
            patience: s.patience,
            val_frac: s.val_frac,
            seed: s.seed,
            calendar: s.calendar,
            scale: s.scale,
        })
    }

    /// Validation windows out of `windows` (at least 1).
    pub fn val_windows(&self, windows: usize) -> usize {
        ((self.val_frac * windows as f64).floor() as usize).max(1)
    }

    /// Training windows out of `windows`: those whose targets end before the first validation
    /// target (`None` when there are none).
    pub fn train_windows(&self, windows: usize) -> Option<usize> {
        (windows + 1).checked_sub(self.val_windows(windows) + self.horizon)
    }

    /// Fewest observations a fit accepts: enough windows for [`MIN_TRAIN_WINDOWS`] training
    /// windows besides the validation tail.
    pub fn min_len(&self) -> usize {
        let mut windows = 1;
        while self.train_windows(windows).unwrap_or(0) < MIN_TRAIN_WINDOWS {
            windows += 1;
        }
        windows + self.lookback + self.horizon - 1
    }
}

/// Validates `spec` and builds the forecaster. Without the `tch` feature a valid spec is an error
/// saying so.
pub fn build(arch: Arch, spec: &NeuralSpec) -> Result<Arc<dyn Forecaster>, ForecastError> {
    let cfg = NeuralConfig::new(arch, spec)?;
    #[cfg(feature = "tch")]
    {
        Ok(Arc::new(NeuralForecaster::new(cfg)))
    }
    #[cfg(not(feature = "tch"))]
    {
        let _ = cfg;
        Err(ForecastError::invalid(
            "model",
            arch.name(),
            "shopgym was built without the tch feature (rebuild with `--features tch`)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_min_len() {
        let c = NeuralConfig::new(Arch::Lstm, &NeuralSpec::default()).unwrap();
        assert_eq!((c.width, c.lookback, c.horizon), (32, 60, 60));
        let n = c.min_len();
        let windows = n + 1 - c.lookback - c.horizon;
        assert!(c.train_windows(windows).unwrap() >= MIN_TRAIN_WINDOWS);
        assert!(c.train_windows(windows - 1).unwrap_or(0) < MIN_TRAIN_WINDOWS);
        let t = NeuralConfig::new(Arch::Transformer, &NeuralSpec::default()).unwrap();
        assert_eq!((t.width, t.heads, t.ff), (32, 4, 64));
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = |arch, f: fn(&mut NeuralSpec), field: &str| {
            let mut s = NeuralSpec::default();
            f(&mut s);
            let e = NeuralConfig::new(arch, &s).unwrap_err().to_string();
            assert!(e.contains(&format!("`{field}`")), "{e}");
        };
        bad(Arch::Lstm, |s| s.lookback = 1, "lookback");
        bad(Arch::Lstm, |s| s.hidden = Some(0), "hidden");
        bad(Arch::Lstm, |s| s.heads = Some(2), "heads");
        bad(Arch::Lstm, |s| s.lr = 0.0, "lr");
        bad(Arch::Lstm, |s| s.val_frac = 0.9, "val_frac");
        bad(Arch::Transformer, |s| s.heads = Some(3), "heads");
        bad(Arch::Transformer, |s| s.hidden = Some(8), "hidden");
        bad(Arch::Transformer, |s| s.layers = 9, "layers");
    }

    #[cfg(not(feature = "tch"))]
    #[test]
    fn without_tch_a_valid_spec_is_a_clear_error() {
        let e = build(Arch::Lstm, &NeuralSpec::default()).unwrap_err();
        assert!(
            e.to_string().contains("built without the tch feature"),
            "{e}"
        );
        // Field errors still come first.
        let bad = NeuralSpec {
            layers: 0,
            ..NeuralSpec::default()
        };
        let e = build(Arch::Transformer, &bad).unwrap_err();
        assert!(e.to_string().contains("`layers`"), "{e}");
    }
}
