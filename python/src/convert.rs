//! Rust values as Python values: spaces as plain dicts (the Python package builds the Gymnasium
//! spaces from them), actions from integers / int64 arrays, and `StepInfo` as the `info` dict.
//!
//! The `info` dict (every array is in pool or class order; `$` amounts are unweighted):
//! - always: `step`, `time_s`, `reward_terms` (`{cost, revenue_lost, slo_penalty}`: the signed,
//!   weighted terms that sum to the reward; zeros after reset), `slo_violations`, `clipped`,
//!   `billed_instances`, `action_mask` (bool, length = the action space's flat dimension),
//!   `pools` (`{running, provisioning, draining, restarting, active, queue_len, busy_slots,
//!   concurrency}`, int64 arrays);
//! - after a step: `cost` and `revenue_lost` of the interval [$], `scaling` (`{requested, target,
//!   before, clipped}` per pool), `classes` (`{arrivals, completed, rejected, timed_out, failed,
//!   slo_violated, slo_latency_ms, revenue_lost}` per class; `slo_latency_ms` is NaN when nothing
//!   completed);
//! - with a forecaster: `forecast`, float64 `[horizon, n_classes]` expected arrivals per interval.

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use shopgym::env::{Action, Frame, RenderMode, Space, StepInfo};

/// A space as a dict: `{"kind": "discrete", "n", "start"}`, `{"kind": "multi_discrete", "nvec",
/// "start"}` or `{"kind": "box", "low", "high", "shape"}` (float32 bounds).
pub fn space_dict<'py>(py: Python<'py>, space: &Space) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match space {
        Space::Discrete(s) => {
            d.set_item("kind", "discrete")?;
            d.set_item("n", s.n)?;
            d.set_item("start", s.start)?;
        }
        Space::MultiDiscrete(s) => {
            d.set_item("kind", "multi_discrete")?;
            d.set_item("nvec", PyArray1::from_slice(py, &s.nvec))?;
            d.set_item("start", PyArray1::from_slice(py, &s.start))?;
        }
        Space::Box(b) => {
            d.set_item("kind", "box")?;
            d.set_item("low", PyArray1::from_slice(py, b.low()))?;
            d.set_item("high", PyArray1::from_slice(py, b.high()))?;
            d.set_item("shape", b.shape().to_vec())?;
        }
    }
    Ok(d)
}

/// One action of `space` from Python: an integer for `Discrete`, an int64 array (or a sequence
/// of integers) for `MultiDiscrete`. Membership is checked by the env (`ValueError` if outside).
pub fn action(space: &Space, obj: &Bound<'_, PyAny>) -> PyResult<Action> {
    match space {
        Space::Discrete(_) => Ok(Action::Discrete(obj.extract::<i64>()?)),
        Space::MultiDiscrete(_) => {
            if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, i64>>() {
                Ok(Action::MultiDiscrete(a.as_slice()?.to_vec()))
            } else {
                Ok(Action::MultiDiscrete(obj.extract::<Vec<i64>>()?))
            }
        }
        Space::Box(_) => Err(PyValueError::new_err(
            "continuous actions are not supported",
        )),
    }
}

/// The actions of a vector env: `[n_envs]` integers for `Discrete`, `[n_envs, n_pools]` for
/// `MultiDiscrete` (int64, C order).
pub fn actions(space: &Space, obj: &Bound<'_, PyAny>, n_envs: usize) -> PyResult<Vec<Action>> {
    let arr = obj
        .cast::<numpy::PyArrayDyn<i64>>()
        .map_err(|_| PyValueError::new_err("vector actions must be an int64 numpy array"))?;
    let ro = arr.readonly();
    let shape = ro.shape().to_vec();
    let flat = ro.as_slice()?;
    match space {
        Space::Discrete(_) if shape == [n_envs] => {
            Ok(flat.iter().map(|&a| Action::Discrete(a)).collect())
        }
        Space::MultiDiscrete(m) if shape == [n_envs, m.nvec.len()] => Ok(flat
            .chunks(m.nvec.len())
            .map(|c| Action::MultiDiscrete(c.to_vec()))
            .collect()),
        _ => Err(PyValueError::new_err(format!(
            "vector actions have shape {shape:?}; expected [{n_envs}] (discrete) or [{n_envs}, pools] (multi-discrete)"
        ))),
    }
}

/// Observations `[n, dim]` as a float32 array.
pub fn obs_matrix<'py>(
    py: Python<'py>,
    flat: Vec<f32>,
    n: usize,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    PyArray1::from_vec(py, flat).reshape([n, dim])
}

/// A render mode from Python: `None`, `"ansi"` or `"rgb_array"` (else `ValueError`).
pub fn render_mode(mode: Option<&str>) -> PyResult<Option<RenderMode>> {
    mode.map(str::parse::<RenderMode>)
        .transpose()
        .map_err(crate::errors::env_err)
}

