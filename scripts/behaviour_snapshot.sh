#!/usr/bin/env bash
# Records what users see from a shopgym binary, so that a restructuring can be proved to change
# no behaviour: run it with the binary before and after, then `diff -r BEFORE AFTER`.
#
#     scripts/behaviour_snapshot.sh target/release/shopgym /tmp/snap_before
#
# It writes, under OUT:
#   simulate/<scenario>/{summary.json,intervals.csv}  every shipped scenario, seed 1, static policy
#   evaluate/<agent>.json    `evaluate --json` of every baseline on flash_sale, seeds 1000..1004
#   stress.json              `stress --json` of threshold and predictive on flash_sale (2 peaks)
#   train/<learner>/...      short q_learning, dqn and ppo trainings (with evaluation, checkpoints
#                            and, for q_learning, a resume), every file they write
#   holiday/{runs,summary}.csv  the default `make holiday` experiment (skipped with NO_HOLIDAY=1)
# The only non-deterministic values, wall-clock times, are removed: `perf` in summary.json, every
# `wall_seconds`/`wall_s` field and column, and train.csv's `charts/steps_per_second` rows.
# Everything else is compared as written (checkpoint weights, Q-tables and replay buffers byte
# for byte).
set -euo pipefail

bin="$(realpath "$1")"
out="$(realpath -m "$2")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rm -rf "$out"
mkdir -p "$out"/{simulate,evaluate,train,holiday,agents}

# Drops wall-clock fields from a JSON file, keeping key order and number formatting as written.
strip_json() {
  python3 - "$1" <<'PY'
import json, sys
path = sys.argv[1]
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in ("perf", "wall_seconds", "wall_s")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
text = open(path).read()
data = json.loads(text, parse_float=lambda s: s, parse_int=lambda s: s)
def dump(v):
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dump(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(dump(x) for x in v) + "]"
    if isinstance(v, str) and (v[:1].isdigit() or v[:1] == "-"):
        return v  # a number, exactly as written
    return json.dumps(v)
open(path, "w").write(dump(strip(data)) + "\n")
PY
}

# Drops CSV columns whose header starts with `wall`, and the rows of the wall-clock speed scalar
# `charts/steps_per_second` (train.csv).
strip_csv() {
  python3 - "$1" <<'PY'
import csv, sys
path = sys.argv[1]
rows = list(csv.reader(open(path, newline="")))
if rows:
    keep = [i for i, h in enumerate(rows[0]) if not h.startswith("wall")]
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            if "charts/steps_per_second" in r:
                continue
            w.writerow([r[i] for i in keep if i < len(r)])
PY
}

echo "snapshot: simulate" >&2
for f in scenarios/*.yaml; do
  name="$(basename "$f" .yaml)"
  "$bin" simulate --scenario "$f" --seed 1 --out "$out/simulate/$name" >/dev/null
  strip_json "$out/simulate/$name/summary.json"
done

echo "snapshot: evaluate" >&2
for a in static static_peak random threshold greedy_budget predictive dp dp_oracle; do
  "$bin" evaluate --scenario scenarios/flash_sale.yaml --agent "agents/$a.yaml" \
    --episodes 5 --seed 1000 --json >"$out/evaluate/$a.json"
  strip_json "$out/evaluate/$a.json"
done

echo "snapshot: stress" >&2
"$bin" stress --scenario scenarios/flash_sale.yaml --agent agents/threshold.yaml \
  agents/predictive.yaml --peaks 5,20 --episodes 2 --json >"$out/stress.json"
strip_json "$out/stress.json"

echo "snapshot: train" >&2
# Short trainings that still pass through evaluation, best/ and checkpoints.
sed -e 's/^total_steps:.*/total_steps: 3000/' -e 's/^eval_every:.*/eval_every: 1000/' \
  -e 's/^checkpoint_every:.*/checkpoint_every: 1000/' agents/q_learning.yaml >"$out/agents/q_learning.yaml"
sed -e 's/^learning_starts:.*/learning_starts: 400/' -e 's/^eval_every:.*/eval_every: 800/' \
  -e 's/^checkpoint_every:.*/checkpoint_every: 800/' -e 's/^eval_episodes:.*/eval_episodes: 2/' \
  agents/dqn.yaml >"$out/agents/dqn.yaml"
sed -e 's/^eval_every:.*/eval_every: 960/' -e 's/^checkpoint_every:.*/checkpoint_every: 960/' \
  -e 's/^eval_episodes:.*/eval_episodes: 2/' agents/ppo.yaml >"$out/agents/ppo.yaml"
"$bin" train --scenario scenarios/flash_sale.yaml --agent "$out/agents/q_learning.yaml" \
  --steps 1500 --seed 3 --out "$out/train/q_learning" >/dev/null
"$bin" train --scenario scenarios/flash_sale.yaml --agent "$out/agents/q_learning.yaml" \
  --steps 3000 --seed 3 --resume "$out/train/q_learning" >/dev/null
"$bin" train --scenario scenarios/flash_sale.yaml --agent "$out/agents/dqn.yaml" \
  --steps 1600 --seed 3 --out "$out/train/dqn" --threads 2 >/dev/null
"$bin" train --scenario scenarios/flash_sale.yaml --agent "$out/agents/ppo.yaml" \
  --steps 1920 --seed 3 --out "$out/train/ppo" --threads 2 >/dev/null
find "$out/train" -name '*.json' | while read -r f; do strip_json "$f"; done
find "$out/train" -name '*.csv' | while read -r f; do strip_csv "$f"; done
# TensorBoard event files carry wall-clock stamps and host names; train.csv holds the same scalars.
find "$out/train" -path '*/tb/*' -delete
find "$out/train" -name 'run*.json' -exec python3 -c \
  'import json,sys; p=sys.argv[1]; d=json.load(open(p)); [d.pop(k,None) for k in ("agent_file","scenario_file")]; open(p,"w").write(json.dumps(d)+"\n")' {} \;

if [ "${NO_HOLIDAY:-0}" != 1 ]; then
  echo "snapshot: holiday benchmark (default budget)" >&2
  "$bin" experiment experiments/holiday_benchmark.yaml --out "$out/holiday/run" >/dev/null 2>&1
  for f in runs summary; do
    cp "$out/holiday/run/$f.csv" "$out/holiday/$f.csv"
    strip_csv "$out/holiday/$f.csv"
  done
  rm -rf "$out/holiday/run"
fi
echo "snapshot: written to $out" >&2
