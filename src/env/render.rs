//! Frames of a running episode, Gymnasium's `render_mode`: the one implementation behind
//! `ScalingEnv::render` and the Python envs' `render()` (single and vector).
//!
//! A `Renderer` records the `StepInfo` of every `reset` and `step` (nothing is re-simulated) and
//! draws, by `RenderMode`:
//!
//! - `Ansi`: a text frame: time and step, each pool's active/running instances, queue and busy
//!   slots, each class's latency at its SLO quantile against the SLO target (and whether the SLO
//!   was violated) and its arrivals, the cost and lost revenue of the episode so far;
//! - `RgbArray`: an `HEIGHT x WIDTH x 3` `u8` image of the episode so far: total arrivals per
//!   interval (grey bars, top half) and each pool's active instances (one coloured line per
//!   pool, bottom half), one column band per interval across the episode's `n_intervals`; what
//!   `gymnasium.wrappers.RecordVideo` records.
//!
//! Lifecycle: `Renderer::new(mode, config)` -> `record(info)` at each reset (which starts a new
//! episode's history) and step -> `frame()` at any time (before the first reset: a text frame
//! saying so, or a blank image).

use std::fmt::Write as _;
use std::str::FromStr;

use super::{EnvError, StepInfo};
use crate::sim::SimConfig;

/// Frame size of `RgbArray` [pixels].
pub const HEIGHT: usize = 240;
pub const WIDTH: usize = 360;

/// Line colours of the pools in `RgbArray` frames (RGB; pool `p` takes `p % 6`).
const COLOURS: [[u8; 3]; 6] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
];

/// What `render` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderMode {
    /// A text frame (`"ansi"`).
    Ansi,
    /// An RGB image (`"rgb_array"`).
    RgbArray,
}

impl FromStr for RenderMode {
    type Err = EnvError;

    /// `"ansi"` or `"rgb_array"`; anything else is `EnvError::RenderMode`.
    fn from_str(s: &str) -> Result<RenderMode, EnvError> {
        match s {
            "ansi" => Ok(RenderMode::Ansi),
            "rgb_array" => Ok(RenderMode::RgbArray),
            other => Err(EnvError::RenderMode(other.to_string())),
        }
    }
}

/// An `height x width` RGB image, row-major: `pixels[(y * width + x) * 3 + channel]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub height: usize,
    pub width: usize,
    pub pixels: Vec<u8>,
}

impl Image {
    fn filled(height: usize, width: usize, value: u8) -> Image {
        Image {
            height,
            width,
            pixels: vec![value; height * width * 3],
        }
    }

    /// Paints rows `y0..y1` x columns `x0..x1` (clipped to the image) with `colour`.
    fn fill_rect(&mut self, (y0, y1): (usize, usize), (x0, x1): (usize, usize), colour: [u8; 3]) {
        let (y1, x1) = (y1.min(self.height), x1.min(self.width));
        for y in y0..y1 {
            for x in x0..x1 {
                let at = (y * self.width + x) * 3;
                self.pixels[at..at + 3].copy_from_slice(&colour);
            }
        }
    }

    /// The colour at `(y, x)`.
    pub fn pixel(&self, y: usize, x: usize) -> [u8; 3] {
        let at = (y * self.width + x) * 3;
        [self.pixels[at], self.pixels[at + 1], self.pixels[at + 2]]
    }
}

/// One rendered frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Ansi(String),
    Rgb(Image),
}

/// A class as the text frame shows it.
#[derive(Debug, Clone)]
struct ClassLabel {
    name: String,
    /// The SLO's target at its quantile [ms].
    slo_ms: f64,
    /// `p95` for a 0.95 quantile.
    quantile: String,
}

/// What an episode showed so far (see the module docs).
#[derive(Debug, Clone)]
pub struct Renderer {
    mode: RenderMode,
    pool_names: Vec<String>,
    classes: Vec<ClassLabel>,
    n_intervals: u64,
    /// Total arrivals of each interval so far [requests].
    arrivals: Vec<f64>,
    /// Active instances of every pool after the reset and each step.
    active: Vec<Vec<u32>>,
    /// Instance cost of the episode so far [$].
    cost: f64,
    /// Revenue lost in the episode so far [$].
    revenue_lost: f64,
    /// The last info recorded.
    last: Option<StepInfo>,
}

