"""Word templates for IMR authors, faithful to the seeds, built with python-docx.

Packs per safeguarding partnership:
- Derbyshire (DDSCP, the default): the chronology (Appendix 3) and the IMR template (Appendix 4),
  with Appendix 1's analysis questions as guidance.
- Bradford: the IMR report (its guidance's sections 2, 3 and 9 to 13), the action plan and the
  interview record sheet (Appendix I).
With a review, a document is prefilled with its reference, author, QA lead and terms of reference
period; dates the author signs for are left for the author. Pages are A4 and every table fits
inside the margins. Every document carries its protective marking and page numbers.
"""

from __future__ import annotations

import functools
import gc
import io
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

DERBYSHIRE = "derbyshire"
BRADFORD = "bradford"
PACKS = {DERBYSHIRE: "Derbyshire (DDSCP)", BRADFORD: "Bradford"}
# who a chronology is headed for, as the seed's Appendix 3 header names Derbyshire's service
CHRONOLOGY_HEADED_FOR = {DERBYSHIRE: "Derbyshire Children’s Services",
                         BRADFORD: "Bradford Safeguarding Children Board"}

CHRONOLOGY_COLUMNS = ("Date", "Source of Information/Event", "Activity",
                      "Response or Outcome of Activity")
KEY_COLUMNS = ("Initials", "Role or relationship")
ACTION_PLAN_COLUMNS = ("Recommendation", "Action", "By whom", "By when", "Intended outcome",
                       "How it will be evaluated", "Immediate (yes/no)")
PROFESSIONALS_COLUMNS = ("Name and Role of Professional", "Period of involvement",
                         "Interviewed (yes/no)")

A4_WIDTH, A4_HEIGHT, MARGIN = Cm(21.0), Cm(29.7), Cm(2)
SIGNATURE_LINE = "______________________________"


@dataclass(frozen=True)
class Prefill:
    """What the bot knows of a review. Empty values leave a blank to fill in."""
    reference: str = ""
    author: str = ""
    qa_lead: str = ""
    review_type: str = ""
    tor_start: date | None = None
    tor_end: date | None = None
    ddscp_due: date | None = None
    today: date | None = None  # for supplied templates' {{ today }}; built-in ones leave dates blank
    marking: str = "RESTRICTED"
    extra: dict = field(default_factory=dict)
    # the action plan's real actions, one row each in ACTION_PLAN_COLUMNS' order (plain text);
    # none leaves the plan's rows blank to fill in
    actions: tuple[tuple[str, ...], ...] = ()


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _tor_period(prefill: Prefill) -> str:
    return f"{_d(prefill.tor_start)} to {_d(prefill.tor_end)}" if prefill.tor_start else ""


def _joined(*parts: str) -> str:
    """Parts of a title joined by a dash, the empty ones left out (no "Action plan —")."""
    return " — ".join(part for part in parts if part)


# -- guidance text ------------------------------------------------------------------------------
class Bullet(str):
    """A guidance paragraph that is an item of a bulleted list (Word's List Bullet style)."""


class Subheading(str):
    """A heading inside a section (Heading 2)."""


Guidance = tuple[str, ...]  # paragraphs, Bullets and Subheadings, in order


class Section(NamedTuple):
    number: str
    title: str
    guidance: Guidance


# -- the base package ----------------------------------------------------------------------------
# Parts of python-docx's default package that Word does not need: a Word 2010 copy of the styles
# (438 kB, compressed again on every save) and a thumbnail of somebody else's document.
_UNNEEDED = ("http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
             RT.THUMBNAIL)
# The table styles our templates use. The default package defines 130 more (340 kB of its 438 kB
# of styles) that every build would parse and every save compress again; Word carries its own
# copies of them, so a person can still pick any in the document.
_TABLE_STYLES_KEPT = ("TableNormal", "TableGrid")
_HEADING_SIZES = {"Title": 20, "Heading 1": 14, "Heading 2": 12}


