"""The corpus's first author: writes a report and chronology pair with python-docx, the way a
Case says (heading styles, numbering, quotes, sign-off and key layouts, date forms), with the
defects it names, and records beside it the findings a correct check must report.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from . import prose

DERBYSHIRE_SECTIONS = [  # (key in prose.REPORT, heading as the seed writes it, guidance)
    ("introduction", "INTRODUCTION", "Name, job title and e-mail address of person completing "
     "this IMR (include confirmation regarding independence from the line management of the "
     "case)."),
    ("terms of reference", "TERMS OF REFERENCE", "As set out in the terms of reference"),
    ("methodology", "METHODOLOGY", "Record the methodology used including extent of document "
     "review and interviews undertaken."),
    ("summary", "SUMMARY OF AGENCY INVOLVEMENT", "In this section summarise the overview of "
     "children's services involvement, draw together any primary observations and detail key "
     "points of interest as you see them."),
    ("analysis", "ANALYSIS OF INVOLVEMENT", "Consider the events that occurred, the decisions "
     "made, and the actions taken or not. Assess practice against guidance and relevant "
     "legislation."),
    ("lessons", "EFFECTIVE PRACTICE/LESSONS LEARNT", "Summarise concisely, and with evidence, "
     "the effective practice that you have identified and any lessons that can be learnt"),
    ("recommendations", "RECOMMENDATIONS", "Recommendations should be focussed on the key "
     "findings of the IMR and be specific about the outcome which they are seeking."),
]
DERBYSHIRE_NUMBERS = ["1", "2", "3", "6", "7", "8", "9"]
BRADFORD_SECTIONS = [
    ("introduction", "Introduction", "Need to evidence that you are independent of both practice "
     "and direct line management of staff involved."),
    ("methodology", "Methodologies", "Please list sources of information that your agency has "
     "used to compile your report here"),
    ("contacts", "Chronology of Contacts", "When completing the chronology, interviews with the "
     "professionals/staff/personnel involved, may be an integral part of the chronology and IMR "
     "report."),
    ("journey", "The Child's Journey", "The Child's story/journey must take into consideration "
     "issues of race, culture, disability, gender and local context and, if relevant, a "
     "description of the community."),
    ("analysis", "Analysis", "The author must review the information in the comprehensive "
     "chronology and produce a report. All abbreviations and acronyms should be fully "
     "explained."),
    ("learn", "What do we learn from this case?", "This section will inform the subsequent "
     "section on recommendations for action."),
    ("action", "Recommendations for Action Plan", "Recommendations for Action using the action "
     "plan template"),
]
BRADFORD_NUMBERS = ["2", "3", "9", "10", "11", "12", "13"]
# The checker's names for the sections, as the findings name them.
CANONICAL = {
    "derbyshire": {k: t for k, t, _ in DERBYSHIRE_SECTIONS},
    "bradford": {k: t for k, t, _ in BRADFORD_SECTIONS},
}
CHRONOLOGY_COLUMNS = ["Date", "Source of Information/Event", "Activity",
                      "Response or Outcome of Activity"]
NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Way:
    """How this author writes."""
    headings: str = "builtin"  # builtin | custom | bold | caps | list | box
    numbering: str = "none"  # none | seed | dot | decimal | section
    case: str = "seed"  # seed | upper | title | lower
    quotes: str = "straight"  # straight | curly
    signoff: str = "lines"  # lines | below | one-line | table-rows | table-columns | image
    glossary: str = "none"  # none | text | table
    key: str = "table"  # table | lines | breaks | before | bold-lines
    header: str = "plain"  # plain | caps | merged | extra | renamed
    dates: str = "dmy"  # dmy | iso | long | ordinal | times | mixed | dots
    cover: bool = True
    guidance: bool = False  # the template's guidance left in above the author's text
    toc: bool = False
    divider: bool = False  # a merged row across the chronology ("2025")
    vmerge: bool = False  # two entries on one day share a merged date cell
    split: bool = False  # the chronology in two tables, the headings repeated
    dotted: bool = False  # initials written with full stops: "A.B."
    tracked: bool = False  # the author's text typed with Track Changes on
    decoy_signed_off: bool = False  # "signed off by" in the body


@dataclass(frozen=True)
class Case:
    name: str
    pack: str
    way: Way = Way()
    defects: tuple[str, ...] = ()
    seed: int = 0
    tor: tuple[date, date] | None = (date(2025, 1, 6), date(2026, 2, 27))
    link: str = ""  # "report" or "chronology": that document was sent as a link


@dataclass
class Pair:
    name: str
    pack: str
    tor: tuple[date, date] | None
    report: bytes | None
    chronology: bytes | None
    expected: frozenset[tuple[str, str]]
    held_out: bool = False


# -- the family and the terms ------------------------------------------------------------------
_LETTERS = "ABCDEFGHJKLMNPRSTW"
_AVOID = {"AB", "AM", "AN", "AS", "AT", "BE", "BY", "DA", "DC", "DI", "DS", "ED", "GP", "HE",
          "HV", "LA", "ME", "PC", "PM", "PO", "SW", "CP", "CS", "DV", "ID", "NB", "OK", "QA", "UK",
          "TA", "SO", "DO", "GO", "TO", "PA", "MA", "HA", "WE"}


def _initials(rng: random.Random, taken: set[str]) -> str:
    """Initials as a family's might be. Those that read as a common term or word ("DS", "PC",
    "DSL", "ANT") are left out: text alone cannot tell them apart (docs/document-check.md)."""
    from imr_bot.documents.checker.terms import CAPITAL_WORDS, OWN_WORDS, TERMS

    avoid = _AVOID | TERMS | CAPITAL_WORDS | OWN_WORDS
    while True:
        size = 3 if rng.random() < 0.25 else 2
        value = "".join(rng.choice(_LETTERS) for _ in range(size))
        if size == 3 and value[1] in "AE":
            continue
        if value not in taken and value not in avoid and len(set(value)) == size:
            taken.add(value)
            return value


@dataclass
class Usage:
    """What a document says: each person's initials and each term, and what it explains."""
    people: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    explained: set[str] = field(default_factory=set)


