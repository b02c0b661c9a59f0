"""Writes one report and chronology pair the way an author might in Word, and states, from the
seeds and docs/document-check.md alone, the findings a correct check reports on it.

Written before the checker's code was read, so the layouts and the expectations are not shaped
by how the checker reads. A finding is (code, item): the section's name, the row number, the
initials, the term, or "" for a check with one item; a check that cannot run is
(code, "not checked")."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

# Abbreviations an author might use, with the words that spell them.
TERMS = {
    "NFA": "no further action",
    "MASH": "Multi-Agency Safeguarding Hub",
    "ICPC": "Initial Child Protection Conference",
    "RCPC": "Review Child Protection Conference",
    "CAMHS": "Child and Adolescent Mental Health Services",
    "LADO": "Local Authority Designated Officer",
    "MARAC": "Multi-Agency Risk Assessment Conference",
    "GP": "general practitioner",
    "PLO": "Public Law Outline",
    "EHCP": "Education, Health and Care Plan",
}
# Capitals that are neither initials nor terms by the contract.
ALLOWED_CAPS = {"IMR", "CSPR", "DDSCP", "NOT", "QA", "TBC",
                "NEVER", "DON", "WANT", "TO", "GO", "HOME"}  # emphasis and a shout


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def written(d: date, style: str) -> str:
    """A date as a British author might type it."""
    month, mon = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    forms = {
        "iso": d.isoformat(),
        "dmy": d.strftime("%d/%m/%Y"),
        "dmy1": f"{d.day}/{d.month}/{d.year}",
        "dot": f"{d.day}.{d.month}.{d.year}",
        "dash": d.strftime("%d-%m-%Y"),
        "long": f"{d.day} {month} {d.year}",
        "ord": f"{ordinal(d.day)} {month} {d.year}",
        "weekday": f"{d.strftime('%A')} {ordinal(d.day)} {month} {d.year}",
        "short": f"{d.day} {mon} {d.year}",
        "us": f"{month} {ordinal(d.day)}, {d.year}",
        "usabbr": f"{mon} {d.day}, {d.year}",
        "time24": d.strftime("%d/%m/%Y") + " 14:30",
        "timehrs": d.strftime("%d/%m/%Y") + " 09.15hrs",
        "ordshort": f"{ordinal(d.day)} {mon} {d.year}",
        "wkshort": f"{d.strftime('%a')} {d.day} {month} {d.year}",
        "at": f"{d.day}/{d.month}/{d.year} at 10am",
        "dmy0": f"{d.day:02d}.{d.month:02d}.{d.year}",
        "sept": f"{d.day} {'Sept' if d.month == 9 else mon} {d.year}",
        "wknum": f"{d.strftime('%a')} {d.strftime('%d/%m/%Y')}",
        "newline": d.strftime("%d/%m/%Y") + "\n15:45",
        "pm": f"{d.day} {month} {d.year}, 2pm",
    }
    return forms[style]


@dataclass
class Row:
    """One chronology row: `day` is the date a reader takes from `date_text` (None when it does not
    read one way); `kind` is ok, ambiguous, unreadable, divider or blank."""
    date_text: str
    source: str = ""
    activity: str = ""
    outcome: str = ""
    day: date | None = None
    kind: str = "ok"
    time: str = ""
    reason: str = ""  # why an entry outside the terms of reference is there


@dataclass
class Cast:
    child: str
    mother: str
    partner: str
    worker: str
    manager: str
    health: str
    aunt: str

    def roles(self) -> list[tuple[str, str]]:
        return [(self.child, "subject child"), (self.mother, "mother"),
                (self.partner, "mother's partner"), (self.worker, "allocated social worker"),
                (self.manager, "team manager"), (self.health, "health visitor")]


@dataclass
class Spec:
    """How one pair is written, and what is wrong with it."""
    name: str
    pack: str
    tor: tuple[date, date]
    cast: Cast
    rows: list[Row]
    heading: str = "style"           # style, custom, bold, caps, allcaps, list, box
    numbering: str = "seed"          # seed, dot, zero, none, section, tab
    names: dict[str, str] = field(default_factory=dict)   # section -> as the author titled it
    drop: tuple[str, ...] = ()
    empty: dict[str, str] = field(default_factory=dict)   # section -> nothing, guidance, tbc
    decoy_analysis: bool = False
    signoff: str = "lines"
    signed_off_sentence: bool = False
    cover_date: bool = True
    key: str = "table"               # table, headed, lines, mixed, before, none, empty
    key_omit: tuple[str, ...] = ()   # initials the key leaves out
    glossary: str = ""               # "", chron_lines, chron_table, report_table, report_lines
    glossary_terms: tuple[str, ...] = ()
    columns: str = "seed"            # seed, caps, merged, extra, order, split, split_header,
    #                                   headings_table, renamed, blanks
    report_terms: dict[str, str] = field(default_factory=dict)  # term -> bare/before/after
    aunt_in_report: str = ""         # "", bare, introduced, report_key
    emphasis: bool = False
    no_table: bool = False
    expected_extra: set = field(default_factory=set)
    dotted: str = ""                 # "", rows, key, both: initials written A.B.
    contents: bool = False           # a contents list before the sections
    front_sheet: bool = False        # a details table before the chronology
    only_table: tuple[str, ...] = ()  # sections whose only content is a table
    only_subheading: tuple[str, ...] = ()  # sections with a subheading and nothing else
    picture_signature: bool = False
    glossary_title: bool = False     # "Glossary of terms", lines with a hyphen
    nbsp: bool = False               # Word's non-breaking spaces in dates and headings
    header_breaks: bool = False      # column headings wrapped with line breaks
    list_recommendations: bool = False  # recommendations in Word's numbered list
    bold_body: bool = False          # a bold sentence in the body that is not a heading
    straight: bool = False           # straight apostrophes throughout
    appendices_after_signoff: bool = False  # the glossary and an action plan after the sign-off


# ---------------------------------------------------------------- report
DERBYSHIRE = ["Introduction", "Terms of Reference", "Methodology", "Summary of Agency Involvement",
              "Analysis of Involvement", "Effective Practice/Lessons Learnt", "Recommendations"]
DERBYSHIRE_NUMBERS = [1, 2, 3, 6, 7, 8, 9]
BRADFORD = ["Introduction", "Methodologies", "Chronology of Contacts", "The Child's Journey",
            "Analysis", "What do we learn from this case?", "Recommendations for Action Plan"]
BRADFORD_NUMBERS = [2, 3, 9, 10, 11, 12, 13]

GUIDANCE = {
    "Methodology": "Record the methodology used including extent of document review and "
                   "interviews undertaken.",
    "Recommendations": "Recommendations should be focussed on the key findings of the IMR and be "
                       "specific about the outcome which they are seeking.",
    "Effective Practice/Lessons Learnt": "Summarise concisely, and with evidence, the effective "
                                         "practice that you have identified and any lessons that "
                                         "can be learnt",
    "The Child's Journey": "The Child's story/journey must take into consideration issues of "
                           "race, culture, disability, gender and local context and, if relevant, "
                           "a description of the community.",
    "What do we learn from this case?": "This section will inform the subsequent section on "
                                        "recommendations for action.",
    "Methodologies": "Please list sources of information that your agency has used to compile "
                     "your report here",
    "Recommendations for Action Plan": "Recommendations for Action using the action plan "
                                       "template",
}


def _bodies(spec: Spec, term) -> dict[str, list[str]]:
    c = spec.cast
    child, mother, partner, sw, tm = c.child, c.mother, c.partner, c.worker, c.manager
    common = {
        "Introduction": [
            "This review was completed by a Service Manager in the Children in Care service, "
            "who has had no involvement with the family and no line management responsibility "
            "for the staff involved (imr.author@example.gov.uk).",
            f"The review concerns {child}, aged seven at the time of the incident, who lived with "
            f"{child}’s mother {mother} and her partner {partner}."],
        "Methodology": [
            "The author read the electronic case record for the whole period, the "
            "supervision notes and the minutes of each conference and core group.",
            f"Interviews were held with {sw} and with {tm}; both agreed the notes of interview."],
        "Analysis": [
            f"The referral in the spring was handled promptly, but the assessment that followed "
            f"relied on {mother}’s account and did not include a conversation with {child} alone "
            "until the third visit.",
            "Information from the school about attendance was available but was not weighed "
            "alongside the police notifications, so the cumulative picture of neglect was missed."],
        "Lessons": [
            f"{sw} built a trusting relationship with {child}, and the direct work recorded in "
            "the summer is a model of how a child’s wishes and feelings can be captured.",
            "Supervision did not test the assessment's conclusions; reflective supervision "
            "would have helped."],
        "Recommendations": [
            "1. Team managers should confirm in supervision that each child subject to an "
            "assessment has been seen alone, within three months.",
            "2. The service should review how police notifications are collated on the record."],
    }
    bodies = {
        "Introduction": common["Introduction"],
        "Terms of Reference": [
            "The review covers the period set out in the terms of reference and considers "
            "the response of children’s services to concerns of neglect and domestic abuse."],
        "Methodology": common["Methodology"],
        "Methodologies": common["Methodology"],
        "Summary of Agency Involvement": [
            f"Children’s services were involved with {child} throughout the period, first "
            "through early help and then under a child protection plan."],
        "Analysis of Involvement": common["Analysis"],
        "Analysis": common["Analysis"],
        "Effective Practice/Lessons Learnt": common["Lessons"],
        "What do we learn from this case?": common["Lessons"],
        "Recommendations": common["Recommendations"],
        "Recommendations for Action Plan": common["Recommendations"],
        "Chronology of Contacts": [
            "The chronology of contacts is filed with this report and should be read alongside "
            "it; the key events are summarised below.",
            f"Between the spring and the autumn there were eleven contacts concerning {child}."],
        "The Child's Journey": [
            f"{child} is a white British child whose first language is English. {child} was "
            "described by school as quiet and eager to please, and often arrived hungry.",
            f"{child}’s own account, given in the summer, was that home was frightening when "
            f"{partner} had been drinking."],
    }
    extra = []
    for t, form in spec.report_terms.items():
        extra.append(f"The case was discussed with the {term(t, form)} during the period.")
    if extra:
        first = "Analysis of Involvement" if spec.pack == "derbyshire" else "Analysis"
        if first in spec.drop or first in spec.empty:
            first = "Introduction"
        bodies[first] = bodies[first] + extra
    if spec.aunt_in_report == "bare":
        bodies["Methodology" if spec.pack == "derbyshire" else "Methodologies"] = [
            *common["Methodology"], f"The author also spoke with {c.aunt} about the family."]
    elif spec.aunt_in_report in ("introduced", "report_key"):
        who = f"{c.aunt} (maternal aunt)" if spec.aunt_in_report == "introduced" else c.aunt
        bodies["Methodology" if spec.pack == "derbyshire" else "Methodologies"] = [
            *common["Methodology"], f"The author also spoke with {who} about the family."]
    if spec.emphasis:
        bodies["Introduction"] = [*bodies["Introduction"],
                                  "The child protection plan was NOT reviewed within timescale."]
    if spec.signed_off_sentence:
        bodies["Introduction"] = [*bodies["Introduction"],
                                  "The report was signed off by the Head of Service before "
                                  "submission to the partnership."]
    return bodies


class _Doc:
    def __init__(self, straight: bool = False):
        self.straight = straight
        self.doc = Document()
        self._custom = None
        self.recording = False
        self.texts: list[str] = []

    def heading(self, text: str, how: str, level: int = 1):
        doc = self.doc
        text = text.replace("’", "'") if self.straight else text
        if how == "style":
            self.styled(text, f"Heading{level}")
        elif how == "custom":
            if self._custom is None:
                self._custom = doc.styles.add_style("IMR Section Title", WD_STYLE_TYPE.PARAGRAPH)
                self._custom.font.size = Pt(13)
                self._custom.font.bold = True
            self.styled(text, self._custom.style_id)
        elif how == "bold":
            doc.add_paragraph().add_run(text).bold = True
        elif how == "caps":
            doc.add_paragraph(text.upper())
        elif how == "allcaps":
            run = doc.add_paragraph().add_run(text)
            run.bold = True
            run.font.all_caps = True
        elif how == "list":
            self.styled("", "ListNumber").add_run(text).bold = True
        elif how == "box":
            table = doc.add_table(rows=1, cols=1)
            table.cell(0, 0).paragraphs[0].add_run(text).bold = True
        else:
            raise ValueError(how)

    def styled(self, text: str, style_id: str):
        # By id: python-docx looks a style's name up in the whole styles part on every call.
        paragraph = self.doc.add_paragraph(text)
        paragraph._p.style = style_id
        return paragraph

    def para(self, text: str):
        text = text.replace("’", "'") if self.straight else text
        self.doc.add_paragraph(text)
        if self.recording:
            self.texts.append(text)

    def table(self, rows: list[list[str]]):
        table = self.doc.add_table(rows=len(rows), cols=len(rows[0]))
        table._tbl.tblPr.style = "TableGrid"
        cells = table._cells  # once: table.cell() walks the whole grid on every call
        width = len(rows[0])
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                value = value.replace("’", "'") if self.straight else value
                cells[r * width + c].text = value
                if self.recording:
                    self.texts.append(value)
        return table

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _numbered(spec: Spec, number: int, name: str) -> str:
    how = spec.numbering
    if how == "seed":
        return f"{number}\t{name.upper()}" if spec.pack == "derbyshire" else \
            f"SECTION {number} – {name.upper()}"
    if how == "dot":
        return f"{number}. {name}"
    if how == "zero":
        return f"{number}.0 {name}"
    if how == "section":
        return f"Section {number} – {name}"
    if how == "colon":
        return f"SECTION {number}: {name.upper()}"
    if how == "tab":
        return f"{number}\t{name}"
    if how == "sub":
        return f"{number}.1 {name}"
    if how == "trailing_colon":
        return f"{number}. {name}:"
    return name


def write_report(spec: Spec, term) -> tuple[bytes, list[str]]:
    """The report, and the author's words in it (not the cover, headings or sign-off)."""
    d = _Doc(spec.straight)
    names = DERBYSHIRE if spec.pack == "derbyshire" else BRADFORD
    numbers = DERBYSHIRE_NUMBERS if spec.pack == "derbyshire" else BRADFORD_NUMBERS
    # Cover page
    if spec.pack == "derbyshire":
        d.para("Child Safeguarding Practice Review")
        d.para("Ref: DDSCP/CSPR/2025/07")
        d.para("INDIVIDUAL MANAGEMENT REVIEW")
        d.para("(Derbyshire Children’s Services)")
    else:
        d.para("Bradford Safeguarding Children Partnership")
        d.para("Individual Management Review – Children’s Social Care")
    d.para("Author: Service Manager, Children in Care")
    if spec.cover_date:
        d.para("Date: November 2025")
    d.doc.add_page_break()
    if spec.contents:
        d.heading("Contents", "bold")
        for number, name in zip(numbers, names, strict=True):
            d.doc.add_paragraph(f"{number}. {name}\t{number + 2}")
        d.doc.add_page_break()
    d.recording = True
    bodies = _bodies(spec, term)
    for number, name in zip(numbers, names, strict=True):
        if name in spec.drop:
            continue
        shown = spec.names.get(name, name)
        title = shown if spec.heading == "list" else _numbered(spec, number, shown)
        if spec.nbsp:
            title = title.replace(" ", "\u00a0", 1) + " "
        d.heading(title, spec.heading)
        if name == "Terms of Reference":
            subs = [("Family composition", ["The household comprised the subject child, the "
                                            "mother and the mother’s partner."]),
                    ("Scope of the review", [f"Events between {written(spec.tor[0], 'long')} "
                                             f"and {written(spec.tor[1], 'long')}."]),
                    ("Issues to be addressed", ["Whether the response to neglect was timely, "
                                                "and whether the child was heard."])]
            if spec.numbering in ("dot", "zero"):
                subs = [(f"2.{i + 1} {s}", b) for i, (s, b) in enumerate(subs)]
            for sub, body in subs:
                d.heading(sub, "style" if spec.heading == "style" else "bold", level=2)
                for p in body:
                    d.para(p)
            continue
        if name in spec.only_table:
            d.table([["Period", "Contacts", "Lead agency"],
                     ["Spring", "Four contacts, two home visits", "Children’s services"],
                     ["Summer", "Conference and core groups", "Children’s services"]])
            continue
        if name in spec.only_subheading:
            d.heading("Sources of information", "bold", level=2)
            continue
        how = spec.empty.get(name)
        if how == "nothing":
            continue
        if how == "guidance":
            d.para(GUIDANCE[name])
            continue
        if how == "tbc":
            d.para("TBC")
            continue
        if how == "to_be_completed":
            d.para("To be completed.")
            continue
        if name == "Summary of Agency Involvement":
            for p in bodies[name]:
                d.para(p)
            d.table([["Name and Role of Professional", "Period of involvement"],
                     [f"{spec.cast.worker} – Social Worker", "03/02/2025 - 30/09/2025"],
                     [f"{spec.cast.manager} – Team Manager", "03/02/2025 - 30/09/2025"]])
            continue
        if name == "The Child's Journey" and spec.decoy_analysis:
            for p in bodies[name]:
                d.para(p)
            d.heading("Additional considerations to support analysis", "bold", level=2)
            d.para("The wishes and feelings of the child were recorded on two occasions but "
                   "were not referred to in the plan.")
            continue
        if name.startswith("Recommendations") and spec.list_recommendations:
            for p in bodies[name]:
                d.styled(p[3:], "ListNumber")
                d.texts.append(p[3:])
            continue
        if name.startswith("Analysis") and spec.bold_body:
            d.doc.add_paragraph().add_run("Key finding: the assessment did not include the "
                                          "child’s own account.").bold = True
        for p in bodies.get(name, ["Author's text."]):
            d.para(p)
    if spec.aunt_in_report == "report_key":
        d.heading("Key to initials used in this report", "bold")
        d.para(f"{spec.cast.aunt} – maternal aunt")
    if spec.appendices_after_signoff:
        d.recording = False
        _signoff(d, spec)
        d.recording = True
        d.doc.add_page_break()
    if spec.glossary in ("report_table", "report_lines"):
        d.heading("Appendix A – Glossary", spec.heading if spec.heading != "list" else "bold")
        pairs = [(t, TERMS[t]) for t in spec.glossary_terms]
        if spec.glossary == "report_table":
            d.table([["Abbreviation", "Meaning"], *[[t, m] for t, m in pairs]])
        else:
            for t, m in pairs:
                d.para(f"{t} – {m}")
    if spec.appendices_after_signoff:
        d.heading("Appendix B – Action plan", "bold")
        d.table([["Recommendation", "Action", "Role", "Date"],
                 ["1", "Audit of children seen alone", "Head of Service", "31/03/2026"],
                 ["2", "Collation of police notifications", "Team Manager", "30/04/2026"]])
        return d.bytes(), d.texts
    d.recording = False
    _signoff(d, spec)
    return d.bytes(), d.texts


