#!/usr/bin/env bash
# DQN trained on the fluid model vs on the DES (issue #15, docs/fluid.md): every run of
# agents/dqn.yaml on scenarios/flash_sale.yaml for STEPS env steps, judged on the DES.
#
#   scripts/fluid_dqn_measure.sh [OUT]      (default OUT: runs/fluid_dqn; needs a release build
#                                            with tch: cargo build --release --features tch)
#
# 1. Validation (the one choice made): fluid training with `mean` or `poisson` arrivals,
#    training seeds 0..4 each, evaluated on DES seeds 500..509. The variant with the higher mean
#    return is kept.
# 2. Test: DES training, seeds 0..4; then the kept fluid runs and the DES runs on DES seeds
#    3000..3019, which no choice looked at.
# 3. scripts/fluid_dqn_report.py OUT <kept> des prints the table, the paired differences and the
#    time ratios (training times from /usr/bin/time, in OUT/times.log).
# Finished steps are skipped, so an interrupted run resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/fluid_dqn}
STEPS=${STEPS:-16000}
B=target/release/shopgym
mkdir -p "$OUT"
poisson_scenario="$OUT/flash_sale_poisson.yaml"
{ cat scenarios/flash_sale.yaml; printf '\nfluid: { arrivals: poisson }\n'; } > "$poisson_scenario"

train() { # TAG SEED FIDELITY SCENARIO
    local d="$OUT/train_$1_$2"
    [ -f "$d/final/state.json" ] && return
    rm -rf "$d"
    /usr/bin/time -f "train $1 $2 %e wall %U user %S sys" -a -o "$OUT/times.log" \
        "$B" train --scenario "$4" --agent agents/dqn.yaml --steps "$STEPS" --fidelity "$3" \
        --seed "$2" --threads 2 --out "$d" > /dev/null
}
evaluate() { # TAG SEED PHASE FIRST_SEED EPISODES
    local e="$OUT/$3_$1_$2"
    [ -f "$e/episodes.csv" ] && return
    "$B" evaluate --scenario scenarios/flash_sale.yaml --agent agents/dqn.yaml \
        --checkpoint "$OUT/train_$1_$2" --episodes "$5" --seed "$4" --threads 2 --fidelity des \
        --out "$e" > /dev/null
}
mean_return() { # TAG: mean DES validation return over the 5 runs
    cat "$OUT"/val_"$1"_*/episodes.csv | awk -F, '$1 != "agent" { s += $3; n++ } END { printf "%.1f", s / n }'
}

for s in 0 1 2 3 4; do
    train mean "$s" fluid scenarios/flash_sale.yaml
    train poisson "$s" fluid "$poisson_scenario"
    evaluate mean "$s" val 500 10
    evaluate poisson "$s" val 500 10
done
m=$(mean_return mean)
p=$(mean_return poisson)
kept=$(awk -v m="$m" -v p="$p" 'BEGIN { print (p > m) ? "poisson" : "mean" }')
echo "validation (DES seeds 500..509): mean arrivals $m, poisson arrivals $p; kept: $kept"
for s in 0 1 2 3 4; do
    train des "$s" des scenarios/flash_sale.yaml
    evaluate "$kept" "$s" test 3000 20
    evaluate des "$s" test 3000 20
done
python3 scripts/fluid_dqn_report.py "$OUT" "$kept" des