class Voice:
    """Fills placeholders: people by their initials, terms as the case explains them."""

    def __init__(self, initials: dict[str, str], modes: dict[str, str], dotted: bool = False):
        self.initials = initials
        self.modes = modes  # term -> plain | before | after | hyphen
        self.dotted = dotted

    def fill(self, text: str, usage: Usage) -> str:
        out = []
        rest = text
        while "{" in rest:
            head, _, tail = rest.partition("{")
            name, _, rest = tail.partition("}")
            out.append(head)
            out.append(self._one(name, usage, head))
        out.append(rest)
        return "".join(out)

    def _one(self, name: str, usage: Usage, before: str) -> str:  # noqa: ARG002
        if name in self.initials:
            usage.people.add(self.initials[name])
            return dotted(self.initials[name]) if self.dotted else self.initials[name]
        usage.terms.add(name)
        mode = self.modes.get(name, "plain")
        expansion = prose.TERMS[name]
        if mode in ("before", "after") and name not in usage.explained:
            usage.explained.add(name)
            if mode == "before":
                return f"{expansion} ({name})"
            return f"{name} ({expansion})"
        return name


def dotted(initials: str) -> str:
    """"AB" as some authors write it, "A.B."; labels such as SW1 stay as they are."""
    return initials if any(c.isdigit() for c in initials) else "".join(f"{c}." for c in initials)


