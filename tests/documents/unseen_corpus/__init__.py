"""An unseen corpus: report and chronology pairs written as authors in Word write them, by someone
who had read only the seeds, the documented contract (docs/document-check.md, the README's
`imr-bot check`) and our blank templates, never the checker or the other corpora.

Every pair carries the findings a QA senior lead would want, written down before the checker was
run. An expected finding is (code, document, item): the item is the section's seed name, the
chronology row (1 is the first row under the headings), the initials or the term, or "" for a
check about the whole document (signed, dated, table, key).

Where the contract is silent about a form, the comment at the form says what was decided and why.
Everything is fictional; people are initials, professionals are roles.
"""

from __future__ import annotations

import base64
import copy
import functools
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches
from docx.text.paragraph import Paragraph

from imr_bot.documents import templates

DERBYSHIRE, BRADFORD = "derbyshire", "bradford"
TOR = {DERBYSHIRE: (date(2025, 3, 1), date(2025, 8, 31)),
       BRADFORD: (date(2025, 1, 1), date(2025, 6, 30))}

# The seeds' required sections, in their order (Appendix 4; Bradford's guidance sections 2-13).
SECTIONS = {
    DERBYSHIRE: ["Introduction", "Terms of Reference", "Methodology",
                 "Summary of Agency Involvement", "Analysis of Involvement",
                 "Effective Practice/Lessons Learnt", "Recommendations"],
    BRADFORD: ["Introduction", "Methodologies", "Chronology of Contacts", "The Child's Journey",
               "Analysis", "What do we learn from this case?", "Recommendations for Action Plan"],
}

KEY = [("AB", "subject child"), ("CD", "mother"), ("EF", "father"), ("SW1", "allocated social worker"),
       ("TM", "team manager")]

# A 1x1 PNG: the picture of a signature.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@dataclass
class Pair:
    name: str
    pack: str
    report: bytes
    chronology: bytes
    expected: frozenset
    why: str = ""

    @property
    def tor(self):
        return TOR[self.pack]


# ---------------------------------------------------------------- the author's words

AUTHOR_TEXT = {
    "Introduction": "This review was completed by a service manager from the disability service, "
                    "who has had no part in the case and no line management of anyone involved.",
    "Terms of Reference": "The review covers the period set by the panel. The family is AB, "
                          "CD and EF, who lived together throughout.",
    "Methodology": "The author read the case file, the supervision notes and the strategy "
                   "records, and spoke with SW1 and TM in person.",
    "Methodologies": "The author read the case file and the supervision notes, and spoke with "
                     "SW1 and TM in person.",
    "Summary of Agency Involvement": "The service worked with the family for six months after "
                                     "a referral from school about AB's attendance.",
    "Analysis of Involvement": "Visits were regular, but the plan was not reviewed after CD "
                               "told SW1 that EF had returned home.",
    "Analysis": "Visits were regular, but the plan was not reviewed after CD told SW1 that EF "
                "had returned home.",
    "Effective Practice/Lessons Learnt": "SW1 saw AB alone at every visit and recorded what AB "
                                         "said in AB's own words.",
    "Recommendations": "Plans are reviewed within ten working days of a change in who lives in "
                       "the household.",
    "Chronology of Contacts": "The chronology sent with this report lists every contact in the "
                              "period, with the outcome of each.",
    "The Child's Journey": "AB moved school twice in the period and was described by teachers "
                           "as quiet and watchful.",
    "What do we learn from this case?": "Changes in the household were known but did not lead "
                                        "to a fresh look at the risks.",
    "Recommendations for Action Plan": "The team manager checks every plan when someone joins "
                                       "or leaves the household; the action plan says by when.",
}

# The seeds' own guidance under each section: left in, a section is empty.
GUIDANCE = {
    "Introduction": "Name, job title and e-mail address of person completing this IMR (include "
                    "confirmation regarding independence from the line management of the case).",
    "Methodology": "Record the methodology used including extent of document review and "
                   "interviews undertaken.",
    "Analysis of Involvement": "Consider the events that occurred, the decisions made, and the "
                               "actions taken or not.  Assess practice against guidance and "
                               "relevant legislation.",
    "Effective Practice/Lessons Learnt": "Summarise concisely, and with evidence, the effective "
                                         "practice that you have identified and any lessons that "
                                         "can be learnt",
    "Recommendations": "Recommendations should be focussed on the key findings of the IMR and be "
                       "specific about the outcome which they are seeking.",
    "The Child's Journey": "The Child's story/journey must take into consideration issues of "
                           "race, culture, disability, gender and local context and, if relevant, "
                           "a description of the community.",
    "Methodologies": "Please list sources of information that your agency has used to compile "
                     "your report here",
    "What do we learn from this case?": "This section will inform the subsequent section on "
                                        "recommendations for action.",
}


