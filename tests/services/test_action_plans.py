"""The action plan's use cases on the in-memory unit of work: who may add and answer, what is
audited, and who is told."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from imr_bot.domain.action_plan import ActionStatus, ImpactDecision
from imr_bot.domain.errors import DomainError, InvalidTransition, NotAllowed
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.roles import Role
from imr_bot.domain.urls import BadLink
from imr_bot.services import action_plans
from imr_bot.services.tracker import audit_sentence
from tests.services.helpers import REFERENCE, a_scene

EVIDENCE = "https://council.sharepoint.com/sites/imr/Supervision%20audit.xlsx"


@pytest.fixture
async def scene(clock):
    scene = await a_scene(clock)
    async with scene.world() as uow:
        extra = {}
        for key, name, roles in (("qa", "Quinn Lead", {Role.QA_LEAD}),
                                 ("owner", "Olu Owner", set()),
                                 ("other", "Ola Other", set()),
                                 ("qpp", "Pat Performance", {Role.SD_QPP})):
            extra[key], _ = await uow.people.upsert(
                Person(email=f"{key}@council.test", name=name, roles=frozenset(roles)),
                clock.now())
        review = await uow.reviews.get(REFERENCE)
        await uow.reviews.save(replace(review, people={Role.QA_LEAD: extra["qa"].id,
                                                       Role.AUTHOR: scene.author.person.id}),
                               clock.now())
        await uow.commit()
    scene.people = {k: Actor(p.email, p.name, p) for k, p in extra.items()}
    return scene


async def a_planned_action(scene, **overrides):
    await action_plans.add_recommendation(
        scene.ctx, scene.business_services, REFERENCE,
        "Supervision records the child's wishes and feelings", "The child's voice was lost",
        "voice of the child, supervision")
    values = {"number": "1", "what": "Refresh the supervision template",
              "owner_email": "owner@council.test", "due_text": "29 Jan 2027",
              "outcome": "Supervision notes record the child's words",
              "evaluation": "Audit of 20 supervision records in March", "immediate": False}
    values.update(overrides)
    _, action, _ = await action_plans.add_action(scene.ctx, scene.business_services, REFERENCE,
                                                 **values)
    return action


async def test_business_services_add_a_numbered_recommendation_with_its_lesson_and_themes(scene):
    review, first = await action_plans.add_recommendation(
        scene.ctx, scene.business_services, REFERENCE.lower(), "Share records within two days",
        "Records reached the GP late", "Information sharing")
    _, second = await action_plans.add_recommendation(
        scene.ctx, scene.people["qa"], REFERENCE, "Managers check threshold decisions")
    assert (first.number, first.themes, second.number) == (1, ("information sharing",), 2)
    (entry, _) = scene.world.audit("action_plan.recommendation_added")
    assert entry.detail == {"number": 1, "themes": ["information sharing"]}
    assert review.reference == REFERENCE


@pytest.mark.parametrize("who", ["author", "head_of_cp", "owner"])
async def test_only_business_services_or_the_reviews_qa_lead_change_the_plan(scene, who):
    actor = scene.people.get(who) or {"author": scene.author,
                                      "head_of_cp": scene.head_of_cp}[who]
    with pytest.raises(NotAllowed, match="Only Business Services or the review's QA"):
        await action_plans.add_recommendation(scene.ctx, actor, REFERENCE, "Something")
    assert scene.world.audit("action_plan.recommendation_added") == []


async def test_bad_input_changes_nothing_and_says_what_is_wrong(scene):
    with pytest.raises(DomainError, match="We store no names"):
        await action_plans.add_recommendation(scene.ctx, scene.business_services, REFERENCE,
                                              "Mrs Jones should have been visited")
    with pytest.raises(DomainError, match="“housing” is not one of the themes"):
        await action_plans.add_recommendation(scene.ctx, scene.business_services, REFERENCE,
                                              "Better housing links", themes_text="housing")
    await action_plans.add_recommendation(scene.ctx, scene.business_services, REFERENCE, "R1")
    for overrides, message in (({"number": "7"}, "has no recommendation 7"),
                               ({"owner_email": "nobody@council.test"}, "not in the IMR people"),
                               ({"due_text": "someday"}, "couldn't read 'someday' as a date"),
                               ({"due_text": "1 Jan 2026"}, "in the past"),
                               ({"evaluation": ""}, "how it will be evaluated")):
        values = {"number": "1", "what": "W", "owner_email": "owner@council.test",
                  "due_text": "29 Jan 2027", "outcome": "O", "evaluation": "E",
                  "immediate": False, **overrides}
        with pytest.raises(DomainError, match=message):
            await action_plans.add_action(scene.ctx, scene.business_services, REFERENCE,
                                          **values)
    assert scene.world.audit("action_plan.action_added") == []
    assert scene.world.queued() == []


async def test_the_organisations_own_themes_replace_the_default_list(scene):
    scene.ctx = replace(scene.ctx, action_themes="Neglect, Parental mental health")
    assert action_plans.themes(scene.ctx) == ("neglect", "parental mental health")
    _, rec = await action_plans.add_recommendation(
        scene.ctx, scene.business_services, REFERENCE, "Adult services join strategy meetings",
        themes_text="parental mental health")
    assert rec.themes == ("parental mental health",)


async def test_a_new_action_goes_to_its_owner_to_agree(scene):
    action = await a_planned_action(scene, immediate=True)
    assert action.status == ActionStatus.PROPOSED
    owner = scene.people["owner"].person
    (notice,) = scene.world.queued(f"person:{owner.id}")
    assert notice.kind == "action_to_agree"
    data = notice.payload["data"]
    assert data["what"] == "Refresh the supervision template"
    assert data["immediate"] == "Yes: needed now" and data["toAgree"] is True
    assert data["recommendation"] == "1. Supervision records the child's wishes and feelings"
    assert data["due"].startswith("Fri 29 Jan 2027 (")
    (entry,) = scene.world.audit("action_plan.action_added")
    assert entry.detail["person_id"] == owner.id and entry.detail["immediate"] is True


async def test_the_whole_path_agreed_progress_done_and_impact_confirmed(scene):
    action = await a_planned_action(scene)
    owner = scene.people["owner"]
    await action_plans.agree(scene.ctx, owner, action.id)
    await action_plans.update(scene.ctx, owner, action.id, "Template drafted with practice leads")
    done = await action_plans.done(scene.ctx, owner, action.id, EVIDENCE, "Audit attached")
    assert (done.status, done.evidence_version) == (ActionStatus.DONE, 1)
    qa = scene.people["qa"]
    (ask,) = scene.world.queued(f"person:{qa.person.id}")
    assert ask.kind == "action_evidence" and ask.payload["data"]["link"] == EVIDENCE
    assert ask.payload["data"]["version"] == 1
    confirmed = await action_plans.decide(scene.ctx, qa, action.id, ImpactDecision.CONFIRMED, 1)
    assert confirmed.status == ActionStatus.IMPACT_EVIDENCED
    told = [n for n in scene.world.queued(f"person:{owner.person.id}")
            if n.kind == "action_notice"]
    assert "was confirmed" in told[0].payload["text"]
    assert [e.action for e in scene.world.audit() if e.action.startswith("action_plan.")] == [
        "action_plan.recommendation_added", "action_plan.action_added",
        "action_plan.action_agreed", "action_plan.progress", "action_plan.done",
        "action_plan.impact_confirmed"]


async def test_only_the_owner_answers_and_a_stranger_is_told_nothing_of_it(scene):
    action = await a_planned_action(scene)
    for actor in (scene.people["other"], scene.business_services, scene.stranger):
        with pytest.raises(NotAllowed, match="isn't one you can answer for"):
            await action_plans.agree(scene.ctx, actor, action.id)
    with pytest.raises(DomainError, match="no longer exists"):
        await action_plans.agree(scene.ctx, scene.people["owner"], 9999)
    assert scene.world.audit("action_plan.action_agreed") == []


async def test_evidence_must_be_a_sharepoint_or_onedrive_link(scene):
    action = await a_planned_action(scene)
    owner = scene.people["owner"]
    await action_plans.agree(scene.ctx, owner, action.id)
    with pytest.raises(BadLink):
        await action_plans.done(scene.ctx, owner, action.id, "https://dropbox.com/s/evidence")
    with pytest.raises(DomainError, match="Done needs its evidence"):
        await action_plans.done(scene.ctx, owner, action.id, "  ")
    assert scene.world.audit("action_plan.done") == []


async def test_another_date_proposed_is_accepted_by_the_qa_lead_and_the_owner_told(scene):
    action = await a_planned_action(scene)
    owner = scene.people["owner"]
    await action_plans.propose(scene.ctx, owner, action.id, "The template panel meets in March",
                               due_text="26 Mar 2027")
    bs = scene.business_services.person
    qa = scene.people["qa"].person
    for person in (bs, qa):
        (card,) = [n for n in scene.world.queued(f"person:{person.id}")
                   if n.kind == "action_change"]
        assert card.payload["data"]["proposal"] == (
            "Proposed: due Fri 26 Mar 2027 instead of Fri 29 Jan 2027, because The template "
            "panel meets in March")
    changed, _ = await action_plans.accept_change(scene.ctx, scene.people["qa"], action.id)
    assert (changed.status, changed.due) == (ActionStatus.AGREED, date(2027, 3, 26))
    told = [n for n in scene.world.queued(f"person:{owner.person.id}")
            if n.kind == "action_notice"]
    assert "now due Fri 26 Mar 2027" in told[0].payload["text"]
    with pytest.raises(InvalidTransition, match="no proposed change"):
        await action_plans.accept_change(scene.ctx, scene.business_services, action.id)


async def test_another_owner_accepted_is_asked_to_agree_it(scene):
    action = await a_planned_action(scene)
    await action_plans.propose(scene.ctx, scene.people["owner"], action.id, "I moved team",
                               owner_email="other@council.test")
    with pytest.raises(NotAllowed):
        await action_plans.accept_change(scene.ctx, scene.author, action.id)
    changed, name = await action_plans.accept_change(scene.ctx, scene.business_services,
                                                     action.id)
    other = scene.people["other"]
    assert (changed.owner_id, changed.status, name) == (other.person.id, ActionStatus.PROPOSED,
                                                        "Ola Other")
    (ask,) = scene.world.queued(f"person:{other.person.id}")
    assert ask.kind == "action_to_agree"
    assert (await action_plans.agree(scene.ctx, other, action.id)).status == ActionStatus.AGREED


async def test_not_agreed_with_a_reason(scene):
    action = await a_planned_action(scene)
    changed = await action_plans.not_agreed(scene.ctx, scene.business_services, action.id,
                                            "The partnership's action 3 covers it")
    assert changed.status == ActionStatus.NOT_AGREED
    (entry,) = scene.world.audit("action_plan.not_agreed")
    assert entry.detail["reason"] == "The partnership's action 3 covers it"


async def test_one_decision_per_evidence_version_and_sent_back_tells_the_owner_why(scene):
    action = await a_planned_action(scene)
    owner, qa = scene.people["owner"], scene.people["qa"]
    await action_plans.agree(scene.ctx, owner, action.id)
    await action_plans.done(scene.ctx, owner, action.id, EVIDENCE)
    with pytest.raises(NotAllowed, match="Only the review's QA senior lead"):
        await action_plans.decide(scene.ctx, scene.business_services, action.id,
                                  ImpactDecision.CONFIRMED, 1)
    back = await action_plans.decide(scene.ctx, qa, action.id, ImpactDecision.SENT_BACK, "1",
                                     "The audit covers 3 records, not 20")
    assert back.status == ActionStatus.IN_PROGRESS
    with pytest.raises(InvalidTransition):
        await action_plans.decide(scene.ctx, qa, action.id, ImpactDecision.CONFIRMED, 1)
    (told,) = [n for n in scene.world.queued(f"person:{owner.person.id}")
               if n.kind == "action_notice"]
    assert "sent back: The audit covers 3 records, not 20" in told.payload["text"]
    again = await action_plans.done(scene.ctx, owner, action.id, EVIDENCE + "?v=2")
    assert again.evidence_version == 2
    with pytest.raises(InvalidTransition):  # the first version's card, pressed late
        await action_plans.decide(scene.ctx, qa, action.id, ImpactDecision.CONFIRMED, 1)
    await action_plans.decide(scene.ctx, qa, action.id, ImpactDecision.CONFIRMED, 2)
    async with scene.world(read_only=True) as uow:
        assert [v for v, *_ in await uow.action_plans.decisions(action.id)] == [1, 2]


async def test_the_service_director_qpp_decides_when_the_setting_says_so(scene):
    scene.ctx = replace(scene.ctx, impact_decided_by="sd_qpp")
    action = await a_planned_action(scene)
    owner = scene.people["owner"]
    await action_plans.agree(scene.ctx, owner, action.id)
    await action_plans.done(scene.ctx, owner, action.id, EVIDENCE)
    qpp = scene.people["qpp"]
    (ask,) = scene.world.queued(f"person:{qpp.person.id}")
    assert ask.kind == "action_evidence"
    with pytest.raises(NotAllowed, match="Only the Service Director"):
        await action_plans.decide(scene.ctx, scene.people["qa"], action.id,
                                  ImpactDecision.CONFIRMED, 1)
    done = await action_plans.decide(scene.ctx, qpp, action.id, ImpactDecision.CONFIRMED, 1)
    assert done.status == ActionStatus.IMPACT_EVIDENCED


async def test_lists_of_a_reviews_plan_mine_and_overdue(scene, clock):
    first = await a_planned_action(scene, due_text="30 Nov 2026")
    await a_planned_action(scene, owner_email="other@council.test")
    review, lines, recommendations = await action_plans.plan(scene.ctx, REFERENCE)
    assert (len(lines), recommendations) == (2, 2)
    assert lines[0].recommendation.number == 1 and lines[0].owner == "Olu Owner"
    assert [line.action.id for line in await action_plans.mine(
        scene.ctx, scene.people["owner"])] == [first.id]
    clock.set(datetime(2026, 12, 2, 10, tzinfo=UTC))
    late = await action_plans.overdue(scene.ctx, scene.business_services)
    assert [(line.action.id, line.overdue, line.working_days_left) for line in late] == [
        (first.id, True, -2)]
    assert await action_plans.overdue(scene.ctx, scene.people["other"]) == []
    assert len(await action_plans.overdue(scene.ctx, scene.people["owner"])) == 1
    plan = await action_plans.plan_progress(scene.ctx, review.id)
    assert (plan.total, plan.overdue, plan.open) == (2, 1, True)


@pytest.mark.parametrize("action", [
    "action_plan.recommendation_added", "action_plan.action_added", "action_plan.action_agreed",
    "action_plan.change_proposed", "action_plan.change_accepted", "action_plan.not_agreed",
    "action_plan.progress", "action_plan.done", "action_plan.impact_confirmed",
    "action_plan.sent_back"])
def test_every_plan_entry_reads_as_a_sentence_with_who(action):
    said = audit_sentence(action, "Bea Services", {}, {}, {})
    assert said.endswith(" by Bea Services") and "_" not in said and "." not in said[:-1]
