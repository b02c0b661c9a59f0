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
            values[name] = (LINE,)
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
    (post,) = messages_for(event)
    assert POISON not in channel_text(post)


@pytest.mark.parametrize("post", [
    ChannelPost("stage_change", "k", f"{POISON} approved", reference=REFERENCE),
    ChannelPost("stage_change", "k", "Signed off", reference=POISON),
    ChannelPost("stage_change", "k", "Signed off", reference=REFERENCE, review_type=POISON),
    ChannelPost("digest", "k", "IMR tracker", lines=(ev.BoardLine(
        REFERENCE, POISON, "—", None, None, Rag.NONE),)),
])
def test_a_post_that_would_carry_more_is_refused(post):
    with pytest.raises(ChannelRuleBroken):
        check_channel(post)


def test_a_signed_off_review_tells_its_people_business_services_and_the_channel():
    messages = messages_for(ev.SignedOff(FACTS, version=2))
    people = {m.to.id for m in messages if isinstance(m, Notice) and isinstance(m.to, ToPerson)}
    assert people == {11, 12, 13}
    assert any(isinstance(m, Notice) and m.to == ToHolders(Role.BUSINESS_SERVICES)
               for m in messages)
    (post,) = [m for m in messages if isinstance(m, ChannelPost)]
    assert channel_text(post) == (f"Signed off: **{REFERENCE}** (CSPR) is now author and QA lead allocated; "
                                  "submission to DDSCP due Wed 1 Jul 2026.")