@functools.cache
def _base_package() -> bytes:
    """python-docx's default package made ready once: unneeded parts and table styles dropped,
    A4 with 2 cm margins, Arial throughout (headings too, in black, as the seeds have them), and
    British English for the spelling checker. Each build opens these bytes."""
    document = Document()
    for rels in (document.part.rels, document.part.package.rels):
        for rel_id in [r for r, rel in rels.items() if rel.reltype in _UNNEEDED]:
            del rels[rel_id]
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in _TABLE_STYLES_KEPT:
            styles.remove(style)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-GB")
    normal.element.get_or_add_rPr().append(language)
    for name, size in _HEADING_SIZES.items():
        style = document.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in list(fonts.attrib):  # the theme's fonts would override Arial
            del fonts.attrib[attribute]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        border = style.element.pPr.find(qn("w:pBdr")) if style.element.pPr is not None else None
        if border is not None:  # the Title's blue rule under it
            style.element.pPr.remove(border)
    # the Header style's tab stops are for a narrower page: each document sets its own (_spread)
    header = document.styles["Header"]
    header.paragraph_format.tab_stops.clear_all()
    header.font.size = Pt(9)
    # the default package's properties are those of python-docx's own 2013 document
    properties = document.core_properties
    properties.author = properties.comments = ""
    properties._element._remove_created()
    properties._element._remove_modified()
    section = document.sections[0]
    section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    return _save(document)


def _document(prefill: Prefill, title: str, *, landscape: bool = False):
    document = Document(io.BytesIO(_base_package()))
    document.core_properties.title = title
    document.core_properties.author = prefill.author
    if landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = A4_HEIGHT, A4_WIDTH
    return document


def _text_width(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def _page_field(paragraph, *, bold=False) -> None:
    """A PAGE field, so Word numbers the pages itself: begin, instruction, separator, the number
    shown until Word updates it, end, each in a run of its own (LibreOffice formats the number
    as the instruction's run)."""
    for kind, text in (("begin", None), ("instr", "PAGE"), ("separate", None), ("text", "1"),
                       ("end", None)):
        run = paragraph.add_run(text if kind == "text" else None)
        run.bold = bold or None
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run._r.append(element)
        elif kind != "text":
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)


PAGE = object()  # in a header's parts: the page number


def _running_header(section, left: str, centre, right: str) -> None:
    """Left, centre and right parts across the page's text width; `centre` may be PAGE."""
    paragraph = section.header.paragraphs[0]
    paragraph.add_run(f"{left}\t").bold = True
    if centre is PAGE:
        paragraph.add_run("Page ").bold = True
        _page_field(paragraph, bold=True)
    else:
        paragraph.add_run(centre).bold = True
    paragraph.add_run(f"\t{right}").bold = True
    _spread(paragraph, _text_width(section))


def _page_footer(section, marking: str) -> None:
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{marking} — Page ")
    _page_field(footer)


def _spread(paragraph, width) -> None:
    """A centre stop in the middle and a right stop at the right margin."""
    stops = paragraph.paragraph_format.tab_stops
    stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CENTER)
    stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cant_split(row) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _split_width(width_twips: int, weights: list[float]) -> list[int]:
    """Column widths in twips in proportion to `weights`, summing to exactly `width_twips`."""
    total = sum(weights)
    widths = [int(width_twips * weight / total) for weight in weights]
    widths[-1] += width_twips - sum(widths)
    return widths


def _set_width(element, tag: str, twips: int) -> None:
    width = element.find(qn(tag))
    if width is None:
        width = OxmlElement(tag)
        element.append(width)
    width.set(qn("w:w"), str(twips))
    width.set(qn("w:type"), "dxa")


def _table(document, columns, rows: int, weights: list[float], *, header_repeats=True):
    """A grid across the text width: its width, its grid columns and every cell's width are all
    set (LibreOffice lays a table out by its grid, Word by its cells' widths)."""
    widths = _split_width(_text_width(document.sections[-1]) // 635, weights)  # EMU to twips
    table = document.add_table(rows=1 + rows, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    properties = table._tbl.tblPr
    _set_width(properties, "w:tblW", sum(widths))
    for column, twips in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(twips))
    for row in table.rows:
        for cell, twips in zip(row.cells, widths, strict=True):
            _set_width(cell._tc.get_or_add_tcPr(), "w:tcW", twips)
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        _label(cell, title)
    if header_repeats:
        _repeat_header(table.rows[0])
    return table


def _label(cell, text: str) -> None:
    if text:
        cell.paragraphs[0].add_run(text).bold = True


def _centred_rows(table) -> None:
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _styled(document, text: str, style_name: str):
    """A paragraph in a named style, without python-docx's search of every style in the document
    on each paragraph (a third of a template's build time): each style's id is looked up once
    per document."""
    ids = document.__dict__.setdefault("_imr_style_ids", {})
    if style_name not in ids:
        ids[style_name] = document.styles[style_name].style_id
    paragraph = document.add_paragraph(text)
    paragraph._p.style = ids[style_name]
    return paragraph


def _heading(document, text: str, level: int):
    return _styled(document, text, "Title" if level == 0 else f"Heading {level}")


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _facts(document, facts: list[tuple[str, str]]) -> None:
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)


