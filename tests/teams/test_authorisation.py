"""Every command and every card action, as every role: the policy table decides, and a payload
replayed by someone it was not meant for is refused.

The matrix walks each declared card action (the approval card's refresh and every verb) as each
of a review's role holders, its delegate, the person it is offered to, each organisation role,
someone in the directory with no part in it, an outsider and a deactivated person: the allowed
ones work, the refused ones get the one neutral refusal and change nothing. Commands that name a
review answer someone who may not see it as they answer a reference that does not exist.
"""

import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from imr_bot.app import build
from imr_bot.config import RefusedToStart, Settings
from imr_bot.domain.action_plan import Action, Recommendation
from imr_bot.domain.meetings import Meeting, MeetingKind
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.policy import Permission, allowed
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import approvals
from imr_bot.services.access import REFUSAL, Target
from imr_bot.store import tables
from imr_bot.store.unit_of_work import UnitOfWork
from imr_bot.teams.card_templates import card_files
from imr_bot.teams.commands import CARD_ACTIONS, REGISTRY, card_action, card_verbs
from tests.documents.test_checker import DERBYSHIRE, ROWS, chronology, report
from tests.teams.harness import (
    AUTHOR,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    SD_QPP,
    STRANGER,
    User,
    card_text,
    cards,
    texts,
)
from tests.teams.test_tracker import log_review

ONE_ROLE_USERS = {role: User(f"only-{role.value}", f"Only {role.title}",
                             f"only.{role.value}@council.test", frozenset({role})) for role in Role}
REFUSALS = ("Sorry, only", "not in the IMR people directory")
ARGS = {"plan": "21/12/2026", "status": "NO/SUCH/REF", "edit": "NO/SUCH/REF notes x because y",
        "hold": "NO/SUCH/REF reason", "resume": "NO/SUCH/REF", "withdraw": "NO/SUCH/REF reason",
        "allocate": "NO/SUCH/REF", "reallocate": "NO/SUCH/REF reason",
        "conflict": "NO/SUCH/REF reason", "people": "", "meeting": "NO/SUCH/REF",
        "submit": "NO/SUCH/REF", "submitted": "NO/SUCH/REF", "delegate": "NO/SUCH/REF a@b.c",
        "history": "NO/SUCH/REF", "reminders": "NO/SUCH/REF", "template": "chronology",
        "check": "NO/SUCH/REF", "accept": "NO/SUCH/REF", "decline": "NO/SUCH/REF busy",
        "approve": "NO/SUCH/REF", "amend": "NO/SUCH/REF fix it",
        "recommend": "NO/SUCH/REF See the child alone", "action": "add NO/SUCH/REF 1",
        "actions": "NO/SUCH/REF"}
WRONG = ("something went wrong", "Traceback")


def actor_for(user: User | None) -> Actor:
    if user is None:
        return Actor("teams:x", "x")
    return Actor(user.email, user.name, Person(email=user.email, name=user.name, roles=user.roles))


@pytest.fixture
async def everyone(teams):
    await teams.add_people(tuple(ONE_ROLE_USERS.values()))
    return teams


def refused(reply: str) -> bool:
    return any(r in reply for r in REFUSALS)


@pytest.mark.parametrize("command", [c.name for c in REGISTRY], ids=str)
async def test_every_command_as_every_role_follows_the_policy_table(everyone, command):
    spec = REGISTRY.get(command)
    for role, user in [*ONE_ROLE_USERS.items(), (None, STRANGER)]:
        text = f"imr {command} {ARGS.get(command, '')}".strip()
        if "personal" in spec.scopes:
            reply = texts(await everyone.say(user, text))
        else:
            reply = texts(await everyone.say_in_channel(user, f"<at>IMR bot</at> {text}"))
        expected = allowed(spec.permission, actor_for(user if role else None))
        assert refused(reply) != expected, f"{command} as {role}: {reply!r}"


