"""Builds an IMR report and chronology (.docx, python-docx) from a pair's description in pairs.py,
written the ways authors write them: several heading styles, tables laid out in different ways,
keys and glossaries as tables or lines, sign-offs as lines or a table."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.shared import Pt

# -- the sections of each pack, with the titles authors give them ---------------------------------
DERBYSHIRE_ORDER = ("intro", "tor", "method", "summary", "analysis", "effective", "recs")
DERBYSHIRE_NUMBERS = {"intro": "1", "tor": "2", "method": "3", "summary": "6", "analysis": "7",
                      "effective": "8", "recs": "9"}
DERBYSHIRE_TITLES = {"intro": "Introduction", "tor": "Terms of Reference", "method": "Methodology",
                     "summary": "Summary of Agency Involvement",
                     "analysis": "Analysis of Involvement",
                     "effective": "Effective Practice/Lessons Learnt",
                     "recs": "Recommendations"}
BRADFORD_ORDER = ("intro", "method", "chron", "journey", "analysis", "learn", "recs")
BRADFORD_NUMBERS = {"intro": "2", "method": "3", "chron": "9", "journey": "10", "analysis": "11",
                    "learn": "12", "recs": "13"}
BRADFORD_TITLES = {"intro": "Introduction", "method": "Methodologies",
                   "chron": "Chronology of Contacts", "journey": "The Child’s Journey",
                   "analysis": "Analysis", "learn": "What do we learn from this case?",
                   "recs": "Recommendations for Action Plan"}

# the seed's guidance, as an author who did not write over it leaves it
GUIDANCE = {
    ("derbyshire", "analysis"): [
        "Consider the events that occurred, the decisions made, and the actions taken or not. "
        "Assess practice against guidance and relevant legislation.",
        "Address the key lines of enquiry as set out in the terms of reference and confirmed in "
        "section 2 of this report.",
        "Consider further analysis in respect of key critical factors, which are not otherwise "
        "covered by the sections above."],
    ("derbyshire", "effective"): [
        "Summarise concisely, and with evidence, the effective practice that you have identified "
        "and any lessons that can be learnt"],
    ("bradford", "journey"): [
        "The Child's story/journey must take into consideration issues of race, culture, "
        "disability, gender and local context and, if relevant, a description of the community."],
}

PEOPLE_TEXT = {  # section bodies; {tor} is the terms of reference period in words
    ("derbyshire", "intro"): [
        "This Individual Management Review (IMR) has been completed by Jane Walker, Service "
        "Manager, Derbyshire Children’s Services (jane.walker@derbyshire.gov.uk).",
        "I have had no line management responsibility for the case or for any of the staff "
        "involved, and I am independent of it."],
    ("derbyshire", "tor"): [
        ("sub", "Family composition (including genogram)"),
        "EF lives with CD, her mother, and two younger half-siblings. Her father has not had "
        "contact since 2021.",
        ("sub", "Scope of the review"),
        "The review covers the period {tor}, as set out in the terms of reference.",
        ("sub", "Issues to be addressed"),
        "Whether the response to the concerns raised by school was timely, and whether EF’s "
        "wishes and feelings were heard."],
    ("derbyshire", "method"): [
        "I read the full electronic case record for the period under review. I interviewed AB, "
        "the allocated social worker, and JK, her team manager. Supervision notes were also read."],
    ("derbyshire", "summary"): [
        "Children’s Services became involved when school reported a bruise to EF’s cheek. An "
        "Initial Child Protection Conference (ICPC) was held within fifteen working days and EF "
        "became subject to a child protection plan under the category of neglect.",
        "The grid below lists the professionals from this agency who were involved.",
        ("grid", None)],
    ("derbyshire", "analysis"): [
        "The initial response was timely: AB visited within two days of the referral and saw EF "
        "alone. The decision to hold an ICPC was evidence based and recorded.",
        "EF’s wishes and feelings were recorded at each visit, although CD’s account of the "
        "injury was accepted without challenge at the first visit."],
    ("derbyshire", "effective"): [
        "AB’s direct work with EF was of a high standard and is recorded in EF’s own words.",
        "The lesson for the service is that an explanation from a parent should be tested "
        "against the other information held."],
    ("derbyshire", "recs"): [
        "1. Team managers should audit a sample of strategy discussions each quarter.",
        "2. Practice guidance on testing parental explanations of injuries should be refreshed."],
    ("bradford", "intro"): [
        "This individual management review has been compiled by Jane Walker on behalf of "
        "Bradford Children’s Social Care in accordance with the procedure of the Bradford "
        "Safeguarding Children Board (BSCB) for conducting a Serious Case Review (SCR).",
        "I am independent of both the practice and the direct line management of the staff "
        "involved."],
    ("bradford", "method"): [
        "The following sources of information were used: the electronic case record, the "
        "minutes of conferences and core groups, and interviews with AB and JK.",
        "The terms of reference for the SCR, covering {tor}, have been taken into account."],
    ("bradford", "chron"): [
        "A chronology of contacts is submitted with this report. Interviews with AB and JK were "
        "recorded, and each record was signed by the interviewer and the interviewee."],
    ("bradford", "journey"): [
        "EF is a nine-year-old girl of white British heritage who lives with CD and two younger "
        "half-siblings on an estate with few local services. EF describes school as the place "
        "she feels safest."],
    ("bradford", "analysis"): [
        "The initial response was timely: AB visited within two days and saw EF alone. The "
        "Initial Child Protection Conference (ICPC) was held within timescales.",
        "CD’s explanation of the injury was accepted without challenge at the first visit, and "
        "this was not picked up in supervision by JK until the ICPC."],
    ("bradford", "learn"): [
        "Good practice: the direct work with EF was child-centred and well recorded.",
        "Practice could be improved by testing parental explanations against other agencies’ "
        "information before a plan is agreed."],
    ("bradford", "recs"): [
        "Recommendation 1: managers to audit strategy discussions quarterly (see the action "
        "plan).",
        "Recommendation 2: refresh the guidance on parental explanations of injuries."],
}


@dataclass
class Report:
    pack: str = "derbyshire"
    heading: str = "word"  # word | bold | caps | numbered | dash | colon
    renumber: bool = False  # numbered 1..7 instead of the template's numbers
    titles: dict = field(default_factory=dict)  # section -> another title
    bodies: dict = field(default_factory=dict)  # section -> paragraphs; [] empty; None missing
    extra: dict = field(default_factory=dict)  # section -> paragraphs appended
    cover: bool = True  # a cover naming the author and a date
    contents: bool = False  # a contents list naming every section
    glossary: list | None = None  # (term, meaning) pairs
    glossary_style: str = "table"  # table | lines
    signoff: str = "lines"  # lines | table | none
    signed: str = "Jane Walker"  # "" leaves the template's blank line
    signed_date: str = "02/03/2026"  # "" leaves the template's blank line
    running_header: bool = True


@dataclass
class Chronology:
    pack: str = "derbyshire"
    rows: list = field(default_factory=list)  # (date or written, source, activity, outcome)
    date_style: str = "slash"  # slash | long | ordinal | iso | time
    title_row: bool = False  # a merged title row above the headings
    number_column: bool = False  # a "No." column before the date
    time_column: bool = False  # a separate Time column
    agency_column: bool = False  # an extra column after the activity
    blank_rows: int = 0  # the template's empty rows left at the end
    date_header: str = "Date"
    table: bool = True  # False: the entries written as paragraphs
    key: list | None = None  # (initials, role) pairs; None: no key at all
    key_style: str = "table"  # table | lines | lines_reversed (“Mother (CD)”)
    glossary: list | None = None
    glossary_style: str = "lines"


def written_date(value, style: str) -> str:
    if not isinstance(value, date):
        return value
    if style == "slash":
        return value.strftime("%d/%m/%Y")
    if style == "long":
        return f"{value.day} {value:%B %Y}"
    if style == "ordinal":
        day = value.day
        suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"{day}{suffix} {value:%B %Y}"
    if style == "iso":
        return value.isoformat()
    if style == "time":
        return value.strftime("%d/%m/%Y") + " 14:30"
    raise ValueError(style)


def _bold_paragraph(document, text: str):
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True
    return paragraph


def _heading(document, spec: Report, number: str, title: str) -> None:
    style = spec.heading
    if style == "word":
        document.add_heading(f"{number}\t{title.upper()}", level=1)
    elif style == "bold":
        _bold_paragraph(document, f"{number}. {title}")
    elif style == "caps":
        document.add_paragraph(title.upper())
    elif style == "numbered":
        document.add_paragraph(f"{number}. {title}")
    elif style == "dash":
        _bold_paragraph(document, f"Section {number} – {title}")
    elif style == "colon":
        _bold_paragraph(document, f"SECTION {number}: {title.upper()}")
    else:
        raise ValueError(style)


def _subheading(document, spec: Report, text: str) -> None:
    if spec.heading == "word":
        document.add_heading(text, level=2)
    else:
        paragraph = document.add_paragraph()
        paragraph.add_run(text).italic = True


def _grid(document) -> None:
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Name and Role of Professional",
                                                 "Period of involvement",
                                                 "Interviewed (yes/no)"), strict=True):
        cell.text = text
    for row in (("Amy Brown – Social Worker", "14/01/2025 - 30/11/2025", "yes"),
                ("John King – Team Manager", "14/01/2025 - 31/12/2025", "yes")):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _pairs_table(document, header: tuple[str, str], rows) -> None:
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = header
    for left, right in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = left, right


def build_report(spec: Report, tor: tuple[date, date]) -> bytes:
    document = Document()
    pack = spec.pack
    order = DERBYSHIRE_ORDER if pack == "derbyshire" else BRADFORD_ORDER
    numbers = DERBYSHIRE_NUMBERS if pack == "derbyshire" else BRADFORD_NUMBERS
    titles = dict(DERBYSHIRE_TITLES if pack == "derbyshire" else BRADFORD_TITLES, **spec.titles)
    period = f"{tor[0].day} {tor[0]:%B %Y} to {tor[1].day} {tor[1]:%B %Y}"
    if spec.running_header:
        document.sections[0].header.paragraphs[0].text = "CONFIDENTIAL\tPage 1\tDate: 02/03/2026"
    if spec.cover:
        if pack == "derbyshire":
            _bold_paragraph(document, "Child Safeguarding Practice Review")
            document.add_paragraph("Ref: 2025-014")
            document.add_heading("INDIVIDUAL MANAGEMENT REVIEW", level=0)
            document.add_paragraph("(Derbyshire Children’s Services)")
        else:
            document.add_heading("Individual Management Review Report", level=0)
            document.add_paragraph("Bradford Safeguarding Children Board")
            document.add_paragraph("Review reference: 2025-022")
        document.add_paragraph("Author: Jane Walker")
        document.add_paragraph("Date: 20/02/2026")
        document.add_paragraph("RESTRICTED")
        document.add_page_break()
    present = [key for key in order if spec.bodies.get(key, "default") is not None]
    numbering = {key: str(index + 1) for index, key in enumerate(present)} if spec.renumber \
        else numbers
    if spec.contents:
        _bold_paragraph(document, "Contents")
        for key in order:
            document.add_paragraph(f"{numbering.get(key, numbers[key])}. {titles[key]}")
        document.add_page_break()
    if pack == "derbyshire" and spec.heading == "word":
        document.add_heading("INDIVIDUAL MANAGEMENT REVIEW TEMPLATE", level=1)
    for key in order:
        body = spec.bodies.get(key, "default")
        if body is None:
            continue
        if body == "default":
            body = PEOPLE_TEXT[(pack, key)]
        elif body == "guidance":
            body = [("guide", text) for text in GUIDANCE[(pack, key)]]
        _heading(document, spec, numbering[key], titles[key])
        for block in list(body) + list(spec.extra.get(key, [])):
            if isinstance(block, tuple):
                kind, text = block
                if kind == "sub":
                    _subheading(document, spec, text)
                elif kind == "grid":
                    _grid(document)
                elif kind == "guide":
                    document.add_paragraph().add_run(text).italic = True
                continue
            document.add_paragraph(block.replace("{tor}", period))
    if spec.glossary is not None:
        _bold_paragraph(document, "Glossary of abbreviations")
        if spec.glossary_style == "table":
            _pairs_table(document, ("Abbreviation", "Meaning"), spec.glossary)
        else:
            for term, meaning in spec.glossary:
                document.add_paragraph(f"{term} – {meaning}")
    document.add_paragraph()
    signature = spec.signed or "______________________________"
    when = spec.signed_date or "______________________________"
    if spec.signoff == "lines":
        document.add_paragraph(f"Signed (author): {signature}")
        document.add_paragraph(f"Date: {when}")
    elif spec.signoff == "table":
        _bold_paragraph(document, "Sign-off")
        _pairs_table(document, ("Signed", signature), [("Name", "Jane Walker, Service Manager"),
                                                      ("Date", spec.signed_date)])
    elif spec.signoff != "none":
        document.add_paragraph(f"Signed: {spec.signoff}")  # a placeholder as written
        document.add_paragraph(f"Date: {when}")
    return _save(document)


def build_chronology(spec: Chronology) -> bytes:
    document = Document(landscape_docx())
    headed_for = ("Derbyshire Children’s Services" if spec.pack == "derbyshire"
                  else "Bradford Safeguarding Children Board")
    document.sections[0].header.paragraphs[0].text = (
        f"RESTRICTED\t{headed_for} – Individual Management Review ref: 2025-014\t"
        "Date: 02/03/2026")
    document.add_heading("Chronology", level=1)
    document.add_paragraph("Author: Jane Walker")
    document.add_paragraph("Date completed: 02/03/2026")
    if spec.table:
        columns = []
        if spec.number_column:
            columns.append("No.")
        columns.append(spec.date_header)
        if spec.time_column:
            columns.append("Time")
        columns += ["Source of Information/Event", "Activity"]
        if spec.agency_column:
            columns.append("Agency")
        columns.append("Response or Outcome of Activity")
        table = document.add_table(rows=0, cols=len(columns))
        table.style = "Table Grid"
        if spec.title_row:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[-1])
            merged.text = f"CHRONOLOGY – {headed_for.upper()}"
        header = table.add_row().cells
        for cell, title in zip(header, columns, strict=True):
            cell.paragraphs[0].add_run(title).bold = True
        for number, (when, source, activity, outcome) in enumerate(spec.rows, start=1):
            values = []
            if spec.number_column:
                values.append(str(number))
            values.append(written_date(when, spec.date_style))
            if spec.time_column:
                values.append("10:15" if number % 2 else "")
            values += [source, activity]
            if spec.agency_column:
                values.append("Children’s Social Care" if number % 2 else "Health")
            values.append(outcome)
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
        for _ in range(spec.blank_rows):
            table.add_row()
    else:
        for when, source, activity, outcome in spec.rows:
            document.add_paragraph(f"{written_date(when, spec.date_style)} – {source}: "
                                   f"{activity} {outcome}")
    document.add_paragraph()
    if spec.key is not None:
        if spec.key_style == "table":
            document.add_heading("Key to Initials Used", level=2)
            _pairs_table(document, ("Initials", "Role or relationship"), spec.key)
        else:
            _bold_paragraph(document, "Key to Initials Used:")
            for initials, role in spec.key:
                if spec.key_style == "lines_reversed":
                    document.add_paragraph(f"{role} ({initials})")
                else:
                    document.add_paragraph(f"{initials} – {role}")
    if spec.glossary is not None:
        _bold_paragraph(document, "Glossary")
        if spec.glossary_style == "table":
            _pairs_table(document, ("Term", "Meaning"), spec.glossary)
        else:
            for term, meaning in spec.glossary:
                document.add_paragraph(f"{term}: {meaning}")
    return _save(document)


def landscape_docx() -> io.BytesIO:
    from docx.enum.section import WD_ORIENT

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.styles["Normal"].font.size = Pt(10)
    return io.BytesIO(_save(document))


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
