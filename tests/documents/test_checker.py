"""The document check on small documents written one way each: what it finds, and what it must
not find."""

import io
import pickle
from datetime import date

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from imr_bot.documents.checker import CheckResult, check
from imr_bot.documents.checker.dates import AMBIGUOUS, DATE, UNREADABLE, read_date
from imr_bot.documents.checker.terms import explained_beside, tokens
from imr_bot.documents.templates import Prefill, build

TOR = (date(2025, 1, 1), date(2025, 12, 31))
BRADFORD = ["Introduction", "Methodologies", "Chronology of Contacts", "The Child's Journey",
            "Analysis", "What do we learn from this case?", "Recommendations for Action Plan"]
DERBYSHIRE = ["INTRODUCTION", "TERMS OF REFERENCE", "METHODOLOGY",
              "SUMMARY OF AGENCY INVOLVEMENT", "ANALYSIS OF INVOLVEMENT",
              "EFFECTIVE PRACTICE/LESSONS LEARNT", "RECOMMENDATIONS"]
COLUMNS = ["Date", "Source of Information/Event", "Activity", "Response or Outcome of Activity"]
ROWS = [("06/01/2025", "Police", "Domestic incident; AB present.", "Notified the front door."),
        ("07/01/2025", "Social care", "CD seen at home with AB.", "Assessment opened.")]
KEY = [("AB", "subject child"), ("CD", "mother")]


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report(titles=BRADFORD, *, heading=lambda d, t: d.add_paragraph(t, style="Heading 1"),
           body="AB (subject child) was seen alone by the social worker.", empty=(),
           signoff=("Signed (author): J Morgan", "Date: 12/01/2026"), extra=(),
           cover_date="Date: 01/01/2026", bodies=None) -> bytes:
    document = Document()
    document.add_paragraph("INDIVIDUAL MANAGEMENT REVIEW", style="Title")
    if cover_date:
        document.add_paragraph(cover_date)
    for title in titles:
        heading(document, title)
        if title not in empty:
            document.add_paragraph((bodies or {}).get(title, body))
    for line in extra:
        document.add_paragraph(line)
    for line in signoff:
        document.add_paragraph(line)
    return saved(document)


