"""The automated document check for QA: reads a submitted report and chronology (.docx).

It reports what a QA lead would look for first: the template's required sections, a chronology
with rows whose dates parse and ascend (dates outside the terms of reference are flagged for
justification, which the guidance allows), a key to initials that covers every initial used, a
signed and dated report, and abbreviations explained.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise

from docx import Document

from .templates import BRADFORD, BRADFORD_SECTIONS, CHRONOLOGY_COLUMNS, DERBYSHIRE_SECTIONS

REQUIRED_SECTIONS = {
    "derbyshire": [title for _n, title, _g in DERBYSHIRE_SECTIONS],
    BRADFORD: [title for title, _g in BRADFORD_SECTIONS],
}
# words the templates themselves use, not the author's abbreviations
KNOWN_WORDS = {"IMR", "IMRS", "CSPR", "DHR", "DDSCP", "QA", "SCR", "IRO", "CP", "BSCB", "TOR",
               "ID", "UK", "PAGE", "NB", "OK", "AM", "PM"}
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_INITIALS = re.compile(r"\b[A-Z]{2,3}\b")
_DATE_FORMS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d.%m.%Y")


@dataclass
class Finding:
    ok: bool
    text: str


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)

    def add(self, ok: bool, text: str) -> None:
        self.findings.append(Finding(ok, text))

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def summary(self) -> str:
        if not self.problems:
            return f"Automated check: all {len(self.findings)} checks passed."
        return (f"Automated check: {len(self.problems)} of {len(self.findings)} need attention: "
                + "; ".join(f.text for f in self.problems))


def _parse_date(text: str) -> date | None:
    cleaned = text.strip()
    for form in _DATE_FORMS:
        try:
            return datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    return None


def _text_of(document) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph, tables' cells included."""
    found = [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [("Table", p.text) for p in cell.paragraphs]
    return found


def check_report(content: bytes, pack: str, result: CheckResult) -> None:
    try:
        document = Document(io.BytesIO(content))
    except Exception:  # not a Word document python-docx can read
        result.add(False, "the report could not be read as a Word document")
        return
    paragraphs = _text_of(document)
    headings = " \n".join(t.upper() for s, t in paragraphs if s.startswith("Heading") or s == "Title")
    everything = "\n".join(t for _s, t in paragraphs)
    missing = [title for title in REQUIRED_SECTIONS.get(pack, REQUIRED_SECTIONS["derbyshire"])
               if title.upper() not in headings]
    result.add(not missing, "report sections missing: " + ", ".join(missing) if missing
               else "report has every required section")
    signed = re.search(r"Signed[^:\n]*:\s*(?!_)(\S.*)", everything)
    dated = re.search(r"^Date:\s*(?!_)(\S.+)$", everything, re.MULTILINE)
    result.add(bool(signed), "report is signed" if signed else "report is not signed")
    result.add(bool(dated and _parse_date(dated.group(1))), "report is dated" if dated and
               _parse_date(dated.group(1)) else "report is not dated")
    body = "\n".join(t for s, t in paragraphs if not s.startswith("Heading") and s != "Title")
    used = {a for a in _ACRONYM.findall(body) if a not in KNOWN_WORDS}
    explained = {a for a in used if re.search(rf"\({a}\)|\b{a}\s*[–:=-]\s*\w", everything)}
    unexplained = sorted(used - explained)
    result.add(not unexplained, "abbreviations not explained: " + ", ".join(unexplained)
               if unexplained else "abbreviations are explained")


def check_chronology(content: bytes, tor: tuple[date, date] | None, result: CheckResult) -> None:
    try:
        document = Document(io.BytesIO(content))
    except Exception:
        result.add(False, "the chronology could not be read as a Word document")
        return
    table = next((t for t in document.tables
                  if tuple(c.text.strip() for c in t.rows[0].cells)[:1] == (CHRONOLOGY_COLUMNS[0],)),
                 None)
    if table is None:
        result.add(False, "the chronology table (Date | Source of Information/Event | ...) is missing")
        return
    rows = [[c.text.strip() for c in row.cells] for row in table.rows[1:]]
    rows = [r for r in rows if any(r)]
    result.add(bool(rows), f"chronology has {len(rows)} entries" if rows else "chronology has no entries")
    dates = []
    unreadable = []
    for cells in rows:
        parsed = _parse_date(cells[0])
        (dates.append(parsed) if parsed else unreadable.append(cells[0] or "(empty)"))
    result.add(not unreadable, "dates that can't be read: " + ", ".join(unreadable[:5])
               if unreadable else "every date can be read")
    out_of_order = [f"{b:%d/%m/%Y} after {a:%d/%m/%Y}" for a, b in pairwise(dates) if b < a]
    result.add(not out_of_order, "dates out of order: " + ", ".join(out_of_order[:3])
               if out_of_order else "dates are in order")
    if tor is not None:
        outside = [d for d in dates if d < tor[0] or d > tor[1]]
        result.add(not outside, f"{len(outside)} entries fall outside the terms of reference "
                                "period: please justify them as significant events" if outside
                   else "every entry is within the terms of reference period")
    everything = "\n".join(t for _s, t in _text_of(document))
    has_key = "key to initials" in everything.lower()
    result.add(has_key, "a Key to Initials Used is present" if has_key else "the Key to Initials Used is missing")
    if has_key:
        key_table = next((t for t in document.tables
                          if t.rows[0].cells[0].text.strip().lower() == "initials"), None)
        keyed = ({r.cells[0].text.strip().upper() for r in key_table.rows[1:]} if key_table
                 else set(_INITIALS.findall(everything.split("Key to Initials", 1)[-1])))
        used = {i for cells in rows for cell in cells[1:] for i in _INITIALS.findall(cell)
                if i not in KNOWN_WORDS}
        missing = sorted(used - keyed)
        result.add(not missing, "initials missing from the key: " + ", ".join(missing)
                   if missing else "the key covers every initial used")


def check(report: bytes | None, chronology: bytes | None, pack: str,
          tor: tuple[date, date] | None) -> CheckResult:
    result = CheckResult()
    if report is None:
        result.add(False, "no report file to check (a link was submitted)")
    else:
        check_report(report, pack, result)
    if chronology is None:
        result.add(False, "no chronology file to check (a link was submitted)")
    else:
        check_chronology(chronology, tor, result)
    return result
