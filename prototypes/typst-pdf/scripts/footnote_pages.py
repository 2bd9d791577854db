#!/usr/bin/env python3
"""For each citation [^key] in a brief, finds the page of the PDF whose text
holds the words just before it, and says whether the note's text is on that
page too (what `pdftotext` shows; the check issue 16 names).
Usage: footnote_pages.py BRIEF.md FILE.pdf"""
import re, subprocess, sys

md = open(sys.argv[1], encoding="utf-8").read()
pages = subprocess.run(["pdftotext", "-layout", sys.argv[2], "-"], capture_output=True, text=True).stdout.split("\f")
norm = lambda s: re.sub(r"[^0-9A-Za-z]+", "", s)  # drops spaces, line breaks, punctuation, markers
flat = [norm(p) for p in pages]
notes = {k: norm(v)[:40] for k, v in re.findall(r"^\[\^([^\]]+)\]:\s*(.+)$", md, re.M)}
body = md.split("\n[^")[0]
body = re.sub(r"\[([^\]^][^\]]*)\]\([^)]*\)", r"\1", body)  # links: their text
ok = bad = 0
for m in re.finditer(r"\[\^([^\]]+)\]", body):
    before = re.sub(r"\[\^[^\]]+\]", "", body[: m.start()])
    words = norm(before)[-40:]
    where = [i + 1 for i, p in enumerate(flat) if words in p]
    note_pages = [i + 1 for i, p in enumerate(flat) if notes[m.group(1)] in p]
    good = bool(where) and where[0] in note_pages
    ok += good
    bad += not good
    print(f"{'ok ' if good else 'BAD'} [^{m.group(1)}] cited on page {where or '?'}; its text on pages {note_pages}")
print(f"{ok} citations with their note on the same page, {bad} without")
