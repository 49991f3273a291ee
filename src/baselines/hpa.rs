//! The Kubernetes Horizontal Pod Autoscaler algorithm, for one pool.
//!
//! desired = ceil(current × utilisation / target); no change while |utilisation / target − 1| is
//! within `tolerance`; then stabilisation as in the Kubernetes controller
//! (`stabilizeRecommendationWithBehaviors`): the recommendation is raised to at most the lowest
//! recommendation of the scale-up window and lowered to at least the highest of the scale-down
//! window; scale-up is limited per decision to max(2 × current, current + 4) (the default policy).
//! Times are seconds of simulated time.

use std::collections::VecDeque;

/// HPA settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HpaConfig {
    /// Target utilisation in (0, 1].
    pub target: f64,
    /// Relative band around the target with no action (Kubernetes default 0.1).
    pub tolerance: f64,
    /// Scale-up stabilisation window [s] (Kubernetes default 0).
    pub up_window_s: f64,
    /// Scale-down stabilisation window [s] (Kubernetes default 300).
    pub down_window_s: f64,
}

impl Default for HpaConfig {
    fn default() -> Self {
        HpaConfig {
            target: 0.6,
            tolerance: 0.1,
            up_window_s: 0.0,
            down_window_s: 300.0,
        }
    }
}

/// The controller state of one pool: recent recommendations.
#[derive(Debug, Clone)]
pub struct Hpa {
    cfg: HpaConfig,
    history: VecDeque<(f64, u32)>,
}

impl Hpa {
    pub fn new(cfg: HpaConfig) -> Hpa {
        Hpa {
            cfg,
            history: VecDeque::new(),
        }
    }

    pub fn reset(&mut self) {
        self.history.clear();
    }

    /// The raw recommendation before stabilisation (the HPA formula with tolerance).
    pub fn raw(&self, current: u32, utilisation: f64) -> u32 {
        if current == 0 {
            return u32::from(utilisation > 0.0);
        }
        let ratio = utilisation / self.cfg.target;
        if (ratio - 1.0).abs() <= self.cfg.tolerance {
            return current;
        }
        let desired = (f64::from(current) * ratio).ceil();
        desired.clamp(0.0, f64::from(u32::MAX)) as u32
    }

    /// The desired count at time `now_s` given `current` replicas and their mean `utilisation`,
    /// within [min, max].
    pub fn recommend(
        &mut self,
        now_s: f64,
        current: u32,
        utilisation: f64,
        min: u32,
        max: u32,
    ) -> u32 {
        let rec = self.raw(current, utilisation).clamp(min, max);
        let keep = self.cfg.up_window_s.max(self.cfg.down_window_s);
        while self.history.front().is_some_and(|&(t, _)| t < now_s - keep) {
            self.history.pop_front();
        }
        self.history.push_back((now_s, rec));
        let mut up = rec;
        let mut down = rec;
        for &(t, r) in &self.history {
            if t >= now_s - self.cfg.up_window_s {
                up = up.min(r);
            }
            if t >= now_s - self.cfg.down_window_s {
                down = down.max(r);
            }
        }
        let mut out = current;
        if out < up {
            out = up;
        }
        if out > down {
            out = down;
        }
        let limit = current.saturating_mul(2).max(current.saturating_add(4));
        out.min(limit).clamp(min, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_and_tolerance() {
        let h = Hpa::new(HpaConfig {
            target: 0.5,
            ..HpaConfig::default()
        });
        assert_eq!(h.raw(10, 0.75), 15, "ceil(10 * 0.75 / 0.5)");
        assert_eq!(h.raw(10, 0.52), 10, "within the 10 % band");
        assert_eq!(h.raw(10, 0.56), 12, "outside the band: ceil(11.2)");
        assert_eq!(h.raw(10, 0.2), 4);
        assert_eq!(h.raw(0, 0.3), 1);
    }

    #[test]
    fn scale_down_waits_for_the_window_and_scale_up_is_immediate() {
        let mut h = Hpa::new(HpaConfig {
            target: 0.5,
            tolerance: 0.1,
            up_window_s: 0.0,
            down_window_s: 300.0,
        });
        assert_eq!(h.recommend(0.0, 10, 1.0, 1, 100), 20, "immediate scale-up");
        // Load drops: the 300 s window keeps the highest recent recommendation (20).
        assert_eq!(h.recommend(60.0, 20, 0.1, 1, 100), 20);
        assert_eq!(h.recommend(120.0, 20, 0.1, 1, 100), 20);
        assert_eq!(h.recommend(300.0, 20, 0.1, 1, 100), 20);
        // At 360 s the 0 s recommendation has left the window; the highest left is 4.
        assert_eq!(h.recommend(360.0, 20, 0.1, 1, 100), 4);
    }

    #[test]
    fn scale_up_window_takes_the_lowest_recent_recommendation() {
        let mut h = Hpa::new(HpaConfig {
            target: 0.5,
            tolerance: 0.0,
            up_window_s: 120.0,
            down_window_s: 0.0,
        });
        assert_eq!(h.recommend(0.0, 10, 0.5, 1, 100), 10);
        assert_eq!(
            h.recommend(60.0, 10, 1.0, 1, 100),
            10,
            "the 10 at t=0 is still in the up window"
        );
        assert_eq!(
            h.recommend(180.0, 10, 1.0, 1, 100),
            20,
            "window now holds 20 and 20"
        );
    }

    #[test]
    fn bounds_and_rate_limit() {
        let mut h = Hpa::new(HpaConfig::default());
        assert_eq!(
            h.recommend(0.0, 2, 10.0, 1, 100),
            6,
            "limit max(2x, +4) = 6"
        );
        assert_eq!(h.recommend(60.0, 50, 10.0, 1, 60), 60, "max");
        let mut h = Hpa::new(HpaConfig {
            down_window_s: 0.0,
            ..HpaConfig::default()
        });
        assert_eq!(h.recommend(0.0, 10, 0.0, 3, 60), 3, "min");
    }
}
