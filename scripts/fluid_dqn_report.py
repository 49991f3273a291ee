#!/usr/bin/env python3
"""DES test returns of DQN runs trained on fluid vs DES (docs/fluid.md, Use): reads
D/dqn_{fluid,des}_sS.train.log (/usr/bin/time -v output) and D/eval_{fluid,des}_sS/episodes.csv
(shopgym evaluate --out) for S in 0, 1, 2 and prints per-run rows, paired differences and time ratios."""
import sys
import csv, os, re, statistics as st
T = {1:12.706,2:4.303,3:3.182,4:2.776,5:2.571,6:2.447,7:2.365,8:2.306,9:2.262,29:2.045}
def rows(path, agent=None):
    out = {}
    for r in csv.DictReader(open(path)):
        if agent is None or r['agent'] == agent:
            out.setdefault(r['agent'], {})[int(r['seed'])] = r
    return out
def ci(xs):
    m = st.mean(xs); n = len(xs)
    if n < 2: return m, float('nan'), float('nan')
    h = T[n-1] * st.stdev(xs) / n**0.5
    return m, m-h, m+h
def fmt(t): return "%s [%s, %s]" % tuple(f"{v:,.0f}" for v in t)

D=sys.argv[1] if len(sys.argv) > 1 else '/tmp/fluid_measure/dqn'
def info(f,s):
    log=open(f'{D}/dqn_{f}_s{s}.train.log').read()
    wall=float(re.search(r'"wall_seconds": ([0-9.]+)',log).group(1))
    user=float(re.search(r'User time \(seconds\): ([0-9.]+)',log).group(1))
    sys_=float(re.search(r'System time \(seconds\): ([0-9.]+)',log).group(1))
    r=rows(f'{D}/eval_{f}_s{s}/episodes.csv')['dqn']
    return wall,user+sys_,r
res={}
for f in ('fluid','des'):
    for s in (0,1,2):
        if os.path.exists(f'{D}/eval_{f}_s{s}/episodes.csv'):
            res[f,s]=info(f,s)
seeds=list(range(1000,1010))
for (f,s),(w,u,r) in sorted(res.items()):
    ret=[float(r[k]['return']) for k in seeds]
    m=lambda c: st.mean(float(r[k][c]) for k in seeds)
    print(f"| {f} | {s} | {fmt(ci(ret))} | {m('cost'):.2f} | {m('revenue_lost'):,.0f} | {m('slo_violation_intervals'):.1f} | {m('scaling_actions'):.1f} | {w:.1f} | {u:.1f} |")
pairs=[s for s in (0,1,2) if ('fluid',s) in res and ('des',s) in res]
print("pairs",pairs)
for f in ('fluid','des'):
    rm=[st.mean(float(res[f,s][2][k]['return']) for k in seeds) for s in pairs]
    print(f, "run means", [round(x) for x in rm], "mean", fmt(ci(rm)), "wall", [round(res[f,s][0],1) for s in pairs], "cpu", [round(res[f,s][1],1) for s in pairs])
# paired over test seeds: mean over runs fluid - mean over runs des
d=[st.mean(float(res['fluid',s][2][k]['return']) for s in pairs)-st.mean(float(res['des',s][2][k]['return']) for s in pairs) for k in seeds]
print("fluid-des paired over 10 test seeds (mean of runs):", fmt(ci(d)))
# per training seed pair
for s in pairs:
    d=[float(res['fluid',s][2][k]['return'])-float(res['des',s][2][k]['return']) for k in seeds]
    print(f" seed {s}: fluid-des", fmt(ci(d)))
# run-level paired (training seed s paired)
dr=[st.mean(float(res['fluid',s][2][k]['return']) for k in seeds)-st.mean(float(res['des',s][2][k]['return']) for k in seeds) for s in pairs]
print("run-level paired fluid-des over training seeds:", fmt(ci(dr)))
# all 30 (training seed x test seed) diffs
d30=[float(res['fluid',s][2][k]['return'])-float(res['des',s][2][k]['return']) for s in pairs for k in seeds]
print("30 diffs naive:", fmt(ci(d30)) if len(d30)==30 else '')
W=lambda f,i: sum(res[f,s][i] for s in pairs)
print("wall ratio des/fluid total: %.1f  cpu ratio: %.1f" % (W('des',0)/W('fluid',0), W('des',1)/W('fluid',1)))
