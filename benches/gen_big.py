#!/usr/bin/env python3
"""Large inputs for docs/robustness.md: adds to a site (argument: its folder)
data/big.yaml (about 50 MB, 860,000 rows), data/pts.yaml (100,000 points charted
by briefs/pts.md) and briefs/big.md (about 5 MB, 10,000 headings of one name)."""
import os, random, sys

site = sys.argv[1]
random.seed(1)
with open(os.path.join(site, "data/big.yaml"), "w") as f:
    f.write("title: Big table\nunit: US$\nsources: [memo-2016]\ncolumns:\n"
            "  - {name: year, type: integer}\n  - {name: partner, type: text}\n"
            "  - {name: product, type: text}\n  - {name: value, type: number}\nrows:\n")
    for i in range(860_000):
        f.write(f"  - {{year: {1990 + i % 35}, partner: Partner {i % 97}, "
                f"product: Product {i % 1013}, value: {random.random() * 1000:.2f}}}\n")
with open(os.path.join(site, "data/pts.yaml"), "w") as f:
    f.write("title: Points\nunit: t\nsources: [memo-2016]\ncolumns:\n"
            "  - {name: x, type: number}\n  - {name: y, type: number}\nrows:\n")
    for i in range(100_000):
        f.write(f"  - {{x: {i}, y: {random.random() * 100:.3f}}}\n")
with open(os.path.join(site, "briefs/pts.md"), "w") as f:
    f.write("---\ntitle: Many points\ndate: 2024-01-01\n---\n\n"
            "```chart\ndata: pts\ntype: scatter\nx: x\ny: y\n```\n")
with open(os.path.join(site, "briefs/big.md"), "w") as f:
    f.write("---\ntitle: A long brief\ndate: 2024-01-01\n---\n\n")
    para = "Words of a long brief, repeated to make it large. " * 8
    for i in range(10_000):
        f.write(f"## Section\n\n{para}\n\n")