# -- the matrix: one review, everyone who might press its buttons ----------------------------------
REF = "DDSCP/CSPR/2026/014"
UNKNOWN = "ZZZ/NONE/9"  # near no real reference, so nobody is offered a suggestion for it
DELEGATE = User("delegate", "Del Egate", "del.egate@council.test", frozenset({Role.QA_LEAD}))
OFFERED = User("offered", "Olu Offered", "olu.offered@council.test", frozenset({Role.AUTHOR}))
UNRELATED = User("unrelated", "Una Related", "una.related@council.test",
                 frozenset({Role.AUTHOR, Role.QA_LEAD, Role.LINE_MANAGER}))
ADMIN = User("admin", "Ada Min", "ada.min@council.test", frozenset({Role.ADMINISTRATOR}))
DEACTIVATED = User("gone", "Gwen Gone", "gwen.gone@council.test",
                   frozenset({Role.HEAD_OF_CP, Role.BUSINESS_SERVICES}))
BS_ONLY = User("bs-only", "Bo Services", "bo.services@council.test",
               frozenset({Role.BUSINESS_SERVICES}))

PEOPLE = {"author": AUTHOR, "line manager": LINE_MANAGER, "QA lead": QA_LEAD,
          "Service Director EH&S": SD, "delegate": DELEGATE, "offered author": OFFERED,
          "Service Director QPP": SD_QPP, "Head of CP": HEAD_OF_CP, "Business Services": BS_ONLY,
          "administrator": ADMIN, "unrelated": UNRELATED, "outsider": STRANGER,
          "deactivated": DEACTIVATED}
ON_THE_REVIEW = {"author", "line manager", "QA lead", "delegate", "offered author"}
ORGANISATION = {"Service Director EH&S", "Service Director QPP", "Head of CP",
                "Business Services", "administrator"}
SEES_IT = ON_THE_REVIEW | ORGANISATION
NOT_IN_IT = {"unrelated", "outsider", "deactivated"}

# Who may take an action of each permission on this review, said here rather than read from the
# policy: a new permission fails this test until its people are written down.
MAY = {
    Permission.VIEW_REVIEW: SEES_IT,
    Permission.SUBMIT_REPORT: {"author", "offered author"},
    Permission.DECIDE_APPROVAL: {"QA lead", "delegate", "Service Director EH&S"},
    Permission.ANSWER_OFFER: {"author", "offered author"},
    Permission.ORGANISE_MEETING: {"QA lead", "delegate"},
    Permission.ANSWER_MEETING: ON_THE_REVIEW,
    Permission.ANSWER_REMINDER: ON_THE_REVIEW | {"Service Director EH&S", "Service Director QPP",
                                                 "Head of CP", "Business Services"},
    Permission.ALLOCATE: {"Head of CP"},
    Permission.VIEW_STATUS: set(PEOPLE) - {"outsider", "deactivated"},
    Permission.COMMISSION: {"Head of CP", "Business Services"},
    # the delegate holds the QA lead's role on the review, so passes the gate; the use case then
    # tells them (as it tells the SD QPP while the QA lead decides on impact) it is not theirs
    Permission.MANAGE_ACTION_PLAN: {"QA lead", "delegate", "Business Services"},
    Permission.DECIDE_IMPACT: {"QA lead", "delegate", "Service Director QPP"},
    # the offered author passes the gate; the use case records interviews only for the author
    # the review names
    Permission.RECORD_INTERVIEW: {"author", "offered author"},
    # anyone in the directory may press a record's card; only its parties are answered as such
    Permission.ANSWER_INTERVIEW: set(PEOPLE) - {"outsider", "deactivated"},
    # anyone in the directory may press an action's card; only its owner (nobody here) is
    # answered as its owner
    Permission.ANSWER_ACTION: set(PEOPLE) - {"outsider", "deactivated"},
    Permission.EDIT_REVIEW: {"Business Services"},  # the close's confirmation (ddscp.confirm)
}

