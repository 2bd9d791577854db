#!/usr/bin/env python3
"""Build TumenMeasure.ttf: the font tumen measures chart labels with.

It is Roboto (the font charts-rs measures with, Apache 2.0) plus one glyph, a
full-width em box, mapped to every Chinese, Japanese and Korean character. CJK
characters are full-width in every CJK font, so this measures them as any reader's
CJK font will draw them, in a file of Roboto's size instead of the megabytes of a
real CJK font. Labels are never drawn with it: the SVG names the reader's fonts.

    python3 assets/fonts/build_measure_font.py ~/.cargo/registry/src/*/charts-rs-2.3.0/src/Roboto.ttf

(needs `pip install fonttools`)
"""
import sys
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from fontTools.pens.ttGlyphPen import TTGlyphPen

src, dest = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "assets/fonts/TumenMeasure.ttf"
font = TTFont(src)
upm = font["head"].unitsPerEm

# The full-width box: one em wide, from the descender to the cap height, as CJK
# glyphs sit on the line.
pen = TTGlyphPen(None)
bottom, top = int(-0.12 * upm), int(0.88 * upm)
pen.moveTo((int(0.04 * upm), bottom))
pen.lineTo((int(0.04 * upm), top))
pen.lineTo((int(0.96 * upm), top))
pen.lineTo((int(0.96 * upm), bottom))
pen.closePath()
name = "cjkFullwidth"
order = font.getGlyphOrder() + [name]
font.setGlyphOrder(order)
font["glyf"].glyphs[name] = pen.glyph()
font["glyf"].glyphOrder = order
font["hmtx"].metrics[name] = (upm, int(0.04 * upm))
font["maxp"].numGlyphs = len(order)
if "post" in font and hasattr(font["post"], "extraNames"):
    font["post"].formatType = 3.0  # no glyph names needed

ranges = [
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana extensions
    (0x3200, 0x33FF),  # enclosed CJK, compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF01, 0xFF60),  # full-width forms
    (0xFFE0, 0xFFE6),  # full-width signs
]
best = font["cmap"].getBestCmap()
mapping = dict(best)
for a, b in ranges:
    for cp in range(a, b + 1):
        mapping.setdefault(cp, name)

# Roboto's own characters in a format 4 table; the CJK ranges, all mapped to the
# one box, in a format 13 (many-to-one) table, which stores each range once
# (it holds the Latin ones too, so either table alone is complete).
cmap = newTable("cmap")
cmap.tableVersion = 0
latin = CmapSubtable.newSubtable(4)
latin.platformID, latin.platEncID, latin.language = 3, 1, 0
latin.cmap = {cp: g for cp, g in best.items() if cp <= 0xFFFF}
wide = CmapSubtable.newSubtable(13)
wide.platformID, wide.platEncID, wide.language = 3, 10, 0
wide.cmap = dict(mapping)
cmap.tables = [latin, wide]
font["cmap"] = cmap

for rec in font["name"].names:
    if rec.nameID in (1, 4, 16):
        rec.string = "Tumen Measure"
    elif rec.nameID == 6:
        rec.string = "TumenMeasure"
font.save(dest)
print(dest, len(mapping), "characters")