def _guidance(document, text: str, *, style: str = "Normal") -> None:
    """Guidance in italics, which the author writes over; **words** are in bold, as in the seed."""
    paragraph = _styled(document, "", style)
    for index, part in enumerate(text.split("**")):
        if part:
            run = paragraph.add_run(part)
            run.italic = True
            run.bold = index % 2 == 1 or None


def _write_guidance(document, guidance: Guidance, fill: dict[str, str]) -> None:
    for block in guidance:
        text = block
        for placeholder, value in fill.items():
            text = text.replace(placeholder, value)
        if isinstance(block, Subheading):
            _heading(document, text, 2)
        elif isinstance(block, Bullet):
            _guidance(document, text, style="List Bullet")
        else:
            _guidance(document, text)


def _sign_off(document, lines: list[str]) -> None:
    """The signature lines, kept together on one page."""
    for index, line in enumerate(lines):
        paragraph = document.add_paragraph(line)
        paragraph.paragraph_format.keep_together = True
        paragraph.paragraph_format.keep_with_next = index < len(lines) - 1
        if index:
            paragraph.paragraph_format.space_before = Pt(18)


def _cover_line(document, text: str, *, bold=False, space_before: float = 0):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.add_run(text).bold = bold
    return paragraph


# -- the chronology (both packs) ---------------------------------------------------------------
CHRONOLOGY_GUIDANCE = {
    # Appendix 1 of the Derbyshire guidance, on the chronology
    DERBYSHIRE: ("The review should include a comprehensive chronology that charts the involvement "
                 "of children’s services with the child and their family over the period of time "
                 "set out in the review’s Terms of Reference. It should summarise the events that "
                 "occurred; the intelligence and information known to children’s services; the "
                 "decisions reached and the services offered and provided to the child and their "
                 "family."),
    # the Bradford guidance, sections 9 and 11
    BRADFORD: ("When completing the chronology, interviews with the professionals/staff/personnel "
               "involved, may be an integral part of the chronology and IMR report. All "
               "abbreviations and acronyms should be fully explained."),
}


def _chronology(prefill: Prefill, pack: str) -> bytes:
    """Appendix 3: landscape; the four-column table with a header row that repeats on each page,
    and the Key to Initials Used."""
    document = _document(prefill, "Chronology", landscape=True)
    section = document.sections[0]
    _running_header(section, prefill.marking,
                    f"{CHRONOLOGY_HEADED_FOR[pack]} – Individual Management Review ref: "
                    f"{prefill.reference}", "Date:")
    _page_footer(section, prefill.marking)
    _heading(document, "Chronology", 1)
    _facts(document, [("Individual Management Review ref", prefill.reference),
                      ("Author", prefill.author),
                      ("Terms of reference period", _tor_period(prefill))])
    _guidance(document, CHRONOLOGY_GUIDANCE[pack])
    _table(document, CHRONOLOGY_COLUMNS, rows=11, weights=[3.0, 6.5, 7.5, 8.5])
    document.add_paragraph()
    _heading(document, "Key to Initials Used", 2)
    _table(document, KEY_COLUMNS, rows=6, weights=[4.0, 21.5], header_repeats=False)
    return _save(document)


def chronology(prefill: Prefill) -> bytes:
    return _chronology(prefill, DERBYSHIRE)


def bradford_chronology(prefill: Prefill) -> bytes:
    return _chronology(prefill, BRADFORD)