def chronology(rows=ROWS, *, columns=COLUMNS, key=KEY, key_as_lines=False, title_row=False,
               key_first=False) -> bytes:
    document = Document()
    document.add_paragraph("Chronology", style="Heading 1")

    def add_key():
        if key_as_lines:
            document.add_paragraph().add_run("Key to Initials Used:").bold = True
            for initials, who in key:
                document.add_paragraph(f"{initials} \u2013 {who}")
        else:
            document.add_paragraph("Key to Initials Used", style="Heading 2")
            table = document.add_table(rows=1 + len(key), cols=2)
            table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Initials", "Role"
            for row, (initials, who) in zip(table.rows[1:], key, strict=True):
                row.cells[0].text, row.cells[1].text = initials, who

    if key and key_first:
        add_key()
    table = document.add_table(rows=1 + int(title_row) + len(rows), cols=len(columns))
    if title_row:
        table.rows[0].cells[0].merge(table.rows[0].cells[-1]).text = "CHRONOLOGY"
    for cell, name in zip(table.rows[int(title_row)].cells, columns, strict=True):
        cell.text = name
    for row, values in zip(table.rows[1 + int(title_row):], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    if key and not key_first:
        add_key()
    return saved(document)


def findings(report_bytes=None, chronology_bytes=None, pack="bradford", tor=TOR):
    return check(report_bytes or report(), chronology_bytes or chronology(), pack,
                 tor).findings()


def test_a_clean_pair_passes_every_check():
    result = check(report(), chronology(), "bradford", TOR)
    assert result.findings() == set() and result.ok and result.status == "passed"
    assert result.summary().startswith("Automated check: all 14 checks passed")


# -- sections -------------------------------------------------------------------------------
def _custom(document, title):
    if "Section Head" not in [s.name for s in document.styles]:
        style = document.styles.add_style("Section Head", WD_STYLE_TYPE.PARAGRAPH)
        style.font.bold, style.font.size = True, Pt(14)
    document.add_paragraph(title, style="Section Head")


def _bold(document, title):
    document.add_paragraph().add_run(title).bold = True


@pytest.mark.parametrize("heading", [
    _custom, _bold,
    lambda d, t: d.add_paragraph(t.upper(), style="Heading 2"),
    lambda d, t: d.add_paragraph(f"{BRADFORD.index(t) + 1}. {t}", style="Heading 1"),
    lambda d, t: d.add_paragraph(f"1.{BRADFORD.index(t) + 1} {t.lower()}"),
    lambda d, t: _bold(d, f"Section {BRADFORD.index(t) + 2} \u2013 {t.replace(chr(39), chr(8217))}"),
    lambda d, t: _bold(d, f"SECTION {BRADFORD.index(t) + 2}: {t.upper()}:"),
], ids=["custom-style", "bold", "capitals", "numbered", "decimal-lower", "section-curly",
        "seed-caps-colon"])
def test_sections_are_found_by_their_heading_text_in_any_style(heading):
    assert findings(report(heading=heading)) == set()


def test_a_guidance_subheading_containing_the_word_is_not_the_section():
    titles = [t if t != "Analysis" else "Additional considerations to support analysis"
              for t in BRADFORD]
    assert findings(report(titles)) == {("report.section_missing", "Analysis")}


def test_an_empty_section_is_reported_by_name():
    assert findings(report(empty=("Methodologies",))) == {("report.section_empty",
                                                           "Methodologies")}


def test_a_section_holding_only_the_templates_guidance_or_a_placeholder_is_empty():
    blank = build("imr", "derbyshire", Prefill())
    result = check(blank, chronology(), "derbyshire", TOR)
    empty = {item for code, item in result.findings() if code == "report.section_empty"}
    assert empty == set(DERBYSHIRE)  # every section of the bot's own template is found
    bradford = check(build("imr", "bradford", Prefill()), chronology(), "bradford", TOR)
    assert {i for c, i in bradford.findings() if c == "report.section_empty"} == set(BRADFORD)
    for placeholder in ("TBC", "[Insert text here]", "Click or tap here to enter text."):
        assert findings(report(bodies={"Analysis": placeholder})) == {
            ("report.section_empty", "Analysis")}


# -- sign-off -------------------------------------------------------------------------------
def test_empty_signature_and_date_lines_are_unsigned_and_undated_whatever_the_cover_says():
    found = findings(report(signoff=("Signature: ______________", "Date: ________")))
    assert found == {("report.signed", ""), ("report.dated", "")}


def test_signed_off_in_the_body_is_not_a_signature():
    body = "The plan was signed off by the Head of Service on 3 March 2025."
    found = findings(report(body=body + " AB (subject child) was seen.", signoff=()))
    assert {("report.signed", ""), ("report.dated", "")} <= found


def test_a_sign_off_table_is_read():
    document = Document(io.BytesIO(report(signoff=())))
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in zip(table.rows, [("Signature", "J Morgan"), ("Name", "J MORGAN"),
                                                ("Date", "12th January 2026")], strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    assert findings(saved(document)) == set()


@pytest.mark.parametrize("line", ["Signature …………………………", "Signed (author) … ",
                                  "Signature………"])
def test_a_signature_line_of_word_ellipses_is_a_label_left_blank(line):
    # Word turns typed dots into the ellipsis character; the date beside it still counts.
    found = findings(report(signoff=(line, "Date: 12/01/2026")))
    assert found == {("report.signed", "")}


def test_a_sign_off_date_with_a_two_digit_year_is_not_read():
    found = findings(report(signoff=("Signed: J Morgan", "Date: 12/1/26")))
    assert found == {("report.dated", "")}


# -- the chronology -------------------------------------------------------------------------
@pytest.mark.parametrize("layout", [
    {"columns": [c.upper() for c in COLUMNS]},
    {"title_row": True},
    {"columns": ["Date", "Time", "Source of Information/Event", "Activity",
                 "Response or Outcome of Activity"],
     "rows": [(r[0], "10:30", *r[1:]) for r in ROWS]},
], ids=["capitals", "merged-title-row", "extra-column"])
def test_the_chronology_is_found_by_its_columns_wherever_its_header_is(layout):
    assert findings(chronology_bytes=chronology(**layout)) == set()


def test_no_chronology_table_is_never_a_pass():
    document = Document()
    document.add_paragraph("06/01/2025 Police: domestic incident.")
    result = check(report(), saved(document), "bradford", TOR)
    assert not result.ok and result.status == "attention"
    assert ("chronology.table", "") in result.findings()
    assert {n.code for n in result.not_checked} >= {"chronology.dates_unreadable",
                                                   "chronology.dates_order",
                                                   "chronology.outside_tor"}


@pytest.mark.parametrize("written, kind, day", [
    ("2025-03-01", DATE, date(2025, 3, 1)), ("01/03/2025", DATE, date(2025, 3, 1)),
    ("1 March 2025", DATE, date(2025, 3, 1)), ("1st March 2025", DATE, date(2025, 3, 1)),
    ("Saturday 1st of March 2025", DATE, date(2025, 3, 1)),
    ("01/03/2025 10:30", DATE, date(2025, 3, 1)), ("1.3.2025 14.00hrs", DATE, date(2025, 3, 1)),
    ("3/4/26", AMBIGUOUS, None), ("1 Mar '25", AMBIGUOUS, None), ("12/25/2025", AMBIGUOUS, None),
    ("Mar 2025", AMBIGUOUS, None), ("3 March", AMBIGUOUS, None),
    ("2025", AMBIGUOUS, None), ("2025 (day not known)", AMBIGUOUS, None),
    ("31/02/2025", UNREADABLE, None), ("unknown", UNREADABLE, None),
    # a period named instead of a day cannot be put in order: it is no date at all
    ("Summer 2025", UNREADABLE, None), ("early 2025", UNREADABLE, None),
    ("Autumn term 2025", UNREADABLE, None), ("Q3 2025", UNREADABLE, None),
])
def test_dates_are_read_only_when_they_read_one_way(written, kind, day):
    read = read_date(written)
    assert (read.kind, read.day) == (kind, day)


def test_each_date_finding_names_its_row_and_date():
    rows = [("01/10/2024", "Police", "x", "y"), ("3/4/25", "Health", "x", "y"),
            *ROWS, ("05/01/2025", "School", "x", "y"), ("soon", "School", "x", "y")]
    result = check(report(), chronology(rows), "bradford", TOR)
    assert {f for f in result.findings() if f[0].startswith("chronology.")} == {
        ("chronology.outside_tor", "1"), ("chronology.dates_ambiguous", "2"),
        ("chronology.dates_order", "5"), ("chronology.dates_unreadable", "6")}
    outside = result.check("chronology.outside_tor").items[0]
    assert (outside.row, outside.date, outside.written) == (1, "2024-10-01", "01/10/2024")


@pytest.mark.parametrize("reason", [
    "Included although before the period because it is significant.",
    "Significant event prior to the review period.",
    "(Outside ToR – relevant history.)",
    "Outside the terms of reference but relevant: first referral.",
    "Relevant background: the family moved into the area.",
    "Historical concern, included as context for the referral.",
    "Significant: the first referral.",
    "Relevant – the plan ended here.",
])
def test_an_entry_outside_the_period_that_says_why_it_is_there_is_not_reported(reason):
    rows = [("01/10/2024", "Police", f"AB seen at the address. {reason}", "Advice"),
            ("02/10/2024", "Police", "AB seen at the address again.", "Advice"), *ROWS]
    found = findings(chronology_bytes=chronology(rows))
    assert found == {("chronology.outside_tor", "2")}


@pytest.mark.parametrize("activity", ["AB had significant bruising to the arm.",
                                      "Significant bruising seen by the nurse.",
                                      "The injury to AB was significant.",
                                      "AB included in the referral for the nursery place.",
                                      "Home visit before the conference."])
def test_an_entry_outside_the_period_that_only_uses_such_words_is_reported(activity):
    rows = [("01/10/2024", "Health", activity, "Advice"), *ROWS]
    assert findings(chronology_bytes=chronology(rows)) == {("chronology.outside_tor", "1")}


def test_every_item_is_listed_none_cut_at_five():
    rows = [(f"{d:02d}/06/2024", "Police", "x", "y") for d in range(1, 9)]
    result = check(report(), chronology(rows), "bradford", TOR)
    assert len(result.check("chronology.outside_tor").items) == 8


def test_no_terms_of_reference_period_is_not_checked_rather_than_passed():
    result = check(report(), chronology(), "bradford", (None, None))
    assert [n.code for n in result.not_checked] == ["chronology.outside_tor"] and not result.ok


# -- the key, initials and terms ------------------------------------------------------------
def test_a_key_written_as_lines_stops_at_the_chronology():
    rows = [*ROWS, ("08/01/2025", "Police", "EF arrested.", "Bailed.")]
    found = findings(chronology_bytes=chronology(rows, key_as_lines=True, key_first=True))
    assert found == {("chronology.initials", "EF")}


def test_a_key_written_as_lines_after_the_table_is_read():
    assert findings(chronology_bytes=chronology(key_as_lines=True)) == set()


def test_no_key_is_reported_and_initials_are_not_checked():
    result = check(report(), chronology(key=()), "bradford", TOR)
    assert ("chronology.key", "") in result.findings()
    assert {n.code for n in result.not_checked} == {"chronology.initials", "report.initials"}


def test_the_report_is_checked_against_the_chronologys_key():
    body = "AB and CD were seen; GH, a neighbour, was not spoken to."
    assert findings(report(body=body)) == {("report.initials", "GH")}


def test_abbreviations_spelled_out_beside_them_are_explained_and_hyphens_are_not():
    body = ("The case was closed with no further action (NFA). The LADO-led meeting was held. "
            "CAMHS (Child and Adolescent Mental Health Services) accepted AB.")
    assert findings(report(body=body)) == {("report.abbreviations", "LADO")}


def test_abbreviations_of_four_letters_or_more_in_the_chronology_are_checked():
    rows = [*ROWS, ("09/01/2025", "School", "The SENCO met CD.", "MARAC referral made.")]
    assert findings(chronology_bytes=chronology(rows)) == {
        ("chronology.abbreviations", "MARAC"), ("chronology.abbreviations", "SENCO")}


def test_a_glossary_table_in_the_report_explains_terms_in_either_document():
    rows = [*ROWS, ("09/01/2025", "School", "The SENCO met CD.", "NFA.")]
    document = Document(io.BytesIO(report(signoff=())))
    document.add_paragraph("Glossary", style="Heading 1")
    table = document.add_table(rows=3, cols=2)
    for row, (term, meaning) in zip(table.rows, [("Term", "Meaning"), ("SENCO", "Special "
                                    "Educational Needs Co-ordinator"), ("NFA", "no further "
                                                                               "action")],
                                    strict=True):
        row.cells[0].text, row.cells[1].text = term, meaning
    document.add_paragraph("Signed: J Morgan")
    document.add_paragraph("Date: 12/01/2026")
    assert findings(saved(document), chronology(rows)) == set()


def test_initials_and_terms_are_told_apart():
    found = {(t.text, t.kind) for t in tokens("SW1 met AB; the LADO and NFA, NOT the MASH. "
                                              "DDSCP/CSPR/2026/014")}
    assert found == {("SW1", "initials"), ("AB", "initials"), ("LADO", "term"),
                     ("NFA", "term"), ("MASH", "term")}
    assert explained_beside("no further action (NFA) and NFA-led") == {"NFA"}
    assert explained_beside("a strategy meeting (LADO)") == set()


# -- the result as data ----------------------------------------------------------------------
def test_the_result_is_plain_data_that_survives_json_and_pickle():
    result = check(report(empty=("Analysis",)), chronology(), "bradford", TOR)
    again = CheckResult.from_json(result.to_json())
    assert again.findings() == result.findings() and again.to_dict() == result.to_dict()
    assert pickle.loads(pickle.dumps(result)).to_dict() == result.to_dict()
    data = result.to_dict()
    assert {"code", "ok", "document", "severity", "items"} <= set(data["checks"][0])


def test_text_is_left_out_for_people_without_a_role():
    rows = [("01/06/2024", "Police", "AB seen at the address.", "NFA")]
    result = check(report(), chronology(rows + ROWS), "bradford", TOR)
    quoted = result.check("chronology.outside_tor").items[0]
    assert "AB seen" in quoted.text
    assert all(not i.text for c in result.without_text().checks for i in c.items)
    assert "AB seen" not in result.summary()


def test_a_document_that_is_not_word_or_was_a_link_is_not_checked():
    result = check(b"not a docx", None, "derbyshire", TOR)
    assert not result.checks and not result.ok
    reasons = {n.reason for n in result.not_checked}
    assert reasons == {"the report could not be opened as a Word document",
                       "no chronology file to check (a link was submitted)"}


def _chronology_with_key_lines(lines, *, heading="Key to Initials Used:", after=()):
    document = Document()
    table = document.add_table(rows=1 + len(ROWS), cols=len(COLUMNS))
    for cell, name in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = name
    for row, values in zip(table.rows[1:], ROWS, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph(heading, style="Heading 2")
    for line in lines:
        document.add_paragraph(line)
    for line in after:
        document.add_paragraph(line[0], style="Heading 2") if line[1] else \
            document.add_paragraph(line[0])
    return saved(document)


@pytest.mark.parametrize("lines", [
    ["AB (child, aged 4)", "Mother (CD)"],
    ["Mother (CD)", "Subject child (AB)"],
    ["• Allocated social worker (SW1)", "AB – subject child", "Birth mother (CD)"],
])
def test_a_key_line_with_the_role_first_and_the_initials_in_brackets_keys_them(lines):
    rows = [*ROWS, ("08/01/2025", "Social care", "SW1 visited.", "Plan agreed.")]
    document = Document(io.BytesIO(_chronology_with_key_lines(lines)))
    table = document.tables[0]
    cells = table.add_row().cells
    for cell, value in zip(cells, rows[-1], strict=True):
        cell.text = value
    found = findings(chronology_bytes=saved(document))
    keyed = {"AB", "CD"} | ({"SW1"} if any("SW1" in line for line in lines) else set())
    assert found == {("chronology.initials", i) for i in {"SW1"} - keyed}


@pytest.mark.parametrize("glossary", ["Glossary", "Abbreviations used", "List of abbreviations"])
def test_an_empty_key_followed_by_a_glossary_is_still_an_empty_key(glossary):
    content = _chronology_with_key_lines([], after=[(glossary, True),
                                                    ("NFA – no further action", False)])
    result = check(report(), content, "bradford", TOR)
    assert ("chronology.key", "") in result.findings()
    assert {n.code for n in result.not_checked} == {"chronology.initials", "report.initials"}


def test_a_key_with_a_glossary_after_it_keys_its_initials_and_the_glossary_explains_terms():
    rows = [*ROWS, ("08/01/2025", "Social care", "Closed with NFA.", "Letter to CD.")]
    document = Document(io.BytesIO(_chronology_with_key_lines(
        ["AB – subject child", "CD – mother"],
        after=[("Glossary", True), ("NFA – no further action", False)])))
    cells = document.tables[0].add_row().cells
    for cell, value in zip(cells, rows[-1], strict=True):
        cell.text = value
    assert findings(chronology_bytes=saved(document)) == set()


@pytest.mark.parametrize("value", ["[insert signature image]", "[Author's signature]",
                                   "<signature>", "[e-signature to be added]"])
def test_a_placeholder_in_brackets_where_the_signature_goes_is_not_a_signature(value):
    found = findings(report(signoff=(f"Signed (author): {value}", "Date: 12/01/2026")))
    assert ("report.signed", "") in found and ("report.dated", "") not in found


@pytest.mark.parametrize("signature", ["e-signed (K. Lowe)", "K. Lowe (e-signed)"])
def test_an_e_signature_is_a_signature(signature):
    assert findings(report(signoff=(f"Signature: {signature}", "Date: 1/12/2026"))) == set()


@pytest.mark.parametrize("line", ["PART 3: BACKGROUND", "FAMILY'S VIEWS", "SECTION 4 - CONTEXT",
                                  "BACKGROUND"])
def test_a_heading_in_capitals_that_is_no_section_is_not_full_of_abbreviations(line):
    def heading(document, title):
        document.add_paragraph(title, style="Heading 1")
        if title == BRADFORD[1]:
            document.add_paragraph().add_run(line).bold = True
            document.add_paragraph("CD was seen at home.")
    assert findings(report(heading=heading)) == set()


def test_a_known_term_in_a_capital_heading_is_still_to_be_explained():
    def heading(document, title):
        document.add_paragraph(title, style="Heading 1")
        if title == BRADFORD[1]:
            document.add_paragraph().add_run("PART 3: CAMHS INVOLVEMENT").bold = True
            document.add_paragraph("CD was seen at home.")
    assert findings(report(heading=heading)) == {("report.abbreviations", "CAMHS")}


@pytest.mark.parametrize("column", ["Significance / reason for inclusion", "Reason for inclusion",
                                    "Why included"])
def test_an_entry_outside_the_period_with_its_reason_column_filled_is_not_reported(column):
    columns = [*COLUMNS, column]
    rows = [("01/09/2024", "Health", "AB seen at the hospital.", "Discharged", "First injury on record"),
            ("02/09/2024", "Health", "AB seen by the nurse.", "Advice", ""),
            *[(*row, "") for row in ROWS]]
    found = findings(chronology_bytes=chronology(rows, columns=columns))
    assert found == {("chronology.outside_tor", "2")}  # the row whose reason is left blank


@pytest.mark.parametrize("title", ["ANALYSIS", "5. Analysis", "Analysis of agency involvement"])
def test_a_derbyshire_analysis_section_may_be_headed_analysis_alone(title):
    titles = [title if t == "ANALYSIS OF INVOLVEMENT" else t for t in DERBYSHIRE]
    assert findings(report(titles), pack="derbyshire") == set()
