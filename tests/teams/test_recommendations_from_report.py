"""`imr recommend REF from-report`: the submitted report's own recommendations offered on a card
to the QA senior lead (or Business Services), read in a document worker; each is added only when
ticked, with the words as the person left them; a name refused changes nothing."""

from imr_bot.domain.people import Actor
from imr_bot.services import approvals
from imr_bot.store.unit_of_work import UnitOfWork
from tests.cardcheck import assert_valid_card
from tests.documents.test_checker import ROWS, chronology
from tests.documents.test_recommendations import FIRST, SECOND, THIRD, report
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, QA_LEAD, card_text, cards, texts
from tests.teams.test_approvals import (
    REF,
    approval_card,
    execute_data,
    midway,  # noqa: F401 - the review at its midway
)

WITH_THREE = report(("h1", "7. Recommendations"), ("p", f"1. {FIRST}"), ("p", f"2. {SECOND}"),
                    ("p", f"3. {THIRD}"))


async def submitted(teams, content: bytes):
    async with UnitOfWork(teams.app.database) as uow:
        person = await uow.people.by_email(AUTHOR.email)
    author = Actor(person.email, person.name, person)
    await approvals.add_file(teams.app.ctx, author, REF, "IMR report.docx", content)
    await approvals.add_file(teams.app.ctx, author, REF, "Chronology.docx", chronology(ROWS))
    await approvals.submit(teams.app.ctx, author, REF)
    await teams.deliver()


async def plan_texts(teams) -> list[tuple[int, str, tuple]]:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        return [(r.number, r.text, r.themes)
                for r in await uow.action_plans.recommendations(review.id)]


async def offered(teams, user=QA_LEAD) -> dict:
    (card,) = cards(await teams.say(user, f"imr recommend {REF} from-report"))
    assert_valid_card(card)
    return card


def submit_data(card: dict) -> dict:
    return card["actions"][0]["data"]


async def test_the_qa_lead_ticks_and_edits_the_reports_recommendations(midway):  # noqa: F811
    await submitted(midway, WITH_THREE)
    card = await offered(midway)
    shown = card_text(card)
    assert "The report (version 1) makes 3 recommendations" in shown
    assert FIRST in str(card) and THIRD in str(card)
    replies = await midway.submit(QA_LEAD, {
        **submit_data(card), "add_1": "true", "text_1": FIRST, "themes_1": "supervision",
        "add_2": "false", "text_2": SECOND,
        "add_3": "true", "text_3": "Managers audit twenty case files a quarter.",
        "themes_3": "voice of the child,management oversight"})
    (outcome,) = cards(replies)
    assert "Recommendations 1 and 2 are added" in card_text(outcome)
    assert await plan_texts(midway) == [
        (1, FIRST, ("supervision",)),
        (2, "Managers audit twenty case files a quarter.",
         ("voice of the child", "management oversight"))]
    # offered again, the one added word for word is not offered twice (an edited one is: its
    # words in the plan are no longer the report's)
    again = await offered(midway)
    assert SECOND in str(again) and THIRD in str(again) and FIRST not in str(again)
    assert "1 of them already in the plan" in card_text(again)


async def test_nothing_is_added_without_a_tick(midway):  # noqa: F811
    await submitted(midway, WITH_THREE)
    card = await offered(midway)
    said = texts(await midway.submit(QA_LEAD, {**submit_data(card), "text_1": FIRST}))
    assert "Tick at least one recommendation" in said
    assert await plan_texts(midway) == []


async def test_a_name_in_one_ticked_recommendation_adds_none_of_them(midway):  # noqa: F811
    await submitted(midway, WITH_THREE)
    card = await offered(midway)
    said = texts(await midway.submit(QA_LEAD, {
        **submit_data(card), "add_1": "true", "text_1": FIRST,
        "add_2": "true", "text_2": "The social worker should visit Mrs Jones weekly."}))
    assert "The second recommendation you ticked was not added, and nor were the others" in said
    assert "looks like a name" in said
    assert await plan_texts(midway) == []


