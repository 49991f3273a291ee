//! `Adam`: the Adam optimiser over a `VarStore`'s variables, written over tensors so that its
//! state (first and second moments, step count) can be checkpointed and restored exactly; tch's
//! own optimiser keeps that state inside libtorch with no way to read it back.
//!
//! The update is PyTorch's `torch.optim.Adam` without weight decay or amsgrad, on every variable
//! in name order (deterministic: `VarStore::variables` is a map):
//! `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g²`,
//! `p -= lr / (1 - b1^t) · m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
//! `clip_grad_norm` is `torch.nn.utils.clip_grad_norm_` (total 2-norm, scale by `max / (norm +
//! 1e-6)` when below 1). Lifecycle: `new(vs, lr)` -> per minibatch `zero_grad`, backward,
//! `clip_grad_norm`, `step` -> `save(path)`; resume with `load(path)` after `new`.

use std::path::Path;

use tch::nn::VarStore;
use tch::{Kind, Tensor};

use super::NnError;

/// Adam with its state in tensors (see the module docs).
pub struct Adam {
    /// `(name, variable, first moment, second moment)`, by name.
    vars: Vec<(String, Tensor, Tensor, Tensor)>,
    /// Learning rate.
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// Updates done.
    pub step: u64,
}

impl Adam {
    /// Adam over every variable of `vs` (betas 0.9, 0.999), moments zero.
    pub fn new(vs: &VarStore, lr: f64, eps: f64) -> Adam {
        let mut named: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        let vars = named
            .into_iter()
            .map(|(name, var)| {
                let m = var.zeros_like();
                let v = var.zeros_like();
                (name, var, m, v)
            })
            .collect();
        Adam {
            vars,
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps,
            step: 0,
        }
    }

    pub fn zero_grad(&mut self) {
        for (_, var, _, _) in &mut self.vars {
            var.zero_grad();
        }
    }

    /// Scales the gradients so their total 2-norm is at most `max`.
    pub fn clip_grad_norm(&mut self, max: f64) {
        tch::no_grad(|| {
            let norms: Vec<Tensor> = self
                .vars
                .iter()
                .map(|(_, var, _, _)| var.grad())
                .filter(Tensor::defined)
                .map(|g| g.norm())
                .collect();
            if norms.is_empty() {
                return;
            }
            let total = f64::try_from(Tensor::stack(&norms, 0).norm()).unwrap_or(f64::NAN);
            let coef = max / (total + 1e-6);
            if coef < 1.0 {
                for (_, var, _, _) in &self.vars {
                    let mut g = var.grad();
                    if g.defined() {
                        let _ = g.g_mul_scalar_(coef);
                    }
                }
            }
        });
    }

    /// One Adam update of every variable with a gradient.
    pub fn step(&mut self) {
        self.step += 1;
        let t = self.step as f64;
        let (b1, b2) = (self.beta1, self.beta2);
        let step_size = self.lr / (1.0 - b1.powf(t));
        let bias2_sqrt = (1.0 - b2.powf(t)).sqrt();
        tch::no_grad(|| {
            for (_, var, m, v) in &mut self.vars {
                let g = var.grad();
                if !g.defined() {
                    continue;
                }
                m.copy_(&(&*m * b1 + &g * (1.0 - b1)));
                v.copy_(&(&*v * b2 + &g * &g * (1.0 - b2)));
                let denom = v.sqrt() / bias2_sqrt + self.eps;
                let update = &*m / denom * step_size;
                let _ = var.f_sub_(&update).map(|_| ());
            }
        });
    }

    /// Writes the moments (`m/<name>`, `v/<name>`) and the step count (`step`, an int64 scalar)
    /// as safetensors.
    pub fn save(&self, path: &Path) -> Result<(), NnError> {
        let mut named: Vec<(String, Tensor)> = Vec::with_capacity(2 * self.vars.len() + 1);
        for (name, _, m, v) in &self.vars {
            named.push((format!("m/{name}"), m.shallow_clone()));
            named.push((format!("v/{name}"), v.shallow_clone()));
        }
        named.push((
            "step".into(),
            Tensor::from_slice(&[self.step as i64]).to_kind(Kind::Int64),
        ));
        Tensor::write_safetensors(&named, path).map_err(|source| NnError::Checkpoint {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Restores what `save` wrote into an `Adam` over the same variables.
    pub fn load(&mut self, path: &Path) -> Result<(), NnError> {
        let err = |message: String| NnError::Checkpoint {
            path: path.to_path_buf(),
            source: tch::TchError::FileFormat(message),
        };
        let stored = Tensor::read_safetensors(path).map_err(|source| NnError::Checkpoint {
            path: path.to_path_buf(),
            source,
        })?;
        let get = |key: &str| {
            stored
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, t)| t.shallow_clone())
                .ok_or_else(|| err(format!("no tensor {key}")))
        };
        let step = get("step")?;
        self.step = i64::try_from(&step).map_err(|e| err(e.to_string()))?.max(0) as u64;
        for (name, var, m, v) in &mut self.vars {
            for (slot, key) in [
                (&mut *m, format!("m/{name}")),
                (&mut *v, format!("v/{name}")),
            ] {
                let t = get(&key)?;
                if t.size() != var.size() {
                    return Err(err(format!(
                        "{key} has shape {:?}, the variable {:?}",
                        t.size(),
                        var.size()
                    )));
                }
                tch::no_grad(|| slot.copy_(&t.to_device(var.device())));
            }
        }
        Ok(())
    }
}
