"""The notification policy: every event is handled, and nothing a channel is sent carries more
than a reference, a review type, a stage and dates."""

import typing
from dataclasses import replace
from datetime import date

import pytest

from imr_bot.domain import events as ev
from imr_bot.domain.notification_policy import (
    ChannelPost,
    ChannelRuleBroken,
    Notice,
    ToHolders,
    ToPerson,
    addressed,
    channel_text,
    check_channel,
    messages_for,
)
from imr_bot.domain.rag import Rag
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage

POISON = "Zed Poisonname"  # stands for every name, reason and comment an event may carry
REFERENCE = "DDSCP/CSPR/2026/014"
FACTS = ev.ReviewFacts(
    review_id=3, reference=REFERENCE, review_type="CSPR", stage=Stage.ALLOCATED,
    scoping_due=date(2026, 2, 2), ddscp_due=date(2026, 7, 1),
    pending_dates=(("Scoping meeting", date(2026, 2, 2)),),
    people={Role.AUTHOR: 11, Role.QA_LEAD: 12, Role.LINE_MANAGER: 13})
LINE = ev.BoardLine(REFERENCE, Stage.ALLOCATED.title, "Scoping meeting", date(2026, 2, 2), -2,
                    Rag.RED)
ACTIONS_LINE = ev.OverdueActionsLine(REFERENCE, 2, 5, date(2026, 2, 2))


def sample(cls):
    """An instance of an event with every text field poisoned."""
    hints = typing.get_type_hints(cls, vars(ev))
    values = {}
    for name in ev.field_names(cls):
        hint = hints[name]
        if hint is ev.ReviewFacts:
            values[name] = FACTS
        elif hint is str:
            values[name] = {"level": "sd", "action": "review.held"}.get(name, POISON)
        elif hint is date:
            values[name] = date(2026, 3, 4)
        elif hint in (int, int | None):
            values[name] = 21
        elif typing.get_origin(hint) is tuple:
            values[name] = ((ACTIONS_LINE,) if typing.get_args(hint)[0] is ev.OverdueActionsLine
                            else (LINE,))
        else:
            raise AssertionError(f"no sample for {cls.__name__}.{name}: {hint}")
    return cls(**values)


EVENTS = ev.event_types()


def test_the_events_are_all_found():
    names = {cls.__name__ for cls in EVENTS}
    assert {"ReviewLogged", "AllocationAccepted", "SignedOff", "SubmittedToDdscp", "StageChanged",
            "MessageHeld", "DigestDue"} <= names


@pytest.mark.parametrize("cls", EVENTS, ids=lambda c: c.__name__)
def test_every_event_has_a_policy_and_its_channel_posts_keep_to_the_rule(cls):
    messages = messages_for(sample(cls))
    assert all(isinstance(m, Notice | ChannelPost) for m in messages)
    for post in (m for m in messages if isinstance(m, ChannelPost)):
        check_channel(post)
        assert POISON not in repr(replace(post, key=""))  # the key is never shown
        if post.kind != "digest":
            text = channel_text(post)
            assert POISON not in text
            assert REFERENCE in text or post.reference == ""


@pytest.mark.parametrize("action", ["review.held", "review.resumed", "review.withdrawn"])
def test_the_reason_for_a_change_of_stage_stays_out_of_the_channel(action):
    event = ev.StageChanged(FACTS, action, reason=POISON, occurrence="1")
    (post,) = [m for m in messages_for(event) if isinstance(m, ChannelPost)]
    assert POISON not in channel_text(post)