# the tables a refused action must leave as they were (the audit gains its refusal; the
# conversation's own state and reference are Teams bookkeeping)
WATCHED = ("reviews", "review_people", "milestones", "plan_changes", "people", "allocations",
           "meetings", "meeting_answers", "documents", "submissions", "decisions", "delegates",
           "notifications", "conflicts", "downloads", "recommendations", "plan_actions",
           "impact_decisions", "interviews", "interview_records", "interview_decisions")


@pytest.fixture
async def review(teams):
    """A review waiting for the QA lead's decision on version 1, with its people, a delegate, an
    open offer to another author, a midway meeting, and everyone else who might try."""
    await teams.add_people((DELEGATE, OFFERED, UNRELATED, ADMIN, DEACTIVATED, BS_ONLY, SD_QPP))
    await log_review(teams, REF)
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LINE_MANAGER,
                            Role.QA_LEAD: QA_LEAD}, Stage.MIDWAY_HELD)
    ctx, now = teams.app.ctx, teams.clock.now()
    async with UnitOfWork(teams.app.database) as uow:
        ids = {name: (await uow.people.by_email(user.email)).id
               for name, user in PEOPLE.items() if user is not STRANGER}
        author = await uow.people.by_id(ids["author"])
        head = await uow.people.by_id(ids["Head of CP"])
    author_actor = Actor(author.email, author.name, author)
    await approvals.add_file(ctx, author_actor, REF, "IMR report.docx", report(DERBYSHIRE))
    await approvals.add_file(ctx, author_actor, REF, "Chronology.docx", chronology(ROWS))
    await approvals.submit(ctx, author_actor, REF)
    await approvals.delegate(ctx, Actor(head.email, head.name, head), REF, DELEGATE.email)
    async with UnitOfWork(teams.app.database) as uow:
        found = await uow.reviews.get(REF)
        offer = await uow.allocations.offer(review_id=found.id, author_id=ids["offered author"],
                                            qa_lead_id=ids["QA lead"], by=head.email, at=now)
        meeting = await uow.meetings.add(Meeting(
            review_id=found.id, kind=MeetingKind.MIDWAY, organiser_id=ids["QA lead"],
            participant_ids=(ids["QA lead"], ids["author"], ids["line manager"]),
            starts=datetime(2026, 12, 10, 10, tzinfo=UTC)), now)
        owner, _ = await uow.people.upsert(Person(email="owen.owner@council.test",
                                                  name="Owen Owner"), now)
        recommendation = await uow.action_plans.add_recommendation(
            Recommendation.new(found.id, 1, "See the child alone"), "bs", now)
        action = await uow.action_plans.add_action(Action.new(
            recommendation_id=recommendation.id, review_id=found.id, what="Briefing",
            owner_id=owner.id, due=date(2027, 1, 29), outcome="Visits record the child's words",
            evaluation="Audit", immediate=False, today=teams.clock.today()), now)
        gone = await uow.people.by_id(ids["deactivated"])
        await uow.people.upsert(replace(gone, active=False), now)
        await uow.commit()
    for user in PEOPLE.values():
        await teams.say(user, "hello")
    await teams.deliver()
    teams.matrix = {Target.REFERENCE: {"reference": REF},
                    Target.REVIEW_ID: {"reviewId": found.id, "version": 1, "level": "qa"},
                    Target.MEETING_ID: {"meetingId": meeting.id},
                    Target.ALLOCATION_ID: {"allocationId": offer},
                    Target.ACTION_ID: {"actionId": action.id},
                    None: {"actionId": action.id}}  # an owner's button names its action
    return teams