# ---------------------------------------------------------------- building blocks

def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _insert_after(paragraph, text="", style=None) -> Paragraph:
    new = OxmlElement("w:p")
    paragraph._p.addnext(new)
    para = Paragraph(new, paragraph._parent)
    if text:
        para.add_run(text)
    if style is not None:
        para.style = style
    return para


def _delete(paragraph) -> None:
    paragraph._element.getparent().remove(paragraph._element)


def _heading(document, text, how, number=None):
    """A section heading written one of the ways authors write them in Word."""
    label = f"{number}. {text}" if number is not None and how in ("h1", "bold") else text
    if how == "h1":
        return document.add_heading(label, level=1)
    if how == "h2":
        return document.add_heading(label, level=2)
    if how == "h3":
        return document.add_heading(label, level=3)
    if how == "bold":
        p = document.add_paragraph()
        p.add_run(label).bold = True
        return p
    if how == "bold_underline":
        p = document.add_paragraph()
        run = p.add_run(text.upper() if number is None else f"{number}\t{text}")
        run.bold = run.underline = True
        return p
    if how == "small_caps":
        p = document.add_paragraph()
        run = p.add_run(text)
        run.font.small_caps = True
        run.bold = True
        return p
    if how == "list_paragraph":
        # Word's automatic numbering on a List Paragraph: the number is not in the text.
        p = document.add_paragraph(text, style="List Paragraph")
        num_id = document.styles["List Number"].element.pPr.numPr.numId.val
        ppr = p._p.get_or_add_pPr()
        numpr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), "0")
        nid = OxmlElement("w:numId")
        nid.set(qn("w:val"), str(num_id))
        numpr.append(ilvl)
        numpr.append(nid)
        ppr.append(numpr)
        return p
    if how == "section_dash":
        return document.add_heading(f"Section {number} – {text}", level=1)
    if how == "part_colon":
        p = document.add_paragraph()
        p.add_run(f"PART {number}: {text.upper()}").bold = True
        return p
    raise ValueError(how)


def _signoff(document, how, cover_date=False):
    """The author's sign-off, written one of the ways authors write it."""
    if how == "lines":
        document.add_paragraph("Signed (author): K. Lowe")
        document.add_paragraph("Date: 14/11/2026")
    elif how == "tabs":
        document.add_paragraph("Name:\tK. Lowe\tRole:\tService Manager\tSignature:\tK. Lowe\t"
                               "Date:\t1/12/2026")
    elif how == "esigned":
        # "e-signed" is how councils mark an electronic signature on a Word document: a QA lead
        # accepts it as the author's signature.
        document.add_paragraph("Signature: e-signed (K. Lowe)")
        document.add_paragraph("Date: 1/12/2026")
    elif how == "picture":
        p = document.add_paragraph("Signed (author): ")
        p.add_run().add_picture(io.BytesIO(PNG), width=Inches(1.2))
        document.add_paragraph("Date: 3rd December 2026")
    elif how == "table":
        table = document.add_table(rows=4, cols=2)
        for row, (label, value) in zip(table.rows, [("Name", "K. Lowe"), ("Role", "Service Manager"),
                                                   ("Signature", "K. Lowe"), ("Date", "28/11/2026")], strict=False):
            row.cells[0].text, row.cells[1].text = label + ":", value
    elif how == "blank":
        document.add_paragraph("Signed (author): ______________________________")
        document.add_paragraph("Date: ______________________________")
    elif how == "placeholder_picture":
        # The words where the picture should go are not a signature.
        document.add_paragraph("Signed (author): [insert signature image]")
        document.add_paragraph("Date: 14/11/2026")
    elif how == "undated":
        document.add_paragraph("Signed (author): K. Lowe")
        document.add_paragraph("Date: TBC")
    elif how == "no_date_line":
        document.add_paragraph("Signed (author): K. Lowe, Service Manager")
    elif how == "unsigned_dated":
        document.add_paragraph("Signature:")
        document.add_paragraph("Date: 14/11/2026")
    else:
        raise ValueError(how)


# ---------------------------------------------------------------- reports

@dataclass
class ReportSpec:
    pack: str
    writer: str = "fresh"          # "template" (edits ours), "fresh", "older" (pasted from an old IMR)
    heading: str = "h1"
    signoff: str = "lines"
    missing: tuple = ()
    empty: dict = field(default_factory=dict)   # section -> "guidance" | "tbc"
    extra_text: dict = field(default_factory=dict)  # section -> an extra sentence
    glossary_after: list = field(default_factory=list)  # (term, meaning) after the sign-off
    cover_date: bool = False
    renamed: dict = field(default_factory=dict)  # seed name -> the name the author used
    tracked_deletion: str = ""     # text in a w:del run (a deletion not yet accepted)


