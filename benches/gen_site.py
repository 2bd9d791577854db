#!/usr/bin/env python3
"""Generate a large site for benchmarks: N briefs over the default site's datasets.

    python3 benches/gen_site.py N DEST [--rich] [--charts] [--paginate K] [--latest K]

Each brief has front matter with topics and sources, ~600 words of Markdown with
headings, a table, footnotes, links to other briefs and inline dataset values, so
the build does the work a real site asks of it.

--rich writes the corpus of issue 17's scale benchmark instead (benches/scale.sh):
~850 words a brief with headings, a bullet list, a table, a footnote, three links
(two to other briefs, one external), three topics and one inline dataset value,
written so that benches/scale/convert.py can give Hugo and Zola the same briefs.
--charts (with --rich) adds one chart block a brief, each its own (a different
range of years and title), so every one is drawn. --paginate K and --latest K
write `paginate: K` and `latest: K` into the site's site.yaml. Without options the
output is what it always was (other benchmarks' figures rest on it).
"""
import os
import random
import shutil
import sys

opts = sys.argv[1:]
rich = "--rich" in opts
charts = "--charts" in opts


def opt_value(name):
    if name in opts:
        return int(opts[opts.index(name) + 1])
    return None


paginate, latest = opt_value("--paginate"), opt_value("--latest")
args = [a for i, a in enumerate(sys.argv[1:]) if not a.startswith("--")
        and sys.argv[i] not in ("--paginate", "--latest")]
if len(args) != 2 or (charts and not rich):
    sys.exit(__doc__)
n = int(args[0])
dest = args[1]
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


if paginate is not None or latest is not None:
    path = os.path.join(dest, "site.yaml")
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f if not (latest is not None and l.startswith("latest:"))]
    lines += [f"latest: {latest}\n"] if latest is not None else []
    lines += [f"paginate: {paginate}\n"] if paginate is not None else []
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


def rich_brief(i):
    """One brief of the scale corpus: ~850 words, and nothing tumen-only but the
    inline value and the optional chart, which benches/scale/convert.py replaces."""
    o1, o2 = rng.randrange(n), rng.randrange(n)
    y = rng.choice(years)
    a, b = sorted(rng.sample(years, 2))
    bullets = [f"- {para(12)[:-1]}." for _ in range(4)]
    bullets.insert(2, f"- Compare [brief {o1}](brief-{o1:05}.md), {para(8).lower()}")
    body = [f"## Overview of brief {i}", para(80),
            f"Turnover in {y} was {{{{ value(data=\"trade-turnover\", where=\"year={y},reading=primary\", column=\"turnover\", format=\"US$,.0f m\") }}}}.[^a] {para(40)}",
            "\n".join(bullets),
            "## Section two", para(90),
            f"{para(50)} The [ministry's figures](https://example.org/reports/{i}) say otherwise. {para(40)}",
            "| year | value | change |\n|---|---:|---:|\n" + "\n".join(
                f"| {yy} | {rng.randint(1, 999)} | {rng.randint(-50, 50)}% |" for yy in years),
            "### Detail", para(100),
            f"{para(80)} See [brief {o2}](brief-{o2:05}.md#section-two). {para(40)}",
            "## Outlook", para(120), para(100)]
    if charts:
        body += ["```chart\ndata: trade-turnover\ntype: " + ("line", "bar")[i % 2] +
                 "\nx: year\ny: [turnover]\nwhere: \"reading=primary\"\n"
                 f"from: {a}\nto: {b}\ntitle: Turnover {a}–{b}, brief {i}\n"
                 "caption: US$ million.\n```"]
    body += ["[^a]: Policy memo, 2016."]
    front = (f"---\ntitle: \"Brief {i}: {rng.choice(words)} and {rng.choice(words)}\"\n"
             f"date: {2000 + i % 25}-{1 + i % 12:02}-{1 + i % 28:02}\n"
             f"summary: \"{para(20)}\"\n"
             f"topics: [{', '.join(rng.sample(topics, 3))}]\n"
             f"sources: [memo-2016, iss-2014]\n---\n")
    return front + "\n\n".join(body) + "\n"


for i in range(n) if rich else ():
    with open(os.path.join(dest, "briefs", f"brief-{i:05}.md"), "w") as f:
        f.write(rich_brief(i))

for i in range(0 if rich else n):
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