@pytest.mark.parametrize("post", [
    ChannelPost("stage_change", "k", f"{POISON} approved", reference=REFERENCE),
    ChannelPost("stage_change", "k", "Signed off", reference=POISON),
    ChannelPost("stage_change", "k", "Signed off", reference=REFERENCE, review_type=POISON),
    ChannelPost("digest", "k", "IMR tracker", lines=(ev.BoardLine(
        REFERENCE, POISON, "—", None, None, Rag.NONE),)),
    ChannelPost("digest", "k", "IMR tracker", action_lines=(ev.OverdueActionsLine(
        POISON, 1, 2, date(2026, 2, 2)),)),
    ChannelPost("digest", "k", "IMR tracker", action_lines=(ev.OverdueActionsLine(
        REFERENCE, POISON, 2, date(2026, 2, 2)),)),  # type: ignore[arg-type]
    ChannelPost("digest", "k", "IMR tracker", action_lines=(ev.OverdueActionsLine(
        REFERENCE, 1, 2, POISON),)),  # type: ignore[arg-type]
])
def test_a_post_that_would_carry_more_is_refused(post):
    with pytest.raises(ChannelRuleBroken):
        check_channel(post)


# -- who is told what: the whole table ---------------------------------------------------------
# The people of one review, and who holds the organisation's roles. Each is a different person,
# so that a row says exactly who is told; the actor is named in each row.
AUTHOR, QA, LM, SD, HEAD, BS, QPP = 11, 12, 13, 14, 20, 30, 40
HOLDERS = {Role.HEAD_OF_CP: [HEAD], Role.BUSINESS_SERVICES: [BS], Role.SD_QPP: [QPP],
           Role.SD_EHS: [SD]}
APPROVERS = {"qa": [QA], "sd": [SD]}


def facts(stage: Stage, *roles: Role) -> ev.ReviewFacts:
    ids = {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA, Role.LINE_MANAGER: LM, Role.SD_EHS: SD}
    return replace(FACTS, stage=stage, people={role: ids[role] for role in roles})


TEAM = (Role.AUTHOR, Role.QA_LEAD, Role.LINE_MANAGER)
NEW = facts(Stage.COMMISSIONED)
ALLOCATED = facts(Stage.ALLOCATED, *TEAM)
WITH_QA = facts(Stage.SUBMITTED_TO_QA, *TEAM)
WITH_SD = facts(Stage.SD_REVIEW, *TEAM, Role.SD_EHS)
SIGNED = facts(Stage.SD_APPROVED, *TEAM, Role.SD_EHS)
CLOSED = facts(Stage.SUBMITTED_TO_DDSCP, *TEAM, Role.SD_EHS)
ON_HOLD = facts(Stage.ON_HOLD, *TEAM)
NOTE = "approval_notice"
ASKING = {"new_review", "approval_request", "action_to_agree", "action_change", "action_evidence",
          "interview_to_agree"}
OWNER = 50  # an action's owner: anyone in the directory  # cards that ask for the next step, with its buttons

