"""Builds the fresh corpus's documents in memory, the ways authors lay them out in Word."""

from __future__ import annotations

import io

from docx import Document

DERBYSHIRE = ["Introduction", "Terms of Reference", "Methodology", "Summary of Agency Involvement",
              "Analysis of Involvement", "Effective Practice/Lessons Learnt", "Recommendations"]
BRADFORD = ["Introduction", "Methodologies", "Chronology of Contacts", "The Child's Journey",
            "Analysis", "What do we learn from this case?", "Recommendations for Action Plan"]

BODY = {
    "Introduction": "This review was completed by the author (JT), a service manager in the "
                    "fostering service with no line management of the practitioners involved. "
                    "The subject child (AB) lived with her mother (CD).",
    "Terms of Reference": "The review covers the period set by the partnership panel. The panel "
                          "asked for a focus on how neglect was recognised and on the response "
                          "to missed health appointments.",
    "Methodology": "The author read the case file in full and interviewed the allocated social "
                   "worker and the team manager. Supervision notes were also read.",
    "Methodologies": "The author read the electronic case record, the strategy meeting minutes "
                     "and supervision notes, and met the two practitioners involved.",
    "Summary of Agency Involvement": "Children's services were involved for eleven months. "
                                     "Three referrals were received, two from school.",
    "Chronology of Contacts": "The chronology is attached and should be read with this report. "
                              "It lists every contact in the period.",
    "The Child's Journey": "AB is a girl of mixed heritage who speaks English and Polish at "
                           "home. She moved school twice in the year and was often late.",
    "Analysis of Involvement": "The second referral was not linked to the first, so the pattern "
                               "of missed appointments was seen late. Supervision did not "
                               "challenge the plan when it drifted.",
    "Analysis": "Practitioners knew of the neglect but treated each incident on its own. The "
                "decision to close the case in June was not tested against the earlier history.",
    "Effective Practice/Lessons Learnt": "The school's designated lead recorded concerns well. "
                                         "The lesson is that repeat referrals need to be read "
                                         "together.",
    "What do we learn from this case?": "Repeat referrals must be read as a history, not one "
                                        "by one. The school's record keeping was a strength.",
    "Recommendations": "1. Team managers review every third referral in a year with the "
                       "history in front of them. 2. Supervision records state the plan's "
                       "progress.",
    "Recommendations for Action Plan": "The service will audit repeat referrals each quarter and "
                                       "report to the panel by March; the action plan is "
                                       "attached.",
}

CHRONOLOGY_HEADER = ["Date", "Source of Information/Event", "Activity",
                     "Response or Outcome of Activity"]

ROWS = [
    ("14/01/2025", "School", "Designated lead reports AB arriving hungry.",
     "Advice given; school to monitor."),
    ("03/03/2025", "Children's Social Care", "Referral received about home conditions.",
     "Assessment started by SW1."),
    ("20/04/2025", "Health", "AB missed a second dental appointment.", "Letter sent to CD."),
    ("12/06/2025", "Children's Social Care", "Assessment completed; CD engaged.",
     "Case closed with advice."),
    ("02/09/2025", "School", "AB late on eight days in September.", "Meeting held with CD."),
    ("17/11/2025", "Police", "Welfare visit after a neighbour called.",
     "Referral made to children's social care."),
]

KEY = [("AB", "subject child"), ("CD", "mother"), ("SW1", "allocated social worker"),
       ("JT", "report author")]


def _heading(doc, text, number, style):
    if style == "heading":
        doc.add_heading(text, level=1)
    elif style == "bold":
        doc.add_paragraph().add_run(f"{number}. {text}").bold = True
    elif style == "caps":
        doc.add_paragraph(f"{number}\t{text.upper()}")
    elif style == "section":
        doc.add_paragraph().add_run(f"SECTION {number} – {text.upper()}:").bold = True
    elif style == "numbered":
        doc.add_paragraph(text, style="List Number").runs[0].bold = True


