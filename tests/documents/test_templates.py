"""Every generated document, opened again: its structure is what the seeds set out."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml.ns import qn

from imr_bot.documents.templates import (
    ACTION_PLAN_COLUMNS,
    CHRONOLOGY_COLUMNS,
    KINDS,
    PACKS,
    PROFESSIONALS_COLUMNS,
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


def text_width_twips(section) -> int:
    return (section.page_width - section.left_margin - section.right_margin) // 635


def twips(element, tag) -> int:
    return int(element.find(qn(tag)).get(qn("w:w")))


EVERY_TEMPLATE = [(kind, pack, prefill) for kind in KINDS for pack in PACKS
                  for prefill in (PREFILL, Prefill())]
IDS = [f"{kind}-{pack}-{'filled' if prefill.reference else 'blank'}"
       for kind, pack, prefill in EVERY_TEMPLATE]


@pytest.mark.parametrize(("kind", "pack", "prefill"), EVERY_TEMPLATE, ids=IDS)
def test_every_template_is_a4_with_every_table_inside_the_margins(kind, pack, prefill):
    document = opened(build(kind, pack, prefill))
    section = document.sections[0]
    portrait = (round(section.page_width.cm, 1), round(section.page_height.cm, 1))
    landscape = kind in ("chronology", "action-plan")
    assert portrait == ((29.7, 21.0) if landscape else (21.0, 29.7))
    assert section.orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT)
    width = text_width_twips(section)
    for table in document.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) <= width  # LibreOffice lays a table out by its grid
        tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
        assert tbl_w.get(qn("w:type")) == "dxa" and int(tbl_w.get(qn("w:w"))) == sum(grid)
        for row in table.rows:  # Word, by its cells
            assert [twips(c._tc.tcPr, "w:tcW") for c in row.cells] == grid


def test_the_chronology_is_landscape_with_its_header_table_and_key():
    document = opened(chronology(PREFILL))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    header = section.header.paragraphs[0].text
    assert header == ("RESTRICTED\tDerbyshire Children’s Services – Individual Management Review "
                      "ref: DDSCP/CSPR/2026/014\tDate:")  # the date is the author's to write
    table = document.tables[0]
    assert tuple(c.text for c in table.rows[0].cells) == CHRONOLOGY_COLUMNS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
    assert "Key to Initials Used" in headings(document)
    assert tuple(c.text for c in document.tables[1].rows[0].cells) == ("Initials", "Role or relationship")
    assert "Arun Author" in all_text(document)
    assert "chat" not in all_text(document)  # the document speaks as a document, not as the bot


def test_a_bradford_chronology_is_headed_for_bradford():
    document = opened(build("chronology", "bradford", PREFILL))
    header = document.sections[0].header.paragraphs[0].text
    assert "Bradford Safeguarding Children Board – Individual Management Review ref: " in header
    assert "Derbyshire" not in all_text(document) + header
    assert tuple(c.text for c in document.tables[0].rows[0].cells) == CHRONOLOGY_COLUMNS


@pytest.mark.parametrize(("kind", "pack", "prefill"), EVERY_TEMPLATE, ids=IDS)
def test_the_header_spreads_its_parts_across_the_page(kind, pack, prefill):
    section = opened(build(kind, pack, prefill)).sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    stops = section.header.paragraphs[0].paragraph_format.tab_stops
    placed = {(stop.alignment, stop.position) for stop in stops
              if stop.alignment != WD_TAB_ALIGNMENT.CLEAR}
    assert placed == {(WD_TAB_ALIGNMENT.CENTER, width // 2), (WD_TAB_ALIGNMENT.RIGHT, width)}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("pack", list(PACKS))
def test_a_blank_header_has_no_dangling_separator(kind, pack):
    header = opened(build(kind, pack, Prefill())).sections[0].header.paragraphs[0].text
    for part in header.split("\t"):
        assert not part.rstrip().endswith(("—", "–", "-")), header
    assert "/20" not in header  # no date the author did not write


def test_every_build_starts_from_the_same_trimmed_package():
    first, second = opened(build("imr", "bradford", PREFILL)), opened(build("imr", "bradford", PREFILL))
    assert "Light Grid" not in {style.name for style in first.styles}  # unused table styles dropped
    assert first.styles["Normal"].font.name == "Arial"
    assert first.styles["Heading 1"].font.name == "Arial"
    assert len(second.paragraphs) == len(first.paragraphs)  # a build leaves the base untouched


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_documents_properties_are_its_own_not_python_docxs(kind):
    properties = opened(build(kind, "derbyshire", PREFILL)).core_properties
    assert properties.author == "Arun Author" and properties.title
    assert "python-docx" not in properties.comments and properties.created is None


# -- Derbyshire, Appendix 4 -----------------------------------------------------------------
def test_the_imr_template_keeps_the_seeds_numbering_grid_and_signature():
    document = opened(derbyshire_imr(PREFILL))
    numbered = [h.split("\t")[0] for h in headings(document) if "\t" in h]
    assert numbered == ["1", "2", "3", "6", "7", "8", "9"]
    text = all_text(document)
    assert "Ref: DDSCP/CSPR/2026/014" in text and "Author: Arun Author" in text
    grid = document.tables[0]
    assert tuple(c.text for c in grid.rows[0].cells) == PROFESSIONALS_COLUMNS
    assert PROFESSIONALS_COLUMNS[-1] == "Interviewed (yes/no)"
    assert "Signed (author):" in text and "Date:" in text
    assert "include confirmation regarding independence" in text


def test_the_derbyshire_imr_keeps_the_seeds_wording():
    document = opened(derbyshire_imr(PREFILL))
    assert "Background and reason for undertaking DHR" in headings(document)
    paragraphs = [p.text for p in document.paragraphs]
    issues = paragraphs.index("Issues to be addressed")
    assert paragraphs[issues + 1].startswith("Refer to the agreed terms of reference")
    assert paragraphs[issues + 2].startswith("Consider if there any specific considerations")


def test_the_derbyshire_header_is_the_seeds_and_the_marking_is_on_the_cover():
    document = opened(derbyshire_imr(Prefill(marking="OFFICIAL-SENSITIVE", today=date(2026, 11, 23))))
    section = document.sections[0]
    header = section.header.paragraphs[0]
    assert header.text == "CONFIDENTIAL\tPage 1\tDate:" and "PAGE" in header._p.xml
    assert section.different_first_page_header_footer  # the cover has no running header
    assert all(not p.text for p in section.first_page_header.paragraphs)
    cover = [p.text for p in document.paragraphs[:12]]
    assert "OFFICIAL-SENSITIVE" in cover and "Date: " in cover  # a date for the author to write
    assert "23/11/2026" not in all_text(document)
    assert not any("OFFICIAL-SENSITIVE" in p.text for p in section.footer.paragraphs)


def test_the_derbyshire_analysis_carries_appendix_1s_questions_as_bullets():
    document = opened(derbyshire_imr(PREFILL))
    paragraphs = document.paragraphs
    analysis = next(i for i, p in enumerate(paragraphs) if p.text == "7\tANALYSIS OF INVOLVEMENT")
    lessons = next(i for i, p in enumerate(paragraphs) if p.text.startswith("8\t"))
    bullets = [p.text for p in paragraphs[analysis:lessons] if p.style.name == "List Bullet"]
    assert len(bullets) == 12
    assert bullets[0].startswith("Were practitioners sensitive to the needs of the child and family")
    assert bullets[-1].startswith("Are there lessons to be learned from this case")
    assert not any(p.text.lstrip().startswith(("•", "·", "- ")) for p in paragraphs)


def test_the_signature_and_its_date_stay_together():
    paragraphs = opened(derbyshire_imr(PREFILL)).paragraphs
    signed = next(p for p in paragraphs if p.text.startswith("Signed (author):"))
    following = paragraphs[[p._p for p in paragraphs].index(signed._p) + 1]
    assert following.text.startswith("Date:")
    assert signed.paragraph_format.keep_with_next and signed.paragraph_format.keep_together


# -- Bradford -------------------------------------------------------------------------------
BRADFORD_HEADINGS = ["2\tINTRODUCTION", "3\tMETHODOLOGIES", "9\tCHRONOLOGY OF CONTACTS",
                     "10\tTHE CHILD'S JOURNEY", "11\tANALYSIS", "12\tWHAT DO WE LEARN FROM THIS CASE?",
                     "13\tRECOMMENDATIONS FOR ACTION PLAN"]


def test_the_bradford_report_has_the_seeds_numbered_sections():
    document = opened(build("imr", "bradford", PREFILL))
    assert [h for h in headings(document) if "\t" in h] == BRADFORD_HEADINGS
    text = all_text(document)
    assert "compiled by Arun Author on behalf of (insert NAME OF ORGANISATION here)" in text
    assert "Serious Case Review. (Arun Author)" in text


def test_a_blank_bradford_report_leaves_the_authors_name_to_insert():
    text = all_text(opened(build("imr", "bradford", Prefill())))
    assert "compiled by (insert NAME OF AUTHOR) on behalf of" in text


# -- word for word: every line of the seeds is in the document made from them -------------------
SEEDS = Path(__file__).parent / "seeds"  # excerpts of /work/shared/seeds, copied as they are


def normalised(text: str) -> str:
    text = re.sub(r"^SECTION (\d+)\W*", r"\1 ", text.strip())  # "SECTION 9 – X:" is "9 X"
    text = text.replace("**", "").replace("Page Number", "Page 1")  # bold; the PAGE field
    text = re.sub(r"^[·-] ", "", text)  # the seeds' typed bullets are list bullets
    return re.sub(r"\s+", " ", text).strip().rstrip("_: ")


def everything_written(content: bytes) -> set[str]:
    document = opened(content)
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    texts += [p.text for p in document.sections[0].header.paragraphs]
    return {normalised(t) for t in texts}


def seed_lines(name: str, left_out: tuple[str, ...]) -> list[str]:
    lines = [normalised(line) for line in (SEEDS / name).read_text().splitlines()]
    return [line for line in lines if line and line not in left_out]


def missing_from(content: bytes, lines: list[str]) -> list[str]:
    written = everything_written(content)
    return [line for line in lines if not any(line in text for text in written)]


def test_the_derbyshire_imr_has_every_line_of_appendix_4():
    lines = seed_lines("derbyshire_appendix_4.txt", left_out=("Appendix 4",))
    assert missing_from(derbyshire_imr(Prefill()), lines) == []


def test_the_derbyshire_imr_has_every_analysis_question_of_appendix_1():
    # the guidance's own headings, and its chronology paragraph, which the chronology carries
    lines = seed_lines("derbyshire_appendix_1.txt", left_out=(
        "Appendix 1", "DERBYSHIRE CHILDREN’S SERVICES",
        "GUIDANCE FOR INDIVIDUAL MANAGEMENT REVIEWS (IMR)", "Chronology", "Analysis of involvement"))
    chronology_paragraph = next(line for line in lines if line.startswith("The review should include"))
    lines.remove(chronology_paragraph)
    assert missing_from(derbyshire_imr(Prefill()), lines) == []
    assert missing_from(chronology(Prefill()), [chronology_paragraph]) == []


def test_the_derbyshire_chronology_has_every_line_of_appendix_3():
    lines = seed_lines("derbyshire_appendix_3.txt", left_out=("Appendix 3",))
    assert missing_from(chronology(Prefill()), lines) == []


def test_the_bradford_report_has_every_paragraph_of_the_bradford_guidance():
    lines = seed_lines("bradford_guidance.txt", left_out=(
        "IMR Guidance to be read in conjunction with the guidance notes included within the IMR "
        "template",))  # the guidance's own title
    assert missing_from(build("imr", "bradford", Prefill()), lines) == []


def test_the_bradford_analysis_questions_are_fourteen_list_bullets_with_their_sub_questions():
    paragraphs = opened(build("imr", "bradford", PREFILL)).paragraphs
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) == 14
    assert bullets[0] == ("When and in what way were the child(ren)'s wishes and feelings heard and "
                          "addressed? Was this information recorded? How was this responded to by "
                          "your agency? Did your agency listen to the child? This is particularly "
                          "important to include in your review report")
    assert bullets[-1] == "Was there sufficient management accountability for decision making?"
    assert not any(p.text.lstrip().startswith(("•", "- ")) for p in paragraphs)


def test_the_bradford_analysis_guidance_sits_under_its_own_subheading():
    titles = headings(opened(build("imr", "bradford", PREFILL)))
    assert titles.index("Additional considerations to support analysis") == titles.index("11\tANALYSIS") + 1


def test_the_action_plan_and_interview_sheet():
    plan = opened(build("action-plan", "bradford", PREFILL))
    assert tuple(c.text for c in plan.tables[0].rows[0].cells) == ACTION_PLAN_COLUMNS
    document = opened(build("interview", "bradford", PREFILL))
    interview = all_text(document)
    for label in ("Interviewee", "Role", "Date of interview", "Interviewer", "Record of interview"):
        assert label in interview
    assert "Appendix I: Pro Forma Interview Record Sheet" in headings(document)
    signatures = document.tables[-1]
    assert [c.text for c in signatures.rows[0].cells] == ["", "Interviewer", "Interviewee"]
    assert [r.cells[0].text for r in signatures.rows[1:]] == ["Signed", "Name", "Date"]
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in signatures.rows)


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "imr"])
@pytest.mark.parametrize("pack", list(PACKS))
def test_every_template_has_page_numbers_and_its_marking(kind, pack):
    document = opened(build(kind, pack, Prefill(marking="OFFICIAL-SENSITIVE")))
    section = document.sections[0]
    assert section.header.paragraphs[0].text.startswith("OFFICIAL-SENSITIVE\t")
    footer = section.footer.paragraphs[0]
    assert "OFFICIAL-SENSITIVE" in footer.text
    assert "PAGE" in footer._p.xml  # a PAGE field, numbered by Word


def test_the_bradford_report_has_page_numbers_and_its_marking():
    section = opened(build("imr", "bradford", Prefill(marking="OFFICIAL-SENSITIVE"))).sections[0]
    assert section.header.paragraphs[0].text == ("OFFICIAL-SENSITIVE\tIndividual Management "
                                                 "Review\tDate:")
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
