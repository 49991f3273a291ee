//! The two networks: `[batch, lookback, features]` in, `[batch, horizon]` out (changes from the
//! last observed scaled value). Both end in a zero-initialised linear head, so an untrained network
//! forecasts "no change" (the naive forecast).

use super::{Arch, NeuralConfig};
use tch::nn::{self, RNN};
use tch::{Kind, Tensor};

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

/// One pre-norm encoder block: `x + MHA(LN(x))`, then `x + FF(LN(x))` with a GELU.
#[derive(Debug)]
pub(crate) struct Block {
    ln1: nn::LayerNorm,
    qkv: nn::Linear,
    proj: nn::Linear,
    ln2: nn::LayerNorm,
    ff1: nn::Linear,
    ff2: nn::Linear,
    heads: i64,
}

impl Block {
    fn new(p: nn::Path, d: i64, heads: i64, ff: i64) -> Self {
        let lin = Default::default;
        Block {
            ln1: nn::layer_norm(&p / "ln1", vec![d], Default::default()),
            qkv: nn::linear(&p / "qkv", d, 3 * d, lin()),
            proj: nn::linear(&p / "proj", d, d, lin()),
            ln2: nn::layer_norm(&p / "ln2", vec![d], Default::default()),
            ff1: nn::linear(&p / "ff1", d, ff, lin()),
            ff2: nn::linear(&p / "ff2", ff, d, lin()),
            heads,
        }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let (b, t, d) = x.size3().expect("encoder input is [batch, time, d_model]");
        let dh = d / self.heads;
        let qkv = x
            .apply(&self.ln1)
            .apply(&self.qkv)
            .view([b, t, 3, self.heads, dh])
            .permute([2, 0, 3, 1, 4]); // [3, batch, heads, time, dh]
        let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
        let att = (q.matmul(&k.transpose(-2, -1)) / (dh as f64).sqrt()).softmax(-1, Kind::Float);
        let o = att
            .matmul(&v) // [batch, heads, time, dh]
            .transpose(1, 2)
            .contiguous()
            .view([b, t, d])
            .apply(&self.proj);
        let x = x + o;
        let f = x
            .apply(&self.ln2)
            .apply(&self.ff1)
            .gelu("none")
            .apply(&self.ff2);
        x + f
    }
}

/// Sinusoidal positions `[time, d]` (Vaswani et al.), a constant.
fn positions(time: i64, d: i64, device: tch::Device) -> Tensor {
    let mut pe = vec![0f32; (time * d) as usize];
    for t in 0..time {
        for i in 0..d {
            let rate = 10_000f64.powf((2 * (i / 2)) as f64 / d as f64);
            let a = t as f64 / rate;
            pe[(t * d + i) as usize] = if i % 2 == 0 { a.sin() } else { a.cos() } as f32;
        }
    }
    Tensor::from_slice(&pe).view([time, d]).to_device(device)
}

/// The network of a fitted model.
#[derive(Debug)]
pub(crate) enum Net {
    Lstm {
        lstm: nn::LSTM,
        head: nn::Linear,
    },
    Transformer {
        input: nn::Linear,
        pos: Tensor,
        blocks: Vec<Block>,
        ln: nn::LayerNorm,
        head: nn::Linear,
    },
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
            Arch::Transformer => Net::Transformer {
                input: nn::linear(p / "input", features, w, Default::default()),
                pos: positions(cfg.lookback as i64, w, p.device()),
                blocks: (0..cfg.layers)
                    .map(|i| {
                        Block::new(p / format!("block{i}"), w, cfg.heads as i64, cfg.ff as i64)
                    })
                    .collect(),
                ln: nn::layer_norm(p / "ln", vec![w], Default::default()),
                head: zero_head(p / "head", w, h),
            },
        }
    }

    /// `[batch, lookback, features]` to `[batch, horizon]`.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Net::Lstm { lstm, head } => {
                let (out, _) = lstm.seq(x); // [batch, time, hidden]
                out.select(1, -1).apply(head)
            }
            Net::Transformer {
                input,
                pos,
                blocks,
                ln,
                head,
            } => {
                let mut z = x.apply(input) + pos;
                for b in blocks {
                    z = b.forward(&z);
                }
                z.select(1, -1).apply(ln).apply(head)
            }
        }
    }
}