# what each action is sent with besides its target: enough to run, and not enough to change the
# review for everyone after (no declaration ticked, no reason, no valid slot, no real person)
HARMLESS = {"allocate.offer": {"author": "999999", "qa_lead": "999998"},
            "allocation.accept": {"declaration": "false"},
            "allocation.decline": {"reason": ""},
            "approval.approve": {"version": 2}, "approval.amend": {"comment": ""},
            "ddscp.confirm": {"on": "not a day"},
            "meeting.send": {"day": "not a day", "time": "25:99"},
            "meeting.confirm": {"day": "not a day", "time": "25:99"},
            "meeting.propose": {"day": "not a day", "time": "25:99"},
            "meeting.accept": {}, "meeting.record": {"outcome": "nonsense"},
            "status.more": {"page": "0"},
            "action.add": {"recommendation": "99"}, "action.propose": {"reason": ""},
            "action.update": {"note": ""}, "action.done": {"link": ""},
            "action.not_agreed": {"reason": ""}, "action.confirm": {"version": "99"},
            "action.send_back": {"comment": ""},
            "reminder.ack": {"milestone": "no such milestone"},
            "reminder.later": {"milestone": "no such milestone", "remind_on": "not a day"}}


async def snapshot(teams) -> dict:
    found = {}
    async with teams.app.database.engine.connect() as connection:
        for name in WATCHED:
            table = tables.metadata.tables[name]
            rows = (await connection.execute(select(table))).all()
            found[name] = sorted(json.dumps([str(v) for v in row]) for row in rows)
    return found


async def refusals(teams) -> list:
    async with UnitOfWork(teams.app.database) as uow:
        return [e for e in await uow.audit.all() if e.action == "access.refused"]


async def press(teams, user: User, verb: str, data: dict) -> str:
    """What `user` sees after sending this card action: the chat's text, or the card that an
    Action.Execute puts in place of theirs."""
    if CARD_ACTIONS[verb].invoke:
        return card_text(await teams.execute(user, verb, data))
    replies = await teams.submit(user, {**data, "verb": verb})
    return texts(replies) + "".join(card_text(c) for c in cards(replies))


async def test_every_card_action_as_every_role_on_a_review(review):
    """One review, so its setting up is paid once: every failure is listed at the end."""
    wrong = []
    for verb, action in sorted(CARD_ACTIONS.items()):
        data = {**review.matrix[action.target], **HARMLESS.get(verb, {})}
        may = MAY[action.permission]
        for name, user in PEOPLE.items():
            before, audited = await snapshot(review), len(await refusals(review))
            shown = await press(review, user, verb, data)
            if any(w in shown for w in WRONG):
                wrong.append(f"{verb} as {name} failed: {shown!r}")
            elif name in may:
                if not shown or shown == REFUSAL:
                    wrong.append(f"{verb} as {name} was refused")
            elif shown != REFUSAL:
                wrong.append(f"{verb} as {name} was not refused: {shown!r}")
            elif await snapshot(review) != before:
                wrong.append(f"{verb} as {name} was refused but changed something")
            elif len(await refusals(review)) != audited + 1:
                wrong.append(f"{verb} as {name} was refused without an audit entry")
    assert not wrong, "\n".join(wrong)


MISSING = ({"reference": "DDSCP/CSPR/2026/999"}, {"reviewId": 999}, {"meetingId": 999},
           {"allocationId": 999}, {"reference": None}, {"reviewId": None}, {"meetingId": None},
           {"allocationId": None}, {"reference": "x" * 5000}, {"reviewId": "x" * 5000},
           {"meetingId": [1]}, {"allocationId": {"id": 1}}, {"reference": ""}, {"reviewId": 0})


async def test_a_card_action_for_a_review_that_does_not_exist_gets_the_same_refusal(review):
    """No oracle for review ids: a missing review, meeting or offer reads like a refused one,
    even to someone who may see every review."""
    wrong = []
    for verb, action in sorted(CARD_ACTIONS.items()):
        if action.target is None:
            continue
        for missing in (m for m in MISSING if action.target.value in m):
            data = {**review.matrix[action.target], **HARMLESS.get(verb, {}), **missing}
            for user in (UNRELATED, STRANGER, HEAD_OF_CP, QA_LEAD):
                before = await snapshot(review)
                shown = await press(review, user, verb, data)
                if shown != REFUSAL or await snapshot(review) != before:
                    wrong.append(f"{verb} {missing} as {user.name}: {shown!r}")
    assert not wrong, "\n".join(wrong)


