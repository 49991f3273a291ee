//! Finite-horizon dynamic programming over instance counts, the planner of the `dp` and
//! `dp_oracle` baselines.
//!
//! Model (per pool): the decision at step 0 sets the capacity level e_t for the next H intervals.
//! Removals act at once; launches become capacity after `lead` intervals (the cold start rounded
//! up to whole intervals) and are billed from launch, so raising the level from e_{t−1} to e_t
//! costs `launch_cost` per instance on top of the stage cost. The first `lead` levels can only
//! stay at or below the current level (nothing launched now is ready sooner). This makes the
//! state the previous level alone:
//!
//! V_t(x') = min_{x ∈ allowed_t(x')} [ g_t(x) + launch_cost · (x − x')⁺ + V_{t+1}(x) ],  V_H = 0
//!
//! with g_t(x) the predicted cost of interval t at level x (instance cost + lost revenue + SLO
//! penalty, from `model::PoolModel`). O(H · N²) for N levels. With a cluster budget, pools are
//! coupled by Σ_p x_p <= B at the first step: `allocate` solves that by DP over pools (a
//! knapsack on each pool's cost-to-go Q_p(x)), exact for separable costs.

/// A pool's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Levels e_0..e_{H−1}.
    pub levels: Vec<u32>,
    /// Total planned cost [$].
    pub value: f64,
    /// Cost-to-go of choosing level `lo + i` at step 0 (∞ where not allowed).
    pub first_step: Vec<f64>,
    /// Lowest level considered.
    pub lo: u32,
}

/// Plans levels in [lo, hi] for `stage_cost[t][x − lo]` (t < H) from the current level `current`.
pub fn plan(
    stage_cost: &[Vec<f64>],
    current: u32,
    lo: u32,
    hi: u32,
    lead: usize,
    launch_cost: f64,
) -> Plan {
    let h = stage_cost.len();
    let n = (hi - lo + 1) as usize;
    if h == 0 {
        return Plan {
            levels: Vec::new(),
            value: 0.0,
            first_step: vec![0.0; n],
            lo,
        };
    }
    let cur = current.clamp(lo, hi);
    // value[t][prev - lo]: cost-to-go from step t given level prev at t − 1.
    // choice[t][prev - lo]: the minimising level at t.
    let mut next = vec![0.0f64; n];
    let mut choice = vec![vec![0u32; n]; h];
    let mut q0 = vec![f64::INFINITY; n];
    for t in (0..h).rev() {
        let mut value = vec![f64::INFINITY; n];
        for prev in 0..n {
            // Within the lead time the level cannot rise above the current one.
            let top = if t < lead { (cur - lo) as usize } else { n - 1 };
            let mut best = f64::INFINITY;
            let mut arg = 0usize;
            for x in 0..=top {
                let raise = x.saturating_sub(prev) as f64;
                let v = stage_cost[t][x] + launch_cost * raise + next[x];
                if t == 0 && prev == (cur - lo) as usize {
                    q0[x] = v;
                }
                if v < best {
                    best = v;
                    arg = x;
                }
            }
            value[prev] = best;
            choice[t][prev] = arg as u32;
        }
        next = value;
    }
    let mut levels = Vec::with_capacity(h);
    let mut prev = (cur - lo) as usize;
    for row in &choice {
        let x = row[prev] as usize;
        levels.push(lo + x as u32);
        prev = x;
    }
    Plan {
        levels,
        value: next[(cur - lo) as usize],
        first_step: q0,
        lo,
    }
}

