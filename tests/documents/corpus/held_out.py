"""The held-out pairs: written by a second author in another style, with the expected findings
stated by hand beside each (not derived by code), and not looked at while the check was tuned.

Some start from the bot's own templates and fill them in, as most authors will; the others are
written from scratch in layouts the first author never uses ("Part 1:" headings, "Date & Time"
columns, "AB = subject child" keys, signature tables headed across the top).
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_BREAK

from imr_bot.documents.templates import Prefill, build

from .writer import NOT_CHECKED, Pair

TOR = (date(2024, 9, 2), date(2025, 10, 31))
PREFILL = Prefill(reference="DDSCP/CSPR/2025/031", author="R Patel", qa_lead="H Osei",
                  tor_start=TOR[0], tor_end=TOR[1], today=date(2025, 12, 1))

KEY = [("LM", "subject child (aged 6)"), ("TK", "mother"), ("DB", "father, lives separately"),
       ("GF", "maternal grandfather"), ("SW1", "social worker, assessment team"),
       ("SW2", "social worker, safeguarding team")]

ROWS = [  # (date as written, source, activity, outcome)
    ("09/09/2024", "School", "Class teacher noted LM was tired and withdrawn after the summer "
     "holidays.", "Logged on the school's safeguarding system; no referral."),
    ("Tues 1st October 2024 am", "Police", "Domestic incident at the home; TK reported DB "
     "had pushed her; LM was upstairs.", "Notification to the front door; DB arrested and "
     "bailed."),
    ("02/10/2024 at 14:30", "Front door", "Contact screened by the Multi-Agency Safeguarding "
     "Hub (MASH).", "Strategy discussion convened for the next morning."),
    ("3 Oct 2024", "Strategy discussion", "Police, health, school and SW1 attended.",
     "Section 47 enquiry agreed; SW1 to visit the same day."),
    ("03/10/2024 16.15hrs", "Children's social care", "SW1 visited and saw LM alone; LM said "
     "\"daddy shouts\".", "Safety plan agreed with TK; DB not to return home."),
    ("21/10/2024", "Initial Child Protection Conference (ICPC)", "Conference held; TK attended, "
     "DB sent a written statement.", "LM made subject of a plan, category emotional abuse."),
    ("14 November 2024", "Health", "School nurse completed a health assessment with LM.",
     "Bedwetting noted; referred to the enuresis clinic."),
    ("6th January 2025", "Children's social care", "Case transferred from SW1 to SW2.",
     "Joint handover visit completed with TK and GF."),
    ("20/01/2025", "Core group", "Core group met at school; GF attended for the first time.",
     "GF offered after-school care three days a week."),
    ("17 March 2025", "Police", "DB breached bail conditions by attending the address.",
     "DB recalled; TK supported to apply for a non-molestation order."),
    ("14/04/2025", "Review conference", "Review Child Protection Conference (RCPC) held.",
     "Plan continued; progress noted in school."),
    ("2 June 2025", "Children's social care", "SW2 completed direct work with LM using the "
     "three houses tool.", "LM's views shared with the core group."),
]

REPORT_TEXT = {
    "introduction": ["This review was written by R Patel, a service manager with no "
                     "involvement in the case and no line management of the staff involved."],
    "terms of reference": ["The terms of reference cover the period from September 2024 to "
                           "the end of October 2025 and ask how well the service heard LM."],
    "methodology": ["The author read the case record and conference minutes and interviewed "
                    "SW1 and SW2 in November 2025."],
    "summary": ["LM lives with TK; DB left the home after the October incident and GF has "
                "become the family's main support."],
    "analysis": ["Once the Multi-Agency Safeguarding Hub (MASH) received the police "
                 "notification, the response was timely and proportionate.",
                 "LM was seen alone on every statutory visit and the child's words were "
                 "recorded in the case notes."],
    "lessons": ["Direct work by SW2 was of a high standard and gave LM a voice at conference."],
    "recommendations": ["The front door should record the school's view before screening a "
                        "domestic abuse notification."],
    "contacts": ["The chronology records each contact between September 2024 and October "
                 "2025."],
    "journey": ["For LM, the year was marked by a frightening night in October and a slow "
                "return to feeling safe with TK and GF."],
    "learn": ["Hearing from LM directly changed the plan; the service should make this the "
              "norm from the first visit."],
    "action": ["The action plan sets out three actions for the front door and the conference "
               "service, with owners and dates."],
}
DERBYSHIRE = [("introduction", "Introduction"), ("terms of reference", "Terms of Reference"),
              ("methodology", "Methodology"), ("summary", "Summary of Agency Involvement"),
              ("analysis", "Analysis of Involvement"),
              ("lessons", "Effective Practice / Lessons Learnt"),
              ("recommendations", "Recommendations")]
BRADFORD = [("introduction", "Introduction"), ("methodology", "Methodologies"),
            ("contacts", "Chronology of Contacts"), ("journey", "The Child\u2019s Journey"),
            ("analysis", "Analysis"), ("learn", "What do we learn from this case?"),
            ("action", "Recommendations for Action Plan")]


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- filling in the bot's own templates ----------------------------------------------------------
def _filled_template(pack: str, *, drop: str = "", sign: str = "R Patel", when: str = "01/12/2025",
                     keep_guidance: bool = False, empty: str = "") -> bytes:
    document = Document(io.BytesIO(build("imr", pack, PREFILL)))
    body = document.element.body
    paragraphs = list(document.paragraphs)
    sections = dict(DERBYSHIRE if pack == "derbyshire" else BRADFORD)
    current = None
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.startswith("Heading 1"):
            current = next((k for k, title in sections.items()
                            if title.split()[0].lower() in text.lower()
                            and _same(title, text)), None)
            if current and current == drop:
                body.remove(paragraph._p)
                continue
            if current and current != empty:
                for line in REPORT_TEXT[current]:
                    paragraph = _after(paragraph, line)
            continue
        if current == drop and current:
            body.remove(paragraph._p)
            continue
        if any(r.italic for r in paragraph.runs) and not keep_guidance:
            body.remove(paragraph._p)
        elif text.startswith("Signed (author):") and sign:
            paragraph.text = f"Signed (author): {sign}"
        elif text.startswith("Date: ___") and when:
            paragraph.text = f"Date: {when}"
    return _bytes(document)


def _same(title: str, heading: str) -> bool:
    def words(t):
        return [w for w in t.lower().replace("/", " ").replace("\u2019", "'").split()
                if w.isalpha() or "'" in w]
    return words(title) == [w for w in words(heading) if not w.isdigit()]


def _after(paragraph, text: str):
    from docx.text.paragraph import Paragraph

    new = paragraph._p.makeelement(paragraph._p.tag, {})
    paragraph._p.addnext(new)
    created = Paragraph(new, paragraph._parent)
    created.add_run(text)
    return created


def _filled_chronology(rows=ROWS, key=KEY) -> bytes:
    document = Document(io.BytesIO(build("chronology", "derbyshire", PREFILL)))
    table, key_table = document.tables[0], document.tables[1]
    while len(table.rows) - 1 < len(rows):
        table.add_row()
    for row, values in zip(table.rows[1:], rows, strict=False):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    while len(key_table.rows) - 1 < len(key):
        key_table.add_row()
    for row, (initials, who) in zip(key_table.rows[1:], key, strict=False):
        row.cells[0].text, row.cells[1].text = initials, who
    return _bytes(document)


# -- written from scratch ------------------------------------------------------------------------
def _scratch_report(pack: str, *, heading=lambda n, t: f"Part {n}: {t}", style="Heading 2",
                    signoff=("Report author signature: R Patel", "Date signed: 1 December 2025"),
                    extra: dict | None = None, empty: str = "", glossary=None,
                    cover_date: bool = True, caps_bold: bool = False) -> bytes:
    document = Document()
    document.add_paragraph("Individual Management Review", style="Heading 1")
    document.add_paragraph("Prepared for the safeguarding partnership")
    if cover_date:
        document.add_paragraph("Date: 01/11/2025")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    sections = DERBYSHIRE if pack == "derbyshire" else BRADFORD
    for number, (key, title) in enumerate(sections, start=1):
        text = heading(number, title)
        if caps_bold:
            document.add_paragraph().add_run(text.upper()).bold = True
        else:
            document.add_paragraph(text, style=style)
        if key == empty:
            continue
        for line in REPORT_TEXT[key] + (extra or {}).get(key, []):
            document.add_paragraph(line)
    if glossary:
        document.add_paragraph("Abbreviations used", style=style)
        table = document.add_table(rows=len(glossary), cols=2)
        for row, (term, meaning) in zip(table.rows, glossary, strict=True):
            row.cells[0].text, row.cells[1].text = term, meaning
    document.add_paragraph("")
    if isinstance(signoff, tuple):
        for line in signoff:
            document.add_paragraph(line)
    else:
        signoff(document)
    return _bytes(document)


def _scratch_chronology(rows=ROWS, *, header=("Date & Time", "Agency/Source", "What happened",
                                              "Outcome/Action taken"),
                        key_lines=True, title_row: str = "", number_column: bool = False,
                        key=KEY) -> bytes:
    document = Document()
    document.add_paragraph("CHRONOLOGY", style="Heading 1")
    columns = (["No."] if number_column else []) + list(header)
    table = document.add_table(rows=(1 if title_row else 0) + 1 + len(rows), cols=len(columns))
    table.style = "Table Grid"
    first = 0
    if title_row:
        table.rows[0].cells[0].merge(table.rows[0].cells[-1]).text = title_row
        first = 1
    for cell, name in zip(table.rows[first].cells, columns, strict=True):
        cell.text = name
    for number, (row, values) in enumerate(zip(table.rows[first + 1:], rows, strict=True), 1):
        values = ([str(number)] if number_column else []) + list(values)
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph()
    if key is None:
        pass
    elif key_lines:
        document.add_paragraph("Key:", style="Heading 2")
        for initials, who in key:
            document.add_paragraph(f"{initials} = {who}")
    else:
        document.add_paragraph("Key to Initials Used", style="Heading 2")
        table = document.add_table(rows=len(key), cols=2)
        for row, (initials, who) in zip(table.rows, key, strict=True):
            row.cells[0].text, row.cells[1].text = initials, who
    document.add_paragraph("Completed by the report author from the electronic case record.")
    return _bytes(document)


def _signature_table(document) -> None:
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Signature", "Print name", "Date"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("R Patel", "R PATEL", "12.03.2025"), strict=True):
        cell.text = text


def _one_line_unsigned(document) -> None:
    document.add_paragraph("Signed: ____________________    Date: ____________")


def _swapped(rows, first: int):
    rows = list(rows)
    a, b = rows[first], rows[first + 1]
    rows[first], rows[first + 1] = (b[0], *a[1:]), (a[0], *b[1:])
    return rows


def _replaced(rows, index: int, written: str):
    rows = list(rows)
    rows[index] = (written, *rows[index][1:])
    return rows


def _with(rows, index: int, column: int, extra: str):
    rows = list(rows)
    values = list(rows[index])
    values[column] += extra
    rows[index] = tuple(values)
    return rows


def pairs() -> list[Pair]:
    def pair(name, pack, report, chronology, expected, tor=TOR):
        return Pair(name, pack, tor, report, chronology, frozenset(expected), held_out=True)

    n = NOT_CHECKED
    return [
        pair("h-derbyshire-template-filled-clean", "derbyshire", _filled_template("derbyshire"),
             _filled_chronology(), set()),
        pair("h-bradford-template-drop-section-unsigned", "bradford",
             _filled_template("bradford", drop="learn", sign=""), _filled_chronology(),
             {("report.section_missing", "What do we learn from this case?"),
              ("report.signed", "")}),
        pair("h-derbyshire-part-headings-clean", "derbyshire", _scratch_report("derbyshire"),
             _scratch_chronology(), set()),
        pair("h-bradford-caps-section-empty-analysis-ambiguous", "bradford",
             _scratch_report("bradford", heading=lambda n, t: f"Section {n + 8} \u2013 {t}:",
                             caps_bold=True, empty="analysis",
                             extra={"journey": ["The author must review the information in "
                                                "the comprehensive chronology and produce a "
                                                "report."]}),
             _scratch_chronology(_replaced(ROWS, 4, "3/10/24")),
             {("report.section_empty", "Analysis"), ("chronology.dates_ambiguous", "5")}),
        pair("h-derbyshire-unkeyed-and-cp", "derbyshire",
             _scratch_report("derbyshire", heading=lambda n, t: f"{n}) {t}",
                             extra={"analysis": ["The CP plan was reviewed on time."]}),
             _scratch_chronology(_with(ROWS, 8, 2, " RT, a family friend, also attended."),
                                 key_lines=False),
             {("chronology.initials", "RT"), ("report.abbreviations", "CP")}),
        pair("h-bradford-merged-title-order-outside-signature-table", "bradford",
             _scratch_report("bradford", heading=lambda n, t: t, signoff=_signature_table),
             _scratch_chronology(_swapped(_replaced(ROWS, 0, "15/07/2024 10:00"), 6),
                                 title_row="Chronology of involvement", number_column=True,
                                 header=("DATE", "SOURCE OF INFORMATION/EVENT", "ACTIVITY",
                                         "RESPONSE OR OUTCOME OF ACTIVITY")),
             {("chronology.outside_tor", "1"), ("chronology.dates_order", "8")}),
        pair("h-derbyshire-no-key-glossary-table", "derbyshire",
             _scratch_report("derbyshire", glossary=[("ICPC", "Initial Child Protection "
                                                              "Conference")]),
             _scratch_chronology(key=None),
             {("chronology.key", ""), ("chronology.initials", n), ("report.initials", n)}),
        pair("h-bradford-own-columns-not-found", "bradford", _scratch_report("bradford"),
             _scratch_chronology(header=("When", "Who", "What", "Then")),
             {("chronology.table", ""), ("chronology.dates_unreadable", n),
              ("chronology.dates_ambiguous", n), ("chronology.dates_order", n),
              ("chronology.outside_tor", n), ("chronology.initials", n),
              ("chronology.abbreviations", n)}),
        pair("h-derbyshire-one-line-unsigned-body-signed-off", "derbyshire",
             _scratch_report("derbyshire", signoff=_one_line_unsigned,
                             extra={"analysis": ["Signed off by the service manager on 4 "
                                                 "March 2025, the plan was shared with TK."]}),
             _scratch_chronology(), {("report.signed", ""), ("report.dated", "")}),
        pair("h-bradford-abbreviations-and-stranger", "bradford",
             _scratch_report("bradford", extra={
                 "analysis": ["A LADO-led meeting was not needed.",
                              "A special guardianship order (SGO) was considered for GF.",
                              "LM (the subject child) told SW2 that XY from next door "
                              "shouted too."]},
                 glossary=[("NFA", "no further action")]),
             _scratch_chronology(), {("report.abbreviations", "LADO"),
                                     ("report.initials", "XY")}),
        pair("h-derbyshire-template-month-and-invalid-dates", "derbyshire",
             _filled_template("derbyshire"),
             _filled_chronology(_replaced(_replaced(ROWS, 6, "November 2024"), 9,
                                          "31/06/2025")),
             {("chronology.dates_ambiguous", "7"), ("chronology.dates_unreadable", "10")}),
    ]


# -- a second held-out round, written after the first was measured and fixed --------------------
def _doc_with(paragraphs, style="Heading 1"):
    document = Document()
    for kind, text in paragraphs:
        if kind == "h":
            document.add_paragraph(text, style=style)
        elif kind == "toc":  # a contents list typed by hand
            document.add_paragraph(text)
        elif kind == "b":
            document.add_paragraph().add_run(text).bold = True
        else:
            document.add_paragraph(text)
    return document


def _table(document, rows):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    return table


def _derbyshire_round2(signoff_table: bool, extra_analysis: list[str]) -> bytes:
    titles = ["1\tINTRODUCTION", "2\tTERMS OF REFERENCE", "3\tMETHODOLOGY",
              "6\tSUMMARY OF AGENCY INVOLVEMENT", "7\tANALYSIS OF INVOLVEMENT",
              "8\tEFFECTIVE PRACTICE/LESSONS LEARNT", "9\tRECOMMENDATIONS"]
    keys = [k for k, _ in DERBYSHIRE]
    parts = [("p", "Child Safeguarding Practice Review"), ("p", "Ref: DDSCP/CSPR/2025/031"),
             ("p", "Author: R Patel"), ("p", "Date: 01/03/2026")]
    for title, key in zip(titles, keys, strict=True):
        parts.append(("h", title))
        parts += [("p", line) for line in REPORT_TEXT[key]]
        if key == "analysis":
            parts += [("p", line) for line in extra_analysis]
    parts += [("b", "Abbreviations:"), ("p", "HV - Health Visitor"),
              ("p", "ICPC - Initial Child Protection Conference")]
    document = _doc_with(parts)
    if signoff_table:
        _table(document, [["Signed: R Patel", "Date: 4 March 2026"]])
    else:
        document.add_paragraph("Signature \u2026\u2026\u2026\u2026\u2026\u2026")
        document.add_paragraph("Date \u2026\u2026\u2026\u2026\u2026")
    return _bytes(document)


def _chronology_round2(rows, *, key_before=True, split_header=False) -> bytes:
    document = Document()
    document.add_paragraph("Chronology of involvement", style="Heading 1")
    key = [["Initials", "Relationship to child"], *[[i, w] for i, w in KEY],
           ["HV", "health visitor"]]
    if key_before:
        _table(document, key)
        document.add_paragraph()
    header = ["Date", "Time", "Agency", "Source of Information/Event", "Activity",
              "Response or Outcome of Activity"]
    body = [[r[0], "", "Children's Services", *r[1:]] for r in rows]
    if split_header:  # Word split the table: the headings in one, the entries in the next
        _table(document, [header])
        _table(document, body)
    else:
        _table(document, [header, *body])
    if not key_before:
        document.add_paragraph("Key to Initials Used", style="Heading 2")
        _table(document, key)
    return _bytes(document)


def _bradford_round2(*, analysis_guidance_only: bool, signoff) -> bytes:
    parts = [("toc", "Contents")]
    parts += [("toc", title) for _k, title in BRADFORD]
    numbers = ["2", "3", "9", "10", "11", "12", "13"]
    for (key, title), number in zip(BRADFORD, numbers, strict=True):
        parts.append(("h", f"SECTION {number} \u2013 {title.upper()}:"))
        if key == "analysis" and analysis_guidance_only:
            parts += [("p", "The author must review the information in the comprehensive "
                            "chronology and produce a report. All abbreviations and acronyms "
                            "should be fully explained."),
                      ("p", "- Were senior managers or other organisations and professionals "
                            "involved at points where they should have been?"),
                      ("p", "- Was there sufficient management accountability for decision "
                            "making?")]
            continue
        parts += [("p", line) for line in REPORT_TEXT[key]]
    document = _doc_with(parts, style="Heading 2")
    if signoff:
        for line in signoff:
            document.add_paragraph(line)
    return _bytes(document)


def _analysis_table_report() -> bytes:
    document = Document(io.BytesIO(_bradford_round2(analysis_guidance_only=True, signoff=None)))
    # the author answered the analysis questions in a table instead
    for paragraph in list(document.paragraphs):
        if paragraph.text.startswith(("The author must review", "- Were senior",
                                      "- Was there sufficient")):
            paragraph._p.getparent().remove(paragraph._p)
    heading = next(p for p in document.paragraphs if "ANALYSIS" in p.text)
    table = _table(document, [["Key line of enquiry", "Findings"],
                              ["Was LM's voice heard?", "Yes, from the first visit by SW1."],
                              ["Was the plan timely?", "The conference met within timescale."]])
    heading._p.addnext(table._tbl)
    document.add_paragraph("Signed (author): R Patel")
    document.add_paragraph("Date: 02/03/2026")
    return _bytes(document)


ROUND2_ROWS = _replaced(_replaced(_replaced(ROWS, 2, "02/10/2024 (10.30am)"), 7,
                                  "w/c 06/01/2025"), 9, "17/03/2025 - 18/03/2025")


def round_two() -> list[Pair]:
    def pair(name, pack, report, chronology, expected):
        return Pair(name, pack, TOR, report, chronology, frozenset(expected), held_out=True)

    return [
        pair("r2-derbyshire-seed-numbers-abbreviations-lines", "derbyshire",
             _derbyshire_round2(True, ["NFA \u2013 no further action \u2013 was recorded at "
                                       "the second contact.",
                                       "The Local Authority Designated Officer (LADO) was not "
                                       "involved."]),
             _chronology_round2(ROUND2_ROWS), set()),
        pair("r2-derbyshire-ellipsis-signoff-and-aunt", "derbyshire",
             _derbyshire_round2(False, ["PQ, the subject child's aunt, was not asked for her "
                                        "view."]),
             _chronology_round2(ROWS, key_before=False),
             {("report.signed", ""), ("report.dated", ""), ("report.initials", "PQ")}),
        pair("r2-bradford-guidance-only-analysis", "bradford",
             _bradford_round2(analysis_guidance_only=True,
                              signoff=("Signed (author): R Patel", "Date: 02/03/2026")),
             _chronology_round2(_replaced(_replaced(ROWS, 3, "05/13/2025"), 8,
                                          "Early April 2025")),
             {("report.section_empty", "Analysis"), ("chronology.dates_ambiguous", "4"),
              ("chronology.dates_ambiguous", "9")}),
        pair("r2-bradford-analysis-as-a-table", "bradford", _analysis_table_report(),
             _chronology_round2(ROWS), set()),
        pair("r2-split-header-table", "derbyshire", _derbyshire_round2(True, []),
             _chronology_round2(ROWS, split_header=True), set()),
    ]
