"""Read a built site's citation files the way reference managers and LaTeX
tools would, and print what they read as one JSON document, which
tests/cite.rs compares with the briefs and sources it built. Run with the venv of
tests/tools.

usage: read_cite.py OUTPUT

For every briefs/<slug>/ holding cite files, and for sources/sources.bib:
- BibTeX with two parsers: pybtex (BibTeX's own rules) and bibtexparser; each
  value is turned from LaTeX back into text by pylatexenc, with the LaTeX
  commands that print a brace, a backslash, `<`, `>`, `~` and `^` as LaTeX
  defines them. A parse error or a block a parser could not read is a problem.
- RIS with rispy.
- CSL-JSON validated against the CSL-JSON schema (tests/tools/csl), then
  formatted by citeproc-py in the bundled Harvard style.
"""

import json
import pathlib
import sys
import warnings

import bibtexparser
import jsonschema
import pybtex.database
import rispy
from citeproc import (Citation, CitationItem, CitationStylesBibliography,
                      CitationStylesStyle, formatter)
from citeproc.source.json import CiteProcJSON
from pylatexenc import latex2text

warnings.simplefilter("ignore")  # citeproc-py: "citation_key is unsupported"

out = pathlib.Path(sys.argv[1])
schema = json.loads((pathlib.Path(__file__).parent / "csl/csl-data.json").read_text())
problems = []

# What LaTeX prints for the text commands pylatexenc does not know (or maps to a
# look-alike: ˆ for \textasciicircum).
latex_context = latex2text.get_default_latex_context_db()
latex_context.add_context_category(
    "tests",
    prepend=True,
    macros=[latex2text.MacroTextSpec(n, t) for n, t in
            [("textbraceleft", "{"), ("textbraceright", "}"), ("textbackslash", "\\"),
             ("textless", "<"), ("textgreater", ">"), ("textasciitilde", "~"),
             ("textasciicircum", "^")]],
)
decoder = latex2text.LatexNodes2Text(latex_context=latex_context)


def text(latex):
    """A field's LaTeX as the text it prints."""
    return decoder.latex_to_text(latex)


def read_pybtex(path):
    db = pybtex.database.parse_file(str(path), bib_format="bibtex")
    entries = {}
    for key, e in db.entries.items():
        fields = {}
        for name, value in e.fields.items():
            fields[name.lower()] = value if name.lower() == "url" else text(value)
        people = []
        for p in e.persons.get("author", []):
            # A name kept whole is one braced last name, with no first names.
            people.append({"name": text(str(p)), "parts": len(p.first_names) + len(p.middle_names)
                           + len(p.prelast_names) + len(p.last_names) + len(p.lineage_names)})
        entries[key] = {"type": e.type, "fields": fields, "authors": people}
    return entries


def read_bibtexparser(path):
    lib = bibtexparser.parse_file(str(path))
    if lib.failed_blocks:
        problems.append(f"{path}: bibtexparser failed on {[b.raw for b in lib.failed_blocks]}")
    entries = {}
    for e in lib.entries:
        fields = {}
        for f in e.fields:
            fields[f.key.lower()] = f.value if f.key.lower() == "url" else text(f.value)
        authors = []
        if "author" in e.fields_dict:
            split = bibtexparser.middlewares.SeparateCoAuthors().transform_entry(e, lib)
            authors = [text(a) for a in split.fields_dict["author"].value]
        entries[e.key] = {"type": e.entry_type, "fields": fields, "authors": authors}
    return entries


def read_csl(path):
    items = json.loads(path.read_text())
    for err in jsonschema.Draft7Validator(schema).iter_errors(items):
        problems.append(f"{path}: not CSL-JSON: {err.message} at {list(err.absolute_path)}")
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    return {"items": items, "formatted": [str(b) for b in bib.bibliography()]}


def read_ris(path):
    with path.open(encoding="utf-8", newline="") as f:
        return rispy.load(f)


def guarded(what, path, read):
    try:
        return read(path)
    except Exception as e:  # every failure is a problem for the test to show
        problems.append(f"{path}: {what}: {type(e).__name__}: {e}")
        return None


briefs = {}
for folder in sorted((out / "briefs").iterdir()):
    if not (folder / "cite.bib").exists():
        continue
    briefs[folder.name] = {
        "pybtex": guarded("pybtex", folder / "cite.bib", read_pybtex),
        "bibtexparser": guarded("bibtexparser", folder / "cite.bib", read_bibtexparser),
        "ris": guarded("rispy", folder / "cite.ris", read_ris),
        "csl": guarded("CSL", folder / "cite.json", read_csl),
    }
sources = {}
bib = out / "sources/sources.bib"
if bib.exists():
    sources = {
        "pybtex": guarded("pybtex", bib, read_pybtex),
        "bibtexparser": guarded("bibtexparser", bib, read_bibtexparser),
    }
json.dump({"briefs": briefs, "sources": sources, "problems": problems},
          sys.stdout, ensure_ascii=False, indent=1)
