"""Interviews' use cases on the in-memory unit of work: the author records them and sends each
record for agreement; the interviewee agrees or asks for corrections; a third person can neither
see nor agree a record; every step is audited."""

from dataclasses import replace

import pytest

from imr_bot.documents.templates import Prefill, interview_record
from imr_bot.domain.errors import DomainError, InvalidTransition, NotAllowed, UnknownReview
from imr_bot.domain.interviews import Decision, InterviewStatus, Party
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.roles import Role
from imr_bot.services import interviews
from imr_bot.services.tracker import audit_sentence
from tests.services import fakes
from tests.services.helpers import REFERENCE, a_scene

SHEET = interview_record(Prefill(reference=REFERENCE, author="Ann Author"))


class _NoDelegatesNorOffers:
    """What `services.access` asks of submissions and allocations, for a review with neither."""

    async def delegate(self, review_id, level):
        return None

    async def for_reviews(self, review_ids):
        return {}


@pytest.fixture(autouse=True)
def _entitlement_readable(monkeypatch):
    entering = fakes.FakeUnitOfWork.__aenter__

    async def enter(self):
        uow = await entering(self)
        uow.submissions = uow.allocations = _NoDelegatesNorOffers()
        return uow

    monkeypatch.setattr(fakes.FakeUnitOfWork, "__aenter__", enter)


@pytest.fixture
async def scene(clock):
    scene = await a_scene(clock)
    async with scene.world() as uow:
        extra = {}
        for key, name, roles in (("qa", "Quinn Lead", {Role.QA_LEAD}),
                                 ("nurse", "Nia Nurse", set()),
                                 ("social", "Sol Worker", set()),
                                 ("other", "Ola Other", set())):
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


async def an_interview(scene, **kwargs):
    values = {"on_text": "18 Nov 2026", "interviewee_email": "nurse@council.test"}
    values.update(kwargs)
    _, interview, _ = await interviews.add(scene.ctx, scene.author, REFERENCE, **values)
    return interview


async def test_the_author_records_an_interview_with_a_directory_person(scene):
    review, interview, said = await interviews.add(
        scene.ctx, scene.author, REFERENCE, on_text="18 Nov 2026",
        interviewee_email="nurse@council.test", second_email="social@council.test")
    assert said == "Nia Nurse" and interview.status == InterviewStatus.PLANNED
    assert interview.parties() == {Party.INTERVIEWEE: scene.people["nurse"].person.id,
                                   Party.INTERVIEWER: scene.author.person.id,
                                   Party.SECOND_INTERVIEWER: scene.people["social"].person.id}
    (entry,) = scene.world.audit("interview.added")
    assert audit_sentence(entry.action, "Ann Author", entry.detail, {}, {}) == (
        "Interview recorded by Ann Author")


async def test_someone_outside_the_directory_is_recorded_by_role_and_agency(scene):
    _, interview, said = await interviews.add(scene.ctx, scene.author, REFERENCE,
                                              on_text="16 Nov 2026", role="Practice nurse",
                                              agency="Oak Lane GP surgery")
    assert said == "the Practice nurse (Oak Lane GP surgery)"
    assert interview.interviewee.person_id is None


@pytest.mark.parametrize("kwargs,said", [
    ({"interviewee_email": "", "role": "Mother called Tracey", "agency": "the family"},
     "We store no names"),
    ({"interviewee_email": "", "role": "", "agency": ""}, "Say who is interviewed"),
    ({"interviewee_email": "nobody@council.test"}, "not in the IMR people directory"),
    ({"on_text": "the thirty-second"}, "."),
])
async def test_bad_input_changes_nothing_and_says_what_is_wrong(scene, kwargs, said):
    with pytest.raises(DomainError, match=said):
        await an_interview(scene, **kwargs)
    assert scene.world.audit("interview.added") == []


