//! `QNetwork`: a ReLU MLP from observations to one Q-value per action, plain or dueling
//! (Wang et al. 2016: a shared trunk, then Q = V + A − mean(A)), and the masked greedy choice.
//!
//! Weights are initialised from a passed-in ChaCha stream (PyTorch's default `Linear` scheme,
//! U(±1/√fan_in) for weights and biases), not from libtorch's process-wide generator, so a run
//! repeats from its seed even while other trainings run in the same process.

use rand::Rng;
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

use crate::nn::{Activation, Mlp, NnError};

/// What masked-out actions' Q-values become before a max or argmax. Finite, so that a
/// non-bootstrapped target (`discount = 0`) stays 0 rather than NaN.
const MASKED_Q: f64 = -1e9;

enum Head {
    /// `q/l*`: observation to Q-values.
    Plain(nn::Sequential),
    /// `trunk/l*` (ReLU after its last layer too), then `value` and `advantage` linear layers.
    Dueling {
        trunk: nn::Sequential,
        value: nn::Linear,
        advantage: nn::Linear,
    },
}

/// The Q-network in its own `VarStore` (the target network is a second `QNetwork`).
pub struct QNetwork {
    pub vs: nn::VarStore,
    head: Head,
    pub n_actions: i64,
}

impl QNetwork {
    /// A network with weights drawn from `rng`.
    pub fn new<R: Rng + ?Sized>(
        device: Device,
        obs_dim: i64,
        n_actions: i64,
        hidden: &[i64],
        dueling: bool,
        rng: &mut R,
    ) -> Result<QNetwork, NnError> {
        // `nn::linear` draws default weights from libtorch's process-wide generator before
        // `init_uniform` replaces them: held, so a PPO training beside this one draws what its
        // seed implies.
        let _torch = crate::nn::hold_generator();
        let vs = nn::VarStore::new(device);
        let root = vs.root();
        let head = if dueling {
            let width = hidden.last().copied().unwrap_or(obs_dim);
            let trunk = if hidden.is_empty() {
                nn::seq()
            } else {
                let sizes = [&[obs_dim][..], hidden].concat();
                Mlp::new(&sizes)?
                    .activation(Activation::Relu)
                    .build(&(&root / "trunk"))
                    .add_fn(|x| x.relu())
            };
            Head::Dueling {
                trunk,
                value: nn::linear(&root / "value", width, 1, Default::default()),
                advantage: nn::linear(&root / "advantage", width, n_actions, Default::default()),
            }
        } else {
            let sizes = [&[obs_dim][..], hidden, &[n_actions]].concat();
            Head::Plain(
                Mlp::new(&sizes)?
                    .activation(Activation::Relu)
                    .build(&(&root / "q")),
            )
        };
        init_uniform(&vs, rng);
        Ok(QNetwork {
            vs,
            head,
            n_actions,
        })
    }

    /// Q-values `[B, n_actions]` of observations `[B, obs_dim]`.
    pub fn q(&self, obs: &Tensor) -> Tensor {
        match &self.head {
            Head::Plain(q) => q.forward(obs),
            Head::Dueling {
                trunk,
                value,
                advantage,
            } => {
                let h = trunk.forward(obs); // [B, width]
                let a = advantage.forward(&h); // [B, A]
                value.forward(&h) + &a - a.mean_dim(-1, true, Kind::Float)
            }
        }
    }

    /// Greedy actions `[B]` (int64) under `mask` (bool `[B, n_actions]`).
    pub fn greedy(&self, obs: &Tensor, mask: &Tensor) -> Tensor {
        masked(&self.q(obs), mask).argmax(-1, false)
    }

    /// Copies `tau` of the way from `online`'s weights (1 = hard copy).
    pub fn update_from(&mut self, online: &QNetwork, tau: f64) {
        if tau >= 1.0 {
            self.vs
                .copy(&online.vs)
                .expect("target and online share one shape");
            return;
        }
        let src = online.vs.variables();
        tch::no_grad(|| {
            for (name, mut t) in self.vs.variables() {
                let s = &src[&name];
                t.copy_(&(s * tau + &t * (1.0 - tau)));
            }
        });
    }
}

/// `q` with masked-out entries set to a large negative value.
pub fn masked(q: &Tensor, mask: &Tensor) -> Tensor {
    q.masked_fill(&mask.logical_not(), MASKED_Q)
}

/// Overwrites every `*.weight` `[out, in]` and `*.bias` `[out]` of `vs`, in name order, with
/// U(−b, b), b = 1/√in (the layer's fan-in).
fn init_uniform<R: Rng + ?Sized>(vs: &nn::VarStore, rng: &mut R) {
    let vars = vs.variables();
    let mut names: Vec<&String> = vars.keys().collect();
    names.sort();
    tch::no_grad(|| {
        for name in names {
            let mut t = vars[name].shallow_clone();
            let fan_in = match name.strip_suffix(".bias") {
                Some(layer) => vars[&format!("{layer}.weight")].size()[1],
                None => t.size()[1],
            };
            let bound = 1.0 / (fan_in.max(1) as f32).sqrt();
            let values: Vec<f32> = (0..t.numel())
                .map(|_| rng.random_range(-bound..bound))
                .collect();
            let src = Tensor::from_slice(&values)
                .view(t.size().as_slice())
                .to_device(t.device());
            t.copy_(&src);
        }
    });
}
