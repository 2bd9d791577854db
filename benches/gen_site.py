#!/usr/bin/env python3
"""Generate a large site for benchmarks: N briefs over the default site's datasets.

Each brief has front matter with topics and sources, ~600 words of Markdown with
headings, a table, footnotes, links to other briefs and inline dataset values, so
the build does the work a real site asks of it.
"""
import os
import random
import shutil
import sys

n = int(sys.argv[1])
dest = sys.argv[2]
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = random.Random(42)

if os.path.exists(dest):
    shutil.rmtree(dest)
shutil.copytree(os.path.join(repo, "content"), dest, ignore=shutil.ignore_patterns("briefs"))
os.makedirs(os.path.join(dest, "briefs"))
if os.environ.get("GEN_SITE_OLD_BINARY"):
    # For a binary older than the datasets' `key:` (benches/changes.sh with BASE):
    # the same site without it, for both binaries.
    for name in os.listdir(os.path.join(dest, "data")):
        path = os.path.join(dest, "data", name)
        if name.endswith(".yaml"):
            with open(path, encoding="utf-8") as f:
                lines = [l for l in f if not l.startswith("key:")]
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(lines)

topics = ["trade", "investment", "energy", "labour", "debt", "forums", "transport", "sanctions", "china", "Finance", "DIPLOMACY"]
words = ("trade turnover rail port coal labour quota debt rouble settlement pipeline forum "
         "commission sanctions corridor border terminal investment minerals export import").split()
years = [1988, 1996, 2006, 2009, 2011, 2013, 2014, 2015, 2022]

def para(k):
    return " ".join(rng.choice(words) for _ in range(k)).capitalize() + "."

for i in range(n):
    other = rng.randrange(n)
    y = rng.choice(years)
    body = [f"## Section one of brief {i}", para(60),
            f"Turnover in {y} was {{{{ value(data=\"trade-turnover\", where=\"year={y},reading=primary\", column=\"turnover\", format=\"US$,.0f m\") }}}}.[^a]",
            f"See [brief {other}](brief-{other:05}.md#section-two).",
            "## Section two", para(80), para(80),
            "| year | value |\n|---|---|\n" + "\n".join(f"| {yy} | {rng.randint(1, 999)} |" for yy in years),
            "### Detail", para(100), "```\n{{ not a value }}\n---\n```", para(120), para(90),
            "[^a]: Policy memo, 2016."]
    front = (f"---\ntitle: \"Brief {i}: {rng.choice(words)} and {rng.choice(words)}\"\n"
             f"date: {2000 + i % 25}-{1 + i % 12:02}-{1 + i % 28:02}\n"
             f"summary: \"{para(20)}\"\n"
             f"topics: [{', '.join(rng.sample(topics, 3))}]\n"
             f"sources: [memo-2016, iss-2014]\n---\n")
    with open(os.path.join(dest, "briefs", f"brief-{i:05}.md"), "w") as f:
        f.write(front + "\n\n".join(body) + "\n")