@pytest.mark.parametrize("who", ["qa", "nurse", "other"])
async def test_only_the_reviews_author_records_interviews(scene, who):
    with pytest.raises(NotAllowed, match="Only the review's author"):
        await interviews.add(scene.ctx, scene.people[who], REFERENCE, on_text="18 Nov 2026",
                             interviewee_email="nurse@council.test")


async def test_the_record_is_sent_to_the_interviewee_who_agrees_then_the_author(scene):
    interview = await an_interview(scene)
    sent = await interviews.attach(scene.ctx, scene.author, interview.id, "record.docx", SHEET)
    assert sent.status == InterviewStatus.SENT and sent.version == 1 and len(sent.checksum) == 64
    nurse = scene.people["nurse"]
    (card,) = scene.world.queued(f"person:{nurse.person.id}")
    assert card.kind == "interview_to_agree"
    assert [e.action for e in scene.world.audit()][-2:] == ["interview.record_attached",
                                                            "interview.sent"]
    half = await interviews.decide(scene.ctx, nurse, interview.id, Decision.AGREED, "1")
    assert not half.agreed and half.waiting_for == (Party.INTERVIEWER,)
    done = await interviews.decide(scene.ctx, scene.author, interview.id, Decision.AGREED, "1")
    assert done.agreed and done.agreed_checksum == sent.checksum
    (agreed,) = scene.world.audit("interview.agreed")
    assert agreed.detail["checksum"] == sent.checksum


async def test_corrections_then_a_new_version_agreed(scene):
    interview = await an_interview(scene)
    await interviews.attach(scene.ctx, scene.author, interview.id, "record.docx", SHEET)
    nurse = scene.people["nurse"]
    asked = await interviews.decide(scene.ctx, nurse, interview.id, Decision.CORRECTIONS, "1",
                                    "I visited weekly, not monthly.")
    assert asked.status == InterviewStatus.CORRECTIONS
    (entry,) = scene.world.audit("interview.corrections_asked")
    assert entry.detail["comment"] == "I visited weekly, not monthly."
    second = await interviews.attach(scene.ctx, scene.author, interview.id, "record v2.docx",
                                     SHEET + b"")
    assert second.version == 2 and second.status == InterviewStatus.SENT
    with pytest.raises(InvalidTransition):  # the first version's card, pressed late
        await interviews.decide(scene.ctx, nurse, interview.id, Decision.AGREED, "1")
    await interviews.decide(scene.ctx, nurse, interview.id, Decision.AGREED, "2")
    done = await interviews.decide(scene.ctx, scene.author, interview.id, Decision.AGREED, "2")
    assert done.agreed and done.version == 2


async def test_one_decision_per_version(scene):
    interview = await an_interview(scene)
    await interviews.attach(scene.ctx, scene.author, interview.id, "record.docx", SHEET)
    await interviews.decide(scene.ctx, scene.people["nurse"], interview.id, Decision.AGREED, "1")
    with pytest.raises(InvalidTransition, match="already been answered"):
        await interviews.decide(scene.ctx, scene.people["nurse"], interview.id,
                                Decision.CORRECTIONS, "1", "changed my mind")
    assert len(scene.world.audit("interview.agreed_by")) == 1


@pytest.mark.parametrize("who", ["other", "qa"])
async def test_nobody_else_can_agree(scene, who):
    interview = await an_interview(scene)
    await interviews.attach(scene.ctx, scene.author, interview.id, "record.docx", SHEET)
    with pytest.raises(NotAllowed):
        await interviews.decide(scene.ctx, scene.people[who], interview.id, Decision.AGREED, "1")
    assert scene.world.audit("interview.agreed_by") == []