def _report_body(spec: ReportSpec, document, numbered: bool, start: int = 1):
    names = list(SECTIONS[spec.pack])
    if spec.writer == "older":
        # An older IMR's extra sections, kept when pasted in.
        names.insert(1, "Background")
        names.insert(len(names) - 1, "Family's views")
    number = start
    for name in names:
        if name in spec.missing:
            continue
        shown = spec.renamed.get(name, name)
        _heading(document, shown, spec.heading, number if numbered else None)
        number += 1
        if name == "Background":
            document.add_paragraph("AB came to the service's attention in 2023 after a move "
                                   "into the county.")
            continue
        if name == "Family's views":
            document.add_paragraph("CD met the author and said that she had felt listened to "
                                   "by SW1 but not by the wider service.")
            continue
        empty = spec.empty.get(name)
        if empty == "guidance":
            document.add_paragraph(GUIDANCE[name])
        elif empty == "tbc":
            document.add_paragraph("TBC")
        else:
            document.add_paragraph(AUTHOR_TEXT[name])
            if name in spec.extra_text:
                document.add_paragraph(spec.extra_text[name])
            if name == "Summary of Agency Involvement":
                table = document.add_table(rows=3, cols=2)
                for row, cells in zip(table.rows, [("Name and Role of Professional",
                                                    "Period of involvement"),
                                                   ("SW1 – Social Worker", "03/03/2025 - 30/08/2025"),
                                                   ("TM – Team Manager", "03/03/2025 - 30/08/2025")],
                                                  strict=False):
                    row.cells[0].text, row.cells[1].text = cells
        if spec.tracked_deletion and name == SECTIONS[spec.pack][-3]:
            _tracked_deletion(document.add_paragraph("The plan was reviewed. "),
                              spec.tracked_deletion)


def _tracked_deletion(paragraph, text):
    deleted = OxmlElement("w:del")
    deleted.set(qn("w:id"), "1")
    deleted.set(qn("w:author"), "QA")
    deleted.set(qn("w:date"), "2026-11-20T10:00:00Z")
    run = OxmlElement("w:r")
    del_text = OxmlElement("w:delText")
    del_text.text = text
    run.append(del_text)
    deleted.append(run)
    paragraph._p.append(deleted)


def report(spec: ReportSpec) -> bytes:
    if spec.writer == "template":
        return _from_template(spec)
    document = docx.Document()
    title = document.add_paragraph("Individual Management Review", style="Title")
    del title
    document.add_paragraph("Child Safeguarding Practice Review – Ref: DDSCP/CSPR/2025/031"
                           if spec.pack == DERBYSHIRE else "Review reference: BSCP/SCR/2025/07")
    document.add_paragraph("Author: K. Lowe, Service Manager")
    if spec.cover_date:
        # The cover's date is not the author's dated sign-off.
        document.add_paragraph("Date: 12/11/2026")
    numbered = spec.heading in ("h1", "bold", "section_dash", "part_colon", "bold_underline")
    _report_body(spec, document, numbered, start=1 if spec.pack == DERBYSHIRE else 2)
    _signoff(document, spec.signoff)
    if spec.glossary_after:
        document.add_heading("Glossary", level=2)
        for term, meaning in spec.glossary_after:
            document.add_paragraph(f"{term} – {meaning}")
    return _save(document)


def _from_template(spec: ReportSpec) -> bytes:
    """Our own blank template, edited: the guidance replaced by the author's words, section by
    section, the sign-off filled in."""
    start, end = TOR[spec.pack]
    build = templates.derbyshire_imr if spec.pack == DERBYSHIRE else templates.bradford_imr
    document = docx.Document(io.BytesIO(build(templates.Prefill(
        reference="DDSCP/CSPR/2025/031", tor_start=start, tor_end=end))))
    paragraphs = list(document.paragraphs)
    current = None
    written = set()
    for para in paragraphs:
        text = para.text.strip()
        style = para.style.name
        if style == "Heading 1" and "\t" in para.text:
            name = _seed_name(spec.pack, text.split("\t", 1)[1])
            current = name
            if name in spec.missing:
                _delete(para)
                current = ("missing", name)
            continue
        if isinstance(current, tuple):
            _delete(para)
            continue
        if style.startswith("Heading") and current is not None:
            # A sub-heading (Family composition, Scope…): the author writes under it.
            if current == "Terms of Reference":
                _insert_after(para, "Set by the panel; the family is AB, CD and EF.")
            elif current == "Analysis":
                _delete(para)
            continue
        if text.startswith("Signed (author)"):
            if spec.signoff == "blank":
                continue
            para.text = "Signed (author): K. Lowe"
            continue
        if text.startswith("Date:") and current is not None:
            if spec.signoff == "undated":
                para.text = "Date: TBC"
            elif spec.signoff != "blank":
                para.text = "Date: 1/12/2026"
            continue
        if text.startswith("Author:"):
            para.text = "Author: K. Lowe"
            continue
        if current is None or not text or para._p.getparent().tag != qn("w:body"):
            continue
        if "Terms of reference period" in text:
            continue
        empty = spec.empty.get(current)
        if empty == "guidance":
            continue
        if current not in written:
            new = _insert_after(para, "TBC" if empty == "tbc" else AUTHOR_TEXT[current])
            if current in spec.extra_text:
                _insert_after(new, spec.extra_text[current])
            written.add(current)
        _delete(para)
    # The grid of professionals: the example row filled in.
    for table in document.tables:
        if table.rows and "Name and Role" in table.rows[0].cells[0].text:
            cells = table.rows[1].cells
            cells[0].text, cells[1].text = "SW1 – Social Worker", "03/03/2025 - 29/08/2025"
            if len(cells) > 2:
                cells[2].text = "yes"
    return _save(document)