async def test_business_services_may_choose_too_but_the_author_may_not(midway):  # noqa: F811
    await submitted(midway, WITH_THREE)
    assert await offered(midway, BUSINESS_SERVICES)
    said = await midway.say(AUTHOR, f"imr recommend {REF} from-report")
    assert not cards(said)
    assert await plan_texts(midway) == []


async def test_a_report_without_recommendations_says_so(midway):  # noqa: F811
    await submitted(midway, report(("h1", "2. Analysis"), ("p", f"1. {FIRST}")))
    said = texts(await midway.say(QA_LEAD, f"imr recommend {REF} from-report"))
    assert said == (f"I found no numbered recommendations in the report for {REF} (version 1). "
                    f"Add them with `imr recommend {REF} <the recommendation>`.")


async def test_before_anything_is_submitted(midway):  # noqa: F811
    said = texts(await midway.say(QA_LEAD, f"imr recommend {REF} from-report"))
    assert said == (f"Nothing has been submitted for {REF} yet, so there is no report to take "
                    "recommendations from.")


def offers(teams, user=QA_LEAD) -> list[dict]:
    return [c for c in cards(teams.inbox(user))
            if "Recommendations from the report" in card_text(c)]


async def test_approving_at_qa_offers_the_reports_recommendations_to_the_qa_lead(midway):  # noqa: F811
    await submitted(midway, WITH_THREE)
    await midway.execute(QA_LEAD, "approval.approve", {
        **execute_data(approval_card(midway, QA_LEAD, 1)), "check_0": "true"})
    (offer,) = offers(midway)
    assert_valid_card(offer)
    assert "The report (version 1) makes 3 recommendations" in card_text(offer)
    assert await plan_texts(midway) == []  # nothing added until they tick
    assert offers(midway, AUTHOR) == []


async def test_approving_a_report_without_recommendations_offers_nothing(midway):  # noqa: F811
    await submitted(midway, report(("h1", "2. Analysis"), ("p", f"1. {FIRST}")))
    card = await midway.execute(QA_LEAD, "approval.approve", {
        **execute_data(approval_card(midway, QA_LEAD, 1)), "check_0": "true"})
    assert "Approved by" in card_text(card)
    assert offers(midway) == []


async def test_a_long_list_is_offered_a_card_at_a_time(midway):  # noqa: F811
    many = [f"The agency reviews its practice standard number {n} by the end of the year."
            for n in range(1, 14)]
    await submitted(midway, report(("h1", "Recommendations"),
                                   *[("p", f"{n}. {text}") for n, text in enumerate(many, 1)]))
    card = await offered(midway)
    assert "The first 10 are shown; for the other 3, type" in card_text(card)
    assert many[9] in str(card) and many[10] not in str(card)
    await midway.submit(QA_LEAD, {**submit_data(card), **{f"add_{n}": "true" for n in range(1, 11)},
                                  **{f"text_{n}": many[n - 1] for n in range(1, 11)}})
    rest = await offered(midway)
    assert "makes 13 recommendations, 10 of them already in the plan" in card_text(rest)
    assert many[10] in str(rest) and many[0] not in str(rest)


async def test_if_the_offer_fails_the_approval_still_stands_and_its_card_comes_back(
        midway, monkeypatch):  # noqa: F811
    from imr_bot.services import action_plans

    async def broken(*args, **kwargs):
        raise RuntimeError("the worker pool is gone")

    monkeypatch.setattr(action_plans, "report_offer", broken)
    await submitted(midway, WITH_THREE)
    card = await midway.execute(QA_LEAD, "approval.approve", {
        **execute_data(approval_card(midway, QA_LEAD, 1)), "check_0": "true"})
    assert "Approved by" in card_text(card)
    assert offers(midway) == []
