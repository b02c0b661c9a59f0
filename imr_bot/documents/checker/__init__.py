"""The automated document check for QA: reads a submitted report and chronology (.docx) as a
person does, and returns what it found as data (`CheckResult`).

It looks for what a QA lead looks for first: the template's required sections, each written in;
a chronology whose dates can be read one way, ascend and fall within the terms of reference (an
entry outside them is allowed when justified, so it is a warning); a Key to Initials that covers
every initial in the chronology and the report; a report signed and dated in its own sign-off;
and abbreviations explained. Each finding names its item: the section, the row and its date, the
initials, the term.
"""

from __future__ import annotations

from datetime import date

from imr_bot.domain.dates import format_date

from . import chronology as chronology_reading
from . import report as report_reading
from .dates import AMBIGUOUS, DATE, EMPTY, UNREADABLE
from .reading import Opened, Paragraph, open_document
from .result import (
    BY_CODE,
    CHRONOLOGY,
    DEFINITIONS,
    ERROR,
    REPORT,
    WARNING,
    Check,
    CheckResult,
    Item,
    NotChecked,
    shown_date,
    stored_summary,
)
from .terms import PERSON, TERM, TERMS, explained_beside, tokens

__all__ = ["BY_CODE", "CHRONOLOGY", "DEFINITIONS", "ERROR", "REPORT", "WARNING", "Check",
           "CheckResult", "Item", "NotChecked", "check",
           "stored_summary"]

PACKS = tuple(report_reading.SECTIONS)


def _skip_all(result: CheckResult, document: str, reason: str) -> None:
    for definition in DEFINITIONS:
        if definition.document == document:
            result.skip(definition.code, reason)


def _open(content: bytes | None, name: str) -> tuple[Opened | None, str]:
    if content is None:
        return None, f"no {name} file to check (a link was submitted)"
    try:
        return open_document(content), ""
    except ValueError:
        return None, f"the {name} could not be opened as a Word document"


def _report_texts(opened: Opened, headings: set[int], signoff: set[int]) -> list[str]:
    """The report's text where initials and terms are used: not its headings, its cover (the
    title, reference, author and date before the first section) or its sign-off."""
    texts = []
    start = min(headings, default=0)
    for position, block in enumerate(opened.blocks):
        if position in headings or position in signoff or position < start:
            continue
        if isinstance(block, Paragraph):
            if block.toc or (block.level == 0):
                continue
            if _capital_heading(block, opened.body_size):
                # "PART 3: BACKGROUND", "FAMILY'S VIEWS": a heading that is not a section's;
                # its capitals are not abbreviations, though a known term in it still is.
                texts.append(" ".join(w for w in block.text.split()
                                      if w.strip(":;,.()–-") in TERMS))
                continue
            texts.append(block.text)
        else:
            texts += [c.text for row in block.rows for c in row if not c.spanned and not c.continued]
    return [t for t in texts if t.strip()]


def _capital_heading(block: Paragraph, body_size: float | None) -> bool:
    letters = [c for c in block.text if c.isalpha()]
    return (bool(letters) and all(c.isupper() for c in letters)
            and block.looks_like_heading(body_size))


def _chronology_texts(opened: Opened, found) -> list[str]:
    """The chronology's other text (its title, notes under the table), for explanations."""
    texts = []
    for position, block in enumerate(opened.blocks):
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif found is None or position not in found.tables:
            texts += [c.text for row in block.rows for c in row if not c.spanned]
    return [t for t in texts if t.strip()]


def _used(texts: list[str], keyed: frozenset[str], kind: str) -> dict[str, int]:
    """Each token of `kind` and the index of the first text it appears in."""
    first: dict[str, int] = {}
    for index, text in enumerate(texts):
        for token in tokens(text, keyed):
            if token.kind == kind:
                first.setdefault(token.text, index)
    return first


