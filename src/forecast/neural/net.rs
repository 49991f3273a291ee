//! The network: `[batch, lookback, features]` in, `[batch, horizon]` out (changes from the
//! last observed scaled value). It ends in a zero-initialised linear head, so an untrained network
//! forecasts "no change" (the naive forecast).

use super::{Arch, NeuralConfig};
use tch::nn::{self, RNN};
use tch::Tensor;

fn zero_head(path: nn::Path, input: i64, output: i64) -> nn::Linear {
    nn::linear(
        path,
        input,
        output,
        nn::LinearConfig {
            ws_init: nn::Init::Const(0.0),
            bs_init: Some(nn::Init::Const(0.0)),
            bias: true,
        },
    )
}

/// The network of a fitted model.
#[derive(Debug)]
pub(crate) enum Net {
    Lstm { lstm: nn::LSTM, head: nn::Linear },
}

impl Net {
    /// Creates the variables under `p` (draws libtorch's global generator for initialisation).
    pub fn new(p: &nn::Path, cfg: &NeuralConfig, features: i64) -> Self {
        let w = cfg.width as i64;
        let h = cfg.horizon as i64;
        match cfg.arch {
            Arch::Lstm => {
                let rnn = nn::RNNConfig {
                    num_layers: cfg.layers as i64,
                    batch_first: true,
                    ..Default::default()
                };
                Net::Lstm {
                    lstm: nn::lstm(p / "lstm", features, w, rnn),
                    head: zero_head(p / "head", w, h),
                }
            }
        }
    }

    /// `[batch, lookback, features]` to `[batch, horizon]`.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Net::Lstm { lstm, head } => {
                let (out, _) = lstm.seq(x); // [batch, time, hidden]
                out.select(1, -1).apply(head)
            }
        }
    }
}
