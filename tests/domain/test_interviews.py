"""Interviews: who is interviewed (never a name of a child or family member), the record's
versions, and one agreement decision per version per party."""

from dataclasses import replace
from datetime import date

import pytest

from imr_bot.domain.errors import DomainError, InvalidTransition, NotAllowed
from imr_bot.domain.interviews import (
    Decision,
    Interview,
    Interviewee,
    InterviewStatus,
    Party,
    RecordVersion,
    count,
    count_words,
)

AUTHOR, NURSE, SECOND, STRANGER = 1, 2, 3, 9
DAY = date(2026, 12, 3)


def record(number: int, checksum: str = "") -> RecordVersion:
    return RecordVersion(number, checksum or f"{number:064x}", 1234, "record.docx")


def interview(**kwargs) -> Interview:
    return Interview.new(review_id=7, interviewee=kwargs.pop("interviewee", Interviewee(NURSE)),
                         on=DAY, interviewer_id=AUTHOR, **kwargs)


def sent(i: Interview, number: int = 1) -> Interview:
    return i.attach(AUTHOR, record(number)).send(AUTHOR)


def test_a_new_interview_is_planned_with_no_record():
    i = interview()
    assert i.status == InterviewStatus.PLANNED and i.version == 0
    assert i.parties() == {Party.INTERVIEWEE: NURSE, Party.INTERVIEWER: AUTHOR}


@pytest.mark.parametrize("role,agency", [("Mrs Smith", "GP practice"),
                                         ("health visitor", "the family known as Jones"),
                                         ("", "Police")])
def test_someone_outside_the_directory_is_described_by_role_and_agency_never_a_name(role, agency):
    with pytest.raises(DomainError):
        Interviewee.outside(role, agency)


def test_an_outside_interviewee_keeps_role_and_agency():
    who = Interviewee.outside("  School  nurse ", "Springfield Academy")
    assert (who.person_id, who.role, who.agency) == (None, "School nurse", "Springfield Academy")


def test_the_interviewee_cannot_be_an_interviewer():
    with pytest.raises(DomainError):
        interview(interviewee=Interviewee(AUTHOR))
    with pytest.raises(DomainError):
        interview(second_interviewer_id=NURSE)


def test_only_the_author_attaches_and_sends():
    with pytest.raises(NotAllowed):
        interview().attach(NURSE, record(1))
    with pytest.raises(InvalidTransition):
        interview().send(AUTHOR)  # nothing attached yet
    assert interview().attach(AUTHOR, record(1)).status == InterviewStatus.DRAFTED


def test_agreed_once_interviewee_and_every_interviewer_agreed_the_same_version():
    i = sent(interview(second_interviewer_id=SECOND))
    i = i.decide(NURSE, Decision.AGREED, 1)
    assert i.status == InterviewStatus.SENT and i.waiting_for == (Party.INTERVIEWER,
                                                                  Party.SECOND_INTERVIEWER)
    i = i.decide(AUTHOR, Decision.AGREED, 1)
    assert not i.agreed
    i = i.decide(SECOND, Decision.AGREED, 1)
    assert i.agreed and i.agreed_checksum == record(1).checksum


def test_one_decision_per_version_per_party():
    i = sent(interview()).decide(NURSE, Decision.AGREED, 1)
    with pytest.raises(InvalidTransition):
        i.decide(NURSE, Decision.CORRECTIONS, 1, "the date is wrong")


def test_nobody_else_can_agree():
    with pytest.raises(NotAllowed):
        sent(interview()).decide(STRANGER, Decision.AGREED, 1)
    with pytest.raises(NotAllowed):
        sent(interview()).decide(None, Decision.AGREED, 1)


def test_corrections_need_a_comment_then_a_new_version_is_answered_afresh():
    i = sent(interview())
    with pytest.raises(DomainError):
        i.decide(NURSE, Decision.CORRECTIONS, 1, "  ")
    i = i.decide(NURSE, Decision.CORRECTIONS, 1, "I said weekly visits, not monthly.")
    assert i.status == InterviewStatus.CORRECTIONS and i.comment.startswith("I said")
    with pytest.raises(InvalidTransition):  # not until a new version is sent
        i.decide(AUTHOR, Decision.AGREED, 1)
    i = sent(i, 2)
    with pytest.raises(InvalidTransition):  # the old version's card
        i.decide(NURSE, Decision.AGREED, 1)
    i = i.decide(NURSE, Decision.AGREED, 2).decide(AUTHOR, Decision.AGREED, 2)
    assert i.agreed and i.version == 2 and i.agreed_checksum == record(2).checksum


def test_an_agreed_record_cannot_be_replaced():
    i = sent(interview()).decide(NURSE, Decision.AGREED, 1).decide(AUTHOR, Decision.AGREED, 1)
    with pytest.raises(InvalidTransition):
        i.attach(AUTHOR, record(2))


def test_an_outside_interviewee_is_agreed_on_paper_by_the_author_with_date_and_reason():
    i = sent(interview(interviewee=Interviewee.outside("Practice nurse", "GP surgery")))
    assert i.parties()[Party.INTERVIEWEE] is None
    with pytest.raises(NotAllowed):
        i.agreed_on_paper(NURSE, 1, DAY, "signed at the surgery", DAY)
    with pytest.raises(DomainError):
        i.agreed_on_paper(AUTHOR, 1, date(2026, 12, 9), "signed", DAY)
    with pytest.raises(DomainError):
        i.agreed_on_paper(AUTHOR, 1, DAY, "", DAY)
    i = i.agreed_on_paper(AUTHOR, 1, DAY, "Signed at the surgery; no Teams account.", DAY)
    assert i.decisions[Party.INTERVIEWEE] == Decision.AGREED_ON_PAPER and not i.agreed
    i = i.decide(AUTHOR, Decision.AGREED, 1)
    assert i.agreed


def test_counted_for_status():
    done = sent(interview()).decide(NURSE, Decision.AGREED, 1).decide(AUTHOR, Decision.AGREED, 1)
    assert count_words(count([done, done, interview()])) == "2 agreed, 1 outstanding"
    assert count_words(count([])) == "None recorded yet."


def test_what_each_party_must_do_now():
    from imr_bot.domain.interviews import todo_steps
    refs, names = {7: "DDSCP/CSPR/2026/014"}, {NURSE: "Nia Nurse"}
    waiting = replace(sent(interview()), id=3)
    planned = replace(interview(), id=4)
    future = replace(Interview.new(review_id=7, interviewee=Interviewee(NURSE),
                                   on=date(2026, 12, 20), interviewer_id=AUTHOR), id=5)
    corrected = replace(waiting.decide(NURSE, Decision.CORRECTIONS, 1, "wrong day"), id=6)
    said = [t.what for t in todo_steps([waiting, planned, future, corrected], refs, AUTHOR, DAY,
                                       names)]
    assert said == ["Agree the record of your interview with Nia Nurse (interview 3)",
                    "Attach the record of the interview with Nia Nurse (interview 4)",
                    "Send a corrected record of the interview with Nia Nurse (interview 6)"]
    assert [t.what for t in todo_steps([waiting, planned, corrected], refs, NURSE, DAY,
                                       names)] == ["Agree the record of your interview "
                                                   "(interview 3)"]
    assert todo_steps([waiting], refs, STRANGER, DAY, names) == []