impl Renderer {
    /// A renderer for episodes of `config` (pool and class names, SLOs, number of intervals).
    pub fn new(mode: RenderMode, config: &SimConfig) -> Renderer {
        Renderer {
            mode,
            pool_names: config.pools.iter().map(|p| p.name.clone()).collect(),
            classes: config
                .classes
                .iter()
                .map(|c| ClassLabel {
                    name: c.name.clone(),
                    slo_ms: c.slo.latency_ms,
                    quantile: format!("p{}", (c.slo.quantile * 100.0).round()),
                })
                .collect(),
            n_intervals: config.n_intervals().max(1),
            arrivals: Vec::new(),
            active: Vec::new(),
            cost: 0.0,
            revenue_lost: 0.0,
            last: None,
        }
    }

    pub fn mode(&self) -> RenderMode {
        self.mode
    }

    /// Adds one `reset` (`info.stats` is `None`: the history starts anew) or `step` info.
    pub fn record(&mut self, info: &StepInfo) {
        match &info.stats {
            None => {
                self.arrivals.clear();
                self.active.clear();
                self.cost = 0.0;
                self.revenue_lost = 0.0;
            }
            Some(s) => {
                self.arrivals
                    .push(s.classes.iter().map(|c| c.arrivals as f64).sum());
                self.cost += s.cost;
                self.revenue_lost += s.revenue_lost;
            }
        }
        self.active
            .push(info.pools.iter().map(|p| p.active).collect());
        self.last = Some(info.clone());
    }

    /// The current frame in the renderer's mode.
    pub fn frame(&self) -> Frame {
        match self.mode {
            RenderMode::Ansi => Frame::Ansi(self.ansi()),
            RenderMode::RgbArray => Frame::Rgb(self.rgb()),
        }
    }

    /// The text frame (see the module docs).
    pub fn ansi(&self) -> String {
        let Some(info) = &self.last else {
            return "(no episode yet: call reset)\n".to_string();
        };
        let mut out = String::new();
        // `write!` into a String cannot fail.
        let _ = writeln!(
            out,
            "t = {:.0} s  step {}/{}",
            info.time_s, info.step, self.n_intervals
        );
        let _ = writeln!(
            out,
            "{:<12}{:>8}{:>9}{:>8}{:>7}",
            "pool", "active", "running", "queue", "busy"
        );
        for (name, p) in self.pool_names.iter().zip(&info.pools) {
            let _ = writeln!(
                out,
                "{name:<12}{:>8}{:>9}{:>8}{:>7}",
                p.active, p.running, p.queue_len, p.busy_slots
            );
        }
        if let Some(stats) = &info.stats {
            let _ = writeln!(
                out,
                "{:<12}{:>22}{:>6}{:>10}",
                "class", "latency@SLO / SLO [ms]", "SLO", "arrivals"
            );
            for (label, c) in self.classes.iter().zip(&stats.classes) {
                let lat = c
                    .slo_latency_ms
                    .map_or_else(|| "-".to_string(), |l| format!("{l:.0}"));
                let lat = format!("{} {lat} / {:.0}", label.quantile, label.slo_ms);
                let ok = if c.slo_violated { "MISS" } else { "ok" };
                let _ = writeln!(out, "{:<12}{lat:>22}{ok:>6}{:>10}", label.name, c.arrivals);
            }
        }
        let _ = writeln!(
            out,
            "cost so far ${:.2}, revenue lost ${:.2}",
            self.cost, self.revenue_lost
        );
        out
    }