def _seed_name(pack, shown):
    wanted = shown.strip().lower().replace("’", "'")
    for name in SECTIONS[pack]:
        if name.lower() == wanted:
            return name
    return shown


# ---------------------------------------------------------------- chronologies

def entries(pack, n=6, forms=None):
    """n entries inside the period, in order, their dates written in the given forms."""
    start, _ = TOR[pack]
    first = start + timedelta(days=(7 - start.weekday()) % 7)  # the first Monday in the period
    forms = forms or ["dmy"]
    rows = []
    activities = [("Children's social care", "SW1 visited AB at home; CD present.",
                   "AB seen alone; plan continues."),
                  ("School", "Attendance concern raised by the school about AB.",
                   "SW1 to discuss with CD."),
                  ("Children's social care", "Supervision between SW1 and TM.",
                   "Plan reviewed; visits weekly."),
                  ("Health visiting", "Health visitor saw CD and AB at clinic.",
                   "Growth recorded; no concerns."),
                  ("Children's social care", "Strategy discussion held about EF's return.",
                   "No further action (NFA) agreed by TM."),
                  ("Police", "Police attended the address after a call from a neighbour.",
                   "Information shared with SW1."),
                  ("Children's social care", "Home visit by SW1; EF present.",
                   "AB seen; written agreement signed by CD and EF."),
                  ("School", "Meeting at school with CD.", "Support plan agreed.")]
    for i in range(n):
        day = first + timedelta(days=14 * i)
        form = forms[i % len(forms)]
        rows.append([write(day, form), *activities[i % len(activities)]])
    return rows


def _ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def write(day: date, form: str) -> str:
    """A date as authors type it. Every form here reads one way (the contract's own forms, or
    ones a QA lead reads without a second look)."""
    return {
        "dmy": day.strftime("%d/%m/%Y"),
        "d/m": f"{day.day}/{day.month}/{day.year}",
        "iso": day.isoformat(),
        "dash": day.strftime("%d-%m-%Y"),
        "dots": day.strftime("%d.%m.%Y"),
        "long": f"{day.day} {day:%B %Y}",
        "ordinal": f"{_ordinal(day.day)} {day:%B %Y}",
        # "3rd Mar. 2025": an abbreviated month with a full stop reads one way.
        "ord_abbr": f"{_ordinal(day.day)} {day:%b}. {day.year}",
        "abbr": f"{day.day} {day:%b} {day.year}",
        # "March 3rd 2025" without the comma of the contract's "March 3rd, 2026": one way.
        "month_first": f"{day:%B} {_ordinal(day.day)} {day.year}",
        "weekday": f"{day:%A} {_ordinal(day.day)} {day:%B %Y}",
        "time": f"{day:%d/%m/%Y} 10:30",
        "hrs": f"{day:%d/%m/%Y} 14.00hrs",
        # "w/c 3 March 2025": the week commencing a known Monday. A QA lead reads it as that
        # week, which is enough to order the entries and place it in the period; asking the
        # author for the exact day is not what a first QA read is for. So it is read as the
        # Monday and not reported.
        "wc": f"w/c {day.day} {day:%B %Y}",
    }[form]


# Not built: a date split over Day / Month / Year columns. Neither seed's chronology nor our
# template has it, and authors working in Word type the date in the Date cell; a spreadsheet
# export would, but a chronology arrives here as a Word document. A Time column beside the Date
# (the Bradford practice of timed contacts) is built instead ("time_column").


