#!/usr/bin/env bash
# Rolling-origin backtest on the WorldCup98 per-minute trace (tournament 1998-06-10 .. 1998-07-12),
# the table in docs/forecast_backtest.md. Usage:
#   cargo build --release && SHOPGYM_DATA_DIR=/path/to/shared/data scripts/forecast_reference_wc98_backtest.sh
# Prints one markdown row per model (MAE / RMSE / MAPE / sMAPE / MASE / coverage at h = 1, 15, 60).
set -euo pipefail
DATA="${SHOPGYM_DATA_DIR:-$(dirname "$0")/../../shared/data}/worldcup98/wc98_requests_per_minute.csv"
BIN="${SHOPGYM_BIN:-$(dirname "$0")/../target/release/shopgym}"
COMMON=(--input "$DATA" --from "1998-06-10" --to "1998-07-13" --horizon 60 --backtest
        --origins 48 --origin-step 240 --train-window 20160 --mase-season 1440 --json)
run() {
  local label="$1"; shift
  "$BIN" forecast "${COMMON[@]}" "$@" | python3 -c '
import json, sys
label = sys.argv[1]
d = json.load(sys.stdin)
b = d["backtest"]
def f(v, p=1):
    return "-" if v is None else f"{v:.{p}f}"
for h in ("h1", "h15", "h60"):
    m = b[h]
    cells = [f(m["mae"]), f(m["rmse"]), f(m["mape"], 2), f(m["smape"], 2), f(m["mase"], 3), f(m["coverage"], 2)]
    print("| " + " | ".join([label, h[1:]] + cells) + " |")
' "$label"
}
echo "| model | h (min) | MAE | RMSE | MAPE % | sMAPE % | MASE | 95% coverage |"
echo "|---|---|---|---|---|---|---|---|"
run "naive" --model naive
run "seasonal_naive (1440)" --model seasonal_naive --season 1440
run "moving_average (15)" --model moving_average --window 15
run "ses" --model ses
run "holt (damped)" --model holt --damped
run "holt_winters_add (1440)" --model holt_winters_add --season 1440
run "holt_winters_add damped (1440)" --model holt_winters_add --damped --season 1440
run "holt_winters_mul damped (1440)" --model holt_winters_mul --damped --season 1440
run "arima (2,1,1)" --model arima --order 2,1,1
run "auto_arima (non-seasonal)" --model auto_arima
run "ridge (lags 1,2,3,1440 + hour/weekday)" --model ridge --lags 1,2,3,1440 --season 1440
run "ridge on log (lags 1,2,3,1440 + hour/weekday)" --model ridge --lags 1,2,3,1440 --season 1440 --transform log
