#!/usr/bin/env python3
"""The table and verdicts of benches/scale.sh, from its results.tsv.

    python3 benches/scale/report.py RESULTS N RUNS SAME_BYTES RELOAD VERSIONS LISTS CHARTS

RESULTS has a line per timed build: briefs, tool, mode (warmup, cold, rebuild),
run, wall s, user s, sys s, peak RSS KB. Medians are over the runs of a mode; the
untimed first build (warmup) only counts towards peak memory.
"""
import csv
import os
import re
import statistics
import sys

path, n, runs, same_bytes, reload, versions, lists, charts = sys.argv[1:]
n, runs = int(n), int(runs)
rows = list(csv.DictReader(open(path), delimiter="\t"))
sizes = sorted({int(r["briefs"]) for r in rows})
order = ["tumen", "hugo", "zola"]
tools = [t for t in order if any(r["tool"] == t for r in rows)]
peers = [t for t in tools if t != "tumen"]


def pick(size, tool, mode=None):
    return [r for r in rows if int(r["briefs"]) == size and r["tool"] == tool
            and (mode is None or r["mode"] == mode)]


def med(size, tool, mode, key="wall"):
    xs = [float(r[key]) for r in pick(size, tool, mode)]
    return statistics.median(xs) if xs else None


def span(size, tool, mode):
    xs = [float(r["wall"]) for r in pick(size, tool, mode)]
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def peak_mb(size, tool):
    return max(int(r["maxrss_kb"]) for r in pick(size, tool)) / 1024


print()
print(f"Scale benchmark: {versions}")
print(f"Corpus: benches/gen_site.py --rich{' --charts' if charts == '1' else ''} "
      f"(~850 words a brief); tumen's lists {lists}; peers' lists 50 a page.")
print(f"{runs} runs of each tool, alternating; cold = a new output folder each run, "
      "rebuild = over the tool's previous output. Wall seconds: median (min–max).")
if os.environ.get("SCALE_LOAD"):
    print(f"Machine: {os.environ['SCALE_LOAD']}.")
for size in sizes:
    print()
    print(f"{size:,} briefs")
    head = ["tool", "cold s", "rebuild s", "cold user+sys s", "rebuild user+sys s", "peak MB",
            "tumen/tool cold", "tumen/tool rebuild"]
    table = [head]
    for t in tools:
        cpu = lambda mode: f"{med(size, t, mode, 'user'):.2f}+{med(size, t, mode, 'sys'):.2f}"
        ratio = lambda mode: f"{med(size, 'tumen', mode) / med(size, t, mode):.3f}" if t != "tumen" else "–"
        table.append([t, span(size, t, "cold"), span(size, t, "rebuild"), cpu("cold"),
                      cpu("rebuild"), f"{peak_mb(size, t):.0f}", ratio("cold"), ratio("rebuild")])
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for i, r in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")

if len(sizes) > 1:
    small, big = sizes[0], sizes[-1]
    print()
    print(f"Slope from {small:,} to {big:,} briefs (seconds per 1,000 briefs, medians):")
    for t in tools:
        s = [(med(big, t, m) - med(small, t, m)) / ((big - small) / 1000) for m in ("cold", "rebuild")]
        print(f"  {t}: cold {s[0]:.3f}, rebuild {s[1]:.3f}")

print()
# The targets of issue 17, on its 2-core machine: absolute times, with the
# ratio to the fastest peer beside them (a busier machine slows every tool).
verdicts = []
yes = lambda ok: "yes" if ok else "no"
for mode, limit, what in (("cold", 3.5, "cold build"), ("rebuild", 2.0, "rebuild over its last output")):
    t = med(n, "tumen", mode)
    ratio = ""
    if peers:
        fastest = min(peers, key=lambda p: med(n, p, mode))
        ratio = f", {t / med(n, fastest, mode):.3f}× {fastest}'s {med(n, fastest, mode):.2f} s"
    verdicts.append(f"{mode} ≤ {limit:g} s: {yes(t <= limit)}")
    print(f"tumen {what} ≤ {limit:g} s at {n:,} briefs: {yes(t <= limit)} ({t:.2f} s{ratio})")
pk = peak_mb(n, "tumen")
print(f"tumen's peak memory ≤ 250 MB: {yes(pk <= 250)} ({pk:.0f} MB)")
print(f"tumen, cold build and rebuild through an edit give the same bytes: {same_bytes}")
ms = [float(x) for x in re.findall(r"([\d.]+) ms \(p90", reload)]
own = re.search(r"title edit rebuilt in (\d+) ms", reload)
if ms:
    print(f"tumen serve, save → reload ≤ 50 ms at {n:,} briefs (medians): "
          f"{yes(max(ms[:2]) <= 50)} ({reload.split(';')[0]})")
if own:
    print(f"tumen serve, a title edit rebuilt in ≤ 10 ms (server's own timing, median): "
          f"{yes(int(own.group(1)) <= 10)} ({own.group(1)} ms)")
if not ms:
    print(f"tumen serve, save → reload: {reload}")
print()
summary = (f"scale {n:,} briefs: tumen cold {med(n, 'tumen', 'cold'):.2f} s, rebuild "
           f"{med(n, 'tumen', 'rebuild'):.2f} s, peak {pk:.0f} MB")
for p in peers:
    summary += (f"; {p} cold {med(n, p, 'cold'):.2f} s, rebuild {med(n, p, 'rebuild'):.2f} s, "
                f"peak {peak_mb(n, p):.0f} MB")
summary += f"; targets {', '.join(verdicts) or 'none'}; same bytes {same_bytes}; save→reload {reload}"
print(summary)
