//! [`NeuralForecaster`] (unfitted: a validated [`NeuralConfig`]) and [`FittedNeural`] (the trained
//! network, its scaler, the input window and the validation residuals). See the module docs of
//! [`super`] for the method.

use super::data::{calendar_features, quantile, Scaler, CALENDAR_FEATURES};
use super::net::Net;
use super::{Arch, NeuralConfig};
use crate::forecast::{
    check_update, impl_forecaster, Calendar, FitStats, FittedForecaster, Forecast, ForecastError,
    Intervals, Level, Series,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use tch::nn::{self, OptimizerConfig};
use tch::{Device, Kind, Reduction, Tensor};

/// Rows per forward pass when scoring the validation tail.
const EVAL_CHUNK: usize = 2048;

/// An unfitted LSTM or Transformer forecaster.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuralForecaster {
    cfg: NeuralConfig,
}

/// What training did, for `params()` and `describe()`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TrainInfo {
    epochs_run: usize,
    best_epoch: usize,
    train_loss: f64,
    val_loss: f64,
    train_windows: usize,
    val_windows: usize,
    parameters: usize,
}

/// A trained network that forecasts from the end of its input window.
pub struct FittedNeural {
    cfg: NeuralConfig,
    /// The variables and the network (libtorch tensors are `Send` but not `Sync`).
    net: Mutex<(nn::VarStore, Net)>,
    device: Device,
    scaler: Scaler,
    /// Calendar of step 0 of the fitted series, when calendar inputs are used.
    calendar: Option<Calendar>,
    /// The last `lookback` observations (series units).
    window: VecDeque<f64>,
    /// Index of the next step, counted from step 0 of the fitted series.
    next: usize,
    /// Sorted validation residuals (scaled space) per horizon step.
    residuals: Vec<Vec<f64>>,
    stats: FitStats,
    info: TrainInfo,
}

impl fmt::Debug for FittedNeural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FittedNeural")
            .field("cfg", &self.cfg)
            .field("device", &self.device)
            .field("scaler", &self.scaler)
            .field("next", &self.next)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

fn failed(cfg: &NeuralConfig, reason: impl fmt::Display) -> ForecastError {
    ForecastError::fit_failed(cfg.arch.name(), reason.to_string())
}

impl NeuralForecaster {
    /// A forecaster with a validated configuration.
    pub fn new(cfg: NeuralConfig) -> Self {
        NeuralForecaster { cfg }
    }

    /// The configuration.
    pub fn config(&self) -> &NeuralConfig {
        &self.cfg
    }