# (event, {who: the kind of message they get}, the channel's headline or None). The actor, `by`,
# is never among those told: the reply to what they did says it.
TABLE = [
    ("logged by Business Services", ev.ReviewLogged(NEW, "Bea Services", by=BS),
     {HEAD: "new_review"}, "New IMR logged"),
    # the card asks them to allocate: the one notice an actor gets (the reply has no button)
    ("logged by the Head of CP", ev.ReviewLogged(NEW, "Hana Head", by=HEAD), {HEAD: "new_review"},
     "New IMR logged"),
    ("offer declined", ev.AllocationDeclined(NEW, 5, "Arun Author", "on leave", by=AUTHOR),
     {HEAD: "allocation_declined"}, None),
    ("offer accepted", ev.AllocationAccepted(ALLOCATED, 5, AUTHOR, "Arun Author", QA, "Quinn QA",
                                             LM, by=AUTHOR),
     {QA: "allocation_accepted", LM: "allocation_accepted", HEAD: "allocation_accepted"},
     "Author and QA lead allocated"),
    ("offer accepted, no line manager", ev.AllocationAccepted(
        facts(Stage.ALLOCATED, Role.AUTHOR, Role.QA_LEAD), 5, AUTHOR, "Arun Author", QA,
        "Quinn QA", None, by=AUTHOR),
     {QA: "allocation_accepted", HEAD: "allocation_accepted"}, "Author and QA lead allocated"),
    ("scoping recorded by the QA lead", ev.MeetingRecorded(
        facts(Stage.SCOPING_HELD, *TEAM), 7, "The scoping meeting agreed this timescale", by=QA),
     {AUTHOR: "meeting_recorded", LM: "meeting_recorded"}, None),
    ("report submitted", ev.ApprovalRequested(WITH_QA, 1, "qa", by=AUTHOR),
     {QA: "approval_request"}, None),
    ("amendments asked by QA", ev.AmendmentsRequested(
        facts(Stage.QA_AMENDMENTS, *TEAM), 1, "qa", "QA", "Quinn QA", "the chronology", by=QA),
     {AUTHOR: "amendments"}, None),
    ("approved at QA", ev.QaApproved(WITH_SD, 2, "Quinn QA", by=QA),
     {AUTHOR: NOTE, SD: "approval_request", QPP: NOTE}, None),
    ("amendments asked by the SD", ev.AmendmentsRequested(
        facts(Stage.SD_AMENDMENTS, *TEAM, Role.SD_EHS), 2, "sd", "Service Director", "Sam SD",
        "the summary", by=SD),
     {AUTHOR: "amendments", QA: NOTE}, None),
    ("resubmitted to the SD (the request)", ev.ApprovalRequested(WITH_SD, 3, "sd", by=AUTHOR),
     {SD: "approval_request"}, None),
    ("resubmitted to the SD (the QA lead's notice)", ev.ReportResubmitted(WITH_SD, 3, by=AUTHOR),
     {QA: NOTE}, None),
    ("signed off", ev.SignedOff(SIGNED, 3, by=SD),
     {AUTHOR: NOTE, QA: NOTE, LM: NOTE, BS: NOTE, QPP: NOTE}, "Signed off"),
    ("submitted to DDSCP", ev.SubmittedToDdscp(CLOSED, date(2026, 6, 30), by=BS),
     {AUTHOR: NOTE, QA: NOTE, LM: NOTE, SD: NOTE, HEAD: NOTE, QPP: NOTE}, "Submitted to DDSCP"),
    ("put on hold by the Head of CP", ev.StageChanged(ON_HOLD, "review.held", "police", "1",
                                                      by=HEAD),
     {AUTHOR: "review_notice", QA: "review_notice", LM: "review_notice"}, "IMR on hold"),
    ("resumed by Business Services", ev.StageChanged(ALLOCATED, "review.resumed", "resumed", "2",
                                                     by=BS),
     {AUTHOR: "review_notice", QA: "review_notice", LM: "review_notice", HEAD: "review_notice"},
     "IMR resumed"),
    ("withdrawn before allocation", ev.StageChanged(facts(Stage.WITHDRAWN), "review.withdrawn",
                                                    "duplicate", "3", by=BS),
     {HEAD: "review_notice"}, "IMR withdrawn"),
    ("a message held", ev.MessageHeld(ALLOCATED, "person:11", "t"), {}, "Business Services"),
    ("a message held, no review", ev.MessageHeldWithoutReview("person:11", "t"), {},
     "Business Services"),
    ("the daily digest", ev.DigestDue(date(2026, 3, 4), 1, (LINE,)), {}, "IMR tracker"),
    # the action plan goes on after the IMR is closed; none of it reaches a channel
    ("an action to agree", ev.ActionToAgree(CLOSED, 5, OWNER, "1", by=BS),
     {OWNER: "action_to_agree"}, None),
    ("an interview record to agree", ev.InterviewToAgree(WITH_QA, 9, OWNER, 2, by=AUTHOR),
     {OWNER: "interview_to_agree"}, None),
    ("a change proposed by an action's owner", ev.ActionChangeProposed(
        CLOSED, 5, "Olu Owner", "busy", "1", by=OWNER),
     {BS: "action_change", QA: "action_change"}, None),
    ("evidence posted, the QA lead decides", ev.ActionDone(CLOSED, 5, 1, "qa_lead", by=OWNER),
     {QA: "action_evidence"}, None),
    ("evidence posted, the SD QPP decides", ev.ActionDone(CLOSED, 5, 1, "sd_qpp", by=OWNER),
     {QPP: "action_evidence"}, None),
    ("impact decided", ev.ImpactDecided(CLOSED, 5, 1, OWNER, "confirmed", "", by=QA),
     {OWNER: "action_notice"}, None),
]