# -- Derbyshire: Appendix 4 ----------------------------------------------------------------------
# Appendix 1, "Analysis of involvement": the areas an analysis considers
DERBYSHIRE_ANALYSIS_GUIDANCE: Guidance = (
    "Appendix 1 of the Derbyshire Children’s Services guidance for IMRs: The review should consider the events that occurred, the decisions made and the actions taken "
    "or not taken. Where judgements were made or actions taken that indicate that practice or "
    "management could be improved, the review should consider not only what happened but why. "
    "Each significant incident may have specific issues that need to be explored and each review "
    "should consider carefully the individual case and how best to structure the review in light "
    "of the particular circumstances. The following are examples of the areas that will need to be "
    "considered:",
    Bullet("Were practitioners sensitive to the needs of the child and family, knowledgeable about "
           "potential indicators of harm and aware of what to do if they had concerns about the "
           "child? Was it reasonable to expect them, given their level of training and knowledge, "
           "to fulfil these expectations?"),
    Bullet("Was the service provided compliant with the relevant policies and procedures in place? "
           "Was there compliance to information sharing protocols?"),
    Bullet("What were the key points or opportunities for assessment and decision making in this "
           "case? Do assessments and decisions appear to have been reached in an informed way, "
           "i.e. were decisions evidence based?"),
    Bullet("Were actions/risk management plans aligned with the assessment and decisions made? "
           "Were appropriate services offered or provided, or relevant enquiries made in the light "
           "of the assessments, given what was known or what should have been known at the time?"),
    Bullet("When, and in what way, were the child’s wishes and feelings ascertained and "
           "considered?"),
    Bullet("When, and in what way, were the views of relevant family members ascertained and "
           "considered?"),
    Bullet("Was information recorded and shared appropriately?"),
    Bullet("Was practice sensitive to the ethnic, cultural, linguistic and religious identity of "
           "the child and family? Was practice considerate to protected characteristics?"),
    Bullet("Were senior managers or other agencies and professionals involved at the appropriate "
           "points? How accessible were the services for the child and family?"),
    Bullet("Were the services provided impactful?"),
    Bullet("Are there ways of working effectively that could be passed on to other organisations "
           "or individuals?"),
    Bullet("Are there lessons to be learned from this case relating to the way in which the "
           "organisation safeguards children and promotes their welfare, or the way it identifies, "
           "assesses and manages identified risks? Where can practice be improved? Are there "
           "implications for ways of working, training, management and supervision, working in "
           "partnership with other agencies and resources?"),
)

DERBYSHIRE_SECTIONS: tuple[Section, ...] = (
    Section("1", "INTRODUCTION", (
        "Name, job title and e-mail address of person completing this IMR (include confirmation "
        "regarding independence from the line management of the case).",)),
    Section("2", "TERMS OF REFERENCE", (
        Subheading("Family composition (including genogram)"),
        Subheading("Background and reason for undertaking DHR"),
        "As set out in the terms of reference",
        Subheading("Scope of the review"),
        "Confirm the report will include any significant events between the periods set out in "
        "the terms of reference. Any significant/relevant events outside of these timeframes "
        "should be included IMR’s and Chronologies.",
        Subheading("Issues to be addressed"),
        "Refer to the agreed terms of reference for clarity as to the issues to be addressed "
        "within this IMR",
        "Consider if there any specific considerations around equality and diversity issues such "
        "as age, disability (including learning disabilities), gender reassignment, marriage and "
        "civil partnership, pregnancy and maternity, race, religion and belief, sex and sexual "
        "orientation that may require special consideration?")),
    Section("3", "METHODOLOGY", (
        "Record the methodology used including extent of document review and interviews "
        "undertaken.",)),
    Section("6", "SUMMARY OF AGENCY INVOLVEMENT", (
        "Construct a chronology using the specified template (APPENDIX A), to be filed and read in "
        "conjunction with this report.",
        "In this section summarise the overview of children’s services involvement, draw together "
        "any primary observations and detail key points of interest as you see them.",
        "Using the grid below, clarify the details of the professionals from within your agency "
        "who were involved with the child and family and whether they were interviewed or not for "
        "the purposes of this IMR.")),
    Section("7", "ANALYSIS OF INVOLVEMENT", (
        "Consider the events that occurred, the decisions made, and the actions taken or not. "
        "Assess practice against guidance and relevant legislation.",
        "Address the key lines of enquiry as set out in the terms of reference and confirmed in "
        "section 2 of this report.",
        "Consider further analysis in respect of key critical factors, which are not otherwise "
        "covered by the sections above.",
        *DERBYSHIRE_ANALYSIS_GUIDANCE)),
    Section("8", "EFFECTIVE PRACTICE/LESSONS LEARNT", (
        "Summarise concisely, and with evidence, the effective practice that you have identified "
        "and any lessons that can be learnt",)),
    Section("9", "RECOMMENDATIONS", (
        "Recommendations should be focussed on the key findings of the IMR and be specific about "
        "the outcome which they are seeking.",)),
)


