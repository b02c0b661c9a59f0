"""Every generated document, opened again: its structure is what the seeds set out."""

import io
from datetime import date

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml.ns import qn

from imr_bot.documents.checker import check
from imr_bot.documents.templates import (
    ACTION_PLAN_COLUMNS,
    CHRONOLOGY_COLUMNS,
    KINDS,
    Prefill,
    build,
    chronology,
    derbyshire_imr,
)

PREFILL = Prefill(reference="DDSCP/CSPR/2026/014", author="Arun Author", qa_lead="Quinn Lead",
                  tor_start=date(2025, 1, 1), tor_end=date(2026, 6, 30), today=date(2026, 11, 23))


def opened(content: bytes):
    return Document(io.BytesIO(content))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]


def test_the_chronology_is_landscape_with_its_header_table_and_key():
    document = opened(chronology(PREFILL))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    header = section.header.paragraphs[0].text
    assert header.startswith("RESTRICTED") and "Individual Management Review ref: DDSCP/CSPR/2026/014" in header
    assert "23/11/2026" in header
    table = document.tables[0]
    assert tuple(c.text for c in table.rows[0].cells) == CHRONOLOGY_COLUMNS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
    assert "Key to Initials Used" in headings(document)
    assert "Arun Author" in all_text(document)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_header_spreads_marking_title_and_date_across_the_page(kind):
    section = opened(build(kind, "derbyshire", PREFILL)).sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    stops = section.header.paragraphs[0].paragraph_format.tab_stops
    placed = {(stop.alignment, stop.position) for stop in stops
              if stop.alignment != WD_TAB_ALIGNMENT.CLEAR}
    assert placed == {(WD_TAB_ALIGNMENT.CENTER, width // 2), (WD_TAB_ALIGNMENT.RIGHT, width)}


def test_every_build_starts_from_the_same_trimmed_package():
    first, second = opened(build("imr", "bradford", PREFILL)), opened(build("imr", "bradford", PREFILL))
    assert "Light Grid" not in {style.name for style in first.styles}  # unused table styles dropped
    assert first.styles["Normal"].font.name == "Arial"
    assert len(second.paragraphs) == len(first.paragraphs)  # a build leaves the base untouched


def test_the_imr_template_keeps_the_seeds_numbering_grid_and_signature():
    document = opened(derbyshire_imr(PREFILL))
    numbered = [h.split("\t")[0] for h in headings(document) if "\t" in h]
    assert numbered == ["1", "2", "3", "6", "7", "8", "9"]
    text = all_text(document)
    assert "Ref: DDSCP/CSPR/2026/014" in text and "Author: Arun Author" in text
    assert "Name and Role of Professional" in text and "Period of involvement" in text
    assert "Signed (author):" in text and "Date:" in text
    assert "include confirmation regarding independence" in text


def test_the_bradford_report_has_its_sections_and_analysis_questions():
    document = opened(build("imr", "bradford", PREFILL))
    titles = headings(document)
    for section in ("Introduction", "Methodologies", "Chronology of Contacts", "The Child's Journey",
                    "Analysis", "What do we learn from this case?", "Recommendations for Action Plan"):
        assert any(section in t for t in titles), section
    assert "compiled by Arun Author" in all_text(document)
    assert "wishes and feelings" in all_text(document)


def test_the_action_plan_and_interview_sheet():
    plan = opened(build("action-plan", "bradford", PREFILL))
    assert tuple(c.text for c in plan.tables[0].rows[0].cells) == ACTION_PLAN_COLUMNS
    interview = all_text(opened(build("interview", "bradford", PREFILL)))
    for label in ("Interviewee", "Role", "Date of interview", "Interviewer", "Record of interview"):
        assert label in interview
    assert interview.count("Signed:") == 2  # interviewer and interviewee


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_template_has_page_numbers_and_its_marking(kind):
    document = opened(build(kind, "derbyshire", Prefill(marking="OFFICIAL-SENSITIVE")))
    footer = document.sections[0].footer.paragraphs[0]
    assert "OFFICIAL-SENSITIVE" in footer.text
    assert "PAGE" in footer._p.xml  # a PAGE field, numbered by Word


# -- the document check ---------------------------------------------------------------------
def filled_report(*, sign=True, drop_section=None, acronym="") -> bytes:
    document = opened(derbyshire_imr(PREFILL))
    for paragraph in document.paragraphs:
        if paragraph.text.startswith("Signed (author):") and sign:
            paragraph.text = "Signed (author): Arun Author"
        elif paragraph.text.startswith("Date: ____") and sign:
            paragraph.text = "Date: 12/01/2027"
        if drop_section and drop_section in paragraph.text:
            paragraph.text = ""
    document.add_paragraph("The Multi-Agency Safeguarding Hub (MASH) was contacted." + acronym)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def filled_chronology(rows, key=("JS", "Child"), ) -> bytes:
    document = opened(chronology(PREFILL))
    table = document.tables[0]
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            table.rows[index].cells[column].text = value
    if key:
        document.tables[1].rows[1].cells[0].text = key[0]
        document.tables[1].rows[1].cells[1].text = key[1]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


GOOD_ROWS = [("03/02/2025", "Health visitor", "Home visit to JS", "Advice given"),
             ("10/03/2025", "Social care", "Referral about JS", "Assessment opened")]
TOR = (date(2025, 1, 1), date(2026, 6, 30))


def problems(report, chronology_) -> list[str]:
    return [f.text for f in check(report, chronology_, "derbyshire", TOR).problems]


def test_a_clean_pair_passes_every_check():
    assert problems(filled_report(), filled_chronology(GOOD_ROWS)) == []


def test_a_missing_section_is_found():
    assert any("ANALYSIS OF INVOLVEMENT" in p for p in
               problems(filled_report(drop_section="ANALYSIS OF INVOLVEMENT"), filled_chronology(GOOD_ROWS)))


def test_unordered_dates_are_found():
    rows = [GOOD_ROWS[1], GOOD_ROWS[0]]
    assert any("dates out of order" in p for p in problems(filled_report(), filled_chronology(rows)))


def test_initials_missing_from_the_key_are_found():
    rows = GOOD_ROWS + [("11/03/2025", "Police", "Call about KL", "No further action")]
    assert "initials missing from the key: KL" in problems(filled_report(), filled_chronology(rows))


def test_a_missing_signature_is_found():
    assert "report is not signed" in problems(filled_report(sign=False), filled_chronology(GOOD_ROWS))


def test_unexplained_abbreviations_and_unreadable_or_outside_dates_are_found():
    rows = GOOD_ROWS + [("soon", "GP", "x", "y"), ("01/08/2026", "Police", "x", "y")]
    found = problems(filled_report(acronym=" The LADO was told."), filled_chronology(rows))
    assert "abbreviations not explained: LADO" in found
    assert any("can't be read: soon" in p for p in found)
    assert any("outside the terms of reference" in p for p in found)
