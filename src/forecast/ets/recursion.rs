//! The Holt-Winters recursions in statsmodels' (and Hyndman et al.'s) "component" form.
//! With `lb = l + phi * b` the level-plus-damped-trend before observing `y`, and `s` the seasonal
//! state for this position:
//!
//! ```text
//! additive season:       yhat = lb + s       l' = a (y - s) + (1 - a) lb      s' = g (y - lb) + (1 - g) s
//! multiplicative season: yhat = lb * s       l' = a y / s + (1 - a) lb        s' = g y / lb + (1 - g) s
//! no season:             yhat = lb           l' = a y + (1 - a) lb
//! trend:                 b' = beta (l' - l) + (1 - beta) phi b
//! ```
//!
//! Initial states are those *before* the first observation, as in statsmodels, so fitting with
//! the same parameters and initial states reproduces its SSE and forecasts exactly.

/// Kind of seasonal component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeasonKind {
    /// No seasonality.
    None,
    /// Additive seasonal offsets (series units).
    Additive,
    /// Multiplicative seasonal factors (dimensionless, around 1).
    Multiplicative,
}

/// Smoothing parameters (all dimensionless). Unused ones are 0 (beta, gamma) or 1 (phi).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Level smoothing, in (0, 1).
    pub alpha: f64,
    /// Trend smoothing, in [0, 1] (statsmodels keeps it <= alpha when estimated).
    pub beta: f64,
    /// Seasonal smoothing, in [0, 1] (statsmodels keeps it <= 1 - alpha when estimated).
    pub gamma: f64,
    /// Trend damping, 1 = undamped.
    pub phi: f64,
}

/// The state after some observations: level, trend and the seasonal ring.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Level (series units).
    pub level: f64,
    /// Trend per step (series units; 0 without trend).
    pub trend: f64,
    /// Seasonal state for each position of the cycle; `season[pos]` applies to the next step.
    pub season: Vec<f64>,
    /// Position of the next step in the cycle.
    pub pos: usize,
}

impl State {
    /// Initial state from level, trend and the seasonal values of the first cycle.
    pub fn new(level: f64, trend: f64, season: Vec<f64>) -> Self {
        State {
            level,
            trend,
            season,
            pos: 0,
        }
    }
}

/// One recursion step: returns the one-step-ahead prediction of `y` and updates the state.
#[inline]
pub fn step(kind: SeasonKind, p: &Params, st: &mut State, y: f64) -> f64 {
    let lb = st.level + p.phi * st.trend;
    let (yhat, new_level) = match kind {
        SeasonKind::None => (lb, p.alpha * y + (1.0 - p.alpha) * lb),
        SeasonKind::Additive => {
            let s = st.season[st.pos];
            st.season[st.pos] = p.gamma * (y - lb) + (1.0 - p.gamma) * s;
            (lb + s, p.alpha * (y - s) + (1.0 - p.alpha) * lb)
        }
        SeasonKind::Multiplicative => {
            let s = st.season[st.pos];
            st.season[st.pos] = p.gamma * y / lb + (1.0 - p.gamma) * s;
            (lb * s, p.alpha * y / s + (1.0 - p.alpha) * lb)
        }
    };
    st.trend = p.beta * (new_level - st.level) + (1.0 - p.beta) * p.phi * st.trend;
    st.level = new_level;
    if kind != SeasonKind::None {
        st.pos = (st.pos + 1) % st.season.len();
    }
    yhat
}

/// Runs the recursion over `y` from `st`, returning the sum of squared one-step errors.
/// Returns infinity as soon as the state stops being finite (a diverging parameter set).
pub fn sse(kind: SeasonKind, p: &Params, st: &mut State, y: &[f64]) -> f64 {
    let mut sse = 0.0;
    for &v in y {
        let e = v - step(kind, p, st, v);
        sse += e * e;
    }
    if sse.is_finite() {
        sse
    } else {
        f64::INFINITY
    }
}

/// `phi + phi^2 + ... + phi^h` (h when phi = 1).
pub fn damped_sum(phi: f64, h: usize) -> f64 {
    let mut acc = 0.0;
    let mut pw = 1.0;
    for _ in 0..h {
        pw *= phi;
        acc += pw;
    }
    acc
}

/// Point forecasts for steps 1..=h from the state.
pub fn point_forecast(kind: SeasonKind, p: &Params, st: &State, h: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(h);
    let mut phi_h = 0.0;
    let mut pw = 1.0;
    for k in 0..h {
        pw *= p.phi;
        phi_h += pw;
        let lb = st.level + phi_h * st.trend;
        out.push(match kind {
            SeasonKind::None => lb,
            SeasonKind::Additive => lb + st.season[(st.pos + k) % st.season.len()],
            SeasonKind::Multiplicative => lb * st.season[(st.pos + k) % st.season.len()],
        });
    }
    out
}

/// Forecast standard deviations for the additive-error, additive-season (or no season) model:
/// `Var(h) = sigma2 * (1 + sum_{j<h} c_j^2)`, `c_j = alpha + alpha beta phi_j + gamma [j mod m = 0]`
/// (Hyndman et al. 2008, class 1, with the classic beta = beta* / alpha).
pub fn additive_sd(p: &Params, m: Option<usize>, sigma2: f64, h: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(h);
    let mut acc = 1.0;
    let mut phi_j = 0.0;
    let mut pw = 1.0;
    for j in 0..h {
        if j > 0 {
            pw *= p.phi;
            phi_j += pw;
            let seas = match m {
                Some(m) if j % m == 0 => p.gamma,
                _ => 0.0,
            };
            let c = p.alpha + p.alpha * p.beta * phi_j + seas;
            acc += c * c;
        }
        out.push((sigma2 * acc).sqrt());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_recursion_by_hand() {
        let p = Params {
            alpha: 0.5,
            beta: 0.0,
            gamma: 0.0,
            phi: 1.0,
        };
        let mut st = State::new(10.0, 0.0, vec![]);
        // yhat1 = 10, l1 = 11; yhat2 = 11, l2 = 11.5
        let s = sse(SeasonKind::None, &p, &mut st, &[12.0, 12.0]);
        assert!((s - (4.0 + 1.0)).abs() < 1e-12);
        assert!((st.level - 11.5).abs() < 1e-12);
    }

    #[test]
    fn additive_sd_of_ses_is_random_walk_like() {
        let p = Params {
            alpha: 1.0,
            beta: 0.0,
            gamma: 0.0,
            phi: 1.0,
        };
        let sd = additive_sd(&p, None, 4.0, 3);
        assert!((sd[2] - (4.0f64 * 3.0).sqrt()).abs() < 1e-12);
    }
}
