"""Where each footnote of a PDF is cited and where its text is: for tests/pdf.rs.

Typst links each note's number in the text (the marker) to the note's entry at
the foot of a page, and the entry back to the marker. For every internal link
this prints one JSON line: the page it is on (from 0), its top edge, the page
its destination is on, and the destination's top. A marker is the link that
points down the page to its entry.

Usage: python pdf_links.py FILE.pdf
"""

import json
import sys

from pypdf import PdfReader


def main(path):
    reader = PdfReader(path)
    page_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            a = annot.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            action = a.get("/A")
            dest = a.get("/Dest")
            if dest is None and action is not None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            if hasattr(dest, "get_object"):
                dest = dest.get_object()
            if dest is None or isinstance(dest, str):
                continue
            rect = [float(x) for x in a["/Rect"]]
            print(json.dumps({
                "page": i,
                "top": max(rect[1], rect[3]),
                "left": min(rect[0], rect[2]),
                "dest_page": page_of.get(dest[0].idnum),
                "dest_top": float(dest[3]) if len(dest) > 3 and dest[3] is not None else None,
            }))


if __name__ == "__main__":
    main(sys.argv[1])
