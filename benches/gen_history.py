#!/usr/bin/env python3
"""Generate a site with a long git history, for the changes benchmark (issue 18).

    python3 benches/gen_history.py N_BRIEFS N_COMMITS DEST

DEST/site is benches/gen_site.py's site of N_BRIEFS briefs, plus ten datasets
`series-0` … `series-9` (30 years each); each brief quotes a value of one of them
(brief i of series i % 10). DEST is a git repository whose history has
N_COMMITS commits: the site, then, in the proportion 9 to 1, edits of one word in
a random brief's prose and changes of one value of a random series, each with a
`Revision:` trailer (every 20th dataset change with a `Correction:` one too). The
commits are written by `git fast-import`, so making 5,000 takes seconds; the work
tree is checked out at the end. Deterministic: the same arguments give the same
repository, hashes included.
"""
import os
import random
import shutil
import subprocess
import sys

n, commits, dest = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = random.Random(18)
if os.path.exists(dest):
    shutil.rmtree(dest)
os.makedirs(dest)
site = os.path.join(dest, "site")
subprocess.run([sys.executable, os.path.join(repo, "benches", "gen_site.py"), str(n), site],
               check=True, stdout=subprocess.DEVNULL)

YEARS = list(range(1990, 2020))
series = {s: {y: rng.randint(10, 999) for y in YEARS} for s in range(10)}


def series_text(s):
    rows = "".join(f"  - {{year: {y}, value: {v}}}\n" for y, v in series[s].items())
    return (f"title: Series {s}\nunit: US$ million\nsources: [memo-2016]\ncolumns:\n"
            f"  - {{name: year, type: year, label: Year}}\n"
            f"  - {{name: value, type: number, unit: US$ million, label: Value}}\nrows:\n{rows}")


files = {}
for root, _, names in os.walk(site):
    for name in names:
        path = os.path.join(root, name)
        with open(path, encoding="utf-8") as f:
            files[os.path.relpath(path, dest)] = f.read()
for s in range(10):
    files[f"site/data/series-{s}.yaml"] = series_text(s)
briefs = sorted(k for k in files if k.startswith("site/briefs/"))
for i, b in enumerate(briefs):
    y = rng.choice(YEARS)
    files[b] += (f"\nSeries {i % 10} stood at {{{{ value(data=\"series-{i % 10}\", "
                 f"where=\"year={y}\", column=\"value\") }}}} in {y}.\n")
WORDS = "trade turnover rail port coal labour quota debt rouble settlement pipeline".split()

out = []


def data(text):
    raw = text.encode("utf-8")
    out.append(f"data {len(raw)}\n".encode() + raw + b"\n")


def commit(i, message, changed):
    out.append(f"commit refs/heads/main\nmark :{i + 1}\n"
               f"committer Bench <bench@example.org> {1_700_000_000 + i * 3600} +0000\n".encode())
    data(message)
    if i > 0:
        out.append(f"from :{i}\n".encode())
    for path in changed:
        out.append(f"M 100644 inline {path}\n".encode())
        data(files[path])


commit(0, "The site\n\nRevision: First edition", sorted(files))
for i in range(1, commits):
    if i % 10:
        b = rng.choice(briefs)
        text = files[b]
        old, new = rng.sample(WORDS, 2)
        at = text.find(" " + old + " ", text.find("\n---\n") + 5)
        if at < 0:
            text += f"\nA note on {new}.\n"
        else:
            text = text[:at] + " " + new + " " + text[at + len(old) + 2:]
        files[b] = text
        commit(i, f"Edit {b}\n\nRevision: A word of {os.path.basename(b)} changed", [b])
    else:
        s = rng.randrange(10)
        y = rng.choice(YEARS)
        series[s][y] += rng.choice([-3, -2, -1, 1, 2, 3])
        path = f"site/data/series-{s}.yaml"
        files[path] = series_text(s)
        msg = f"Data: series {s}, {y}\n\nRevision: Series {s} revised for {y}"
        if i % 200 == 0:
            msg += f"\nCorrection: The {y} value of series {s} was misprinted"
        commit(i, msg, [path])

env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null")
subprocess.run(["git", "init", "-q", "-b", "main", dest], check=True, env=env)
subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(out), cwd=dest, check=True, env=env)
subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=dest, check=True, env=env)
