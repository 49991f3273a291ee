//! [`Mlp`]: the multi-layer perceptron shared by the Q-network, the policy and value heads.
//!
//! Sizes are validated once in [`Mlp::new`]; [`Mlp::build`] then cannot fail. Layers are named
//! `l0`, `l1`, ... under the given `nn::Path`, so checkpoints stay readable when an agent adds
//! other sub-networks beside it.

use tch::nn;
use tch::Tensor;

use super::NnError;

/// The non-linearity between hidden layers (none follows the output layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `tanh`: the usual choice for PPO's policy and value networks.
    Tanh,
    /// `relu`: the usual choice for DQN.
    Relu,
}

impl Activation {
    fn apply(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.relu(),
        }
    }
}

/// A validated MLP description: layer sizes `[input, hidden.., output]`, an activation, and
/// optionally orthogonal weight initialisation (biases 0) as in CleanRL's PPO.
///
/// ```
/// use shopgym::nn::{Activation, Mlp};
/// use tch::nn::{Module, VarStore};
/// use tch::{Device, Kind, Tensor};
///
/// let vs = VarStore::new(Device::Cpu);
/// let policy = Mlp::new(&[8, 64, 64, 4])?
///     .activation(Activation::Tanh)
///     .orthogonal(2f64.sqrt(), 0.01)
///     .build(&vs.root());
/// let logits = policy.forward(&Tensor::zeros([32, 8], (Kind::Float, Device::Cpu))); // [32, 4]
/// assert_eq!(logits.size(), [32, 4]);
/// # Ok::<(), shopgym::nn::NnError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    sizes: Vec<i64>,
    activation: Activation,
    /// `(hidden_gain, output_gain)`; `None` keeps tch's default (Kaiming-uniform) init.
    orthogonal: Option<(f64, f64)>,
}

impl Mlp {
    /// An MLP with layer sizes `[input, hidden.., output]` (at least two, each >= 1) and ReLU
    /// between layers.
    pub fn new(sizes: &[i64]) -> Result<Self, NnError> {
        if sizes.len() < 2 || sizes.iter().any(|&s| s < 1) {
            return Err(NnError::BadMlpSizes(sizes.to_vec()));
        }
        Ok(Self {
            sizes: sizes.to_vec(),
            activation: Activation::Relu,
            orthogonal: None,
        })
    }

    /// Uses `activation` between layers.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Orthogonal weights with gain `hidden_gain` for hidden layers (√2 is usual) and
    /// `output_gain` for the last one (0.01 for a policy head, 1 for a value head); biases 0.
    pub fn orthogonal(mut self, hidden_gain: f64, output_gain: f64) -> Self {
        self.orthogonal = Some((hidden_gain, output_gain));
        self
    }

    /// Layer sizes `[input, hidden.., output]`.
    pub fn sizes(&self) -> &[i64] {
        &self.sizes
    }

    /// Creates the variables under `path` and returns the network: `[batch, input]` in,
    /// `[batch, output]` out.
    pub fn build(&self, path: &nn::Path) -> nn::Sequential {
        let n_layers = self.sizes.len() - 1;
        let mut seq = nn::seq();
        for (i, pair) in self.sizes.windows(2).enumerate() {
            let is_output = i + 1 == n_layers;
            let config = match self.orthogonal {
                None => nn::LinearConfig::default(),
                Some((hidden_gain, output_gain)) => nn::LinearConfig {
                    ws_init: nn::Init::Orthogonal {
                        gain: if is_output { output_gain } else { hidden_gain },
                    },
                    bs_init: Some(nn::Init::Const(0.0)),
                    bias: true,
                },
            };
            seq = seq.add(nn::linear(path / format!("l{i}"), pair[0], pair[1], config));
            if !is_output {
                let activation = self.activation;
                seq = seq.add_fn(move |x| activation.apply(x));
            }
        }
        seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_validated() {
        assert!(Mlp::new(&[4]).is_err());
        assert!(Mlp::new(&[4, 0, 2]).is_err());
        assert!(Mlp::new(&[]).is_err());
        assert_eq!(
            Mlp::new(&[4, 8, 2]).map(|m| m.sizes().to_vec()).ok(),
            Some(vec![4, 8, 2])
        );
    }
}
