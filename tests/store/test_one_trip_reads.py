"""Reads made in one round trip (the database builds the lists as JSON) give what the plain
reads give, on both backends: dates, timestamps, names and the empty cases."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from imr_bot.domain.people import Person
from imr_bot.domain.plan import Milestone
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event
from imr_bot.domain.submissions import Decision, Level
from imr_bot.store.unit_of_work import UnitOfWork

from .test_store import AT, CAL, a_review


async def test_a_review_read_by_id_is_the_review_read_by_reference(database):
    async with UnitOfWork(database) as uow:
        qa, _ = await uow.people.upsert(Person(email="qa@council.test", name="Quinn Lead",
                                               roles=frozenset({Role.QA_LEAD})), AT)
        review = await uow.reviews.add(a_review(), AT)
        review = review.apply(Event.ACCEPT_ALLOCATION, {Role.AUTHOR}, date(2026, 11, 25), CAL)
        review = replace(review, people={Role.QA_LEAD: qa.id},
                         plan=review.plan.rebase_to_deadline(date(2027, 2, 26), CAL, by="bs",
                                                             reason="DDSCP agreed", at=AT))
        await uow.reviews.save(review, AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        by_reference = await uow.reviews.get(review.reference)
        by_id = await uow.reviews.get_by_id(review.id)
        for_reading = await uow.reviews.read_by_id(review.id)
        missing = await uow.reviews.get_by_id(review.id + 1)
    assert by_id == by_reference
    assert by_id.people == {Role.QA_LEAD: qa.id}
    assert by_id.plan.done == {Milestone.REQUEST_LOGGED: date(2026, 11, 23),
                               Milestone.ALLOCATION: date(2026, 11, 25)}
    assert len(by_id.plan.changes) >= 1
    assert for_reading.plan.changes == () and for_reading.plan.due == by_id.plan.due
    assert missing is None


async def test_an_approval_record_is_the_versions_decision_documents_and_delegate(database):
    later = AT + timedelta(hours=2, microseconds=123456)
    async with UnitOfWork(database) as uow:
        qa, _ = await uow.people.upsert(Person(email="qa@council.test", name="Quinn Lead",
                                               roles=frozenset({Role.QA_LEAD})), AT)
        deputy, _ = await uow.people.upsert(Person(email="dep@council.test", name="Dee Puty",
                                                   roles=frozenset({Role.QA_LEAD})), AT)
        review = await uow.reviews.add(a_review(), AT)
        nothing_yet = await uow.submissions.approval_record(review.id, 1, Level.QA.value)
        files = [await uow.submissions.add_document(
            review_id=review.id, kind=kind, filename=f"{kind}.docx", content_type="x", content=b"1",
            link=None, sha256=kind * 4, by="author@council.test", at=AT)
            for kind in ("report", "chronology")]
        await uow.submissions.submit(review_id=review.id, document_ids=files, level="qa",
                                     by="author@council.test", at=AT)
        await uow.submissions.submit(review_id=review.id, document_ids=[], level="qa",
                                     by="author@council.test", at=later)
        await uow.submissions.set_check(review.id, 2, "Checked: all present")
        await uow.submissions.record_decision(
            review_id=review.id, version=1, level="qa", decision=Decision.AMENDMENTS.value,
            comment="Section 7, please", checklist=[], by="qa@council.test", by_name="Quinn Lead",
            at=later)
        await uow.submissions.set_delegate(review.id, "qa", deputy.id, by="bs", at=AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        first = await uow.submissions.approval_record(review.id, 1, Level.QA.value)
        second = await uow.submissions.approval_record(review.id, 2, Level.QA.value)
        other_level = await uow.submissions.approval_record(review.id, 1, Level.SD.value)
    assert nothing_yet.versions == {} and nothing_yet.decision is None
    assert nothing_yet.documents == [] and nothing_yet.delegate is None
    assert first.delegate == deputy.id and other_level.delegate is None
    assert {n: (v.submitted_at, v.check_summary) for n, v in first.versions.items()} == {
        1: (AT, None), 2: (later, "Checked: all present")}
    assert first.versions[2].submitted_at.tzinfo is not None
    assert first.decision.decision == Decision.AMENDMENTS and first.decision.level == Level.QA
    assert first.decision.decided_by == "Quinn Lead"  # the name, not the email
    assert first.decision.decided_at == later and first.decision.comment == "Section 7, please"
    assert second.decision is None and other_level.decision is None
    assert [(d.kind, d.filename, d.version, d.size) for d in first.documents] == [
        ("chronology", "chronology.docx", 1, 1), ("report", "report.docx", 1, 1)]
    assert first.documents == await _plain_documents(database, review.id, 1)
    assert second.documents == []


async def _plain_documents(database, review_id: int, version: int):
    async with UnitOfWork(database) as uow:
        return sorted(await uow.submissions.documents(review_id, version),
                      key=lambda document: (document.kind, document.id))


def test_timestamps_are_read_back_as_utc():
    from imr_bot.store.submissions import _utc

    assert _utc("2026-11-23T10:00:00.5+01:00") == datetime(2026, 11, 23, 9, 0, 0, 500000, tzinfo=UTC)
    assert _utc("2026-11-23 10:00:00.000000") == datetime(2026, 11, 23, 10, tzinfo=UTC)