/// Chooses one level per pool minimising Σ_p Q_p(x_p) subject to Σ_p x_p <= budget, where
/// `q[p][i]` is pool p's cost of level `lo[p] + i`. Returns `None` if no choice fits the budget.
pub fn allocate(q: &[Vec<f64>], lo: &[u32], budget: u32) -> Option<Vec<u32>> {
    let b = budget as usize;
    // best[s]: least cost of the pools so far using exactly s instances.
    let mut best = vec![f64::INFINITY; b + 1];
    best[0] = 0.0;
    let mut picks: Vec<Vec<usize>> = Vec::with_capacity(q.len());
    for (p, qp) in q.iter().enumerate() {
        let mut nb = vec![f64::INFINITY; b + 1];
        let mut pick = vec![usize::MAX; b + 1];
        for (s, &cost_so_far) in best.iter().enumerate() {
            if !cost_so_far.is_finite() {
                continue;
            }
            for (i, &c) in qp.iter().enumerate() {
                let used = s + lo[p] as usize + i;
                if used > b || !c.is_finite() {
                    break;
                }
                let v = cost_so_far + c;
                if v < nb[used] {
                    nb[used] = v;
                    pick[used] = i;
                }
            }
        }
        best = nb;
        picks.push(pick);
    }
    let (mut s, _) = best
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .min_by(|a, b| a.1.total_cmp(b.1))?;
    let mut out = vec![0u32; q.len()];
    for p in (0..q.len()).rev() {
        let i = picks[p][s];
        out[p] = lo[p] + i as u32;
        s -= lo[p] as usize + i;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Brute force over every level sequence.
    fn brute(
        stage: &[Vec<f64>],
        current: u32,
        lo: u32,
        hi: u32,
        lead: usize,
        launch: f64,
    ) -> (f64, Vec<u32>) {
        let h = stage.len();
        let n = (hi - lo + 1) as usize;
        let mut best = (f64::INFINITY, Vec::new());
        let total = n.pow(h as u32);
        for code in 0..total {
            let mut c = code;
            let mut seq = Vec::new();
            for _ in 0..h {
                seq.push(lo + (c % n) as u32);
                c /= n;
            }
            let mut prev = current;
            let mut v = 0.0;
            let mut ok = true;
            for (t, &x) in seq.iter().enumerate() {
                if t < lead && x > current {
                    ok = false;
                }
                v += stage[t][(x - lo) as usize] + launch * f64::from(x.saturating_sub(prev));
                prev = x;
            }
            if ok && v < best.0 {
                best = (v, seq);
            }
        }
        best
    }

    #[test]
    fn dp_equals_brute_force_on_small_cases() {
        let mut rng = crate::sim::rng::stream(7, "test");
        for case in 0..200 {
            let (lo, hi) = (rng.random_range(0..3u32), rng.random_range(3..6u32));
            let h = rng.random_range(1..5usize);
            let lead = rng.random_range(0..3usize);
            let current = rng.random_range(lo..=hi);
            let launch = rng.random_range(0.0..3.0);
            let stage: Vec<Vec<f64>> = (0..h)
                .map(|_| (lo..=hi).map(|_| rng.random_range(0.0..10.0)).collect())
                .collect();
            let p = plan(&stage, current, lo, hi, lead, launch);
            let (bv, bseq) = brute(&stage, current, lo, hi, lead, launch);
            assert!(
                (p.value - bv).abs() < 1e-9,
                "case {case}: dp {} vs brute {bv}",
                p.value
            );
            // The plan achieves its value (ties may pick another optimal sequence).
            let mut prev = current;
            let mut v = 0.0;
            for (t, &x) in p.levels.iter().enumerate() {
                v += stage[t][(x - lo) as usize] + launch * f64::from(x.saturating_sub(prev));
                prev = x;
            }
            assert!(
                (v - bv).abs() < 1e-9,
                "case {case}: plan {:?} costs {v}, brute {bseq:?} {bv}",
                p.levels
            );
            let best_q = p.first_step.iter().cloned().fold(f64::INFINITY, f64::min);
            assert!((best_q - bv).abs() < 1e-9);
        }
    }

    #[test]
    fn allocation_equals_brute_force() {
        let mut rng = crate::sim::rng::stream(8, "test");
        for _ in 0..200 {
            let pools = rng.random_range(1..4usize);
            let lo: Vec<u32> = (0..pools).map(|_| rng.random_range(0..3)).collect();
            let q: Vec<Vec<f64>> = (0..pools)
                .map(|_| {
                    (0..rng.random_range(1..5))
                        .map(|_| rng.random_range(0.0..10.0))
                        .collect()
                })
                .collect();
            let budget = rng.random_range(0..12u32);
            let got = allocate(&q, &lo, budget);
            // Brute force.
            let mut best: Option<(f64, Vec<u32>)> = None;
            let sizes: Vec<usize> = q.iter().map(Vec::len).collect();
            let total: usize = sizes.iter().product();
            for code in 0..total {
                let mut c = code;
                let mut pick = Vec::new();
                for &s in &sizes {
                    pick.push(c % s);
                    c /= s;
                }
                let used: u32 = pick.iter().zip(&lo).map(|(&i, &l)| l + i as u32).sum();
                if used > budget {
                    continue;
                }
                let v: f64 = pick.iter().enumerate().map(|(p, &i)| q[p][i]).sum();
                if best.as_ref().is_none_or(|b| v < b.0) {
                    best = Some((
                        v,
                        pick.iter().zip(&lo).map(|(&i, &l)| l + i as u32).collect(),
                    ));
                }
            }
            match (got, best) {
                (None, None) => {}
                (Some(g), Some((bv, _))) => {
                    let gv: f64 = g
                        .iter()
                        .enumerate()
                        .map(|(p, &x)| q[p][(x - lo[p]) as usize])
                        .sum();
                    assert!((gv - bv).abs() < 1e-9);
                    assert!(g.iter().sum::<u32>() <= budget);
                }
                (g, b) => panic!("feasibility differs: {g:?} vs {b:?}"),
            }
        }
    }
}