async def test_the_approval_refresh_gives_an_outsider_nothing_of_the_review(review):
    data = review.matrix[Target.REVIEW_ID]
    seen = await press(review, QA_LEAD, "approval.refresh", data)
    assert REF in seen and "Quinn Lead" in seen and "IMR report.docx" in seen
    for user in (UNRELATED, STRANGER, DEACTIVATED):
        card = await review.execute(user, "approval.refresh", data)
        shown = json.dumps(card)
        assert card_text(card) == REFUSAL
        assert REF not in shown and "Quinn" not in shown and "/documents/" not in shown


async def test_an_undeclared_verb_is_refused_like_any_other(review):
    for verb in ("approval.nonsense", "admin.delete", "", "status.more ", "STATUS.MORE", None, 7,
                 ["status.more"], "x" * 5000):
        for user in (HEAD_OF_CP, UNRELATED, STRANGER):
            before = await snapshot(review)
            assert texts(await review.submit(user, {"verb": verb, "reference": REF})) == REFUSAL
            card = await review.execute(user, verb, review.matrix[Target.REVIEW_ID])
            assert card_text(card) == REFUSAL
            assert await snapshot(review) == before


async def test_a_refusal_is_audited_and_counted_without_naming_the_review(review):
    await press(review, UNRELATED, "approval.refresh", review.matrix[Target.REVIEW_ID])
    await press(review, STRANGER, "status.review", {"reference": REF})
    await review.submit(HEAD_OF_CP, {"verb": "no.such"})
    entries = (await refusals(review))[-3:]
    assert [(e.actor, e.detail["verb"], e.detail["reason"], e.review_id) for e in entries] == [
        (UNRELATED.email, "approval.refresh", "no_role", None),
        (f"teams:{STRANGER.aad}", "status.review", "not_in_directory", None),
        (HEAD_OF_CP.email, "no.such", "undeclared", None)]
    shown = review.app.metrics.exposition().decode()
    for reason in ("no_role", "not_in_directory", "undeclared"):
        assert f'imr_refused_card_actions_total{{reason="{reason}"}} 1.0' in shown


async def test_a_submit_verb_sent_as_an_execute_is_refused(review):
    """Action.Submit and Action.Execute are declared apart: one cannot stand in for the other."""
    card = await review.execute(HEAD_OF_CP, "allocate.start", {"reference": REF})
    assert card_text(card) == REFUSAL
    assert texts(await review.submit(QA_LEAD, {"verb": "approval.approve",
                                               **review.matrix[Target.REVIEW_ID]})) == REFUSAL


# -- commands that name a review --------------------------------------------------------------------
# the typed answers that change the review (approving it, taking up the offer) go last, so that
# everyone is asked the other commands about the review as the fixture made it
LAST = ("approve", "accept")
REVIEW_COMMANDS = sorted((c.name for c in REGISTRY if c.review is not None),
                         key=lambda name: (LAST.index(name) if name in LAST else -1, name))
COMMAND_ARGS = {"edit": "{ref}", "hold": "{ref}", "withdraw": "{ref}", "reallocate": "{ref}",
                "delegate": "{ref} nobody@council.test", "template": "chronology {ref}",
                "submitted": "{ref} 01/01/2000", "action": "add {ref}",
                "recommend": "{ref}"}