# -- low-level Word ----------------------------------------------------------------------------
def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _png() -> bytes:
    """A small picture, as a pasted signature."""
    width, height = 40, 12
    raw = b"".join(b"\x00" + b"".join(bytes([0, 0, 0]) if (x * 3 + y) % 11 == 0 else
                                      bytes([255, 255, 255]) for x in range(width))
                   for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                                              0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _curly(text: str, way: Way) -> str:
    return text.replace("'", "\u2019") if way.quotes == "curly" else text


class Writer:
    def __init__(self, way: Way):
        self.way = way
        self.document = Document()
        self._custom = None

    def heading(self, text: str, level: int = 1):
        way, document = self.way, self.document
        text = _curly(text, way)
        if way.headings == "builtin":
            return document.add_paragraph(text, style=f"Heading {level}")
        if way.headings == "custom":
            if self._custom is None:
                style = document.styles.add_style("IMR Section Head", WD_STYLE_TYPE.PARAGRAPH)
                style.base_style = document.styles["Normal"]
                style.font.bold = True
                style.font.size = Pt(13)
                self._custom = style
            return document.add_paragraph(text, style=self._custom)
        if way.headings == "box":
            table = document.add_table(rows=1, cols=1)
            table.style = "Table Grid"
            table.rows[0].cells[0].paragraphs[0].add_run(text).bold = True
            return table
        paragraph = document.add_paragraph(style="List Number" if way.headings == "list" else None)
        run = paragraph.add_run(text)
        if way.headings == "caps":
            run.font.all_caps = True
            run.font.size = Pt(12)
        else:
            run.bold = True
        return paragraph

    def para(self, text: str, italic: bool = False):
        paragraph = self.document.add_paragraph()
        run = paragraph.add_run(_curly(text, self.way))
        run.italic = italic
        if self.way.tracked and text and not italic:  # typed with Track Changes on
            inserted = OxmlElement("w:ins")
            inserted.set(qn("w:id"), str(len(paragraph._p.getparent())))
            inserted.set(qn("w:author"), "Report author")
            inserted.set(qn("w:date"), "2026-03-01T10:00:00Z")
            run._r.addprevious(inserted)
            inserted.append(run._r)
        return paragraph

    def page_break(self):
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _title(key: str, seed_title: str, number: str, way: Way, pack: str) -> str:
    if way.case == "upper":
        title = seed_title.upper()
    elif way.case == "title":
        title = " ".join(w if w.lower() in ("of", "do", "we", "from", "this", "for") else
                         w[:1].upper() + w[1:].lower() for w in seed_title.split())
        title = title.replace("/lessons", "/Lessons")
    elif way.case == "lower":
        title = seed_title[:1].upper() + seed_title[1:].lower()
    else:
        title = seed_title
    if way.headings == "list":
        return title
    if way.numbering == "seed":
        return f"{number}\t{title}" if pack == "derbyshire" else f"SECTION {number}: {title}"
    if way.numbering == "dot":
        return f"{number}. {title}"
    if way.numbering == "decimal":
        return f"{number}.0 {title}"
    if way.numbering == "section":
        return f"Section {number} \u2013 {title}"
    return title


# -- dates -------------------------------------------------------------------------------------
def _written(day: date, form: str, rng: random.Random) -> str:
    if form == "mixed":
        form = rng.choice(["dmy", "iso", "long", "ordinal", "times", "dots"])
    if form == "iso":
        return day.isoformat()
    if form == "long":
        return f"{day.day} {day:%B %Y}"
    if form == "ordinal":
        suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
        return f"{day:%A} {day.day}{suffix} {day:%B %Y}" if rng.random() < 0.4 else \
            f"{day.day}{suffix} {day:%b %Y}"
    if form == "times":
        time = rng.choice(["10:30", "14.00hrs", "09:15", "16.45", "11am"])
        return f"{day:%d/%m/%Y} {time}" if rng.random() < 0.6 else f"{day:%d/%m/%Y}\n{time}"
    if form == "dots":
        return f"{day.day}.{day.month}.{day.year}"
    return f"{day:%d/%m/%Y}"


@dataclass
class Row:
    day: date
    written: str
    readable: bool = True
    ambiguous: bool = False
    unreadable: bool = False
    merged_up: bool = False  # its date cell is merged with the row above's
    number: int = 0  # the row a reader counts down to, set when the table is written
    cells: tuple[str, str, str] = ("", "", "")


def _dates(case: Case, rng: random.Random, count: int) -> list[date]:
    start, end = case.tor or (date(2025, 1, 6), date(2026, 2, 27))
    days = sorted(rng.sample(range(1, (end - start).days), count))
    return [start + timedelta(days=d) for d in days]


def build(case: Case) -> Pair:
    rng = random.Random(case.seed or zlib.crc32(case.name.encode()))
    way, defects = case.way, set(case.defects)
    taken: set[str] = set()
    initials = {name: (name if name in prose.PROFESSIONAL_LABELS else _initials(rng, taken))
                for name in prose.PEOPLE}
    row_templates = rng.sample(prose.ROWS, rng.randint(9, 14))
    # how each term is explained: in the chronology's key, beside it, in the report's glossary
    modes: dict[str, str] = {}
    keyed_terms: set[str] = set()
    glossary_terms: set[str] = set()
    for term in sorted(prose.TERMS):
        choice = rng.choice(["key", "before", "after", "glossary"] if way.glossary != "none"
                            else ["key", "before", "after"])
        if choice == "key":
            keyed_terms.add(term)
        elif choice == "glossary":
            glossary_terms.add(term)
        else:
            modes[term] = choice
    unexplained = [d.split(":", 1)[1] for d in defects
                   if d.startswith(("unexplained:", "unexplained-chron:"))]
    hyphened = [d.split(":", 1)[1] for d in defects if d.startswith("hyphen:")]
    for term in unexplained + hyphened:
        keyed_terms.discard(term)
        glossary_terms.discard(term)
        modes[term] = "hyphen" if term in hyphened else "plain"
    voice = Voice(initials, modes, way.dotted)

    chronology_usage, report_usage = Usage(), Usage()
    rows = _rows(case, rng, row_templates, voice, chronology_usage)
    extra_people = [d.split(":", 1)[1] for d in defects if d.startswith("unkeyed:")]
    stranger = {}
    for label in extra_people:  # someone in the chronology the key leaves out
        value = _initials(rng, taken)
        stranger[label] = value
        target = rows[min(len(rows) - 1, 2 + len(stranger))]
        target.cells = (target.cells[0], target.cells[1] + f" {value} was also present.",
                        target.cells[2])
        chronology_usage.people.add(value)
    report_stranger = None
    if "report-unkeyed" in defects:
        report_stranger = _initials(rng, taken)

    key_people = {(dotted(initials[n]) if way.dotted else initials[n]): d
                  for n, d in prose.PEOPLE.items()}
    key_lines = dict(key_people)
    for term in sorted(keyed_terms):
        key_lines[term] = prose.TERMS[term]
    chronology_bytes = _chronology(case, rows, key_lines, rng)
    report_bytes = _report(case, rng, voice, report_usage, glossary_terms, report_stranger)

    return Pair(case.name, case.pack, case.tor,
                None if case.link == "report" else report_bytes,
                None if case.link == "chronology" else chronology_bytes,
                frozenset(expected_findings(case, rows, {k.replace(".", "") for k in key_lines},
                                            glossary_terms,
                                            chronology_usage, report_usage)))


def expected_findings(case: Case, rows: list[Row], key: set[str], glossary: set[str],
                      chronology: Usage, report: Usage) -> set[tuple[str, str]]:
    """What a correct check reports for what was written: the spec's rules applied to the
    writer's own record (who and what each document names, what it explains, each row's true
    date and how it was written)."""
    from imr_bot.documents.checker import DEFINITIONS

    defects = set(case.defects)
    has_report, has_chronology = case.link != "report", case.link != "chronology"
    has_key = has_chronology and "no-key" not in defects
    has_table = has_chronology and "no-table" not in defects
    found: set[tuple[str, str]] = set()
    for document, present in (("report", has_report), ("chronology", has_chronology)):
        if not present:
            found |= {(d.code, NOT_CHECKED) for d in DEFINITIONS if d.document == document}
    explained = glossary | report.explained if has_report else set()
    if has_chronology:
        explained |= (key if has_key else set()) | chronology.explained
    if has_report:
        canonical = CANONICAL[case.pack]
        for defect in defects:
            kind, _, value = defect.partition(":")
            if kind in ("missing", "decoy-subheading"):
                found.add(("report.section_missing", canonical[value]))
            elif kind == "empty":
                found.add(("report.section_empty", canonical[value]))
        if defects & {"unsigned", "no-signoff", "signature-placeholder"}:
            found.add(("report.signed", ""))
        if defects & {"undated", "no-signoff", "signoff-ambiguous", "signoff-unreadable"}:
            found.add(("report.dated", ""))
        if not has_key:
            found.add(("report.initials", NOT_CHECKED))
        else:
            found |= {("report.initials", p) for p in report.people - key - report.explained}
        found |= {("report.abbreviations", t) for t in report.terms - explained}
    if not has_chronology:
        return found
    if not has_key:
        found.add(("chronology.key", ""))
    if not has_table:
        found.add(("chronology.table", ""))
        found |= {(f"chronology.{code}", NOT_CHECKED) for code in (
            "dates_unreadable", "dates_ambiguous", "dates_order", "outside_tor", "initials",
            "abbreviations")}
        return found
    if has_key:
        found |= {("chronology.initials", p) for p in chronology.people - key}
    else:
        found.add(("chronology.initials", NOT_CHECKED))
    found |= {("chronology.abbreviations", t) for t in chronology.terms - explained}
    previous = None
    for index, row in enumerate(rows, start=1):
        number = row.number or index
        if row.unreadable:
            found.add(("chronology.dates_unreadable", str(number)))
        elif row.ambiguous:
            found.add(("chronology.dates_ambiguous", str(number)))
        if not row.readable:
            continue
        if previous is not None and row.day < previous:
            found.add(("chronology.dates_order", str(number)))
        previous = row.day
        if case.tor and not case.tor[0] <= row.day <= case.tor[1]:
            found.add(("chronology.outside_tor", str(number)))
    if case.tor is None:
        found.add(("chronology.outside_tor", NOT_CHECKED))
    return found


def _names(text: str) -> list[str]:
    found = []
    while "{" in text:
        _, _, text = text.partition("{")
        name, _, text = text.partition("}")
        found.append(name)
    return found


def _rows(case: Case, rng: random.Random, templates, voice: Voice, usage: Usage) -> list[Row]:
    way, defects = case.way, case.defects
    days = _dates(case, rng, len(templates))
    rows = []
    for day, template in zip(days, templates, strict=True):
        cells = tuple(voice.fill(_curly(part, way), usage) for part in template)
        rows.append(Row(day, _written(day, way.dates, rng), cells=cells))
    for defect in defects:
        if defect.startswith("unexplained-chron:"):
            term = defect.split(":", 1)[1]
            row = rows[len(rows) // 3]
            row.cells = (row.cells[0], row.cells[1],
                         row.cells[2] + voice.fill(f" Discussed with the {{{term}}}.", usage))
    picks = list(range(1, len(rows) - 1))
    if way.vmerge:
        rows[2].day, rows[2].written, rows[2].merged_up = rows[1].day, rows[1].written, True
        picks = [p for p in picks if p not in (0, 1, 2, 3)]
    rng.shuffle(picks)
    for defect in defects:
        kind, _, value = defect.partition(":")
        if kind == "ambiguous":
            row = rows[picks.pop()]
            row.readable, row.ambiguous = False, True
            if value == "month-first":
                row.day = row.day.replace(day=max(13, row.day.day))
                row.written = f"{row.day.month:02d}/{row.day.day:02d}/{row.day.year}"
            elif value == "month-year":
                row.written = f"{row.day:%B %Y}" if rng.random() < 0.5 else f"{row.day:%b %Y}"
            else:
                row.written = f"{row.day.day}/{row.day.month}/{row.day:%y}"
        elif kind == "unreadable":
            row = rows[picks.pop()]
            row.readable, row.unreadable = False, True
            row.written = {"invalid": "31/02/2025", "word": "Unknown", "empty": "",
                           "tbc": "TBC"}.get(value, "date not recorded")
        elif kind == "order":
            index = picks.pop()
            a, b = rows[index], rows[index + 1] if index + 1 < len(rows) else rows[index - 1]
            if a.day != b.day and a.readable and b.readable:
                a.day, b.day = b.day, a.day
                a.written, b.written = b.written, a.written
        elif kind == "outside":
            if value == "before" and case.tor:
                rows[0].day = case.tor[0] - timedelta(days=rng.randint(20, 200))
                rows[0].written = _written(rows[0].day, way.dates, rng)
            elif case.tor:
                rows[-1].day = case.tor[1] + timedelta(days=rng.randint(3, 60))
                rows[-1].written = _written(rows[-1].day, way.dates, rng)
    return rows


# -- the chronology ----------------------------------------------------------------------------
def _chronology(case: Case, rows: list[Row], key: dict[str, str], rng: random.Random) -> bytes:
    way, defects = case.way, set(case.defects)
    writer = Writer(way)
    document = writer.document
    writer.heading("Chronology", 1)
    writer.para("Individual Management Review ref: DDSCP/CSPR/2026/014" if case.pack == "derbyshire"
                else "Individual Management Review ref: BSCP/SCR/2026/003")
    writer.para("Chronology completed by: the report author, Children's Services")
    if way.key == "before" and "no-key" not in defects:
        _key(writer, key, "lines")
    if "no-table" in defects:
        writer.para("Summary of contacts:")
        for row in rows:
            writer.para(f"{row.written} \u2013 {row.cells[0]}: {row.cells[1]} {row.cells[2]}")
    else:
        _table(writer, rows, rng)
    writer.para("")
    if way.key != "before" and "no-key" not in defects:
        _key(writer, key, way.key)
    writer.heading("Sources consulted", 2)
    writer.para("The electronic case record, conference minutes and health visiting notes.")
    return _save(document)


def _table(writer: Writer, rows: list[Row], rng: random.Random) -> None:
    """The chronology table (or two, when the author split it and repeated the headings). Each
    row learns the number a reader counts down to it: dividers count, headings do not."""
    if writer.way.split:
        half = len(rows) // 2
        _one_table(writer, rows[:half], rng, 1)
        writer.para("Chronology continued:")
        _one_table(writer, rows[half:], rng, rows[half - 1].number + 1, title=False)
    else:
        _one_table(writer, rows, rng, 1)


def _one_table(writer: Writer, body: list[Row], rng: random.Random, first: int, *,
               title: bool = True) -> None:
    way = writer.way
    columns = list(CHRONOLOGY_COLUMNS)
    if way.header == "caps":
        columns = [c.upper() for c in columns]
    elif way.header == "renamed":
        columns = ["Date/time", "Source", "Event", "Outcome"]
    extra = way.header == "extra"
    if extra:
        columns = ["No.", "Date", "Time", "Source of Information/Event", "Activity",
                   "Response or Outcome of Activity", "Agency"]
    title_rows = 1 if way.header == "merged" and title else 0
    divider_at = len(body) // 2 if way.divider else None
    count = len(body) + (1 if divider_at is not None else 0)
    table = writer.document.add_table(rows=title_rows + 1 + count, cols=len(columns))
    table.style = "Table Grid"
    if title_rows:
        merged = table.rows[0].cells[0].merge(table.rows[0].cells[-1])
        merged.text = "CHRONOLOGY OF INVOLVEMENT \u2013 CHILDREN'S SERVICES"
    for cell, name in zip(table.rows[title_rows].cells, columns, strict=True):
        cell.paragraphs[0].add_run(name).bold = True
    index = title_rows + 1
    number_seen = first
    for number, row in enumerate(body):
        if divider_at is not None and number == divider_at:
            divider = table.rows[index].cells[0].merge(table.rows[index].cells[-1])
            divider.text = f"Period from {row.day:%B %Y}"
            index += 1
            number_seen += 1
        row.number = number_seen
        number_seen += 1
        cells = table.rows[index].cells
        if extra:
            values = [str(first + number), row.written, rng.choice(["", "am", "10:00"]),
                      *row.cells, "Children's Services"]
        else:
            values = [row.written, *row.cells]
        if row.merged_up:
            values[1 if extra else 0] = ""
        for cell, value in zip(cells, values, strict=True):
            lines = value.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.paragraphs[0].add_run().add_break()
                cell.paragraphs[0].add_run(line)
        if row.merged_up and number:
            column = 1 if extra else 0
            table.rows[index - 1].cells[column].merge(cells[column])
        index += 1


def _key(writer: Writer, key: dict[str, str], layout: str) -> None:
    way = writer.way
    if layout == "table":
        writer.heading("Key to Initials Used", 2)
        table = writer.document.add_table(rows=1 + len(key), cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = "Initials"
        table.rows[0].cells[1].text = "Role or relationship"
        for row, (initials, description) in zip(table.rows[1:], key.items(), strict=True):
            row.cells[0].text = initials
            row.cells[1].text = _curly(description, way)
        return
    heading = writer.document.add_paragraph()
    heading.add_run("Key to Initials Used:").bold = True
    dash = "\u2013" if way.quotes == "curly" else "-"
    if layout == "breaks":
        paragraph = writer.document.add_paragraph()
        for number, (initials, description) in enumerate(key.items()):
            if number:
                paragraph.add_run().add_break()
            paragraph.add_run(f"{initials} {dash} {_curly(description, way)}")
        return
    for initials, description in key.items():
        paragraph = writer.document.add_paragraph()
        if layout == "bold-lines":
            paragraph.add_run(initials).bold = True
            paragraph.add_run(f": {_curly(description, way)}")
        else:
            paragraph.add_run(f"{initials} {dash} {_curly(description, way)}")


# -- the report --------------------------------------------------------------------------------
def _report(case: Case, rng: random.Random, voice: Voice, usage: Usage, glossary: set[str],
            stranger: str | None) -> bytes:
    way, defects = case.way, set(case.defects)
    writer = Writer(way)
    document = writer.document
    sections = DERBYSHIRE_SECTIONS if case.pack == "derbyshire" else BRADFORD_SECTIONS
    numbers = DERBYSHIRE_NUMBERS if case.pack == "derbyshire" else BRADFORD_NUMBERS
    if way.cover:
        cover = document.add_paragraph()
        cover.add_run("Child Safeguarding Practice Review" if case.pack == "derbyshire"
                      else "Serious Case Review").bold = True
        document.add_paragraph("Ref: DDSCP/CSPR/2026/014" if case.pack == "derbyshire"
                               else "Ref: BSCP/SCR/2026/003")
        document.add_paragraph("INDIVIDUAL MANAGEMENT REVIEW", style="Title")
        document.add_paragraph("Author: Service Manager, Children's Services")
        document.add_paragraph(f"Date: {date(2026, 3, 2):%d/%m/%Y}")
        writer.page_break()
    if way.toc:
        writer.para("Contents")
        for (_key, title, _g), number in zip(sections, numbers, strict=True):
            writer.para(f"{number}. {title.title()}\t{rng.randint(2, 12)}")
    missing = {d.split(":", 1)[1] for d in defects if d.startswith(("missing:", "decoy-subheading:"))}
    empty = {d.split(":", 1)[1] for d in defects if d.startswith("empty:")}
    term_sentences = rng.sample(prose.TERM_SENTENCES, 5)
    for index, ((key, title, guidance), number) in enumerate(zip(sections, numbers, strict=True)):
        if key in missing:
            if f"decoy-subheading:{key}" in defects:
                sub = document.add_paragraph()
                sub.add_run("Additional considerations to support analysis").bold = True
                writer.para(voice.fill(prose.REPORT[key][0], usage))
            continue
        writer.heading(_title(key, title, number, way, case.pack), 1)
        if way.guidance:
            writer.para(guidance, italic=True)
        if key in empty:
            if rng.random() < 0.5:
                writer.para(rng.choice(["TBC", "", "To follow"]))
            continue
        if case.pack == "bradford" and key == "analysis":
            sub = document.add_paragraph()
            sub.add_run("Additional considerations to support analysis").bold = True
        for text in prose.REPORT[key]:
            writer.para(voice.fill(text, usage))
        if index < len(term_sentences):
            writer.para(voice.fill(term_sentences[index], usage))
        if index == 2:
            writer.para(rng.choice(prose.EMPHASIS))
        if key == "analysis":
            for defect in sorted(defects):
                kind, _, term = defect.partition(":")
                if kind == "unexplained":
                    writer.para(voice.fill(f"No referral was made to the {{{term}}} at that "
                                           "stage.", usage))
                elif kind == "hyphen":
                    usage.terms.add(term)
                    writer.para(f"A {term}-led meeting followed within two working days.")
        if key in ("analysis",) and way.decoy_signed_off:
            writer.para(prose.SIGNED_OFF_DECOY)
        if key in ("summary", "journey") and stranger:
            writer.para(f"A family friend, {stranger}, sometimes looked after the children.")
            usage.people.add(stranger)
    if way.glossary != "none" and glossary:
        used = sorted(glossary)
        writer.heading("Glossary", 1)
        if way.glossary == "table":
            table = document.add_table(rows=1 + len(used), cols=2)
            table.style = "Table Grid"
            table.rows[0].cells[0].text = "Abbreviation"
            table.rows[0].cells[1].text = "Meaning"
            for row, term in zip(table.rows[1:], used, strict=True):
                row.cells[0].text = term
                row.cells[1].text = prose.TERMS[term]
        else:
            for term in used:
                writer.para(f"{term}: {prose.TERMS[term]}")
    else:
        glossary.clear()
    _signoff(writer, defects, rng)
    return _save(document)


def _signoff(writer: Writer, defects: set[str], rng: random.Random) -> None:
    way, document = writer.way, writer.document
    if "no-signoff" in defects:
        return
    document.add_paragraph()
    name = "J Morgan, Service Manager"
    signed = "" if "unsigned" in defects else name
    if "signature-placeholder" in defects:
        signed = "[signature]"
    when = "" if "undated" in defects else rng.choice(
        ["12/03/2026", "12 March 2026", "12th March 2026", "2026-03-12"])
    if "signoff-ambiguous" in defects:
        when = "12/3/26"
    if "signoff-unreadable" in defects:
        when = "the week before submission"
    blank = "______________________________"
    if way.signoff == "table-rows":
        table = document.add_table(rows=3, cols=2)
        table.style = "Table Grid"
        for row, (label, value) in zip(table.rows, [("Signature", signed), ("Name", "J Morgan"),
                                                    ("Date", when)], strict=True):
            row.cells[0].text = label
            row.cells[1].text = value
    elif way.signoff == "table-columns":
        table = document.add_table(rows=2, cols=3)
        table.style = "Table Grid"
        for cell, label in zip(table.rows[0].cells, ["Signed (author)", "Designation", "Date"],
                               strict=True):
            cell.text = label
        for cell, value in zip(table.rows[1].cells, [signed, "Service Manager", when], strict=True):
            cell.text = value
    elif way.signoff == "one-line":
        document.add_paragraph(f"Signed: {signed or blank}\t\tDate: {when or '__________'}")
    elif way.signoff == "below":
        document.add_paragraph("Signed (author):")
        document.add_paragraph(signed)
        document.add_paragraph()
        document.add_paragraph("Date:")
        document.add_paragraph(when)
    elif way.signoff == "image":
        paragraph = document.add_paragraph("Signature of report author: ")
        if signed:
            paragraph.add_run().add_picture(io.BytesIO(_png()))
        else:
            paragraph.add_run(blank)
        document.add_paragraph(f"Date: {when or blank}")
    else:
        document.add_paragraph(f"Signed (author): {signed or blank}")
        document.add_paragraph(f"Date: {when or blank}")