@dataclass
class ChronologySpec:
    pack: str
    rows: list
    writer: str = "template"    # "template", "fresh", "ref_column", "title_row", "time_column"
    key: str = "table"          # "table", "lines", "role_first", "none", "empty"
    key_entries: list = field(default_factory=lambda: list(KEY))
    glossary: list = field(default_factory=list)
    prose: bool = False         # the chronology typed as paragraphs, no table


def chronology(spec: ChronologySpec) -> bytes:
    start, end = TOR[spec.pack]
    if spec.writer == "template":
        build = templates.chronology if spec.pack == DERBYSHIRE else templates.bradford_chronology
        document = docx.Document(io.BytesIO(build(templates.Prefill(
            reference="DDSCP/CSPR/2025/031", tor_start=start, tor_end=end))))
        table = document.tables[0]
        _fill(table, spec.rows, first=1)
        key_table = document.tables[1]
        if spec.key == "table":
            _fill(key_table, spec.key_entries, first=1)
        else:
            heading = next(p for p in document.paragraphs if p.text.startswith("Key to Initials"))
            key_table._element.getparent().remove(key_table._element)
            if spec.key == "none":
                _delete(heading)
            elif spec.key in ("lines", "role_first"):
                after = heading
                for initials, role in spec.key_entries:
                    after = _insert_after(after, _key_line(initials, role, spec.key))
        if spec.glossary:
            document.add_heading("Glossary", level=2)
            for term, meaning in spec.glossary:
                document.add_paragraph(f"{term}: {meaning}")
        return _save(document)

    document = docx.Document()
    document.add_heading("Chronology of involvement", level=1)
    document.add_paragraph("Children's Services – Individual Management Review ref: "
                           "DDSCP/CSPR/2025/031")
    if spec.prose:
        for row in spec.rows:
            document.add_paragraph(f"{row[0]}: {row[2]} {row[3]}")
    else:
        if spec.writer == "ref_column":
            header = ["Ref", "Date", "Source agency", "Activity", "Response or Outcome"]
            rows = [[str(i + 1), *r] for i, r in enumerate(spec.rows)]
        elif spec.writer == "time_column":
            header = ["Date", "Time", "Source of Information/Event", "Activity", "Outcome"]
            rows = [[r[0], "", *r[1:]] for r in spec.rows]
        else:
            header = ["DATE", "SOURCE OF INFORMATION/EVENT", "ACTIVITY", "RESPONSE OR OUTCOME OF ACTIVITY"]
            rows = spec.rows
        extra = 1 if spec.writer == "title_row" else 0
        table = document.add_table(rows=1 + extra, cols=len(header))
        table.style = "Table Grid"
        if extra:
            merged = table.rows[0].cells[0].merge(table.rows[0].cells[-1])
            merged.text = "Chronology – Children's Services"
        for cell, text in zip(table.rows[extra].cells, header, strict=False):
            cell.text = text
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=False):
                cell.text = text
    if spec.key == "none":
        pass
    elif spec.key == "empty":
        document.add_heading("Key to Initials Used", level=2)
    elif spec.key == "role_first":
        # "Mother (CD)", "AB (child, aged 4)": the role first or the initials first, the other
        # in brackets. A QA lead reads both as keying the initials.
        document.add_heading("Key to Initials Used:", level=2)
        for initials, role in spec.key_entries:
            document.add_paragraph(_key_line(initials, role, spec.key))
    elif spec.key == "lines":
        document.add_heading("Key to Initials", level=2)
        for initials, role in spec.key_entries:
            document.add_paragraph(f"{initials} – {role}")
    else:
        document.add_paragraph().add_run("Key to Initials Used").bold = True
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Initials", "Role"
        for initials, role in spec.key_entries:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = initials, role
    if spec.glossary:
        document.add_heading("Abbreviations used", level=2)
        for term, meaning in spec.glossary:
            document.add_paragraph(f"{term} – {meaning}")
    return _save(document)


def _key_line(initials, role, how):
    if how == "lines":
        return f"{initials} – {role}"
    # "Mother (CD)", "AB (child, aged 4)": the role first or the initials first, the other in
    # brackets. A QA lead reads both as keying the initials.
    if role in ("mother", "father"):
        return f"{role.capitalize()} ({initials})"
    if role == "subject child":
        return f"{initials} (child, aged 4)"
    return f"{initials} ({role})"


def _fill(table, rows, first):
    template_row = table.rows[first]._tr
    while len(table.rows) - first < len(rows):
        table._tbl.append(copy.deepcopy(template_row))
    for row, values in zip(table.rows[first:], rows, strict=False):
        for cell, text in zip(row.cells, values, strict=False):
            cell.text = text
    for row in list(table.rows[first + len(rows):]):  # the template's spare blank rows go
        row._tr.getparent().remove(row._tr)


