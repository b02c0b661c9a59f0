"""The action plan on paper: the Word action plan filled with the plan's real actions (both
packs), and the .xlsx export's actions sheet."""

import io
from dataclasses import replace

import pytest
from docx import Document
from openpyxl import load_workbook

from imr_bot.documents.templates import ACTION_PLAN_COLUMNS
from imr_bot.domain.errors import DomainError, NotAllowed
from imr_bot.services import action_plans, templates
from imr_bot.services.export import tracker_export
from tests.services.fakes import FakeUnitOfWork
from tests.services.helpers import REFERENCE
from tests.services.test_action_plans import a_planned_action, scene  # noqa: F401


class NoSuppliedTemplates:
    async def find(self, scopes, kind):
        return None


@pytest.fixture(autouse=True)
def built_in_templates_only(monkeypatch):
    """The fake unit of work has no store of supplied templates: none applies here."""
    enter = FakeUnitOfWork.__aenter__

    async def entered(self):
        uow = await enter(self)
        uow.org_templates = NoSuppliedTemplates()
        return uow

    monkeypatch.setattr(FakeUnitOfWork, "__aenter__", entered)


async def two_recommendations(scene):  # noqa: F811
    await a_planned_action(scene)
    await action_plans.add_recommendation(scene.ctx, scene.business_services, REFERENCE,
                                          "Strategy meetings include the school nurse")
    await action_plans.add_action(
        scene.ctx, scene.business_services, REFERENCE, number="2",
        what="Add the school nurse to the strategy meeting invitation list",
        owner_email="other@council.test", due_text="15 Jan 2027",
        outcome="The nurse attends every strategy meeting",
        evaluation="Attendance records for a quarter", immediate=True)


def plan_table(content: bytes):
    document = Document(io.BytesIO(content))
    return next(t for t in document.tables
                if tuple(c.text for c in t.rows[0].cells) == ACTION_PLAN_COLUMNS)


@pytest.mark.parametrize("pack", ["bradford", "derbyshire"])
async def test_the_action_plan_template_is_filled_with_the_plans_actions(scene, pack):  # noqa: F811
    await two_recommendations(scene)
    generated = await templates.generate(scene.ctx, scene.business_services, "action-plan",
                                         REFERENCE, "RESTRICTED", pack)
    rows = [[c.text for c in row.cells] for row in plan_table(generated.content).rows[1:]]
    assert rows[0] == ["1. Supervision records the child's wishes and feelings",
                       "Refresh the supervision template (proposed)", "Olu Owner",
                       "29/01/2027", "Supervision notes record the child's words",
                       "Audit of 20 supervision records in March", "No"]
    assert rows[1][:4] == ["2. Strategy meetings include the school nurse",
                           "Add the school nurse to the strategy meeting invitation list "
                           "(proposed)", "Ola Other", "15/01/2027"]
    assert rows[1][6] == "Yes"
    assert rows[2:] == [[""] * 7, [""] * 7]  # room for the actions the panel adds later


async def test_an_action_plan_shows_where_each_action_stands(scene):  # noqa: F811
    action = await a_planned_action(scene)
    await action_plans.agree(scene.ctx, scene.people["owner"], action.id)
    generated = await templates.generate(scene.ctx, scene.business_services, "action-plan",
                                         REFERENCE, "RESTRICTED")
    assert plan_table(generated.content).rows[1].cells[1].text == (
        "Refresh the supervision template (agreed)")


async def test_a_plan_with_no_actions_is_the_blank_template(scene):  # noqa: F811
    generated = await templates.generate(scene.ctx, scene.business_services, "action-plan",
                                         REFERENCE, "RESTRICTED")
    rows = plan_table(generated.content).rows[1:]
    assert len(rows) == 6 and all(c.text == "" for r in rows for c in r.cells)


async def test_other_templates_are_not_touched_by_the_plan(scene):  # noqa: F811
    await a_planned_action(scene)
    generated = await templates.generate(scene.ctx, scene.business_services, "imr", REFERENCE,
                                         "RESTRICTED")
    text = "\n".join(p.text for p in Document(io.BytesIO(generated.content)).paragraphs)
    assert "Refresh the supervision template" not in text


async def test_the_export_has_an_actions_sheet(scene):  # noqa: F811
    await two_recommendations(scene)
    _, content = await tracker_export(scene.ctx, scene.business_services, "RESTRICTED")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["IMR tracker", "Actions"]
    sheet = workbook["Actions"]
    assert [c.value for c in sheet[2]] == ["Reference", "Recommendation", "Action", "Owner",
                                           "Due", "Status", "Intended outcome",
                                           "How it will be evaluated"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [r[:4] for r in rows] == [
        [REFERENCE, 1, "Refresh the supervision template", "Olu Owner"],
        [REFERENCE, 2, "Add the school nurse to the strategy meeting invitation list",
         "Ola Other"]]
    assert rows[0][4].date().isoformat() == "2027-01-29" and sheet["E3"].is_date
    assert rows[0][5:] == ["Proposed", "Supervision notes record the child's words",
                           "Audit of 20 supervision records in March"]


async def test_a_submitted_reviews_plan_is_still_exported(scene):  # noqa: F811
    await a_planned_action(scene)
    async with scene.world() as uow:
        review = await uow.reviews.get(REFERENCE)
        from imr_bot.domain.stages import Stage
        await uow.reviews.save(replace(review, stage=Stage.SUBMITTED_TO_DDSCP), scene.ctx.clock.now())
        await uow.commit()
    _, content = await tracker_export(scene.ctx, scene.business_services, "RESTRICTED")
    sheet = load_workbook(io.BytesIO(content))["Actions"]
    assert sheet["A3"].value == REFERENCE


async def test_recommendations_from_the_report_are_numbered_after_the_plans_own(scene):  # noqa: F811
    await a_planned_action(scene)  # recommendation 1
    review, added = await action_plans.add_from_report(
        scene.ctx, scene.people["qa"], REFERENCE, "2",
        [action_plans.Offered("Strategy meetings include the school nurse", "information sharing"),
         action_plans.Offered("Managers audit ten files a quarter")])
    assert [(r.number, r.themes) for r in added] == [(2, ("information sharing",)), (3, ())]
    async with scene.world() as uow:
        entries = [e for e in await uow.audit.for_review(review.id)
                   if e.action == "action_plan.recommendation_added"]
    assert sorted((e.detail["number"], e.detail.get("from_report")) for e in entries) == [
        (1, None), (2, 2), (3, 2)]  # the report's version, beside those typed in


async def test_a_theme_not_on_the_list_refuses_every_ticked_recommendation(scene):  # noqa: F811
    with pytest.raises(DomainError, match="second recommendation you ticked"):
        await action_plans.add_from_report(
            scene.ctx, scene.people["qa"], REFERENCE, "1",
            [action_plans.Offered("Strategy meetings include the school nurse"),
             action_plans.Offered("Managers audit ten files a quarter", "made-up theme")])
    async with scene.world() as uow:
        assert await uow.action_plans.recommendations(scene.review.id) == []


async def test_the_author_may_not_add_them(scene):  # noqa: F811
    with pytest.raises(NotAllowed):
        await action_plans.add_from_report(scene.ctx, scene.author, REFERENCE, "1",
                                           [action_plans.Offered("Managers audit ten files")])