def check(report: bytes | None, chronology: bytes | None, pack: str,
          tor: tuple[date | None, date | None] | None) -> CheckResult:
    """Check a report and its chronology (either may be None when a link was submitted)
    against the pack's template and the terms of reference period `tor`."""
    result = CheckResult()
    pack = pack if pack in report_reading.SECTIONS else "derbyshire"
    report_doc, report_problem = _open(report, "report")
    chronology_doc, chronology_problem = _open(chronology, "chronology")

    # -- the chronology ---------------------------------------------------------------------
    found = key = None
    entries = []
    if chronology_doc is not None:
        found = chronology_reading.find(chronology_doc.blocks)
        key = chronology_reading.read_keys(chronology_doc.blocks,
                                           skip=set(found.tables) if found else set())
        entries = found.entries if found else []
    # -- the report -------------------------------------------------------------------------
    read_report = glossary = None
    if report_doc is not None:
        read_report = report_reading.read(report_doc.blocks, pack, report_doc.body_size)
        glossary = chronology_reading.read_keys(report_doc.blocks)

    chronology_key = frozenset(key.entries) if key else frozenset()
    keyed = chronology_key | (frozenset(glossary.entries) if glossary else frozenset())
    report_texts = (_report_texts(report_doc, read_report.heading_positions,
                                  read_report.signoff_positions)
                    if report_doc is not None else [])
    entry_texts = [cell for entry in entries for cell in entry.cells if cell]
    other_chronology_texts = (_chronology_texts(chronology_doc, found)
                              if chronology_doc is not None else [])
    beside_report = set().union(*(explained_beside(t, keyed) for t in report_texts))
    beside_chronology = set().union(*(explained_beside(t, keyed)
                                      for t in entry_texts + other_chronology_texts))
    key_usable = bool(key and key.usable)

    # -- report checks ----------------------------------------------------------------------
    if read_report is None:
        _skip_all(result, REPORT, report_problem)
    else:
        result.add("report.section_missing", [Item("missing", section=s.title)
                                              for s in read_report.sections if s.position is None])
        result.add("report.section_empty", [Item("nothing written in it", section=s.title)
                                            for s in read_report.sections
                                            if s.position is not None and s.empty])
        signed, why = read_report.signed
        result.add("report.signed", [] if signed else [Item(why)])
        dated, why, written = read_report.dated
        result.add("report.dated", [] if dated else [Item(why, written=written)])
        if chronology_doc is None:
            result.skip("report.initials", "no chronology to take the Key to Initials from")
        elif not key_usable:
            result.skip("report.initials", "the chronology has no Key to Initials to check against")
        else:
            used = _used(report_texts, keyed, PERSON)
            result.add("report.initials", [Item("not in the chronology's Key to Initials",
                                                initials=i) for i in sorted(used)
                                           if i not in keyed and i not in beside_report])
        used = _used(report_texts, keyed, TERM)
        explained = keyed | beside_report | beside_chronology
        result.add("report.abbreviations", [Item("not explained", term=t) for t in sorted(used)
                                            if t not in explained])

    # -- chronology checks ------------------------------------------------------------------
    if chronology_doc is None:
        _skip_all(result, CHRONOLOGY, chronology_problem)
        return result
    if found is None:
        result.add("chronology.table", [Item("no table with the chronology's columns (Date, "
                                             "Source of Information/Event, Activity, Response or "
                                             "Outcome of Activity) was found")])
    else:
        result.add("chronology.table", [] if entries else
                   [Item("the chronology table has no entries")])
    if not entries:
        reason = ("no chronology table was found" if found is None
                  else "the chronology table has no entries")
        for code in ("chronology.dates_unreadable", "chronology.dates_ambiguous",
                     "chronology.dates_order", "chronology.outside_tor"):
            result.skip(code, reason)
    else:
        _dates(result, entries, tor)
    result.add("chronology.key", [] if key_usable else [Item(
        "the Key to Initials has no entries" if key and key.found else "no Key to Initials Used")])
    if not entries:
        result.skip("chronology.initials", reason)
        result.skip("chronology.abbreviations", reason)
        return result
    row_of = [(entry, cell) for entry in entries for cell in entry.cells if cell]
    cell_texts = [cell for _e, cell in row_of]
    if key_usable:
        used = _used(cell_texts, chronology_key, PERSON)
        result.add("chronology.initials", [
            _row_item("not in the Key to Initials", row_of[index][0], initials=i)
            for i, index in sorted(used.items()) if i not in chronology_key])
    else:
        result.skip("chronology.initials", "there is no Key to Initials to check against")
    used = _used(cell_texts, keyed, TERM)
    explained = keyed | beside_report | beside_chronology
    result.add("chronology.abbreviations", [
        _row_item("not explained", row_of[index][0], term=t)
        for t, index in sorted(used.items()) if t not in explained])
    return result


def _row_item(problem: str, entry, **named) -> Item:
    return Item(problem, row=entry.row, date=entry.date.iso, written=entry.written,
                text=entry.text, **named)


def _dates(result: CheckResult, entries, tor) -> None:
    unreadable, ambiguous, order, outside = [], [], [], []
    previous = None
    for entry in entries:
        read = entry.date
        if read.kind in (UNREADABLE, EMPTY):
            unreadable.append(_row_item(read.reason, entry))
        elif read.kind == AMBIGUOUS:
            ambiguous.append(_row_item(read.reason, entry))
        if read.kind != DATE:
            continue
        if previous is not None and read.day < previous.date.day:
            order.append(_row_item(f"dated before row {previous.row} "
                                   f"({shown_date(previous.date.iso)})",
                                   entry))
        previous = entry
        if tor and tor[0] and tor[1] and not tor[0] <= read.day <= tor[1] \
                and not entry.justified:
            outside.append(_row_item(f"outside {format_date(tor[0])} to {format_date(tor[1])}",
                                     entry))
    result.add("chronology.dates_unreadable", unreadable)
    result.add("chronology.dates_ambiguous", ambiguous)
    result.add("chronology.dates_order", order)
    if tor and tor[0] and tor[1]:
        result.add("chronology.outside_tor", outside)
    else:
        result.skip("chronology.outside_tor", "no terms of reference period was given")