# ---------------------------------------------------------------- the pairs

def _f(*findings):
    return frozenset(findings)


@functools.lru_cache(maxsize=1)
def pairs() -> tuple[Pair, ...]:
    out: list[Pair] = []

    def add(name, rspec, cspec, expected=(), why=""):
        out.append(Pair(name, rspec.pack, report(rspec), chronology(cspec), _f(*expected), why))

    D, B = DERBYSHIRE, BRADFORD
    # ---- clean pairs (a third or more), varied writers and forms
    add("clean-template-derbyshire", ReportSpec(D, writer="template"),
        ChronologySpec(D, entries(D, forms=["dmy", "long", "iso"])))
    add("clean-template-bradford", ReportSpec(B, writer="template"),
        ChronologySpec(B, entries(B, forms=["d/m", "ordinal"])))
    add("clean-older-derbyshire", ReportSpec(D, writer="older", heading="section_dash"),
        ChronologySpec(D, entries(D, forms=["dash", "ord_abbr"]), writer="ref_column"))
    add("clean-older-bradford", ReportSpec(B, writer="older", heading="part_colon"),
        ChronologySpec(B, entries(B, forms=["month_first", "weekday"]), writer="title_row"))
    add("clean-list-numbered", ReportSpec(D, heading="list_paragraph", signoff="tabs"),
        ChronologySpec(D, entries(D, forms=["time", "hrs", "abbr"]), writer="time_column",
                       key="role_first"))
    add("clean-bold-underline", ReportSpec(B, heading="bold_underline", signoff="esigned"),
        ChronologySpec(B, entries(B, forms=["dots", "wc"]), writer="fresh", key="lines"))
    add("clean-small-caps", ReportSpec(D, heading="small_caps", signoff="picture"),
        ChronologySpec(D, entries(D, forms=["wc", "ordinal"]), writer="fresh"))
    add("clean-h2-table-signoff", ReportSpec(B, heading="h2", signoff="table"),
        ChronologySpec(B, entries(B, 8, forms=["iso", "month_first"]), key="lines"))
    add("clean-h3-bold", ReportSpec(D, heading="h3"),
        ChronologySpec(D, entries(D, forms=["weekday"]), writer="ref_column", key="role_first"))
    add("clean-glossary-after-signoff", ReportSpec(
        B, heading="bold", extra_text={"Analysis": "The LADO was not consulted."},
        glossary_after=[("LADO", "Local Authority Designated Officer")]),
        ChronologySpec(B, entries(B, forms=["dmy"])))
    add("clean-outside-with-reason", ReportSpec(D, writer="template"),
        ChronologySpec(D, [["14/06/2024", "Police", "Earlier referral about AB (before the "
                            "period; included as relevant history).", "No further action."]]
                       + entries(D)),
        why="an entry before the period that says why it is there is not reported")
    add("clean-tracked-deletion", ReportSpec(D, heading="h1", tracked_deletion="GH said no."),
        ChronologySpec(D, entries(D)),
        why="a deletion not yet accepted is not the document's text; GH is not in it")
    add("clean-renamed-lessons", ReportSpec(D, renamed={
        "Effective Practice/Lessons Learnt": "Effective Practice and Lessons Learnt"}),
        ChronologySpec(D, entries(D, forms=["long"])),
        why="'and' for '/' is documented as the same name")
    add("clean-abbr-spelled-in-report", ReportSpec(
        B, writer="older", heading="h1",
        extra_text={"Analysis": "The Multi-Agency Safeguarding Hub (MASH) passed the referral "
                                "on the same day."}),
        ChronologySpec(B, [*entries(B, 4), [write(date(2025, 3, 3), "dmy"), "MASH",
                                            "Referral screened by the MASH.", "Passed to SW1."]]),
        why="MASH is spelled out in the report; the chronology's use is explained by it")
    add("clean-bradford-fresh-signature-table", ReportSpec(B, heading="h1", signoff="table",
                                                           cover_date=True),
        ChronologySpec(B, entries(B, forms=["abbr", "dash"]), writer="ref_column"))
    add("clean-derbyshire-picture-template", ReportSpec(D, heading="h2", signoff="picture"),
        ChronologySpec(D, entries(D, 7, forms=["d/m", "ord_abbr", "wc"]), key="lines"))

    add("clean-bradford-template-wc-dates", ReportSpec(B, writer="template", signoff="tabs"),
        ChronologySpec(B, entries(B, 7, forms=["wc", "dmy", "hrs"])))
    add("clean-derbyshire-older-key-lines", ReportSpec(D, writer="older", heading="bold"),
        ChronologySpec(D, entries(D, forms=["iso", "weekday"]), writer="title_row", key="lines"))
    add("clean-bradford-small-caps-esigned", ReportSpec(B, heading="small_caps", signoff="esigned"),
        ChronologySpec(B, entries(B, forms=["ord_abbr", "month_first"]), writer="time_column"))
    add("clean-derbyshire-chronology-glossary", ReportSpec(D, heading="h2", signoff="table"),
        ChronologySpec(D, [*entries(D, 4), [write(date(2025, 6, 2), "long"), "Health",
                                            "AB seen by the GP.", "No concerns."]],
                       glossary=[("GP", "general practitioner")]),
        why="GP is explained by the chronology's glossary")

    # ---- each defect alone
    for pack in (D, B):
        secs = SECTIONS[pack]
        add(f"{pack}-missing-{secs[2][:10]}", ReportSpec(pack, missing=(secs[2],)),
            ChronologySpec(pack, entries(pack)),
            [("report.section_missing", "report", secs[2])])
        add(f"{pack}-template-missing-{secs[-2][:10]}",
            ReportSpec(pack, writer="template", missing=(secs[-2],)),
            ChronologySpec(pack, entries(pack)),
            [("report.section_missing", "report", secs[-2])])
        add(f"{pack}-empty-guidance", ReportSpec(pack, heading="bold_underline",
                                                 empty={secs[-2]: "guidance"}),
            ChronologySpec(pack, entries(pack)),
            [("report.section_empty", "report", secs[-2])])
        add(f"{pack}-template-guidance-left", ReportSpec(pack, writer="template",
                                                         empty={secs[1]: "guidance"}
                                                         if secs[1] in GUIDANCE else
                                                         {secs[2]: "guidance"}),
            ChronologySpec(pack, entries(pack)),
            [("report.section_empty", "report", secs[1] if secs[1] in GUIDANCE else secs[2])])
        add(f"{pack}-empty-tbc", ReportSpec(pack, heading="list_paragraph",
                                            empty={secs[-1]: "tbc"}),
            ChronologySpec(pack, entries(pack)),
            [("report.section_empty", "report", secs[-1])])
        add(f"{pack}-blank-signoff-cover-dated", ReportSpec(pack, signoff="blank", cover_date=True),
            ChronologySpec(pack, entries(pack)),
            [("report.signed", "report", ""), ("report.dated", "report", "")],
            why="the cover's date never counts; the sign-off is blank")
        add(f"{pack}-template-unsigned", ReportSpec(pack, writer="template", signoff="blank"),
            ChronologySpec(pack, entries(pack)),
            [("report.signed", "report", ""), ("report.dated", "report", "")])
        add(f"{pack}-signature-placeholder", ReportSpec(pack, signoff="placeholder_picture"),
            ChronologySpec(pack, entries(pack)),
            [("report.signed", "report", "")])
        add(f"{pack}-date-tbc", ReportSpec(pack, heading="small_caps", signoff="undated"),
            ChronologySpec(pack, entries(pack)),
            [("report.dated", "report", "")])
        add(f"{pack}-unknown-initials-in-report", ReportSpec(
            pack, extra_text={secs[-3]: "GH, a family friend, cared for AB at weekends."}),
            ChronologySpec(pack, entries(pack)),
            [("report.initials", "report", "GH")],
            why="GH is neither in the key nor introduced beside it ('a family friend' follows "
                "after a comma, not in brackets)")
        add(f"{pack}-unexplained-term-in-report", ReportSpec(
            pack, writer="template", extra_text={secs[-3]: "A referral to CAMHS was not made."}),
            ChronologySpec(pack, entries(pack)),
            [("report.abbreviations", "report", "CAMHS")])
        add(f"{pack}-unreadable-date", ReportSpec(pack),
            ChronologySpec(pack, [*entries(pack, 3), ["31/02/2025" if pack == D else "30/02/2025",
                                                      "School", "Meeting with CD.", "Agreed."],
                                  *entries(pack, 6)[3:]]),
            [("chronology.dates_unreadable", "chronology", "4")])
        add(f"{pack}-early-month", ReportSpec(pack, heading="h2"),
            ChronologySpec(pack, [*entries(pack, 2),
                                  [("early April 2025" if pack == D else "early February 2025"),
                                   "School", "Teacher noticed AB was tired.", "Logged."],
                                  *entries(pack, 5)[2:]], writer="fresh"),
            [("chronology.dates_ambiguous", "chronology", "3")],
            why="'early March 2025' has no day: like a month without a day, it is ambiguous")
        add(f"{pack}-two-digit-year", ReportSpec(pack),
            ChronologySpec(pack, [*entries(pack, 4), ["3/6/25" if pack == D else "3/5/25",
                                                      "Police", "Call from CD.", "Advice given."]]),
            [("chronology.dates_ambiguous", "chronology", "5")])
        add(f"{pack}-out-of-order", ReportSpec(pack, writer="older", heading="h1"),
            ChronologySpec(pack, [*entries(pack, 4)[:2], entries(pack, 4)[3], entries(pack, 4)[2]],
                           writer="ref_column"),
            [("chronology.dates_order", "chronology", "4")],
            why="each entry is compared with the one before it: row 4 is dated before row 3, "
                "so row 4 is the entry out of order")
        add(f"{pack}-outside-no-reason", ReportSpec(pack),
            ChronologySpec(pack, [["14/06/2024", "Police", "Earlier referral about AB.",
                                   "No further action taken."], *entries(pack)]),
            [("chronology.outside_tor", "chronology", "1")])
        add(f"{pack}-no-key", ReportSpec(pack),
            ChronologySpec(pack, entries(pack), key="none", writer="fresh"),
            [("chronology.key", "chronology", "")],
            why="without a key the initials checks cannot run (not_checked), only the key is a "
                "finding")
        add(f"{pack}-chronology-initials", ReportSpec(pack),
            ChronologySpec(pack, [*entries(pack, 3), [write(TOR[pack][0] + timedelta(days=60),
                                                            "dmy"), "Children's social care",
                                                      "JK collected AB from school.",
                                                      "SW1 informed."]]),
            [("chronology.initials", "chronology", "JK")])
        add(f"{pack}-bracketed-term-in-table", ReportSpec(pack),
            ChronologySpec(pack, [*entries(pack, 3), [write(TOR[pack][0] + timedelta(days=60),
                                                            "dmy"), "Health",
                                                      "AB referred on (CAMHS).", "Waiting list."]],
                           writer="title_row"),
            [("chronology.abbreviations", "chronology", "CAMHS")],
            why="a term in brackets with nothing spelled out beside it explains nothing")

    # ---- combined defects
    add("combined-derbyshire-many", ReportSpec(D, writer="template", missing=("Methodology",),
                                                signoff="undated"),
        ChronologySpec(D, [["14/06/2024", "Police", "Earlier referral.", "Closed."],
                           *entries(D, 4), ["3/6/25", "School", "JK at the gate.", "Logged."]],
                       key="lines"),
        [("report.section_missing", "report", "Methodology"), ("report.dated", "report", ""),
         ("chronology.outside_tor", "chronology", "1"),
         ("chronology.dates_ambiguous", "chronology", "6"),
         ("chronology.initials", "chronology", "JK")])
    add("combined-bradford-many", ReportSpec(B, heading="part_colon", writer="older",
                                             empty={"The Child's Journey": "guidance"},
                                             signoff="blank",
                                             extra_text={"Analysis": "No ICPC was held."}),
        ChronologySpec(B, [*entries(B, 3), ["31/02/2025", "School", "Meeting.", "Agreed."],
                           entries(B, 6)[4], entries(B, 6)[3]], writer="fresh"),
        [("report.section_empty", "report", "The Child's Journey"),
         ("report.signed", "report", ""), ("report.dated", "report", ""),
         ("report.abbreviations", "report", "ICPC"),
         ("chronology.dates_unreadable", "chronology", "4"),
         ("chronology.dates_order", "chronology", "6")])
    add("combined-no-table-and-unsigned", ReportSpec(D, signoff="unsigned_dated"),
        ChronologySpec(D, entries(D), writer="fresh", prose=True),
        [("report.signed", "report", ""), ("chronology.table", "chronology", "")],
        why="a chronology typed as paragraphs has no table: the date checks cannot run")
    add("combined-key-empty-glossary", ReportSpec(B, heading="h3", signoff="no_date_line"),
        ChronologySpec(B, entries(B), writer="fresh", key="empty",
                       glossary=[("NFA", "no further action")]),
        [("report.dated", "report", ""), ("chronology.key", "chronology", "")])
    add("combined-terms-and-initials", ReportSpec(
        D, heading="list_paragraph", extra_text={"Analysis of Involvement": "The LADO and the "
                                                 "IRO were told; GH was not."}),
        ChronologySpec(D, [*entries(D, 3), [write(date(2025, 6, 2), "long"), "Health",
                                            "AB seen by the GP with JK.", "No concerns."]],
                       key="role_first"),
        # IRO is not expected: the seed's own workflow names the role ("Head of CP and IRO's",
        # Derbyshire Appendix 2), like QA it is the process's word, not the author's.
        [("report.abbreviations", "report", "LADO"),
         ("report.initials", "report", "GH"), ("chronology.abbreviations", "chronology", "GP"),
         ("chronology.initials", "chronology", "JK")])
    return tuple(out)
