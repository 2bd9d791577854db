#!/usr/bin/env python3
"""Makes input/brief.md: the brief with its {{ value(...) }} filled in from the
built page (what tumen's resolve stage does), plus a table and a paragraph of
Cyrillic and Korean, which the default site lacks. Usage:
make_input.py content/briefs/X.md output/briefs/X/index.html > input/brief.md"""
import html, re, sys

md = open(sys.argv[1], encoding="utf-8").read()
page = open(sys.argv[2], encoding="utf-8").read()
body = page[page.index("<h2"):]
text = html.unescape(re.sub(r"<sup[^>]*>.*?</sup>|<[^>]+>", "", body, flags=re.S))
text = re.sub(r"\s+", " ", text)

VALUE = re.compile(r"\{\{\s*value\([^)]*\)\s*\}\}")
plain = lambda s: re.sub(r"\s+", " ", re.sub(r"\[\^[^\]]+\]|\[([^\]]*)\]\([^)]*\)|[*_]", r"\1", s))

def fill(m, md):
    before = plain(md[: m.start()])[-24:]
    after = plain(VALUE.sub("\0", md[m.end():]))
    after = after[: after.find("\0") if "\0" in after[:12] else 12]
    found = re.search(re.escape(before) + r"(.+?)" + re.escape(after), text)
    if not found:
        sys.exit(f"no match for {m.group(0)!r} after {before!r}")
    return found.group(1)

while (m := VALUE.search(md)):
    md = md[: m.start()] + fill(m, md) + md[m.end():]
extra = """
## The series in figures

| Year | Turnover (US$ million) | Reading | Source |
|---:|---:|:---|:---|
| 1988 | 2,350 | primary | memo-2016 |
| 1996 | 85 | primary | memo-2016 |
| 2006 | 210 | primary, approximate | memo-2016 |
| 2009 | 45 | primary | memo-2016 |
| 2011 | 110 | primary, approximate | memo-2016 |
| 2012 | 110 | primary, approximate | memo-2016 |
| 2012 | 75.6 | alternative, implied | iss-2014 |
| 2013 | 112 | primary | iss-2014 |
| 2014 | 92 | primary, approximate | memo-2016 |
| 2015 | 63 | primary | memo-2016 |
| 2022 | 120 | primary, reported | rb-2023 |

## Names in the original

The border river is the Tumen (Russian *Туманная*, Korean *두만강*); the crossing at Khasan (*Хасан*) faces Tumangang (*두만강역*), and the port of Rajin (*라진*) lies in the Rason zone (*라선경제특구*).[^calc] Special characters pass through the converter as text: 5% of #1, $2 * 3 = 6_, <tag>, @user, a = b, 'quotes' and "quotes", ~tilde, back\\slash.
"""
md = md.replace("\nFor the wider picture", extra + "\nFor the wider picture")
sys.stdout.write(md)
