"""Every audit entry reads as a sentence a person would write, never as its raw action name, and
the bot's own entries name the system as what it is."""

import ast
import re
from pathlib import Path

import pytest

from imr_bot.domain.meetings import MeetingKind
from imr_bot.domain.people import Person
from imr_bot.domain.submissions import Decision, Level
from imr_bot.services.notifications import NOT_OPENED
from imr_bot.services.tracker import (
    AUTOMATIC,
    DELIVERY,
    SCHEDULED,
    actor_words,
    audit_sentence,
    has_sentence,
)

ROOT = Path(__file__).resolve().parents[2]
ARUN = Person(email="arun.author@council.test", name="Arun Author", id=4)
SAM = Person(email="sam.director@council.test", name="Sam Director", id=5)
PEOPLE = {4: ARUN, 5: SAM}
BY_EMAIL = {ARUN.email: ARUN, SAM.email: SAM}
ACTION = re.compile(r"^[a-z_]+\.[a-z_.]+$")


def _is_audit_call(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr in ("record", "record_many")
            and isinstance(func.value, ast.Attribute) and func.value.attr == "audit")


def _built(value: ast.JoinedStr) -> set[str]:
    """The actions an f-string builds, from the enums it is built from."""
    head = "".join(p.value for p in value.values if isinstance(p, ast.Constant))
    if head.startswith("decision."):
        return {f"decision.{level.value}.{decision.value}" for level in Level
                for decision in Decision}
    if head.startswith("meeting.") and head.endswith("_recorded"):
        return {f"meeting.{kind.value}_recorded" for kind in MeetingKind}
    raise AssertionError(f"an audit action built in a way this test does not know: {head!r}")


def recorded_actions() -> set[str]:
    """Every action the code records: literal, built from an enum, passed in by the caller of a
    helper (corrections' `_transition`), assigned beforehand, or in a dict of fields."""
    found: set[str] = set()
    for path in (ROOT / "imr_bot").rglob("*.py"):
        tree = ast.parse(path.read_text())
        constants_passed: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                constants_passed.setdefault(node.func.id, set()).update(
                    a.value for a in [*node.args, *(k.value for k in node.keywords)]
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    and ACTION.match(a.value))
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (isinstance(key, ast.Constant) and key.value == "action"
                            and isinstance(value, ast.Constant) and ACTION.match(value.value)):
                        found.add(value.value)
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and _is_audit_call(call)):
                    continue
                (value,) = [k.value for k in call.keywords if k.arg == "action"] or [None]
                if isinstance(value, ast.Constant):
                    found.add(value.value)
                elif isinstance(value, ast.JoinedStr):
                    found |= _built(value)
                elif isinstance(value, ast.Name):
                    assigned = {c.value for c in ast.walk(function)
                                if isinstance(c, ast.Constant) and isinstance(c.value, str)
                                and ACTION.match(c.value)}
                    found |= assigned | constants_passed.get(function.name, set())
    return found


def test_the_enumeration_finds_every_kind_of_recording():
    actions = recorded_actions()
    for expected in ("review.commissioned", "review.held", "review.rebased", "link.refused",
                     "decision.qa.amendments", "decision.sd.approved", "meeting.midway_recorded",
                     "review.escalated", "person.unreachable", "allocation.offered"):
        assert expected in actions
    assert len(actions) > 40


DETAIL = {"person_id": 4, "kind": "allocation_offer", "reason": NOT_OPENED,
          "author": ARUN.email, "accepted": True, "version": 2, "level": "qa",
          "delegate": SAM.email, "on": "2027-03-22", "old": "2027-01-13", "new": "2027-02-26",
          "starts": "2027-03-22T10:00:00+00:00", "held_on": "2027-03-22", "comment": "Tone",
          "purpose": "document"}


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_audit_action_has_a_sentence(action):
    for actor in ("Harriet Head", "", SCHEDULED, AUTOMATIC):
        said = audit_sentence(action, actor, DETAIL, PEOPLE, BY_EMAIL, full=True)
        assert action not in said and "_" not in said and "imr-bot" not in said
        assert said[0].isupper() and re.search(r"[a-z]\.[a-z]", said) is None
        assert "(s)" not in said and "  " not in said and not re.search(r"\d{4}-\d\d", said)
    # each has words of its own, not only the words of its name
    assert has_sentence(action)
    assert not has_sentence("something.new_kind")
    assert audit_sentence("something.new_kind", "", {}, PEOPLE, BY_EMAIL) == "Something new kind"


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
    ("decision.qa.amendments", {"version": 1, "comment": "Section 7"},
     "Harriet Head asked for amendments to version 1 as QA senior lead"),
    ("decision.sd.approved", {"version": 3},
     "Harriet Head signed off version 3 as Service Director (EH&S)"),
    ("meeting.proposed", {"kind": "scoping", "starts": "2027-03-24T10:00:00+00:00"},
     "Scoping meeting proposed for Wed 24 Mar 2027, 10:00 by Harriet Head"),
    ("meeting.answered", {"kind": "scoping", "accepted": True},
     "Harriet Head accepted the scoping meeting"),
    ("meeting.midway_recorded", {"held_on": "2027-04-08"},
     "Outcome of the midway review of Thu 8 Apr 2027 recorded by Harriet Head"),
    ("reminder.rescheduled", {"milestone": "report_to_qa", "day": "2027-04-26"},
     "Reminder about the report and chronology to QA lead moved to Mon 26 Apr 2027 by Harriet Head"),
    ("link.refused", {"purpose": "document", "reason": "not_entitled"},
     "A document link was refused: the person it was made for may no longer see it"),
    ("review.submitted_to_ddscp", {"on": "2027-05-10"},
     "Recorded as submitted to DDSCP on Mon 10 May 2027 by Harriet Head"),
])
def test_entries_read_as_a_person_would_write_them(action, detail, expected):
    assert audit_sentence(action, "Harriet Head", detail, PEOPLE, BY_EMAIL) == expected


def test_the_history_leaves_the_actor_beside_the_sentence_and_adds_the_comment():
    said = audit_sentence("decision.qa.amendments", "", {"version": 1, "comment": "Section 7"},
                          PEOPLE, BY_EMAIL, full=True)
    assert said == "QA senior lead asked for amendments to version 1: \u201cSection 7\u201d"
    said = audit_sentence("meeting.answered", "", {"kind": "midway", "accepted": False,
                                                   "proposed": "2027-04-08T13:00:00+00:00"},
                          PEOPLE, BY_EMAIL)
    assert said == "Proposed another time for the midway review (Thu 8 Apr 2027, 14:00)"


def test_the_bots_own_entries_name_no_actor_and_the_system_is_named_for_what_it_is():
    said = audit_sentence("meeting.confirmed", AUTOMATIC, {"kind": "scoping"}, PEOPLE, BY_EMAIL)
    assert said == "Scoping meeting confirmed: everyone accepted"
    names = {ARUN.email: ARUN.name}
    assert actor_words("imr-bot", "review.escalated", names) == SCHEDULED == "Scheduled reminder"
    assert actor_words("imr-bot", "person.unreachable", names) == DELIVERY
    assert actor_words("imr-bot", "meeting.confirmed", names) == AUTOMATIC
    assert actor_words(ARUN.email, "review.held", names) == "Arun Author"
    assert actor_words("teams:29:abc", "access.refused", names) == "Someone not in the directory"
    assert actor_words("link:unknown", "link.refused", names) == "Someone with a link"