/// A frame as Python shows it: a `str` (`ansi`), a uint8 array `[H, W, 3]` (`rgb_array`), or
/// `None` without a render mode.
pub fn frame<'py>(py: Python<'py>, frame: Option<Frame>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match frame {
        None => py.None().into_bound(py),
        Some(Frame::Ansi(text)) => PyString::new(py, &text).into_any(),
        Some(Frame::Rgb(img)) => PyArray1::from_vec(py, img.pixels)
            .reshape([img.height, img.width, 3])?
            .into_any(),
    })
}

/// `StepInfo` as the `info` dict described in the module docs.
pub fn info_dict<'py>(py: Python<'py>, info: &StepInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("step", info.step)?;
    d.set_item("time_s", info.time_s)?;
    let t = PyDict::new(py);
    t.set_item("cost", info.reward_terms.cost)?;
    t.set_item("revenue_lost", info.reward_terms.revenue_lost)?;
    t.set_item("slo_penalty", info.reward_terms.slo_penalty)?;
    d.set_item("reward_terms", t)?;
    d.set_item("slo_violations", info.slo_violations)?;
    d.set_item("clipped", info.clipped)?;
    d.set_item("billed_instances", info.billed_instances)?;
    d.set_item("action_mask", PyArray1::from_slice(py, &info.action_mask))?;

    let pools = PyDict::new(py);
    let col = |f: fn(&shopgym::sim::PoolView) -> u32| -> Vec<i64> {
        info.pools.iter().map(|p| i64::from(f(p))).collect()
    };
    pools.set_item("running", PyArray1::from_vec(py, col(|p| p.running)))?;
    pools.set_item(
        "provisioning",
        PyArray1::from_vec(py, col(|p| p.provisioning)),
    )?;
    pools.set_item("draining", PyArray1::from_vec(py, col(|p| p.draining)))?;
    pools.set_item("restarting", PyArray1::from_vec(py, col(|p| p.restarting)))?;
    pools.set_item("active", PyArray1::from_vec(py, col(|p| p.active)))?;
    pools.set_item("queue_len", PyArray1::from_vec(py, col(|p| p.queue_len)))?;
    pools.set_item("busy_slots", PyArray1::from_vec(py, col(|p| p.busy_slots)))?;
    pools.set_item(
        "concurrency",
        PyArray1::from_vec(py, col(|p| p.concurrency)),
    )?;
    d.set_item("pools", pools)?;

    if let Some(stats) = &info.stats {
        d.set_item("cost", stats.cost)?;
        d.set_item("revenue_lost", stats.revenue_lost)?;
        let s = PyDict::new(py);
        let sc = &info.scaling;
        s.set_item(
            "requested",
            PyArray1::from_vec(py, sc.iter().map(|o| o.requested).collect()),
        )?;
        s.set_item(
            "target",
            PyArray1::from_vec(py, sc.iter().map(|o| i64::from(o.target)).collect()),
        )?;
        s.set_item(
            "before",
            PyArray1::from_vec(py, sc.iter().map(|o| i64::from(o.before)).collect()),
        )?;
        s.set_item(
            "clipped",
            PyArray1::from_vec(py, sc.iter().map(|o| o.clipped).collect()),
        )?;
        d.set_item("scaling", s)?;
        let c = PyDict::new(py);
        let cl = &stats.classes;
        let count = |f: fn(&shopgym::sim::ClassInterval) -> u64| -> Vec<i64> {
            cl.iter().map(|x| f(x) as i64).collect()
        };
        c.set_item("arrivals", PyArray1::from_vec(py, count(|x| x.arrivals)))?;
        c.set_item("completed", PyArray1::from_vec(py, count(|x| x.completed)))?;
        c.set_item("rejected", PyArray1::from_vec(py, count(|x| x.rejected)))?;
        c.set_item("timed_out", PyArray1::from_vec(py, count(|x| x.timed_out)))?;
        c.set_item("failed", PyArray1::from_vec(py, count(|x| x.failed)))?;
        c.set_item(
            "slo_violated",
            PyArray1::from_vec(py, cl.iter().map(|x| x.slo_violated).collect()),
        )?;
        c.set_item(
            "slo_latency_ms",
            PyArray1::from_vec(
                py,
                cl.iter()
                    .map(|x| x.slo_latency_ms.unwrap_or(f64::NAN))
                    .collect(),
            ),
        )?;
        c.set_item(
            "revenue_lost",
            PyArray1::from_vec(py, cl.iter().map(|x| x.revenue_lost).collect()),
        )?;
        d.set_item("classes", c)?;
    }
    let f = &info.forecast;
    if f.horizon > 0 {
        let arr = PyArray1::from_slice(py, &f.values).reshape([f.horizon, f.n_classes])?;
        d.set_item("forecast", arr)?;
    }
    if !info.scenario_params.is_empty() {
        let p = PyDict::new(py);
        for (name, v) in &info.scenario_params {
            p.set_item(name, v)?;
        }
        d.set_item("scenario_params", p)?;
    }
    Ok(d)
}
