"""Recommendations read from an approved report's recommendations section, however the author
wrote them: numbered "1.", "1)" or "1⇥", "Recommendation 1:", "12.1", bullets, a Word list, a table;
under "Recommendations", "Recommendations for the agency", "Learning and recommendations"; and
none from a report without such a section."""

import io

import pytest
from docx import Document

from imr_bot.documents import jobs
from imr_bot.documents.checker.recommendations import is_recommendations_heading, read
from imr_bot.documents.safety import ArchiveLimits
from imr_bot.documents.templates import Prefill, build
from imr_bot.domain.errors import DocumentRefused

FIRST = "Supervision records the child's wishes and feelings at every session."
SECOND = "Strategy discussions include health and education as well as the police."
THIRD = "Managers audit ten case files a quarter for the voice of the child."


def report(*parts) -> bytes:
    """A report from parts: ("h1", text), ("h2", text), ("bold", text), ("p", text),
    ("style", style, text), ("table", rows)."""
    document = Document()
    document.add_heading("1. Introduction", 1)
    document.add_paragraph("This report was commissioned by the partnership in March 2026.")
    for part in parts:
        kind = part[0]
        if kind in ("h1", "h2"):
            document.add_heading(part[1], int(kind[1]))
        elif kind == "bold":
            document.add_paragraph().add_run(part[1]).bold = True
        elif kind == "p":
            document.add_paragraph(part[1])
        elif kind == "style":
            document.add_paragraph(part[2], style=part[1])
        elif kind == "table":
            rows = part[1]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for row, values in zip(table.rows, rows, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def texts(content: bytes) -> list[tuple[int, str]]:
    return [(f.number, f.text) for f in read(content)]


CASES = {
    "numbered with a full stop, under a Heading 1": (report(
        ("h1", "7. RECOMMENDATIONS"), ("p", f"1. {FIRST}"), ("p", f"2. {SECOND}"),
        ("p", f"3. {THIRD}"), ("h1", "8. Glossary"), ("p", "1. CSC – Children's Social Care")),
        [(1, FIRST), (2, SECOND), (3, THIRD)]),
    "numbered with a bracket, under a bold heading for the agency": (report(
        ("bold", "Recommendations for the agency"), ("p", "The agency should make sure that:"),
        ("p", f"1) {FIRST}"), ("p", f"2) {SECOND}"), ("bold", "Signed (author): J. Smith")),
        [(1, FIRST), (2, SECOND)]),
    "Recommendation 1:, the words inline or on the next line": (report(
        ("h2", "Learning and recommendations"), ("p", f"Recommendation 1: {FIRST}"),
        ("p", "Recommendation 2:"), ("p", SECOND), ("p", f"Recommendation 3 – {THIRD}")),
        [(1, FIRST), (2, SECOND), (3, THIRD)]),
    "bullets after a lead-in sentence": (report(
        ("h1", "Recommendations"), ("p", "The following recommendations are made:"),
        ("p", f"• {FIRST}"), ("p", f"- {SECOND}"), ("p", f"* {THIRD}"),
        ("h1", "Appendix 1: terms of reference")),
        [(1, FIRST), (2, SECOND), (3, THIRD)]),
    "a Word list with the numbers in its style, not its text": (report(
        ("h1", "6. Recommendations for Action"), ("style", "List Number", FIRST),
        ("style", "List Number", SECOND), ("h1", "7. Sign-off")),
        [(1, FIRST), (2, SECOND)]),
    "a table with a Recommendation column": (report(
        ("h1", "Recommendations for Action Plan"),
        ("table", [["No.", "Recommendation", "Lead"], ["1", FIRST, "Head of service"],
                   ["2", SECOND, "Safeguarding lead"], ["", "", ""]])),
        [(1, FIRST), (2, SECOND)]),
    "a table without headings: the widest column": (report(
        ("h1", "Recommendations"), ("table", [["R1", FIRST], ["R2", SECOND]])),
        [(1, FIRST), (2, SECOND)]),
    "the section's own number first (12.1, 12.2)": (report(
        ("bold", "12. RECOMMENDATIONS"), ("p", f"12.1 {FIRST}"), ("p", f"12.2 {SECOND}"),
        ("p", "Signed (author): ____________")),
        [(1, FIRST), (2, SECOND)]),
    "a tab after the number": (report(
        ("bold", "RECOMMENDATIONS"), ("p", f"1\t{FIRST}"), ("p", f"2\t{SECOND}")),
        [(1, FIRST), (2, SECOND)]),
    "our Bradford template filled in, its guidance left in place": (report(
        ("h1", "13\tRECOMMENDATIONS FOR ACTION PLAN"),
        ("p", "Recommendations for Action using the action plan template"),
        ("p", "Individual agency recommendations for action contained in this report will be "
              "considered by the SCR Panel for inclusion in the Overview Report. The SCR Panel "
              "may also recommend further actions for your agency to be included in the Overview "
              "Report. Any individual agency recommendations not included in the Overview Report "
              "are expected to be acted on within individual agency governance arrangements."),
        ("p", f"1. {FIRST}"), ("p", f"2. {SECOND}"),
        ("p", "Signed (author): A. Author"), ("p", "Date: 01/12/2026")),
        [(1, FIRST), (2, SECOND)]),
    "a heading in a one-cell box": (report(
        ("table", [["Recommendations"]]), ("p", f"(1) {FIRST}"), ("p", f"(2) {SECOND}")),
        [(1, FIRST), (2, SECOND)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_recommendations_are_read_as_the_author_wrote_them(name):
    content, expected = CASES[name]
    assert texts(content) == expected


def test_a_report_without_a_recommendations_section_has_none():
    content = report(("h1", "2. Analysis"), ("p", f"1. {FIRST}"), ("p", f"2. {SECOND}"),
                     ("h1", "3. Lessons learnt"), ("p", "• Practice was good in places."))
    assert texts(content) == []


def test_a_section_that_makes_no_recommendations_has_none():
    assert texts(report(("h1", "Recommendations"), ("p", "No recommendations are made."))) == []
    assert texts(report(("h1", "Recommendations"), ("p", "None."))) == []


def test_the_templates_guidance_is_not_a_recommendation():
    for pack in ("bradford", "derbyshire"):
        assert read(build("imr", pack, Prefill())) == []


def test_a_contents_list_and_a_summary_do_not_stop_the_section_being_found():
    content = report(("p", "7. Recommendations\t12"),
                     ("h1", "Executive summary"), ("p", "Recommendations are listed below."),
                     ("h1", "7. Recommendations"), ("p", f"1. {FIRST}"), ("p", f"2. {SECOND}"))
    assert texts(content) == [(1, FIRST), (2, SECOND)]


def test_the_section_ends_at_the_next_heading_of_its_rank():
    content = report(("h1", "Recommendations"), ("h2", "For the agency"), ("p", f"1. {FIRST}"),
                     ("h2", "For the partnership"), ("p", f"2. {SECOND}"),
                     ("h1", "Glossary"), ("p", f"3. {THIRD}"))
    assert texts(content) == [(1, FIRST), (2, SECOND)]


def test_numbers_written_twice_are_numbered_in_order():
    content = report(("h1", "Recommendations"), ("p", f"1. {FIRST}"), ("p", f"1. {SECOND}"))
    assert texts(content) == [(1, FIRST), (2, SECOND)]


@pytest.mark.parametrize("heading", ["Recommendations", "RECOMMENDATIONS:", "7. Recommendations",
                                     "Recommendations for the agency",
                                     "Learning and recommendations",
                                     "Lessons learnt and recommendations",
                                     "Recommendations for Action Plan", "Section 12 – Recommendations"])
def test_headings_that_name_the_section(heading):
    assert is_recommendations_heading(heading)


@pytest.mark.parametrize("heading", ["Effective practice/lessons learnt", "Analysis",
                                     "The recommendations of the previous review were not "
                                     "followed by the service in 2024 and this matters"])
def test_headings_that_do_not(heading):
    assert not is_recommendations_heading(heading)


def test_the_job_reads_in_a_worker_and_refuses_what_is_not_a_document():
    content, expected = CASES["numbered with a full stop, under a Heading 1"]
    assert jobs.recommendations(ArchiveLimits(), content) == expected
    with pytest.raises(DocumentRefused):
        jobs.recommendations(ArchiveLimits(), b"not a word document")


async def test_the_job_runs_in_a_capped_worker_process():
    from imr_bot.documents.worker import DocumentWorkers

    workers = DocumentWorkers(workers=1, memory_mb=512, seconds=60)
    try:
        content, expected = CASES["Recommendation 1:, the words inline or on the next line"]
        assert await workers.run(jobs.recommendations, workers.limits, content) == expected
        assert workers.started == 1
        with pytest.raises(DocumentRefused):
            await workers.run(jobs.recommendations, workers.limits, b"PK\x03\x04 broken",
                              name="IMR report.docx")
    finally:
        await workers.close()