def report(pack, *, style="heading", sections=None, bodies=None, signoff="lines",
           signature="JT", signed_date="14/11/2025", extra=None, glossary=None):
    """A report: a cover, the pack's sections (names may be changed, dropped or left empty), an
    optional glossary, and a sign-off as lines or a table."""
    doc = Document()
    doc.add_paragraph("RESTRICTED")
    doc.add_paragraph("Individual Management Review – ref 2025/014")
    doc.add_paragraph("Date: 01/12/2025")
    names = list(sections if sections is not None else
                 (DERBYSHIRE if pack == "derbyshire" else BRADFORD))
    bodies = bodies or {}
    for number, name in enumerate(names, start=1):
        title = name.split("|")[-1]
        _heading(doc, title, number, style)
        body = bodies.get(name.split("|")[0], BODY.get(name.split("|")[0], "See attached."))
        for line in ([body] if isinstance(body, str) else body):
            if line:
                doc.add_paragraph(line)
    for line in extra or []:
        doc.add_paragraph(line)
    if glossary:
        doc.add_heading("Glossary", level=2)
        for term, meaning in glossary:
            doc.add_paragraph(f"{term} – {meaning}")
    if signoff == "lines":
        doc.add_paragraph(f"Signed (author): {signature}")
        doc.add_paragraph(f"Date: {signed_date}")
    elif signoff == "table":
        table = doc.add_table(rows=2, cols=2)
        for i, (label, value) in enumerate((("Signed", signature), ("Date", signed_date))):
            table.cell(i, 0).text = label
            table.cell(i, 1).text = value
    elif signoff == "next_line":
        for line in ("Signed (author):", signature, "Date:", signed_date):
            doc.add_paragraph(line)
    elif signoff == "one_line":
        doc.add_paragraph(f"Signature: {signature}    Date: {signed_date}")
    return _bytes(doc)


def chronology(*, rows=None, header=None, key=None, key_style="table", title_row=False,
               split=False, as_paragraphs=False, glossary=None, numbered=False,
               key_first=False):
    """A chronology: a heading line, the table (or, wrongly, paragraphs), and the Key to
    Initials Used as a table or lines."""
    doc = Document()
    doc.add_paragraph("RESTRICTED  Derbyshire Children's Services – Individual Management Review "
                      "ref: 2025/014")
    key = KEY if key is None else key
    if key_first:
        _key(doc, key, key_style)
    rows = list(ROWS if rows is None else rows)
    header = list(header or CHRONOLOGY_HEADER)
    if numbered:
        header = ["No."] + header
        rows = [(str(i),) + tuple(r) for i, r in enumerate(rows, start=1)]
    if as_paragraphs:
        for row in rows:
            doc.add_paragraph(" – ".join(row))
    else:
        parts = [rows[:3], rows[3:]] if split else [rows]
        for index, part in enumerate(parts):
            table = doc.add_table(rows=0, cols=len(header))
            table.style = "Table Grid"
            if title_row and index == 0:
                cells = table.add_row().cells
                cells[0].merge(cells[-1]).text = "CHRONOLOGY OF INVOLVEMENT"
            if index == 0 or split == "repeat_header":
                cells = table.add_row().cells
                for i, h in enumerate(header):
                    cells[i].text = h
            for row in part:
                cells = table.add_row().cells
                for i, value in enumerate(row):
                    cells[i].text = value
            if split and index == 0:
                doc.add_paragraph("")
    if not key_first:
        _key(doc, key, key_style)
    if glossary:
        doc.add_paragraph("Abbreviations used")
        for term, meaning in glossary:
            doc.add_paragraph(f"{term}: {meaning}")
    return _bytes(doc)


def _key(doc, key, key_style):
    doc.add_paragraph("Key to Initials Used:")
    if key_style == "table" and key:
        table = doc.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Initials"
        table.rows[0].cells[1].text = "Role"
        for initials, role in key:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = initials, role
    elif key_style == "lines":
        for initials, role in key:
            doc.add_paragraph(f"{initials} – {role}")
    elif key_style == "role_first":
        for initials, role in key:
            doc.add_paragraph(f"{role.capitalize()} ({initials})")


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
