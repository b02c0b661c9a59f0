"""Interviews in the database: the interview round trips, a record's versions keep their bytes
and checksum, and the database itself refuses a second decision by one party on one version."""

from datetime import date

import pytest

from imr_bot.domain.interviews import (
    Decision,
    Interview,
    Interviewee,
    InterviewStatus,
    Party,
    RecordVersion,
)
from imr_bot.domain.people import Person
from imr_bot.store.common import ConcurrentChange
from imr_bot.store.unit_of_work import UnitOfWork
from tests.store.test_store import AT, a_review


async def test_an_interview_its_record_and_its_decisions_round_trip(database):
    async with UnitOfWork(database) as uow:
        review = await uow.reviews.add(a_review(), AT)
        author, _ = await uow.people.upsert(Person(email="a@council.test", name="Alex Author"), AT)
        nurse, _ = await uow.people.upsert(Person(email="n@council.test", name="Nia Nurse"), AT)
        planned = await uow.interviews.add(Interview.new(
            review_id=review.id, interviewee=Interviewee(nurse.id), on=date(2026, 12, 2),
            interviewer_id=author.id), AT)
        outside = await uow.interviews.add(Interview.new(
            review_id=review.id, interviewee=Interviewee.outside("Practice nurse", "GP surgery"),
            on=date(2026, 12, 1), interviewer_id=author.id), AT)
        record = RecordVersion(1, "ab" * 32, 5, "record.docx")
        sent = planned.attach(author.id, record).send(author.id)
        await uow.interviews.add_record(planned.id, record, b"hello", "a@council.test", AT)
        await uow.interviews.save(sent, AT)
        await uow.interviews.record_decision(
            interview_id=planned.id, version=1, party=Party.INTERVIEWEE, decision=Decision.AGREED,
            comment="", on=None, by="n@council.test", at=AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        found = await uow.interviews.for_review(review.id)
        assert [i.id for i in found] == [outside.id, planned.id]  # by date
        assert found[0].interviewee == Interviewee(None, "Practice nurse", "GP surgery")
        loaded = found[1]
        assert loaded.status == InterviewStatus.SENT and loaded.checksum == "ab" * 32
        assert loaded.decisions == {Party.INTERVIEWEE: Decision.AGREED}
        assert await uow.interviews.record(planned.id, 1) == (record, b"hello")
        assert await uow.interviews.review_of(planned.id) == review.id
        assert await uow.interviews.count(review.id) == 2
    with pytest.raises(ConcurrentChange):
        async with UnitOfWork(database) as uow:
            await uow.interviews.record_decision(
                interview_id=planned.id, version=1, party=Party.INTERVIEWEE,
                decision=Decision.CORRECTIONS, comment="no", on=None, by="n@council.test", at=AT)