    /// `lstm` or `transformer`.
    pub fn name(&self) -> &'static str {
        self.cfg.arch.name()
    }

    /// Fewest observations `fit` accepts (see [`NeuralConfig::min_len`]).
    pub fn min_len(&self) -> usize {
        self.cfg.min_len()
    }

    /// Trains the network on `series` (see the module docs of [`super`]).
    pub fn fit(&self, series: &Series) -> Result<FittedNeural, ForecastError> {
        let cfg = &self.cfg;
        let (w, h) = (cfg.lookback, cfg.horizon);
        let y = series.values();
        let n = y.len();
        if n < self.min_len() {
            return Err(ForecastError::too_short(
                self.name(),
                self.min_len(),
                n,
                format!(
                    "lookback {w} + horizon {h} + {} training windows besides the validation tail",
                    super::MIN_TRAIN_WINDOWS
                ),
            ));
        }
        let windows = n + 1 - w - h;
        let n_val = cfg.val_windows(windows);
        let n_train = cfg
            .train_windows(windows)
            .ok_or_else(|| failed(cfg, "no training windows"))?;
        // Origin (first target step) of the first validation window; training targets end before it.
        let val_origin = w + windows - n_val;
        let scaler = Scaler::fit(cfg.scale, y, &y[..val_origin])?;
        let calendar = if cfg.calendar {
            series.calendar().copied()
        } else {
            None
        };
        let nf = 1 + if calendar.is_some() {
            CALENDAR_FEATURES
        } else {
            0
        };
        let z: Vec<f32> = y.iter().map(|&v| scaler.forward(v) as f32).collect();
        let mut feats = Vec::with_capacity(n * nf);
        for (i, &zi) in z.iter().enumerate() {
            feats.push(zi);
            if let Some(c) = &calendar {
                feats.extend(calendar_features(c, i).iter().map(|&v| v as f32));
            }
        }

        crate::nn::init_threads().map_err(|e| failed(cfg, e))?;
        let device = crate::nn::device().map_err(|e| failed(cfg, e))?;
        let (n_i, w_i, h_i, win_i) = (n as i64, w as i64, h as i64, windows as i64);
        // Window i: inputs at steps i..i+w, targets at steps i+w..i+w+h minus the value at i+w-1.
        let x_all = Tensor::from_slice(&feats)
            .view([n_i, nf as i64])
            .to_device(device)
            .unfold(0, w_i, 1) // [n - w + 1, features, w]
            .permute([0, 2, 1])
            .narrow(0, 0, win_i); // [windows, w, features]
        let z_t = Tensor::from_slice(&z).to_device(device);
        let y_all = z_t.unfold(0, h_i, 1).narrow(0, w_i, win_i)
            - z_t.narrow(0, w_i - 1, win_i).unsqueeze(1); // [windows, h]

        let (vs, net) = {
            // Fits running in parallel (rayon in the backtest) each get the weights their seed
            // implies.
            let _torch = crate::nn::seed_exclusive(cfg.seed);
            let vs = nn::VarStore::new(device);
            let net = Net::new(&vs.root(), cfg, nf as i64);
            (vs, net)
        };
        let mut opt = nn::Adam::default()
            .build(&vs, cfg.lr)
            .map_err(|e| failed(cfg, e))?;
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let mut order: Vec<i64> = (0..n_train as i64).collect();
        let val_from = (windows - n_val) as i64;
        let x_val = x_all.narrow(0, val_from, n_val as i64);
        let y_val = y_all.narrow(0, val_from, n_val as i64);
        let predict_val = |net: &Net| -> Tensor {
            tch::no_grad(|| {
                let parts: Vec<Tensor> = (0..n_val)
                    .step_by(EVAL_CHUNK)
                    .map(|s| {
                        let len = EVAL_CHUNK.min(n_val - s) as i64;
                        net.forward(&x_val.narrow(0, s as i64, len))
                    })
                    .collect();
                Tensor::cat(&parts, 0)
            })
        };

        let mut best = (f64::INFINITY, 0, f64::NAN); // (val loss, epoch, train loss)
        let mut best_vars = snapshot(&vs);
        let mut epochs_run = 0;
        for epoch in 1..=cfg.epochs {
            epochs_run = epoch;
            order.shuffle(&mut rng);
            let take = n_train.min(cfg.max_samples);
            let mut train_sum = 0.0;
            for chunk in order[..take].chunks(cfg.batch) {
                let idx = Tensor::from_slice(chunk).to_device(device);
                let pred = net.forward(&x_all.index_select(0, &idx));
                let loss = pred.mse_loss(&y_all.index_select(0, &idx), Reduction::Mean);
                opt.backward_step_clip_norm(&loss, 1.0);
                train_sum += loss.double_value(&[]) * chunk.len() as f64;
            }
            let train_loss = train_sum / take as f64;
            let val_loss = predict_val(&net)
                .mse_loss(&y_val, Reduction::Mean)
                .double_value(&[]);
            if !(train_loss.is_finite() && val_loss.is_finite()) {
                return Err(failed(
                    cfg,
                    format!("loss is not finite at epoch {epoch} (try a smaller lr)"),
                ));
            }
            if val_loss < best.0 {
                best = (val_loss, epoch, train_loss);
                best_vars = snapshot(&vs);
            } else if epoch - best.1 >= cfg.patience {
                break;
            }
        }
        restore(&vs, &best_vars);

        // Validation residuals per horizon step (scaled space) and one-step errors in series units.
        let pred: Vec<f32> = Vec::try_from(predict_val(&net).to_device(Device::Cpu).flatten(0, -1))
            .map_err(|e| failed(cfg, e))?;
        let actual: Vec<f32> = Vec::try_from(y_val.to_device(Device::Cpu).flatten(0, -1))
            .map_err(|e| failed(cfg, e))?;
        let mut residuals = vec![Vec::with_capacity(n_val); h];
        let mut sse = 0.0;
        for i in 0..n_val {
            for (k, r) in residuals.iter_mut().enumerate() {
                r.push(f64::from(actual[i * h + k]) - f64::from(pred[i * h + k]));
            }
            let origin = val_origin + i;
            let last = scaler.forward(y[origin - 1]);
            let one_step = scaler.inverse(last + f64::from(pred[i * h]));
            sse += (y[origin] - one_step).powi(2);
        }
        for r in &mut residuals {
            r.sort_by(f64::total_cmp);
        }
        let parameters = vs
            .trainable_variables()
            .iter()
            .map(|t| t.numel())
            .sum::<usize>();
        Ok(FittedNeural {
            cfg: cfg.clone(),
            net: Mutex::new((vs, net)),
            device,
            scaler,
            calendar,
            window: y[n - w..].iter().copied().collect(),
            next: n,
            residuals,
            stats: FitStats {
                n: n_val,
                sse: Some(sse),
                sigma2: Some(sse / n_val as f64),
                ..Default::default()
            },
            info: TrainInfo {
                epochs_run,
                best_epoch: best.1,
                train_loss: best.2,
                val_loss: best.0,
                train_windows: n_train,
                val_windows: n_val,
                parameters,
            },
        })
    }
}

impl_forecaster!(NeuralForecaster);

fn snapshot(vs: &nn::VarStore) -> HashMap<String, Tensor> {
    tch::no_grad(|| {
        vs.variables()
            .into_iter()
            .map(|(k, t)| (k, t.detach().copy()))
            .collect()
    })
}

