"""Every generated document, opened again: its structure is what the seeds set out."""

import io
from datetime import date

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml.ns import qn

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