async def test_a_third_person_cannot_see_the_interviews_but_the_entitled_and_the_interviewee_can(
        scene):
    await an_interview(scene)
    await an_interview(scene, interviewee_email="social@council.test")
    with pytest.raises(UnknownReview):  # as if there were no such review
        await interviews.listed(scene.ctx, scene.people["other"], REFERENCE)
    _, mine = await interviews.listed(scene.ctx, scene.people["nurse"], REFERENCE)
    assert [line.interviewee for line in mine] == ["Nia Nurse"]
    _, all_of_them = await interviews.listed(scene.ctx, scene.people["qa"], REFERENCE)
    assert len(all_of_them) == 2
    _, authors = await interviews.listed(scene.ctx, scene.author, REFERENCE)
    assert len(authors) == 2


@pytest.mark.parametrize("name,content,said", [
    ("record.pdf", SHEET, "not a Word document"),
    ("record.docx", b"", "is empty"),
    ("record.docx", b"plain text, not a zip", "not a Word document"),
])
async def test_only_a_docx_record_is_taken(scene, name, content, said):
    interview = await an_interview(scene)
    with pytest.raises(DomainError, match=said):
        await interviews.attach(scene.ctx, scene.author, interview.id, name, content)
    assert scene.world.audit("interview.record_attached") == []


async def test_only_the_author_attaches_a_record(scene):
    interview = await an_interview(scene)
    with pytest.raises(NotAllowed):
        await interviews.attach(scene.ctx, scene.people["nurse"], interview.id, "record.docx",
                                SHEET)
    with pytest.raises(DomainError):  # not even told it exists
        await interviews.attach(scene.ctx, scene.people["other"], interview.id, "record.docx",
                                SHEET)


async def test_an_interviewee_outside_teams_is_agreed_on_paper_with_date_and_reason(scene):
    _, interview, _ = await interviews.add(scene.ctx, scene.author, REFERENCE,
                                           on_text="16 Nov 2026", role="Practice nurse",
                                           agency="Oak Lane GP surgery")
    await interviews.attach(scene.ctx, scene.author, interview.id, "record.docx", SHEET)
    assert scene.world.queued() == []  # nobody in Teams to ask
    with pytest.raises(DomainError, match="why it was agreed on paper"):
        await interviews.agreed_on_paper(scene.ctx, scene.author, interview.id, "1",
                                         "20 Nov 2026", "")
    paper = await interviews.agreed_on_paper(scene.ctx, scene.author, interview.id, "1",
                                             "20 Nov 2026", "Signed at the surgery.")
    (entry,) = scene.world.audit("interview.agreed_on_paper")
    assert entry.detail["reason"] == "Signed at the surgery." and entry.detail["on"] == (
        "2026-11-20")
    assert not paper.agreed
    done = await interviews.decide(scene.ctx, scene.author, interview.id, Decision.AGREED, "1")
    assert done.agreed


async def test_the_prefilled_sheet_names_the_review(scene):
    interview = await an_interview(scene)
    name, content = await interviews.prefilled(scene.ctx, scene.author, interview.id)
    assert name.endswith(".docx") and content[:2] == b"PK"
    import io

    from docx import Document
    cells = {row.cells[0].text: row.cells[1].text
             for row in Document(io.BytesIO(content)).tables[0].rows}
    assert cells["Review reference"] == REFERENCE and cells["Interviewee"] == "Nia Nurse"
    assert cells["Date of interview"] == "18/11/2026" and cells["Interviewer"] == "Ann Author"


async def test_the_prefilled_sheet_of_someone_outside_the_directory_gives_role_and_agency(scene):
    _, interview, _ = await interviews.add(scene.ctx, scene.author, REFERENCE,
                                           on_text="16 Nov 2026", role="Practice nurse",
                                           agency="Oak Lane GP surgery")
    _, content = await interviews.prefilled(scene.ctx, scene.author, interview.id)
    import io

    from docx import Document
    cells = {row.cells[0].text: row.cells[1].text
             for row in Document(io.BytesIO(content)).tables[0].rows}
    assert (cells["Interviewee"], cells["Role"], cells["Organisation"]) == (
        "", "Practice nurse", "Oak Lane GP surgery")