fn restore(vs: &nn::VarStore, saved: &HashMap<String, Tensor>) {
    tch::no_grad(|| {
        for (name, mut t) in vs.variables() {
            if let Some(s) = saved.get(&name) {
                t.copy_(s);
            }
        }
    });
}

impl FittedNeural {
    /// Epochs trained and the epoch whose weights were kept.
    pub fn epochs(&self) -> (usize, usize) {
        (self.info.epochs_run, self.info.best_epoch)
    }

    /// Point forecasts in scaled space for the next `horizon` steps (recursive past the
    /// network's horizon).
    fn predict_scaled(&self, horizon: usize) -> Vec<f64> {
        let (w, h) = (self.cfg.lookback, self.cfg.horizon);
        let mut zs: Vec<f64> = self
            .window
            .iter()
            .map(|&v| self.scaler.forward(v))
            .collect();
        let mut next = self.next;
        let mut out = Vec::with_capacity(horizon);
        let guard = self.net.lock().unwrap_or_else(|p| p.into_inner());
        let net = &guard.1;
        while out.len() < horizon {
            let tail = &zs[zs.len() - w..];
            let mut x = Vec::with_capacity(w * (1 + CALENDAR_FEATURES));
            for (j, &zj) in tail.iter().enumerate() {
                x.push(zj as f32);
                if let Some(c) = &self.calendar {
                    let step = next - w + j;
                    x.extend(calendar_features(c, step).iter().map(|&v| v as f32));
                }
            }
            let nf = (x.len() / w) as i64;
            let delta: Vec<f32> = tch::no_grad(|| {
                let input = Tensor::from_slice(&x)
                    .view([1, w as i64, nf])
                    .to_device(self.device);
                net.forward(&input)
                    .to_device(Device::Cpu)
                    .to_kind(Kind::Float)
                    .flatten(0, -1)
            })
            .try_into()
            .unwrap_or_else(|_| vec![0.0; h]);
            let last = tail[w - 1];
            let block: Vec<f64> = delta.iter().map(|&d| last + f64::from(d)).collect();
            out.extend(block.iter().take(horizon - out.len()));
            zs.extend(block);
            next += h;
        }
        out
    }
}

impl FittedForecaster for FittedNeural {
    fn describe(&self) -> String {
        let c = &self.cfg;
        let net = match c.arch {
            Arch::Lstm => format!("LSTM(hidden {}, layers {})", c.width, c.layers),
            Arch::Transformer => format!(
                "Transformer(d_model {}, heads {}, ff {}, layers {})",
                c.width, c.heads, c.ff, c.layers
            ),
        };
        format!(
            "{net}, lookback {}, horizon {}, {} parameters, {} epochs (best {}){}",
            c.lookback,
            c.horizon,
            self.info.parameters,
            self.info.epochs_run,
            self.info.best_epoch,
            if self.calendar.is_some() {
                ", calendar inputs"
            } else {
                ""
            }
        )
    }

    fn predict(&self, horizon: usize, level: Option<Level>) -> Forecast {
        let z = self.predict_scaled(horizon);
        let mean: Vec<f64> = z.iter().map(|&v| self.scaler.inverse(v)).collect();
        let intervals = level.map(|l| {
            let h = self.cfg.horizon;
            let (p_lo, p_hi) = ((1.0 - l.value()) / 2.0, (1.0 + l.value()) / 2.0);
            let (mut lower, mut upper) = (Vec::with_capacity(horizon), Vec::with_capacity(horizon));
            for (k, &zk) in z.iter().enumerate() {
                let (r, widen) = if k < h {
                    (&self.residuals[k], 1.0)
                } else {
                    (&self.residuals[h - 1], ((k + 1) as f64 / h as f64).sqrt())
                };
                lower.push(self.scaler.inverse(zk + widen * quantile(r, p_lo)));
                upper.push(self.scaler.inverse(zk + widen * quantile(r, p_hi)));
            }
            Intervals {
                level: l.value(),
                lower,
                upper,
            }
        });
        Forecast { mean, intervals }
    }

    fn update(&mut self, y: f64) -> Result<(), ForecastError> {
        check_update(y)?;
        self.window.push_back(y);
        while self.window.len() > self.cfg.lookback {
            self.window.pop_front();
        }
        self.next += 1;
        Ok(())
    }

    fn params(&self) -> Vec<(String, f64)> {
        let c = &self.cfg;
        let i = &self.info;
        [
            ("lookback", c.lookback as f64),
            ("horizon", c.horizon as f64),
            ("width", c.width as f64),
            ("layers", c.layers as f64),
            ("parameters", i.parameters as f64),
            ("epochs_run", i.epochs_run as f64),
            ("best_epoch", i.best_epoch as f64),
            ("train_loss", i.train_loss),
            ("val_loss", i.val_loss),
            ("train_windows", i.train_windows as f64),
            ("val_windows", i.val_windows as f64),
            ("scale_log1p", f64::from(u8::from(self.scaler.log1p))),
            ("scale_mean", self.scaler.mean),
            ("scale_sd", self.scaler.sd),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    fn fit_stats(&self) -> FitStats {
        self.stats
    }
}