async def test_a_command_naming_a_review_someone_may_not_see_reads_like_an_unknown_one(review):
    wrong = []
    for command in REVIEW_COMMANDS:
        args = COMMAND_ARGS.get(command, "{ref}")
        review.app.bot._command_windows.clear()  # the per-person rate limit is not under test
        for name, user in PEOPLE.items():
            on_it = await review.say(user, f"imr {command} {args.format(ref=REF)}")
            shown = texts(on_it) + "".join(card_text(c) for c in cards(on_it))
            if any(w in shown for w in WRONG):
                wrong.append(f"{command} as {name} failed: {shown!r}")
            elif name in NOT_IN_IT:
                unknown = texts(await review.say(user, f"imr {command} "
                                                       f"{args.format(ref=UNKNOWN)}"))
                if cards(on_it) or shown.replace(REF, UNKNOWN) != unknown:
                    wrong.append(f"{command} as {name}: {shown!r}, unknown: {unknown!r}")
            elif (allowed(REGISTRY.get(command).permission, actor_for(user))
                  and "There is no review" in shown):
                wrong.append(f"{command} as {name} was told there is no review")
    assert not wrong, "\n".join(wrong)


async def test_status_of_a_review_is_for_the_people_who_may_see_it(review):
    for name, user in PEOPLE.items():
        replies = await review.say(user, f"imr status {REF}")
        if name in SEES_IT:
            (card,) = cards(replies)
            assert REF in card_text(card)
        else:
            assert not cards(replies)
            assert "Quinn" not in texts(replies)


async def test_someone_who_sees_every_review_is_offered_near_misses_and_others_are_not(review):
    assert "Did you mean" in texts(await review.say(HEAD_OF_CP, "imr status DDSCP/CSPR/2026/01"))
    assert texts(await review.say(UNRELATED, "imr status DDSCP/CSPR/2026/01")) == (
        "There is no review DDSCP/CSPR/2026/01.")


# -- the declarations themselves ---------------------------------------------------------------------
def test_every_verb_in_the_cards_is_declared():
    from imr_bot.config import PROJECT_ROOT

    used = set()
    for path in card_files(PROJECT_ROOT / "cards"):
        used |= card_verbs(json.loads(path.read_text(encoding="utf-8")))
    assert used and used <= set(CARD_ACTIONS), used - set(CARD_ACTIONS)


def test_every_verb_the_code_names_is_declared():
    import re

    from imr_bot.config import PROJECT_ROOT

    named = set()
    for folder in ("imr_bot", "dialogs"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            named |= set(re.findall(r"""verb\W{1,6}["']([a-z_]+\.[a-z_]+)["']""", source))
            named |= set(re.findall(r"""card_action\(\s*["']([a-z_]+\.[a-z_]+)["']""", source))
    assert named and named <= set(CARD_ACTIONS), named - set(CARD_ACTIONS)


def test_every_declared_action_has_its_handler():
    from imr_bot.teams.commands import GROUPS_BY_KEY

    for action in CARD_ACTIONS.values():
        assert callable(getattr(GROUPS_BY_KEY[action.owner], action.method, None)), action


def test_the_bot_refuses_to_start_with_a_card_verb_nobody_declared(tmp_path):
    from imr_bot.config import PROJECT_ROOT

    cards_dir = tmp_path / "cards"
    shutil.copytree(PROJECT_ROOT / "cards", cards_dir)
    (cards_dir / "sneaky.json").write_text(json.dumps({
        "type": "AdaptiveCard", "version": "1.5", "body": [],
        "actions": [{"type": "Action.Submit", "title": "Go", "data": {"verb": "sneaky.go"}}]}))
    with pytest.raises(RefusedToStart, match="sneaky.go"):
        build(Settings(database_url="sqlite+aiosqlite:///:memory:", scheduler=False,
                       cards_dir=cards_dir))


def test_an_action_about_a_review_cannot_be_declared_without_naming_it():
    with pytest.raises(ValueError, match="review="):
        card_action("x.y", Permission.VIEW_REVIEW, review=None)


def test_a_verb_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="twice"):
        card_action("approval.refresh", Permission.VIEW_REVIEW,
                    review=Target.REVIEW_ID)(lambda self, turn, value: None)


def test_a_command_cannot_take_a_permission_about_one_review():
    from imr_bot.teams.commands import Command, CommandRegistry

    with pytest.raises(ValueError, match="review="):
        CommandRegistry().declare(Command("peek", "peek REF", "x", Permission.VIEW_REVIEW))
