#!/usr/bin/env python3
"""Produce the reference numbers that tests/forecast_reference.rs checks shopgym against.

Usage (the versions used for the committed JSON are recorded in it):
    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install statsmodels numpy pandas scipy
    /tmp/refvenv/bin/python scripts/forecast_reference.py > tests/data/forecast/reference.json

Series: AirPassengers (Box & Jenkins series G, monthly airline passengers in thousands,
1949-01 .. 1960-12, 144 values), typed in below; and a simulated ARMA(2,1) series with mean 10
(numpy seed 7), stored in the JSON so the Rust test reads the same numbers.
"""
import json
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
import statsmodels
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.statespace.sarimax import SARIMAX

warnings.simplefilter("ignore")

AIR = [
    112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118,
    115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140,
    145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166,
    171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194,
    196, 196, 236, 235, 229, 243, 264, 272, 237, 211, 180, 201,
    204, 188, 235, 227, 234, 264, 302, 293, 259, 229, 203, 229,
    242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278,
    284, 277, 317, 313, 318, 374, 413, 405, 355, 306, 271, 306,
    315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336,
    340, 318, 362, 348, 363, 435, 491, 505, 404, 359, 310, 337,
    360, 342, 406, 396, 420, 472, 548, 559, 463, 407, 362, 405,
    417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432,
]
assert len(AIR) == 144 and sum(AIR) == 40363  # the published total
H = 24


def tolist(a):
    return [float(v) for v in np.asarray(a)]


def airline():
    y = np.log(np.array(AIR, dtype=float))
    mod = SARIMAX(y, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))
    res = mod.fit(disp=False)
    fc = res.get_forecast(H)
    ci = fc.conf_int(alpha=0.05)
    # exact log-likelihood at fixed coefficients, sigma2 concentrated out
    conc = SARIMAX(y, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), concentrate_scale=True)
    fixed = [-0.3, -0.5]
    fixed_llf = float(conc.loglike(np.array(fixed)))
    # The same with the differencing applied first (likelihood of the differenced series, as R's
    # arima); exact diffuse initialisation above differs from it by ~1e-4 in the concentrated case.
    simple = SARIMAX(y, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), concentrate_scale=True,
                     simple_differencing=True)
    fixed_llf_simple = float(simple.loglike(np.array(fixed)))
    fixed_fc = conc.smooth(np.array(fixed)).get_forecast(H).predicted_mean
    return {
        "description": "SARIMAX(0,1,1)(0,1,1,12) on log(AirPassengers), default MLE (exact diffuse Kalman likelihood)",
        "params": dict(zip(res.model.param_names, tolist(res.params))),
        "llf": float(res.llf),
        "aic": float(res.aic),
        "forecast_log": tolist(fc.predicted_mean),
        "lower95_log": tolist(ci[:, 0]),
        "upper95_log": tolist(ci[:, 1]),
        "fixed": {"ma.L1": fixed[0], "ma.S.L12": fixed[1], "llf_concentrated": fixed_llf,
                  "llf_concentrated_simple_differencing": fixed_llf_simple,
                  "forecast_log": tolist(fixed_fc)},
    }


def holt_winters(seasonal):
    y = np.array(AIR, dtype=float)
    out = {}
    mod = ExponentialSmoothing(y, trend="add", seasonal=seasonal, seasonal_periods=12,
                               initialization_method="heuristic")
    fixed = {"smoothing_level": 0.3, "smoothing_trend": 0.05, "smoothing_seasonal": 0.2}
    r = mod.fit(optimized=False, **fixed)
    # statsmodels' forecast() reuses, for the season position of the last observation, the seasonal
    # state from *before* that observation's update (it overwrites s[nobs+m-1]), so its h = m, 2m, ...
    # forecasts differ from the textbook recursion. The textbook forecast is rebuilt here from
    # statsmodels' own final states (level, trend, last m seasonal states).
    lvl, tr, seas = float(r.level[-1]), float(r.trend[-1]), np.asarray(r.season[-12:])
    textbook = [(lvl + k * tr) + seas[(k - 1) % 12] if seasonal == "add"
                else (lvl + k * tr) * seas[(k - 1) % 12] for k in range(1, H + 1)]
    out["fixed"] = {
        **fixed,
        "initial_level": float(r.params["initial_level"]),
        "initial_trend": float(r.params["initial_trend"]),
        "initial_seasons": tolist(r.params["initial_seasons"]),
        "sse": float(r.sse),
        "fitted_first12": tolist(r.fittedvalues[:12]),
        "forecast": tolist(r.forecast(H)),
        "final_level": lvl,
        "final_trend": tr,
        "final_season": tolist(seas),
        "forecast_textbook": tolist(textbook),
    }
    r = mod.fit()  # optimised smoothing parameters, heuristic initial states held fixed
    out["fitted"] = {
        "smoothing_level": float(r.params["smoothing_level"]),
        "smoothing_trend": float(r.params["smoothing_trend"]),
        "smoothing_seasonal": float(r.params["smoothing_seasonal"]),
        "sse": float(r.sse),
        "aic": float(r.aic),
        "forecast": tolist(r.forecast(H)),
    }
    return out


def arma_with_mean():
    rng = np.random.default_rng(7)
    n = 300
    e = rng.normal(0.0, 1.0, n + 100)
    x = np.zeros(n + 100)
    for t in range(2, n + 100):
        x[t] = 0.5 * x[t - 1] - 0.3 * x[t - 2] + e[t] + 0.4 * e[t - 1]
    y = 10.0 + x[100:]
    res = ARIMA(y, order=(2, 0, 1), trend="c").fit()
    return {
        "description": "statsmodels.tsa.arima.model.ARIMA(order=(2,0,1), trend='c') (const = process mean), exact MLE",
        "y": tolist(y),
        "params": dict(zip(res.model.param_names, tolist(res.params))),
        "llf": float(res.llf),
        "aic": float(res.aic),
        "forecast": tolist(res.get_forecast(12).predicted_mean),
    }


ref = {
    "produced_by": "scripts/forecast_reference.py",
    "versions": {"python": sys.version.split()[0], "statsmodels": statsmodels.__version__,
                 "numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__},
    "air_passengers": AIR,
    "airline": airline(),
    "hw_add": holt_winters("add"),
    "hw_mul": holt_winters("mul"),
    "arma21_mean": arma_with_mean(),
}
json.dump(ref, sys.stdout, indent=1)
print()