def told(event) -> dict[int, str]:
    found = {}
    for one in addressed(event, messages_for(event), HOLDERS, APPROVERS):
        assert one.person_id not in found, f"{one.person_id} told twice"
        found[one.person_id] = one.notice.kind
    return found


def test_the_table_has_a_row_for_every_event():
    assert {type(event) for _, event, _, _ in TABLE} == set(EVENTS)


@pytest.mark.parametrize(("event", "expected", "headline"), [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])
def test_who_is_told_what(event, expected, headline):
    assert told(event) == expected
    by = getattr(event, "by", None)
    assert by not in expected or expected[by] in ASKING
    posts = [m for m in messages_for(event) if isinstance(m, ChannelPost)]
    assert [p.headline for p in posts] == ([headline] if headline else [])


@pytest.mark.parametrize(("event", "expected", "headline"), [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])
def test_whoever_acts_is_not_told_even_when_they_hold_a_role_that_is(event, expected, headline):
    for person_id, kind in expected.items():
        if kind not in ASKING:
            assert person_id not in told(replace(event, by=person_id))


def test_someone_in_two_roles_is_told_once():
    """The line manager is also the QA lead, and the Head of CP is also the SD QPP."""
    both = replace(CLOSED, people={Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA, Role.LINE_MANAGER: QA})
    holders = {**HOLDERS, Role.SD_QPP: [HEAD, QPP]}
    event = ev.SubmittedToDdscp(both, date(2026, 6, 30), by=BS)
    found = addressed(event, messages_for(event), holders, APPROVERS)
    assert sorted(t.person_id for t in found) == [AUTHOR, QA, HEAD, QPP]
    assert {t.person_id: t.role for t in found}[QA] == Role.QA_LEAD


def test_the_sd_qpp_hears_at_each_point_of_the_days_30_to_35():
    def text(event):
        (notice,) = [t.notice for t in addressed(event, messages_for(event), HOLDERS, APPROVERS)
                     if t.person_id == QPP]
        return notice.text

    assert "is with the Service Director" in text(ev.QaApproved(WITH_SD, 2, "Quinn QA", by=QA))
    assert "signed off **DDSCP/CSPR/2026/014** (version 3)" in text(
        ev.SignedOff(SIGNED, 3, by=SD))
    assert "submitted to DDSCP on Tue 30 Jun 2026, and the review is closed" in text(
        ev.SubmittedToDdscp(CLOSED, date(2026, 6, 30), by=BS))


def test_the_people_on_a_review_hear_why_it_is_held_but_the_channel_does_not():
    event = ev.StageChanged(ON_HOLD, "review.held", reason="a police enquiry", occurrence="1")
    notices = [m for m in messages_for(event) if isinstance(m, Notice)]
    assert all("on hold: a police enquiry" in n.text for n in notices)
    (post,) = [m for m in messages_for(event) if isinstance(m, ChannelPost)]
    assert "police" not in channel_text(post)


def test_a_signed_off_review_tells_its_people_business_services_and_the_channel():
    messages = messages_for(ev.SignedOff(FACTS, version=2))
    people = {m.to.id for m in messages if isinstance(m, Notice) and isinstance(m.to, ToPerson)}
    assert people == {11, 12, 13}
    assert any(isinstance(m, Notice) and m.to == ToHolders(Role.BUSINESS_SERVICES)
               for m in messages)
    assert [m.headline for m in messages if isinstance(m, ChannelPost)] == ["Signed off"]
    (post,) = [m for m in messages if isinstance(m, ChannelPost)]
    assert channel_text(post) == (f"Signed off: **{REFERENCE}** (CSPR) is now author and QA lead allocated; "
                                  "submission to DDSCP due Wed 1 Jul 2026.")
