#!/usr/bin/env python3
"""Write the briefs of a tumen site made by benches/gen_site.py as a Hugo site and
a Zola site, for benches/scale.sh.

    python3 benches/scale/convert.py TUMEN_SITE HUGO_DIR ZOLA_DIR

Both get the same briefs: the same Markdown bodies and the same front matter, mapped
to each tool's own keys (title, date, summary as `summary`/`description`, topics as
a taxonomy `topics`, so term pages are /topics/<term>/ as in tumen), and the
minimal templates of benches/scale/hugo and benches/scale/zola (a base layout; a
brief's page with title, date, reading time, topics, table of contents and body;
the list of all briefs and each topic's, 50 to a page; the list of topics; a home
page with the latest 10; a 404 page; feeds of all briefs and of each topic and a
sitemap, as tumen writes).

What tumen's syntax becomes, as the peers have no equivalent:
- `{{ value(data=…, where=…, column=…, format=…) }}` (a cell of a dataset) becomes
  the formatted number as plain text (`US$210 m`), read here from data/*.yaml;
- a ```chart block becomes a <figure> with the chart's title and caption and an
  <img> of one static SVG (static/chart.svg): the peers copy it, tumen draws each
  chart at build time (wide and narrow), so charts are work only tumen does;
- a link to another brief, `brief-00042.md#section-two`, becomes Zola's internal
  link `@/briefs/brief-00042.md#section-two` (resolved and checked by Zola) and for
  Hugo the page's path `/briefs/brief-00042/#section-two` (Hugo 0.111 does not
  resolve .md links without a render hook or shortcode, which would cost it more);
- a fenced code block holding `{{` (the default corpus has one) is kept for Hugo;
  for Zola, whose shortcode parser reads inside code blocks, the braces are
  written as HTML entities inside a raw <pre> — only for the default corpus.
`sources:` is kept as a plain parameter (tumen lists and links them; the peers'
templates do not use it).
"""
import html
import os
import re
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))


def parse_scalar(v):
    v = v.strip()
    if v.startswith('"') and v.endswith('"'):
        return v[1:-1].replace('\\"', '"')
    if v.startswith("[") and v.endswith("]"):
        return [x.strip().strip('"') for x in v[1:-1].split(",") if x.strip()]
    return v


def split_front(text):
    """Front matter of the simple shape gen_site.py writes (one `key: value` a line)."""
    assert text.startswith("---\n"), "no front matter"
    end = text.index("\n---\n", 4)
    front = {}
    for line in text[4:end].splitlines():
        k, _, v = line.partition(":")
        front[k.strip()] = parse_scalar(v)
    return front, text[end + 5:]


def load_rows(path):
    """The rows of a dataset file: PyYAML if present, else its `- {k: v, …}` lines."""
    try:
        import yaml
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f).get("rows") or []
    except ImportError:
        rows = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*-\s*\{(.*)\}\s*$", line)
                if m:
                    row = {}
                    for part in re.findall(r'(\w+):\s*("(?:[^"\\]|\\.)*"|[^,]*)', m.group(1)):
                        row[part[0]] = parse_scalar(part[1])
                    rows.append(row)
        return rows


datasets = {}


def fmt_number(x, spec):
    """tumen's number formats as used by the generated corpus: prefix, `,`, `.Nf`, suffix."""
    m = re.search(r"(,?)(?:\.(\d+))?([fd%])", spec)
    if not m:
        return f"{x:,}"
    pre, post = spec[:m.start()], spec[m.end():]
    x = float(x) * (100 if m.group(3) == "%" else 1)
    digits = int(m.group(2) or 0)
    s = f"{x:{m.group(1)}.{digits}f}"
    return pre + s + ("%" if m.group(3) == "%" else "") + post


def value(site, args):
    kw = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', args))
    name = kw["data"]
    if name not in datasets:
        datasets[name] = load_rows(os.path.join(site, "data", name + ".yaml"))
    want = dict(p.split("=", 1) for p in kw.get("where", "").split(",") if p)
    rows = [r for r in datasets[name] if all(str(r.get(k)) == v for k, v in want.items())]
    assert len(rows) == 1, f"value({args}): {len(rows)} rows"
    return fmt_number(rows[0][kw["column"]], kw.get("format", ","))


VALUE = re.compile(r"\{\{\s*value\((.*?)\)\s*\}\}")
CHART = re.compile(r"^```chart\n(.*?)^```\n", re.S | re.M)
FENCE = re.compile(r"^```\n(.*?)^```\n", re.S | re.M)
LINK = re.compile(r"\]\((brief-\d+)\.md(#[^)]*)?\)")


def chart_figure(m):
    spec = dict(l.split(":", 1) for l in m.group(1).splitlines() if ":" in l)
    title = html.escape(spec.get("title", "").strip())
    caption = html.escape(spec.get("caption", "").strip())
    return (f'<figure class="chart"><img src="/chart.svg" alt="{title}" width="720" height="380">'
            f"<figcaption>{title}. {caption}</figcaption></figure>\n")


def zola_fence(m):
    if "{{" not in m.group(1) and "{%" not in m.group(1):
        return m.group(0)
    code = html.escape(m.group(1)).replace("{", "&#123;").replace("}", "&#125;")
    return f"<pre><code>{code}</code></pre>\n"


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(xs):
    return "[" + ", ".join(yaml_str(x) for x in xs) + "]"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    site, hugo, zola = sys.argv[1:]
    for dest, tmpl in ((hugo, "hugo"), (zola, "zola")):
        if os.path.exists(dest):
            shutil.rmtree(dest)
        shutil.copytree(os.path.join(here, tmpl), dest)
        os.makedirs(os.path.join(dest, "content", "briefs"), exist_ok=True)
        os.makedirs(os.path.join(dest, "static"), exist_ok=True)
        for static in ("chart.svg", "style.css"):
            shutil.copy(os.path.join(here, static), os.path.join(dest, "static", static))
    briefs_dir = os.path.join(site, "briefs")
    for name in sorted(os.listdir(briefs_dir)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(briefs_dir, name), encoding="utf-8") as f:
            front, body = split_front(f.read())
        body = VALUE.sub(lambda m: value(site, m.group(1)), body)
        body = CHART.sub(chart_figure, body)
        topics = front.get("topics", [])
        sources = front.get("sources", [])
        hugo_body = LINK.sub(lambda m: f"](/briefs/{m.group(1)}/{m.group(2) or ''})", body)
        with open(os.path.join(hugo, "content", "briefs", name), "w", encoding="utf-8") as f:
            f.write("---\n"
                    f"title: {yaml_str(front['title'])}\n"
                    f"date: {front['date']}\n"
                    f"summary: {yaml_str(front.get('summary', ''))}\n"
                    f"description: {yaml_str(front.get('summary', ''))}\n"
                    f"topics: {toml_list(topics)}\n"
                    f"sources: {toml_list(sources)}\n"
                    "---\n" + hugo_body)
        zola_body = LINK.sub(lambda m: f"](@/briefs/{m.group(1)}.md{m.group(2) or ''})", body)
        zola_body = FENCE.sub(zola_fence, zola_body)
        with open(os.path.join(zola, "content", "briefs", name), "w", encoding="utf-8") as f:
            f.write("+++\n"
                    f"title = {yaml_str(front['title'])}\n"
                    f"date = {front['date']}\n"
                    f"description = {yaml_str(front.get('summary', ''))}\n"
                    "[taxonomies]\n"
                    f"topics = {toml_list(topics)}\n"
                    "[extra]\n"
                    f"sources = {toml_list(sources)}\n"
                    "+++\n" + zola_body)


main()