def _derbyshire_cover(document, prefill: Prefill) -> None:
    """The seed's cover: the review, its ref, the title, the author, a date for the author to
    write, and the protective marking; no running header on this page."""
    _cover_line(document, "Child Safeguarding Practice Review", bold=True, space_before=48)
    _cover_line(document, f"Ref: {prefill.reference}", space_before=12)
    title = _heading(document, "INDIVIDUAL MANAGEMENT REVIEW", 0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(96)
    _cover_line(document, "(Derbyshire Children’s Services)")
    author = document.add_paragraph()
    author.paragraph_format.space_before = Pt(144)
    author.add_run("Author: ").bold = True
    author.add_run(prefill.author)
    document.add_paragraph().add_run("Date: ").bold = True
    marking = document.add_paragraph()
    marking.paragraph_format.space_before = Pt(24)
    marking.add_run(prefill.marking).bold = True
    document.add_page_break()


def _professionals_grid(document) -> None:
    """The grid of section 6, on the same page as the paragraph that introduces it."""
    document.paragraphs[-1].paragraph_format.keep_with_next = True
    grid = _table(document, PROFESSIONALS_COLUMNS, rows=3, weights=[6.5, 6.0, 4.5])
    examples = ("e.g. Joe Bloggs – Social Worker", "e.g. 15/12/2015 - 12/02/2016", "e.g. yes")
    for cell, example in zip(grid.rows[1].cells, examples, strict=True):
        cell.text = example
    _keep_on_one_page(grid)


def _keep_on_one_page(table) -> None:
    """Rows that do not split, each kept with the next: a short table stays on one page."""
    rows = table.rows
    for index, row in enumerate(rows):
        _cant_split(row)
        for cell in row.cells if index < len(rows) - 1 else ():
            cell.paragraphs[0].paragraph_format.keep_with_next = True


def derbyshire_imr(prefill: Prefill) -> bytes:
    """Appendix 4: the cover, every section with its guidance (numbered as in the seed, which goes
    from 3 to 6), the professionals grid, and the signature and date lines."""
    document = _document(prefill, "Individual Management Review")
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on the cover
    _running_header(section, "CONFIDENTIAL", PAGE, "Date:")
    _derbyshire_cover(document, prefill)
    _heading(document, "INDIVIDUAL MANAGEMENT REVIEW TEMPLATE", 1)
    for number, title, guidance in DERBYSHIRE_SECTIONS:
        _heading(document, f"{number}\t{title}", 1)
        if number == "2":
            # the period goes under the scope, which refers to it
            scope = guidance.index(Subheading("Scope of the review")) + 2
            _write_guidance(document, guidance[:scope], {})
            if prefill.tor_start:
                _facts(document, [("Terms of reference period", _tor_period(prefill))])
            _write_guidance(document, guidance[scope:], {})
        else:
            _write_guidance(document, guidance, {})
        if number == "6":
            _professionals_grid(document)
        document.add_paragraph()
    document.add_paragraph()
    _sign_off(document, [f"Signed (author): {SIGNATURE_LINE}", f"Date: {SIGNATURE_LINE}"])
    return _save(document)


# -- Bradford ------------------------------------------------------------------------------------
AUTHOR, SIGNED_BY = "{author}", "{signed by}"  # in the guidance: the author's name when known

BRADFORD_REPORT: tuple[Section, ...] = (
    Section("2", "INTRODUCTION", (
        "This is an example introduction to the report. You do not have to use these phrases "
        "exactly, but this example introduction sets out the rationale for an Individual "
        "management review report according to 'Working Together' 2010.",
        f"This individual management review has been compiled by {AUTHOR} on behalf of (insert "
        "NAME OF ORGANISATION here) in accordance with Bradford Safeguarding Children Board's "
        f"procedure for conducting a Serious Case Review. {SIGNED_BY}",
        "Need to evidence that you are independent of both practice and direct line management of "
        "staff involved.",
        "This IMR will inform a multi-agency Serious Case Review overview report as recommended in "
        "Working Together to Safeguard Children 2010, \"a guide to inter-agency working to "
        "Safeguard and promote the welfare of children, Chapter 8 - Serious Case Reviews\".",
        "This report has been prepared following a review of the care/services provided to the "
        "child/family. Its purpose is to look openly and critically at individual and "
        "organisational practice to see whether the case indicates changes could and should be "
        "made, and if so, to identify how those changes will be brought about.")),
    Section("3", "METHODOLOGIES", (
        "We have included what we consider to be relevant to the terms of reference for this "
        "Serious Case Review. The following sources of information regarding (insert Name of "
        "Subject(s) here) have been used to inform the report:",
        "Please list sources of information that your agency has used to compile your report here",
        "The current draft terms of reference for the SCR have been taken into account in the "
        "completion of the management review report, with particular reference to numbers "
        "However, it is noted that these are currently draft only, and may be amended during the "
        "SCR Process.",
        "You should have already been provided with the Draft Terms of Reference if they are not "
        "available please contact either your SCR Panel Representative or BSCB Staff.")),
    Section("9", "CHRONOLOGY OF CONTACTS", (
        "When completing the chronology, interviews with the professionals/staff/personnel "
        "involved, may be an integral part of the chronology and IMR report. Therefore a record of "
        "the interview must be signed and agreed by the interviewer and the interviewee. (See "
        "Appendix I: - Pro Forma Interview Record Sheet).",)),
    Section("10", "THE CHILD'S JOURNEY", (
        "The Child's story/journey must take into consideration issues of race, culture, "
        "disability, gender and local context and, if relevant, a description of the community.",)),
    Section("11", "ANALYSIS", (
        "The author must review the information in the comprehensive chronology and produce a "
        "report. All abbreviations and acronyms should be fully explained.",
        "The report must consider how the services offered took account of the individual needs "
        "of the child and family, and were sensitive to their racial, cultural, linguistic and "
        "religious identity. Does your agency collect this information? Does your agency use this "
        "information in assessments? Have you any evidence that these have been taken account of "
        "in the delivery of a service to the child and their family?",
        "Practice at individual and organisational levels must be openly and critically analysed "
        "against national and local statutory requirements, professional standards and current "
        "procedural guidance. Your analysis should reflect willingness by your agency to challenge "
        "practice and address wider agency responsibility.",
        "Good practice should be highlighted and areas for change in practice must be clearly "
        "identified. Where practice has changed from that detailed in the chronology ie new "
        "service or revised procedures, this should be explained in the management report.",
        "Analysis must always relate to the **terms of reference and the time period** at the "
        "beginning of the document. Using these as headings may be a good way to construct your "
        "report.",
        Subheading("Additional considerations to support analysis"),
        "Consider the events that occurred, the decisions made, actions taken and actions not "
        "taken. Where judgments were made or actions taken that indicate that practice or "
        "management could be improved, try to get an understanding not only of what happened, "
        "but why. Consider specifically: -",
        Bullet("When and in what way were the child(ren)'s wishes and feelings heard and "
               "addressed? Was this information recorded? How was this responded to by your "
               "agency? Did your agency listen to the child? This is particularly important to "
               "include in your review report"),
        Bullet("Were practitioners sensitive to the needs of the children in their work, "
               "knowledgeable about potential indicators of abuse or neglect and about what to do "
               "if they had concerns about a child?"),
        Bullet("Did the organisation have in place policies and procedures for safeguarding and "
               "promoting the welfare of children and acting on concerns about their welfare? If "
               "not, this needs to be addressed in your report. Were these adhered to? If not, why "
               "not?"),
        Bullet("What were the key relevant points/opportunities for assessment and decision making "
               "in this case in relation to the child and family? Do assessments and decisions "
               "appear to have been reached in an informed and professional way?"),
        Bullet("Did actions accord with assessments and decisions made? If not, why not?"),
        Bullet("Were the assessments/actions completed within timescales?"),
        Bullet("Were appropriate services offered/provided or relevant enquiries made in the light "
               "of assessments?"),
        Bullet("Where no assessments were made, or actions taken the report needs to provide a "
               "rationale as to why this happened"),
        Bullet("Were senior managers or other organisations and professionals involved at points "
               "where they should have been?"),
        Bullet("Were there any issues, in communication, information sharing or service delivery, "
               "between those with responsibilities for work during normal office hours and others "
               "providing out of hours services."),
        Bullet("Where relevant, were appropriate child protection or care plans in place, and child "
               "protection and/or looked after reviewing processes complied with?"),
        Bullet("Was practice sensitive to the racial, cultural, linguistic and religious identity "
               "and any issues of disability of the child and family, and were they explored and "
               "recorded?"),
        Bullet("Was the work in this case consistent with each organisation's and the Bradford "
               "Safeguarding Children's Board's policy and procedures for safeguarding and "
               "promoting the welfare of children, and with wider professional standards?"),
        Bullet("Was there sufficient management accountability for decision making?"))),
    Section("12", "WHAT DO WE LEARN FROM THIS CASE?", (
        "As part of critical analysis section has been completed, the author will identify "
        "specific lessons which his/her agency can learn from the case. These can include areas of "
        "good practice identified, as well as ways in which practice can be improved.",
        "For example; have lessons from this case been identified for the way in which the "
        "organisation works to safeguard and promote the welfare of children? Is there good "
        "practice to highlight as well as ways in which practice can be improved? Are there "
        "implications for ways of working: training (single and multi-agency), management and "
        "supervision, working in partnership with other organisations, resources? Working across "
        "children and adult services.",
        "This section will inform the subsequent section on recommendations for action.")),
    Section("13", "RECOMMENDATIONS FOR ACTION PLAN", (
        "Recommendations for Action using the action plan template",
        "Individual agency recommendations for action contained in this report will be considered "
        "by the SCR Panel for inclusion in the Overview Report. The SCR Panel may also recommend "
        "further actions for your agency to be included in the Overview Report. Any individual "
        "agency recommendations not included in the Overview Report are expected to be acted on "
        "within individual agency governance arrangements.",
        "Recommendations for action must flow from the previous 'What do we learn from this "
        "case?' section. Recommendations must be included in the Action plan template and the "
        "template fully completed in order to be clear about;",
        "What action should be taken by whom and by when?",
        "What outcomes should these actions bring about and how will the organisation evaluate "
        "whether they have been achieved, and if action is required immediately?")),
)
# (title, guidance) of each section, as the document check reads them
BRADFORD_SECTIONS: tuple[tuple[str, Guidance], ...] = tuple(
    (section.title, section.guidance) for section in BRADFORD_REPORT)


def bradford_imr(prefill: Prefill) -> bytes:
    """The IMR report of the Bradford guidance: its sections, numbered as the guidance numbers
    them, each with every paragraph of its guidance and the analysis questions as a list."""
    document = _document(prefill, "Individual Management Review Report")
    section = document.sections[0]
    _running_header(section, prefill.marking, _joined("Individual Management Review",
                                                      prefill.reference), "Date:")
    _page_footer(section, prefill.marking)
    _heading(document, "Individual Management Review Report", 0)
    _facts(document, [("Review reference", prefill.reference), ("Author", prefill.author),
                      ("QA senior lead", prefill.qa_lead), ("Date", ""),
                      ("Terms of reference period", _tor_period(prefill))])
    fill = {AUTHOR: prefill.author or "(insert NAME OF AUTHOR)",
            SIGNED_BY: f"({prefill.author or 'NAME OF AUTHOR'})"}
    for number, title, guidance in BRADFORD_REPORT:
        _heading(document, f"{number}\t{title}", 1)
        _write_guidance(document, guidance, fill)
        document.add_paragraph()
    _sign_off(document, [f"Signed (author): {SIGNATURE_LINE}", f"Date: {SIGNATURE_LINE}"])
    return _save(document)


def action_plan(prefill: Prefill) -> bytes:
    """The action plan template the Bradford guidance's section 13 asks for."""
    document = _document(prefill, "Action Plan", landscape=True)
    section = document.sections[0]
    _running_header(section, prefill.marking, _joined("Action plan", prefill.reference), "Date:")
    _page_footer(section, prefill.marking)
    _heading(document, "Action Plan: Recommendations for Action", 1)
    _facts(document, [("Review reference", prefill.reference), ("Author", prefill.author)])
    _guidance(document, "What action should be taken by whom and by when? What outcomes should "
                        "these actions bring about and how will the organisation evaluate whether "
                        "they have been achieved, and if action is required immediately?")
    filled = [row for row in prefill.actions if len(row) == len(ACTION_PLAN_COLUMNS)]
    # a filled plan keeps two blank rows for the actions the review panel adds later
    plan = _table(document, ACTION_PLAN_COLUMNS, rows=len(filled) + 2 if filled else 6,
                  weights=[4.5, 4.5, 3.0, 2.5, 4.0, 4.0, 3.0])
    for row, values in zip(plan.rows[1:], filled + [()] * len(plan.rows), strict=False):
        row.height = Cm(1.5)  # room to write a recommendation in
        for cell, value in zip(row.cells, values, strict=False):
            cell.text = _printable(value)
    return _save(document)


def _printable(text: str) -> str:
    """Typed text as Word can hold it: no control characters but tab and newline."""
    return "".join(c for c in str(text) if c in "\t\n" or ord(c) >= 32 and c != "\x7f")


INTERVIEW_FACTS = ("Review reference", "Interviewee", "Role", "Organisation", "Date of interview",
                   "Interviewer")


def interview_record(prefill: Prefill) -> bytes:
    """Appendix I of the Bradford guidance: who was interviewed, the record, and the signatures of
    both, kept together on one page."""
    document = _document(prefill, "Interview Record Sheet")
    section = document.sections[0]
    _running_header(section, prefill.marking, _joined("Interview record", prefill.reference),
                    "Date:")
    _page_footer(section, prefill.marking)
    _heading(document, "Appendix I: Pro Forma Interview Record Sheet", 1)
    facts = _table(document, ("", ""), rows=len(INTERVIEW_FACTS) - 1, weights=[5.0, 12.0],
                   header_repeats=False)
    filled = {"Review reference": prefill.reference, "Interviewer": prefill.author}
    for row, label in zip(facts.rows, INTERVIEW_FACTS, strict=True):
        _label(row.cells[0], label)
        row.cells[1].text = filled.get(label, "")
        row.height = Cm(0.8)
    _centred_rows(facts)
    _heading(document, "Record of interview", 2)
    _guidance(document, "A record of the interview must be signed and agreed by the interviewer "
                        "and the interviewee.")
    record = _table(document, ("",), rows=0, weights=[1.0], header_repeats=False)
    record.rows[0].height = Cm(11)
    document.add_paragraph()
    agreed = document.add_paragraph("This record has been read and agreed by the interviewer and "
                                    "the interviewee.")
    agreed.paragraph_format.keep_with_next = True
    signatures = _table(document, ("", "Interviewer", "Interviewee"), rows=3,
                        weights=[3.0, 7.0, 7.0], header_repeats=False)
    for row, label in zip(signatures.rows[1:], ("Signed", "Name", "Date"), strict=True):
        _label(row.cells[0], label)
        row.height = Cm(1.2)
    _keep_on_one_page(signatures)
    _centred_rows(signatures)
    return _save(document)


@dataclass(frozen=True)
class TemplateKind:
    name: str
    title: str
    packs: dict[str, object]  # pack -> builder


KINDS: dict[str, TemplateKind] = {
    "chronology": TemplateKind("chronology", "Chronology and Key to Initials",
                               {DERBYSHIRE: chronology, BRADFORD: bradford_chronology}),
    "imr": TemplateKind("imr", "IMR report", {DERBYSHIRE: derbyshire_imr, BRADFORD: bradford_imr}),
    "action-plan": TemplateKind("action-plan", "Action plan for recommendations",
                                {BRADFORD: action_plan, DERBYSHIRE: action_plan}),
    "interview": TemplateKind("interview", "Interview record sheet (Appendix I)",
                              {BRADFORD: interview_record, DERBYSHIRE: interview_record}),
}


def build(kind: str, pack: str, prefill: Prefill) -> bytes:
    template = KINDS[kind]
    builder = template.packs.get(pack) or next(iter(template.packs.values()))
    content = builder(prefill)  # type: ignore[operator]
    # python-docx leaves each document in reference cycles (package <-> parts) that hold its XML
    # trees, so they are freed only by the cyclic collector, which then frees several documents'
    # trees at once inside some later build or turn. Freed here, each build pays for its own
    # (docs/benchmarks.md has the figures).
    # Cheap in the bot, which freezes what startup built out of the collector's sight.
    gc.collect()
    return content
