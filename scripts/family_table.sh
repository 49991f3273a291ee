#!/usr/bin/env bash
# The table of docs/families.md: every baseline on held-out draws of every shipped family.
# Usage: scripts/family_table.sh [BIN] [FIRST_SEED] [EPISODES] > table.md
# Prints one markdown row per family and agent: return with its 95 % t-interval (n = EPISODES),
# then mean cost, lost revenue [$, scaled units] and SLO-violation minutes per episode.
set -euo pipefail
bin=${1:-target/release/shopgym}
seed=${2:-5000}
n=${3:-5}
agents="static static_peak static_peak_family threshold greedy_budget predictive predictive_fitted dp dp_fitted dp_oracle"
echo "| family | agent | return [95 % CI] | cost | lost revenue | SLO-violation min |"
echo "|---|---|---|---|---|---|"
for fam in flash_sale_family singles_day_family black_friday_family microservices_family; do
  for a in $agents; do
    out=$(mktemp -d)
    "$bin" evaluate --scenario "scenarios/$fam.yaml" --agent "agents/$a.yaml" --episodes "$n" \
      --seed "$seed" --json --out "$out" 2>/dev/null |
      python3 -c '
import json, sys
d = json.load(sys.stdin); m = d["mean"]; c = d["ci95"]["return"]
ci = "n/a" if c is None else "[%.0f, %.0f]" % tuple(c)
print("| %s | %s | %.0f %s | %.0f | %.0f | %.0f |" % (sys.argv[1], sys.argv[2], m["return"], ci,
      m["cost"], m["revenue_lost"], m["slo_violation_minutes"]))' "$fam" "$a"
    rm -rf "$out"
  done
done
