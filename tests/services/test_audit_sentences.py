"""The review card reads each audit entry as a sentence, never as its raw action name."""

import re
from pathlib import Path

import pytest

from imr_bot.domain.people import Person
from imr_bot.services.notifications import NOT_OPENED
from imr_bot.services.tracker import audit_sentence

ROOT = Path(__file__).resolve().parents[2]
ARUN = Person(email="arun.author@council.test", name="Arun Author", id=4)
PEOPLE = {4: ARUN}
BY_EMAIL = {ARUN.email: ARUN}


def recorded_actions() -> set[str]:
    """Every literal action the code records, and the shapes of the ones it builds."""
    found: set[str] = set()
    for path in (ROOT / "imr_bot").rglob("*.py"):
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text()))
    return found | {"decision.qa.approved", "decision.sd.amendments", "meeting.scoping_recorded",
                    "meeting.midway_recorded", "something.new_kind"}


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_audit_action_reads_as_words(action):
    detail = {"person_id": 4, "kind": "allocation_offer", "reason": NOT_OPENED,
              "author": ARUN.email, "accepted": True}
    said = audit_sentence(action, "Harriet Head", detail, PEOPLE, BY_EMAIL)
    assert action not in said and "_" not in said and "imr-bot" not in said
    assert said[0].isupper() and re.search(r"[a-z]\.[a-z]", said) is None


@pytest.mark.parametrize(("action", "detail", "expected"), [
    ("person.unreachable", {"person_id": 4, "kind": "allocation_offer", "reason": NOT_OPENED},
     "Offer to Arun A. held until they open the bot: Arun has not opened the IMR bot yet"),
    ("person.unreachable", {"person_id": 4, "kind": "meeting_invite", "reason": "404: gone"},
     "Meeting invitation to Arun A. held until they open the bot: the IMR bot was removed or "
     "blocked in Arun's Teams"),
    ("notification.stale", {"person_id": 4, "kind": "allocation_offer",
                            "reason": "the offer was withdrawn"},
     "Offer to Arun A. not sent: the offer was withdrawn"),
    ("allocation.offered", {"author": ARUN.email}, "Offered to Arun A. by Harriet Head"),
    ("review.commissioned", {}, "Commission logged by Harriet Head"),
])
def test_delivery_entries_say_who_was_waiting_for_what(action, detail, expected):
    assert audit_sentence(action, "Harriet Head", detail, PEOPLE, BY_EMAIL) == expected


def test_the_bots_own_entries_name_no_actor():
    said = audit_sentence("meeting.confirmed", "imr-bot", {"kind": "scoping"}, PEOPLE, BY_EMAIL)
    assert said == "Scoping meeting confirmed"