def _png() -> bytes:
    """A small grey image, as a pasted signature would be."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\x80" * 40 for _ in range(12))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 12, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _signoff(d: _Doc, spec: Spec):
    s = spec.signoff
    name, day = "K. Thornton", "14/11/2025"
    if s == "none":
        return
    if s == "picture":
        d.para("Signed (author):")
        d.doc.add_paragraph().add_run().add_picture(io.BytesIO(_png()))
        d.para(f"Date: {day}")
        return
    if s == "qa_first_author_blank":
        d.para("Signed (QA lead): P. Hargreaves")
        d.para(f"Date: {day}")
        d.para("Signed (author): ")
        d.para("Date: ")
        return
    if s == "tab_signed":
        d.para(f"Signed:\t{name}")
        d.para(f"Date:\t{day}")
        return
    if s == "two_digit_date":
        d.para(f"Signed (author): {name}")
        d.para("Date: 14.11.25")
        return
    if s == "short_month":
        d.para("Report author signature: K. Thornton")
        d.para("Date: 14 Nov 2025")
        return
    if s == "row_table":
        d.table([["Signed (author)", name, "Date", day]])
        return
    if s == "row_table_blank_date":
        d.table([["Signed (author)", name, "Date", ""]])
        return
    if s == "date_first":
        d.para(f"Date: {day}")
        d.para(f"Signed: {name}")
        return
    if s == "dots":
        d.para("Signature …………………………………")
        d.para(f"Date: {day}")
        return
    if s == "placeholder":
        d.para("Signed (author): [signature]")
        d.para(f"Date: {day}")
        return
    if s == "name_sig_date":
        d.para("Name: K. Thornton, Service Manager")
        d.para(f"Signature: {name}")
        d.para(f"Date: {written(date(2025, 11, 14), 'ord')}")
        return
    if s == "lines":
        d.para(f"Signed (author): {name}")
        d.para(f"Date: {day}")
    elif s == "below":
        d.para("Signed (author):")
        d.para(name)
        d.para("Date:")
        d.para("14 November 2025")
    elif s == "oneline":
        d.para(f"Signed: {name}\t\tDate: 14.11.2025")
    elif s == "electronic":
        d.para(f"Electronic signature: {name}")
        d.para("Date: 14th November 2025")
    elif s == "table_side":
        d.table([["Signed (author)", name], ["Date", day]])
    elif s == "table_top":
        d.table([["Role", "Signature", "Date"], ["Report author", name, day]])
    elif s == "table_blank_sig":
        d.table([["Signed (author)", ""], ["Date", day]])
    elif s == "blank_sig":
        d.para("Signed (author): ______________________")
        d.para(f"Date: {day}")
    elif s == "blank_date":
        d.para(f"Signed (author): {name}")
        d.para("Date:")
    elif s == "blank_both":
        d.para("Signed (author):")
        d.para("")
        d.para("Date:")
    elif s == "no_date_line":
        d.para(f"Signed (author): {name}")
    elif s == "bad_date":
        d.para(f"Signed (author): {name}")
        d.para("Date: 31/11/2025")
    elif s == "two_signers":
        d.para(f"Signed (author): {name}")
        d.para(f"Date: {day}")
        d.para("Signed (QA lead): ")
        d.para("Date: ")
    else:
        raise ValueError(s)


# ---------------------------------------------------------------- chronology
HEADERS = {
    "derbyshire": ["Date", "Source of Information/Event", "Activity",
                   "Response or Outcome of Activity"],
    "bradford": ["Date", "Source of Information", "Activity", "Outcome"],
}


def dot_initials(text: str, cast: Cast) -> str:
    for i in {cast.child, cast.mother, cast.partner, cast.worker, cast.manager, cast.health,
              cast.aunt}:
        if i.isalpha():
            text = re.sub(rf"\b{i}\b", ".".join(i) + ".", text)
    return text


def _row_cells(spec: Spec, row: Row, header: list[str]) -> list[str]:
    significance = any("significance" in h.lower() for h in header)
    activity = row.activity if significance or not row.reason else f"{row.activity} {row.reason}"
    by = {"Date": row.date_text, "Source": row.source, "Activity": activity,
          "Outcome": row.outcome, "Time": row.time or ("10:30" if row.kind == "ok" else ""),
          "No.": ""}
    if spec.dotted in ("rows", "both"):
        by = {k: dot_initials(v, spec.cast) for k, v in by.items()}
    if spec.nbsp:
        by["Date"] = by["Date"].replace(" ", "\u00a0")
    out = []
    for h in header:
        low = h.lower()
        if low.startswith("date"):
            out.append(by["Date"])
        elif "source" in low:
            out.append(by["Source"])
        elif "activity" in low or "event" in low or "contact" in low:
            out.append(by["Activity"])
        elif "outcome" in low or "response" in low or "action" in low:
            out.append(by["Outcome"])
        elif low == "time":
            out.append(by["Time"])
        elif "significance" in low:
            out.append(row.reason)
        elif low == "agency":
            out.append("Children’s services" if row.kind == "ok" else "")
        else:
            out.append("")
    return out


def write_chronology(spec: Spec) -> tuple[bytes, dict[int, Row]]:
    """The chronology, and its rows numbered as a reader counts them."""
    d = _Doc(spec.straight)
    if spec.pack == "derbyshire":
        d.para("RESTRICTED\tDerbyshire Children’s Services – Individual Management Review ref: "
               "DDSCP/CSPR/2025/07")
    else:
        d.para("Chronology of contacts – Children’s Social Care")
    header = list(HEADERS[spec.pack])
    if spec.header_breaks:
        header = [h.replace(" of ", " of\n", 1).replace(" or ", " or\n", 1) for h in header]
    if spec.columns == "caps":
        header = [h.upper() for h in header]
    elif spec.columns == "extra":
        header = ["No.", "Date", "Time", header[1], header[2], header[3]]
    elif spec.columns == "order":
        header = [header[0], header[2], header[1], header[3]]
    elif spec.columns == "renamed":
        header = ["Date", "Agency / Source", "Event", "Action taken"]
    elif spec.columns == "datetime":
        header = ["Date/Time", "Source of information", "Event / contact", "Outcome"]
    elif spec.columns == "date_and_time":
        header = ["Date & Time", "Agency", "Source", "Activity", "Response / outcome"]
    elif spec.columns == "significance":
        header = [*header, "Significance / reason for inclusion"]
    elif spec.columns == "date_of_contact":
        header = ["Date of contact", "Source", "Details of activity", "Response"]
    if spec.front_sheet:
        d.table([["Review reference", "DDSCP/CSPR/2025/07"],
                 ["Period covered", f"{written(spec.tor[0], 'dmy')} to "
                                    f"{written(spec.tor[1], 'dmy')}"],
                 ["Completed by", "Service Manager, Children in Care"]])
        d.para("")
    if spec.key == "before":
        _key(d, spec)
    numbered: dict[int, Row] = {}
    rows = spec.rows
    if spec.no_table:
        for row in rows:
            if row.kind == "ok":
                d.para(f"{row.date_text} – {row.source}: {row.activity} {row.outcome}")
    else:
        def body(rs, start):
            out = []
            for i, row in enumerate(rs):
                numbered[start + i] = row
                if row.kind == "divider":
                    out.append([row.date_text] * len(header))
                elif row.kind == "blank":
                    out.append([""] * len(header))
                else:
                    cells = _row_cells(spec, row, header)
                    if header[0] == "No.":
                        cells[0] = str(start + i)
                    out.append(cells)
            return out

        if spec.columns in ("split", "split_header", "headings_table"):
            cut = len(rows) // 2 if spec.columns != "headings_table" else 0
            if spec.columns == "headings_table":
                d.table([header])
                t = d.table(body(rows, 1))
                _merge_dividers(t, rows)
            else:
                t = d.table([header, *body(rows[:cut], 1)])
                _merge_dividers(t, rows[:cut], offset=1)
                d.para("")
                second = body(rows[cut:], cut + 1)
                if spec.columns == "split_header":
                    t = d.table([header, *second])
                    _merge_dividers(t, rows[cut:], offset=1)
                else:
                    t = d.table(second)
                    _merge_dividers(t, rows[cut:])
        elif spec.columns == "two_row_header":
            # "Date" spans both heading rows; "Details of contact" spans the three beneath
            top = ["Date", "Details of contact", "", ""]
            t = d.table([top, header, *body(rows, 1)])
            t.cell(0, 0).merge(t.cell(1, 0)).text = "Date"
            t.cell(0, 1).merge(t.cell(0, 3)).text = "Details of contact"
            _merge_dividers(t, rows, offset=2)
        else:
            lead = []
            if spec.columns == "merged":
                lead = [["Chronology of involvement – Children’s Services"] * len(header)]
            t = d.table([*lead, header, *body(rows, 1)])
            if lead:
                t.cell(0, 0).merge(t.cell(0, len(header) - 1))
                t.cell(0, 0).text = "Chronology of involvement – Children’s Services"
            _merge_dividers(t, rows, offset=len(lead) + 1)
            if spec.columns == "blanks":
                for _ in range(4):
                    t.add_row()
    if spec.key != "before":
        _key(d, spec)
    if spec.glossary in ("chron_lines", "chron_table"):
        d.heading("Glossary of terms" if spec.glossary_title else "Abbreviations used", "bold")
        pairs = [(t, TERMS[t]) for t in spec.glossary_terms]
        if spec.glossary_title:
            for t, m in pairs:
                d.para(f"{t} - {m}")
        elif spec.glossary == "chron_table":
            d.table([["Abbreviation", "Meaning"], *[[t, m] for t, m in pairs]])
        else:
            for t, m in pairs:
                d.para(f"{t}: {m}")
    return d.bytes(), numbered


def _merge_dividers(table, rows, offset=0):
    for i, row in enumerate(rows):
        if row.kind == "divider":
            r = i + offset
            cell = table.cell(r, 0).merge(table.cell(r, len(table.columns) - 1))
            cell.text = row.date_text


def _key(d: _Doc, spec: Spec):
    roles = [(i, r) for i, r in spec.cast.roles() if i not in spec.key_omit]
    if spec.dotted in ("key", "both"):
        roles = [(dot_initials(i, spec.cast), r) for i, r in roles]
    k = spec.key
    if k == "none":
        return
    if k == "empty":
        d.heading("Key to Initials Used:", "bold")
        d.para("")
        return
    if k in ("table", "before"):
        d.heading("Key to Initials Used:", "bold")
        d.table([[i, r] for i, r in roles])
    elif k == "headed":
        d.para("")
        d.table([["Initials", "Relationship to the child"], *[[i, r] for i, r in roles]])
    elif k == "three_columns":
        d.heading("Key to Initials Used:", "bold")
        d.table([["Initials", "Role", "Agency"],
                 *[[i, r, "Children’s services" if "worker" in r or "manager" in r else "—"]
                   for i, r in roles]])
    elif k == "tight":
        d.heading("Key to initials used in this chronology", "bold")
        for n, (i, r) in enumerate(roles):
            d.para(f"{i}–{r}" if n % 2 else f"{i}\t{r}")
    elif k == "lines":
        d.heading("Key to Initials Used", "style", level=2)
        for i, r in roles:
            d.para(f"{i} – {r}")
    elif k == "mixed":
        d.heading("KEY TO INITIALS", "bold")
        seps = ["{} – {}", "{}: {}", "{} = {}", "{} ({})", "{} - {}"]
        for n, (i, r) in enumerate(roles):
            d.para(seps[n % len(seps)].format(i, r))
    else:
        raise ValueError(k)


# ---------------------------------------------------------------- expectations
CAPS = re.compile(r"\b[A-Z][A-Z0-9]+\b")


def expected_findings(spec: Spec, numbered: dict[int, Row], report_texts: list[str],
                      spelled: set[str]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    pack_names = DERBYSHIRE if spec.pack == "derbyshire" else BRADFORD
    for name in spec.drop:
        out.add(("report.section_missing", name))
    for name in [*spec.empty, *spec.only_subheading]:
        out.add(("report.section_empty", name))
    if spec.signoff in ("none", "blank_sig", "blank_both", "table_blank_sig", "dots",
                        "placeholder", "qa_first_author_blank"):
        out.add(("report.signed", ""))
    if spec.signoff in ("none", "blank_date", "blank_both", "no_date_line", "bad_date",
                        "row_table_blank_date", "two_digit_date", "qa_first_author_blank"):
        out.add(("report.dated", ""))
    assert all(n in pack_names for n in [*spec.drop, *spec.empty])

    keyed = set() if spec.key in ("none", "empty") else \
        {i for i, _ in spec.cast.roles()} - set(spec.key_omit)
    glossary = set(spec.glossary_terms) if spec.glossary else set()
    explained = glossary | spelled
    cast_all = {i for i, _ in spec.cast.roles()} | {spec.cast.aunt}

    # Chronology rows
    entries = [(n, r) for n, r in sorted(numbered.items()) if r.kind not in ("divider", "blank")]
    if spec.no_table:
        out.add(("chronology.table", ""))
        for code in ("dates_unreadable", "dates_ambiguous", "dates_order", "outside_tor",
                     "initials", "abbreviations"):
            out.add((f"chronology.{code}", "not checked"))
    else:
        previous = None
        for n, r in entries:
            if r.kind == "unreadable":
                out.add(("chronology.dates_unreadable", str(n)))
            elif r.kind == "ambiguous":
                out.add(("chronology.dates_ambiguous", str(n)))
            else:
                if previous and r.day < previous:
                    out.add(("chronology.dates_order", str(n)))
                previous = r.day
                outside = not spec.tor[0] <= r.day <= spec.tor[1]
                if outside and not r.reason:
                    out.add(("chronology.outside_tor", str(n)))
        seen_initials: set[str] = set()
        seen_terms: set[str] = set()
        for _n, r in entries:
            for token in CAPS.findall(" ".join([r.source, r.activity, r.outcome])):
                if token in cast_all:
                    if token not in seen_initials and keyed and token not in keyed:
                        out.add(("chronology.initials", token))
                    seen_initials.add(token)
                elif token in TERMS:
                    if token not in seen_terms and token not in explained:
                        out.add(("chronology.abbreviations", token))
                    seen_terms.add(token)
                elif token not in ALLOWED_CAPS:
                    raise AssertionError(f"{spec.name}: unplanned capitals {token}")
    if spec.key in ("none", "empty"):
        out.add(("chronology.key", ""))
        out.add(("chronology.initials", "not checked"))
        out.add(("report.initials", "not checked"))
    # Report
    report_keyed = {spec.cast.aunt} if spec.aunt_in_report in ("report_key", "introduced") \
        else set()
    for text in report_texts:
        for token in CAPS.findall(text):
            if token in cast_all:
                if keyed and token not in keyed and token not in report_keyed:
                    out.add(("report.initials", token))
            elif token in TERMS:
                if token not in explained:
                    out.add(("report.abbreviations", token))
            elif token not in ALLOWED_CAPS:
                raise AssertionError(f"{spec.name}: unplanned capitals {token} in {text!r}")
    return out | spec.expected_extra
