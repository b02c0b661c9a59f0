"""The in-memory unit of work answers as the database does: each test runs on the fake and on the
real store (SQLite and PostgreSQL), so that service tests on the fake hold of the bot."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.errors import DuplicateReference, UnknownReview
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event, Stage
from imr_bot.store.reviews import NotLoadedForSaving
from imr_bot.store.unit_of_work import UnitOfWorkFactory
from tests.services.fakes import FakeWorld

CAL = WorkingCalendar.for_england()
AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture(params=["fake", "store"])
def units_of_work(request, database):
    # `database` is parametrised by backend, so the fake runs beside each (it is cheap)
    return FakeWorld() if request.param == "fake" else UnitOfWorkFactory(database)


def a_review(reference="DDSCP/CSPR/2026/014") -> Review:
    return Review.commission(Commission(
        reference, ReviewType.CSPR, CommissioningBody.DDSCP, date(2026, 11, 23), date(2025, 1, 1),
        date(2026, 6, 30), "JS"), CAL, by="bs@council.test", at=AT)


async def test_a_review_round_trips_and_its_reference_is_unique(units_of_work):
    async with units_of_work() as uow:
        added = await uow.reviews.add(a_review(), AT)
        with pytest.raises(DuplicateReference):
            await uow.reviews.add(a_review("ddscp/cspr/2026/014"), AT)
        await uow.commit()
    async with units_of_work(read_only=True) as uow:
        assert await uow.reviews.require(" ddscp/cspr/2026/014") == added
        assert await uow.reviews.get_by_id(added.id) == added
        assert await uow.reviews.exists("DDSCP/CSPR/2026/014")
        assert await uow.reviews.references() == ["DDSCP/CSPR/2026/014"]
        assert await uow.reviews.stage_of(added.id) == Stage.COMMISSIONED
        assert [r.id for r in await uow.reviews.open_reviews()] == [added.id]
        with pytest.raises(UnknownReview, match="Did you mean DDSCP/CSPR/2026/014"):
            await uow.reviews.require("DDSCP/CSPR/2026/041")


async def test_what_is_not_committed_is_not_kept(units_of_work):
    async with units_of_work() as uow:
        await uow.reviews.add(a_review(), AT)
        await uow.settings.put("tracker_channel", "19:x", AT)
    async with units_of_work(read_only=True) as uow:
        assert await uow.reviews.references() == []
        assert await uow.settings.get("tracker_channel") is None


async def test_a_saved_review_keeps_its_plan_history_and_one_read_for_showing_is_refused(
        units_of_work):
    async with units_of_work() as uow:
        added = await uow.reviews.add(a_review(), AT)
        await uow.commit()
    async with units_of_work() as uow:
        review = await uow.reviews.require(added.reference)
        rebased = replace(review, plan=review.plan.rebase_to_deadline(
            date(2027, 2, 26), CAL, by="bs", reason="agreed", at=AT))
        await uow.reviews.save(rebased, AT)
        await uow.commit()
    async with units_of_work() as uow:
        whole = await uow.reviews.get_by_id(added.id)
        shown = await uow.reviews.read_by_id(added.id)
        assert whole.plan.changes == rebased.plan.changes and shown.plan.changes == ()
        assert shown.plan.deadline == whole.plan.deadline == date(2027, 2, 26)
        with pytest.raises(NotLoadedForSaving):
            await uow.reviews.save(shown.apply(Event.HOLD, {Role.HEAD_OF_CP}, date(2026, 11, 24),
                                               CAL), AT)


async def test_people_are_upserted_by_email_with_their_leave(units_of_work):
    async with units_of_work() as uow:
        ann, created = await uow.people.upsert(Person(
            email=" Ann@C.test ", name="Ann", roles=frozenset({Role.AUTHOR}),
            line_manager_email="Lee@C.test", teams_user_id="29:ignored"), AT)
        await uow.people.replace_leave(ann.id, [LeavePeriod(date(2026, 12, 21), date(2026, 12, 24)),
                                                LeavePeriod(date(2026, 12, 1), date(2026, 12, 2))])
        again, created_again = await uow.people.upsert(replace(ann, name="Ann B", leave=()), AT)
        await uow.people.seen(ann.id, "29:ann")
        await uow.commit()
    async with units_of_work(read_only=True) as uow:
        stored = await uow.people.by_email("ann@c.test")
        assert (created, created_again, again.id) == (True, False, ann.id)
        assert (stored.email, stored.name, stored.line_manager_email) == (
            "ann@c.test", "Ann B", "lee@c.test")
        assert ann.teams_user_id is None and stored.teams_user_id == "29:ann"
        assert stored.leave == (LeavePeriod(date(2026, 12, 1), date(2026, 12, 2)),
                                LeavePeriod(date(2026, 12, 21), date(2026, 12, 24)))
        assert [p.id for p in await uow.people.with_role(Role.AUTHOR)] == [ann.id]
        assert await uow.people.by_ids([ann.id, 999]) == {ann.id: stored}


async def test_the_audit_log_is_one_chain_under_the_same_key(units_of_work):
    async with units_of_work() as uow:
        await uow.audit.record(actor="a", action="one", at=AT, review_id=1, field="x")
        await uow.audit.record_many(actor="b", action="two", at=AT,
                                    entries=[(1, {"n": 1}), (2, {"n": 2})])
        await uow.commit()
    async with units_of_work(read_only=True) as uow:
        entries = await uow.audit.all()
        assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
        assert all(uow.audit.expected_hash(e) == e.hash for e in entries)
        assert [e.detail for e in await uow.audit.for_review(1, limit=1)] == [{"n": 1}]
        assert (await uow.audit.count(), (await uow.audit.last()).action) == (3, "two")


async def test_a_notification_key_is_queued_once(units_of_work):
    note = OutgoingNotification(key="k", recipient="tracker", kind="stage_change",
                                payload={"text": "x"}, review_id=None)
    async with units_of_work() as uow:
        assert await uow.outbox.queue(note, AT)
        assert not await uow.outbox.queue(note, AT)
        assert await uow.outbox.queue_many([note, replace(note, key="k2")], AT) == {"k2"}
        await uow.commit()


async def test_settings_are_put_replaced_and_removed(units_of_work):
    async with units_of_work() as uow:
        await uow.settings.put("a", "1", AT)
        await uow.settings.put("a", "2", AT)
        await uow.conversations.save("person:1", "personal", {"id": "c"}, AT)
        await uow.commit()
    async with units_of_work() as uow:
        assert await uow.settings.get("a") == "2"
        assert await uow.conversations.get("person:1") == {"id": "c"}
        await uow.settings.remove("a")
        await uow.commit()
    async with units_of_work(read_only=True) as uow:
        assert await uow.settings.get("a") is None


async def test_a_write_unit_of_work_inside_another_is_refused(units_of_work):
    from imr_bot.store.unit_of_work import NestedUnitOfWork

    async with units_of_work():
        async with units_of_work(read_only=True):
            pass  # reading beside a writer is fine
        with pytest.raises(NestedUnitOfWork):
            async with units_of_work():
                pass
    async with units_of_work():  # and once it is closed, another may open
        pass


async def test_an_action_plan_round_trips_with_one_decision_per_evidence_version(units_of_work):
    from imr_bot.domain.action_plan import Action, ActionStatus, ImpactDecision, Recommendation
    from imr_bot.store.common import ConcurrentChange

    async with units_of_work() as uow:
        review = await uow.reviews.add(a_review(), AT)
        owner, _ = await uow.people.upsert(Person(email="owen@council.test", name="Owen Owner"),
                                           AT)
        first = await uow.action_plans.add_recommendation(Recommendation.new(
            review.id, 1, "See the child alone", "The child was not seen alone",
            ("voice of the child", "supervision")), "bs@council.test", AT)
        await uow.commit()
    async with units_of_work() as uow:  # a number is taken once (two people at one moment)
        with pytest.raises(ConcurrentChange):
            await uow.action_plans.add_recommendation(Recommendation.new(
                review.id, 1, "Another first"), "bs@council.test", AT)
    async with units_of_work() as uow:
        second = await uow.action_plans.add_recommendation(Recommendation.new(
            review.id, 2, "Share records in two days"), "bs@council.test", AT)
        action = await uow.action_plans.add_action(Action.new(
            recommendation_id=first.id, review_id=review.id, what="Briefing for all teams",
            owner_id=owner.id, due=date(2027, 1, 29), outcome="Visits record the child's words",
            evaluation="Audit of 20 records", immediate=True, today=date(2026, 11, 23)), AT)
        await uow.commit()
    async with units_of_work() as uow:
        assert [r.number for r in await uow.action_plans.recommendations(review.id)] == [1, 2]
        assert (await uow.action_plans.recommendation(review.id, 1)) == first
        assert (await uow.action_plans.recommendation(review.id, 3)) is None
        assert second.themes == ()
        loaded = await uow.action_plans.action(action.id)
        assert loaded == action and loaded.immediate
        moved = loaded.propose(owner.id, reason="Training in February", due=date(2027, 2, 26),
                               today=date(2026, 11, 23))
        await uow.action_plans.save_action(moved, AT)
        await uow.commit()
    async with units_of_work() as uow:
        loaded = await uow.action_plans.action(action.id)
        assert loaded.proposal == moved.proposal
        done = loaded.accept_proposal().finish(owner.id, "https://council.sharepoint.com/e")
        await uow.action_plans.save_action(done, AT)
        await uow.action_plans.record_decision(
            action_id=action.id, evidence_version=1, decision=ImpactDecision.SENT_BACK.value,
            comment="Only three records", evidence_link=done.evidence_link, by="qa", at=AT)
        with pytest.raises(ConcurrentChange):
            await uow.action_plans.record_decision(
                action_id=action.id, evidence_version=1, decision="confirmed", comment="",
                evidence_link=done.evidence_link, by="qa", at=AT)
    async with units_of_work() as uow:  # nothing of that was committed
        assert (await uow.action_plans.action(action.id)).status == ActionStatus.PROPOSED
        assert await uow.action_plans.decisions(action.id) == []
        assert await uow.action_plans.review_of(action.id) == review.id
        assert await uow.action_plans.review_of(10**6) is None
        assert await uow.action_plans.count(review.id) == 1
        assert [a.id for a in await uow.action_plans.owned_by(owner.id)] == [action.id]
        assert await uow.action_plans.overdue(date(2027, 1, 29)) == []
        assert [a.id for a in await uow.action_plans.overdue(date(2027, 2, 1))] == [action.id]



async def test_the_sweep_and_the_themes_read_the_actions_across_reviews(units_of_work):
    from imr_bot.domain.action_plan import Action, ActionStatus, Recommendation

    async with units_of_work() as uow:
        owner, _ = await uow.people.upsert(Person(email="owen@council.test", name="Owen Owner"),
                                           AT)
        reviews = [await uow.reviews.add(a_review(f"DDSCP/CSPR/2026/0{n}"), AT) for n in (14, 15)]
        themed = await uow.action_plans.add_recommendation(Recommendation.new(
            reviews[0].id, 1, "See the child alone", themes=("voice of the child",)),
            "bs@council.test", AT)
        plain = await uow.action_plans.add_recommendation(Recommendation.new(
            reviews[1].id, 1, "Share records in two days"), "bs@council.test", AT)
        added = []
        for recommendation, review, due in ((themed, reviews[0], date(2027, 1, 29)),
                                            (themed, reviews[0], date(2027, 3, 1)),
                                            (plain, reviews[1], date(2027, 2, 3)),
                                            (plain, reviews[1], date(2027, 1, 4))):
            added.append(await uow.action_plans.add_action(Action.new(
                recommendation_id=recommendation.id, review_id=review.id, what="Brief teams",
                owner_id=owner.id, due=due, outcome="o", evaluation="e", immediate=False,
                today=date(2026, 11, 23)), AT))
        await uow.action_plans.save_action(
            Action(**{**added[3].__dict__, "status": ActionStatus.NOT_AGREED}), AT)
        await uow.commit()
    async with units_of_work() as uow:
        soon = await uow.action_plans.under_way_due_by(date(2027, 2, 3))
        assert [a.id for a in soon] == [added[0].id, added[2].id]  # not the one not agreed
        assert await uow.action_plans.overdue_by_review(date(2027, 1, 29)) == []
        assert await uow.action_plans.overdue_by_review(date(2027, 2, 10)) == [
            (reviews[0].id, 1, 2, date(2027, 1, 29)), (reviews[1].id, 1, 2, date(2027, 2, 3))]
        assert await uow.action_plans.themed_recommendations() == [themed]
        assert [a.id for a in await uow.action_plans.of_recommendations([themed.id])] == [
            added[0].id, added[1].id]
        assert await uow.action_plans.of_recommendations([]) == []
