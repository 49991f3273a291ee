#!/usr/bin/env python3
"""DES test returns of DQN runs trained on the fluid model vs on the DES (docs/fluid.md, "DQN
trained on the fluid model vs on the DES").

Usage: scripts/fluid_dqn_report.py DIR [FLUID_TAG [DES_TAG]]

Reads, for every training seed S found:
  DIR/test_<TAG>_S/episodes.csv   `shopgym evaluate --fidelity des --out` of that run's checkpoint
  DIR/times.log                   lines `train <TAG> <S> <wall> wall <user> user <sys> sys`
                                  (/usr/bin/time -f "train TAG S %e wall %U user %S sys")
and prints one row per run, the run means, the paired differences fluid - DES (over test seeds,
per training seed, and over training seeds) and the wall and CPU time ratios. Tags default to
`fluid` and `des`. Intervals are 95 % Student t; standard library only.
"""
import csv
import os
import re
import statistics as st
import sys

# Two-sided 95 % Student t quantiles by degrees of freedom (scipy.stats.t.ppf(0.975, df)).
T95 = [None, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
       2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
       2.056, 2.052, 2.048, 2.045, 2.042]


def ci(xs):
    """Mean and 95 % t interval; no interval from one sample."""
    m, n = st.mean(xs), len(xs)
    if n < 2:
        return m, None, None
    h = (T95[n - 1] if n - 1 < len(T95) else 1.96) * st.stdev(xs) / n ** 0.5
    return m, m - h, m + h


def fmt(t):
    m, lo, hi = t
    if lo is None:
        return f"{m:,.0f} [n/a]"
    return f"{m:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def episodes(path):
    return {int(r["seed"]): r for r in csv.DictReader(open(path))}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    tags = (sys.argv[2] if len(sys.argv) > 2 else "fluid", sys.argv[3] if len(sys.argv) > 3 else "des")
    times = {}
    pat = re.compile(r"train (\S+) (\d+) ([0-9.]+) wall ([0-9.]+) user ([0-9.]+) sys")
    if os.path.exists(f"{d}/times.log"):
        for line in open(f"{d}/times.log"):
            m = pat.search(line)
            if m:
                times[m[1], int(m[2])] = (float(m[3]), float(m[4]) + float(m[5]))
    runs = {}
    for tag in tags:
        for s in range(100):
            p = f"{d}/test_{tag}_{s}/episodes.csv"
            if os.path.exists(p):
                runs[tag, s] = episodes(p)
    pairs = sorted(s for (t, s) in runs if t == tags[0] and (tags[1], s) in runs)
    if not pairs:
        sys.exit(f"no training seed with both test_{tags[0]}_S and test_{tags[1]}_S in {d}")
    seeds = sorted(runs[tags[0], pairs[0]])
    for s in pairs:
        for t in tags:
            if sorted(runs[t, s]) != seeds:
                sys.exit(f"test_{t}_{s} was evaluated on other seeds than test_{tags[0]}_{pairs[0]}")
    ret = lambda t, s, k: float(runs[t, s][k]["return"])
    print(f"test seeds {seeds[0]}..{seeds[-1]} (n = {len(seeds)}), training seeds {pairs}\n")
    print("| trained on | seed | DES return | cost ($) | lost revenue ($) | SLO-violation intervals "
          "| scaling actions | train wall s | train CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in tags:
        for s in pairs:
            r = runs[t, s]
            mean = lambda c: st.mean(float(r[k][c]) for k in seeds)
            w, c = times.get((t, s), (float("nan"), float("nan")))
            print(f"| {t} | {s} | {fmt(ci([ret(t, s, k) for k in seeds]))} | {mean('cost'):.2f} "
                  f"| {mean('revenue_lost'):,.0f} | {mean('slo_violation_intervals'):.1f} "
                  f"| {mean('scaling_actions'):.1f} | {w:.1f} | {c:.1f} |")
    print()
    run_means = {t: [st.mean(ret(t, s, k) for k in seeds) for s in pairs] for t in tags}
    for t in tags:
        print(f"{t}: run means {[round(x) for x in run_means[t]]}, mean over runs "
              f"{fmt(ci(run_means[t]))} (t over runs)")
    med = {t: st.median(run_means[t]) for t in tags}
    print(f"median run: {tags[0]} {med[tags[0]]:,.0f}, {tags[1]} {med[tags[1]]:,.0f} "
          f"({100 * (med[tags[0]] - med[tags[1]]) / abs(med[tags[1]]):+.1f} %)")
    fl, de = (st.mean(run_means[t]) for t in tags)
    reached = fl >= de - 0.1 * abs(de)
    print(f"{tags[0]} mean - {tags[1]} mean = {100 * (fl - de) / abs(de):+.1f} % of the {tags[1]} mean's "
          f"magnitude: {'reaches' if reached else 'does not reach'} the {tags[1]} return within 10 %")
    d_seed = [st.mean(ret(tags[0], s, k) for s in pairs) - st.mean(ret(tags[1], s, k) for s in pairs)
              for k in seeds]
    print(f"paired {tags[0]} - {tags[1]} over test seeds (mean of the runs per seed): {fmt(ci(d_seed))}")
    for s in pairs:
        print(f"  training seed {s}: {fmt(ci([ret(tags[0], s, k) - ret(tags[1], s, k) for k in seeds]))}")
    d_run = [a - b for a, b in zip(run_means[tags[0]], run_means[tags[1]])]
    print(f"paired over training seeds (n = {len(pairs)}): {fmt(ci(d_run))}")
    if all((t, s) in times for t in tags for s in pairs):
        tot = {t: [sum(times[t, s][i] for s in pairs) for i in (0, 1)] for t in tags}
        print(f"training time, all runs: {tags[1]} {tot[tags[1]][0]:.1f} s wall / {tot[tags[1]][1]:.1f} s CPU, "
              f"{tags[0]} {tot[tags[0]][0]:.1f} s wall / {tot[tags[0]][1]:.1f} s CPU; ratio "
              f"{tot[tags[1]][0] / tot[tags[0]][0]:.1f}x wall, {tot[tags[1]][1] / tot[tags[0]][1]:.1f}x CPU")


if __name__ == "__main__":
    main()