    /// The image frame (see the module docs).
    pub fn rgb(&self) -> Image {
        let mut img = Image::filled(HEIGHT, WIDTH, 255);
        let half = HEIGHT / 2;
        img.fill_rect((half, half + 1), (0, WIDTH), [200; 3]);
        let n = self.n_intervals as usize;
        let col = |k: usize| (k * WIDTH / n).min(WIDTH - 1);
        let band = |k: usize| (col(k), col(k + 1).max(col(k) + 1));
        let top = self.arrivals.iter().copied().fold(1.0, f64::max);
        for (k, &a) in self.arrivals.iter().enumerate() {
            let h = ((half - 4) as f64 * a / top) as usize;
            img.fill_rect((half - h, half), band(k), [150; 3]);
        }
        let top = self
            .active
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        for (k, row) in self.active.iter().enumerate() {
            for (p, &a) in row.iter().enumerate() {
                let y = HEIGHT - 3 - ((half - 6) as f64 * f64::from(a) / top) as usize;
                let y0 = (y - 1).max(half + 1);
                img.fill_rect((y0, y + 2), band(k), COLOURS[p % COLOURS.len()]);
            }
        }
        img
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Env, ScalingEnv};
    use crate::scenario::Scenario;

    fn env() -> ScalingEnv {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flash_sale.yaml");
        let sc = Scenario::load(&path).expect("the shipped flash sale loads");
        ScalingEnv::from_scenario(&sc).expect("env")
    }

    #[test]
    fn render_modes_parse_and_others_are_refused() {
        assert_eq!("ansi".parse::<RenderMode>(), Ok(RenderMode::Ansi));
        assert_eq!("rgb_array".parse::<RenderMode>(), Ok(RenderMode::RgbArray));
        let err = "human".parse::<RenderMode>().expect_err("refused");
        assert!(err.to_string().contains("\"human\""), "{err}");
    }

    #[test]
    fn ansi_frames_follow_the_episode() {
        let mut env = env();
        env.set_render_mode(Some(RenderMode::Ansi));
        let Some(Frame::Ansi(before)) = env.render() else {
            panic!("an ansi frame");
        };
        assert!(before.contains("call reset"), "{before}");
        let (_, mut info) = env.reset(Some(3));
        let first = env.render();
        let Some(Frame::Ansi(first)) = first else {
            panic!("an ansi frame");
        };
        assert!(
            first.contains("step 0/") && first.contains("cost so far $0.00"),
            "{first}"
        );
        assert!(!first.contains("latency@SLO"), "no interval yet: {first}");
        for _ in 0..3 {
            let hold = env.codec().hold(&info.pools);
            info = env.step(&hold).expect("steps").info;
        }
        let Some(Frame::Ansi(text)) = env.render() else {
            panic!("an ansi frame");
        };
        let n = env.sim().config().n_intervals();
        assert!(text.contains(&format!("step 3/{n}")), "{text}");
        for needle in ["queue", "latency@SLO", "arrivals", "cost so far $"] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        let cfg = env.sim().config();
        for p in &cfg.pools {
            assert!(text.contains(&p.name), "{}: {text}", p.name);
        }
        for c in &cfg.classes {
            let slo = format!("/ {:.0}", c.slo.latency_ms);
            assert!(text.contains(&slo), "{slo}: {text}");
        }
        assert!(
            !text.contains("cost so far $0.00"),
            "three intervals cost something: {text}"
        );
        // A reset starts the history anew.
        env.reset(Some(3));
        assert_eq!(env.render(), Some(Frame::Ansi(first)));
    }

    #[test]
    fn rgb_frames_draw_traffic_and_instances_so_far() {
        let mut env = env();
        env.set_render_mode(Some(RenderMode::RgbArray));
        let (_, mut info) = env.reset(Some(3));
        let Some(Frame::Rgb(first)) = env.render() else {
            panic!("an image");
        };
        assert_eq!((first.height, first.width), (HEIGHT, WIDTH));
        assert_eq!(first.pixels.len(), HEIGHT * WIDTH * 3);
        for _ in 0..10 {
            let hold = env.codec().hold(&info.pools);
            info = env.step(&hold).expect("steps").info;
        }
        let Some(Frame::Rgb(later)) = env.render() else {
            panic!("an image");
        };
        assert_ne!(first, later);
        // Traffic bars in the top half over the first intervals, grey; none past them.
        let n = env.sim().config().n_intervals() as usize;
        let x = WIDTH / n / 2;
        assert_eq!(later.pixel(HEIGHT / 2 - 1, x), [150; 3]);
        assert_eq!(later.pixel(HEIGHT / 2 - 1, WIDTH - 1), [255; 3]);
        // Without a render mode there is no frame.
        env.set_render_mode(None);
        assert_eq!(env.render(), None);
    }
}
