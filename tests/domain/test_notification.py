"""The send-time rule: a notification goes only while what it says is still true."""

import pytest

from imr_bot.domain.meetings import MeetingStatus
from imr_bot.domain.notification import DEPENDS_ON, About, Circumstances, depends_on, why_stale
from imr_bot.domain.stages import Stage

OFFER = About(allocation_id=7)
MEETING = About(meeting_id=3, meeting_sequence=1)
ALLOCATED = Stage.ALLOCATED


@pytest.mark.parametrize(("kind", "about", "now", "reason"), [
    ("allocation_offer", OFFER, Circumstances(Stage.COMMISSIONED, "offered"), None),
    ("allocation_offer", OFFER, Circumstances(Stage.COMMISSIONED, "withdrawn"), "withdrawn"),
    ("allocation_offer", OFFER, Circumstances(Stage.COMMISSIONED, "accepted"), "answered"),
    ("allocation_offer", OFFER, Circumstances(Stage.COMMISSIONED, "declined"), "answered"),
    ("allocation_offer", OFFER, Circumstances(Stage.COMMISSIONED, None), "no longer exists"),
    ("allocation_offer", OFFER, Circumstances(Stage.ON_HOLD, "offered"), "on hold"),
    ("allocation_offer", OFFER, Circumstances(Stage.WITHDRAWN, "offered"), "closed"),
    ("allocation_offer", OFFER, Circumstances(None, "offered"), "no longer exists"),
    ("allocation_accepted", OFFER, Circumstances(ALLOCATED, "accepted"), None),
    ("allocation_accepted", OFFER, Circumstances(ALLOCATED, "withdrawn"), "withdrawn"),
    ("allocation_accepted", OFFER, Circumstances(Stage.ON_HOLD, "accepted"), None),
    ("allocation_accepted", OFFER, Circumstances(Stage.SUBMITTED_TO_DDSCP, "accepted"), "closed"),
    ("allocation_declined", OFFER, Circumstances(Stage.COMMISSIONED, "declined"), None),
    ("allocation_declined", OFFER, Circumstances(ALLOCATED, "declined"), "already has its author"),
    ("allocation_escalation", About(), Circumstances(Stage.COMMISSIONED), None),
    ("allocation_escalation", About(), Circumstances(ALLOCATED), "already has its author"),
    ("new_review", About(), Circumstances(Stage.COMMISSIONED), None),
    ("new_review", About(), Circumstances(Stage.WITHDRAWN), "closed"),
    ("meeting_invite", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.PROPOSED, 1), None),
    ("meeting_invite", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.PROPOSED, 2), "moved"),
    ("meeting_invite", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.HELD, 1), "held"),
    ("meeting_invite", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.CANCELLED, 1),
     "cancelled"),
    ("meeting_invite", MEETING, Circumstances(ALLOCATED, None, None, None), "no longer exists"),
    ("meeting_confirmed", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.CONFIRMED, 1), None),
    ("meeting_confirmed", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.CONFIRMED, 2),
     "moved"),
    ("meeting_confirmed", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.PROPOSED, 1),
     "arranged again"),
    ("meeting_draft", About(meeting_id=3), Circumstances(ALLOCATED, None, MeetingStatus.DRAFT, 0),
     None),
    ("meeting_draft", About(meeting_id=3), Circumstances(ALLOCATED, None, MeetingStatus.PROPOSED, 0),
     "already been sent"),
    ("reminder_meeting", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.CONFIRMED, 1), None),
    ("reminder_meeting", MEETING, Circumstances(ALLOCATED, None, MeetingStatus.CONFIRMED, 3),
     "moved"),
    ("reminder_report", About(), Circumstances(Stage.MIDWAY_HELD), None),
    ("reminder_report", About(), Circumstances(Stage.ON_HOLD), "on hold"),
    ("approval_request", About(), Circumstances(Stage.SUBMITTED_TO_QA), None),
    ("approval_request", About(), Circumstances(Stage.WITHDRAWN), "closed"),
])
def test_a_notification_is_stale_exactly_when_what_it_depends_on_has_gone(kind, about, now, reason):
    found = why_stale(kind, about, now)
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found


@pytest.mark.parametrize("kind", ["stage_change", "digest", "unreachable", "approval_notice",
                                  "delivery_notice", "something_new"])
def test_news_of_what_happened_is_true_whenever_it_arrives(kind):
    assert depends_on(kind) == ()
    assert why_stale(kind, About(), Circumstances()) is None


def test_every_kind_with_a_dependency_names_only_known_states():
    for kind, needs in DEPENDS_ON.items():
        assert needs, kind


@pytest.mark.parametrize(("key", "data", "expected"), [
    ("allocation:12:offer", {}, About(allocation_id=12)),
    ("allocation:12:accepted:person:4", None, About(allocation_id=12)),
    ("meeting:5:invite:2026-11-23T10:00:00+00:00:person:3", {}, About(meeting_id=5)),
    ("meeting:5:draft", {"meeting": 6, "sequence": 2}, About(meeting_id=6, meeting_sequence=2)),
    ("review:1:new_review:person:2", {}, About()),
    ("allocation:x:offer", {}, About()),
    ("allocation:99999999999999999999:offer", {}, About()),
    ("meeting:1:draft", {"meeting": "1; drop", "sequence": True}, About(meeting_id=1)),
])
def test_what_a_queued_row_is_about_comes_from_its_record_or_else_its_key(key, data, expected):
    assert About.from_data(data, key) == expected
