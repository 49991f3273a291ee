//! `ActorCritic`: separate tanh MLPs for the policy logits (all pools' heads concatenated) and
//! the value, orthogonally initialised as in CleanRL; masked per-head categorical sampling.

use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

use crate::nn::{Activation, Mlp, NnError};

/// Policy and value networks in one `VarStore` (`actor/l*`, `critic/l*`).
pub struct ActorCritic {
    pub vs: nn::VarStore,
    actor: nn::Sequential,
    critic: nn::Sequential,
    /// Choices per head (pool).
    pub nvec: Vec<i64>,
}

impl ActorCritic {
    pub fn new(
        device: Device,
        obs_dim: i64,
        nvec: &[i64],
        hidden: &[i64],
    ) -> Result<ActorCritic, NnError> {
        let vs = nn::VarStore::new(device);
        let total: i64 = nvec.iter().sum();
        let sizes = |out: i64| [&[obs_dim][..], hidden, &[out]].concat();
        let actor = Mlp::new(&sizes(total))?
            .activation(Activation::Tanh)
            .orthogonal(2f64.sqrt(), 0.01)
            .build(&(vs.root() / "actor"));
        let critic = Mlp::new(&sizes(1))?
            .activation(Activation::Tanh)
            .orthogonal(2f64.sqrt(), 1.0)
            .build(&(vs.root() / "critic"));
        Ok(ActorCritic {
            vs,
            actor,
            critic,
            nvec: nvec.to_vec(),
        })
    }

    /// `[B]` state values of `obs` `[B, obs_dim]`.
    pub fn value(&self, obs: &Tensor) -> Tensor {
        self.critic.forward(obs).squeeze_dim(-1)
    }

    /// Masked logits `[B, Σ nvec]` (`mask` bool `[B, Σ nvec]`: disallowed values get −1e8).
    pub fn logits(&self, obs: &Tensor, mask: &Tensor) -> Tensor {
        self.actor
            .forward(obs)
            .masked_fill(&mask.logical_not(), -1e8)
    }

    /// Per head log-softmax `[B, n_h]`.
    fn heads(&self, logits: &Tensor) -> Vec<Tensor> {
        let mut off = 0;
        self.nvec
            .iter()
            .map(|&n| {
                let h = logits.narrow(1, off, n).log_softmax(-1, Kind::Float);
                off += n;
                h
            })
            .collect()
    }

    /// Samples (or, `greedy`, takes the argmax of) each head: actions `[B, H]` (indices).
    pub fn act(&self, logits: &Tensor, greedy: bool) -> Tensor {
        let cols: Vec<Tensor> = self
            .heads(logits)
            .iter()
            .map(|lp| {
                if greedy {
                    lp.argmax(-1, true)
                } else {
                    lp.exp().multinomial(1, true)
                }
            })
            .collect();
        Tensor::cat(&cols, 1)
    }

    /// Log-probability `[B]` of `actions` `[B, H]` and entropy `[B]`, summed over heads.
    pub fn log_prob_entropy(&self, logits: &Tensor, actions: &Tensor) -> (Tensor, Tensor) {
        let mut logp = Tensor::zeros([logits.size()[0]], (Kind::Float, logits.device()));
        let mut ent = logp.zeros_like();
        for (h, lp) in self.heads(logits).iter().enumerate() {
            let a = actions.narrow(1, h as i64, 1);
            logp += lp.gather(1, &a, false).squeeze_dim(-1);
            ent -= (lp.exp() * lp).sum_dim_intlist(-1, false, Kind::Float);
        }
        (logp, ent)
    }
}
