"""Commands and card actions, each declared once: name (or verb), who may use it, which review
it is about, and its handler: a method of one handler group (see `HandlerGroup`), named by the
group's key and the method's name.

The help card, the authorisation checks and the Teams manifest's command list all come from these
declarations, so they cannot drift apart. The bot dispatches only through them: a command or a
card verb that is not declared here is refused.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from imr_bot.domain.dates import parse_date
from imr_bot.domain.errors import DomainError
from imr_bot.domain.people import Actor
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import REVIEW_SCOPED, Permission, allowed
from imr_bot.domain.roles import Role
from imr_bot.services.access import Target

ALL_SCOPES = frozenset({"personal", "team", "groupChat"})
PERSONAL = frozenset({"personal"})

Handler = Callable[[Any, str], Awaitable[None]]
ReferenceIn = Callable[[str], "str | None"]  # the review reference a command's arguments name

# the help card's sections, in the order shown
GROUPS = ("Getting started", "Reviews", "Meetings", "Documents", "People and admin")
# the handler groups in the order their commands are listed (the help card's order within a
# section, after FIRST_IN_GROUP); a group not named here comes last
GROUP_ORDER = ("approvals", "meetings", "reminders", "templates", "todo", "reviews", "allocation",
               "people")
# within a section, these come first (a stable sort keeps the rest in declaration order)
FIRST_IN_GROUP = ("todo", "help", "status", "new", "allocate", "accept", "decline", "submit",
                  "approve", "amend")


class MissingArgument(Exception):
    """A command's argument is not there: the command's `ask` is said instead."""


@dataclass(frozen=True)
class Arg:
    """One declared argument: `take(text, today)` reads it from the front of the text and
    returns its typed value and the text left (Limnoria-style converters), or raises
    MissingArgument; a value that is there but wrong raises a DomainError, said as it is.
    `today` is for dates typed as "today"."""

    name: str
    take: Callable[[str, date], tuple[Any, str]]


def _reference(text: str, _today: date) -> tuple[str, str]:
    reference, _, rest = text.strip().partition(" ")
    if not reference:
        raise MissingArgument
    return reference, rest


def _the_rest(text: str, _today: date) -> tuple[str, str]:
    whole = text.strip()
    if not whole:
        raise MissingArgument
    return whole, ""


def _reason(text: str, _today: date) -> tuple[str, str]:
    return re.sub(r"^because\s+", "", text.strip(), flags=re.IGNORECASE), ""


def _email(text: str, _today: date) -> tuple[str, str]:
    address, _, rest = text.strip().partition(" ")
    if not address:
        raise MissingArgument
    address = address.strip("<>").removeprefix("mailto:").lower()
    if not _EMAIL.fullmatch(address):
        raise DomainError(f"'{plain(address[:80])}' is not an email address, e.g. "
                          "sam.director@council.gov.uk.")
    return address, rest


_EMAIL = re.compile(r"[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+")


def date_until(keyword: str) -> Callable[[str, date], tuple[date, str]]:
    """A date typed in words or figures, up to `keyword` (or the end)."""
    def take(text: str, today: date) -> tuple[date, str]:
        typed, found, rest = _split_at(text, keyword)
        if not typed.strip():
            raise MissingArgument
        return parse_date(typed, today=today), (found + rest)
    return take


def date_after(keyword: str) -> Callable[[str, date], tuple[date | None, str]]:
    """An optional date after `keyword` ("deadline 26 Feb 2027"); None when it is not there."""
    def take(text: str, today: date) -> tuple[date | None, str]:
        match = re.match(rf"\s*{keyword}\b(.*)$", text, flags=re.IGNORECASE | re.DOTALL)
        if match is None:
            if text.strip():
                raise DomainError(f"I didn't follow '{plain(text.strip()[:80])}'.")
            return None, ""
        if not match[1].strip():
            raise DomainError(f"Give the {keyword} as a date, e.g. {keyword} 26 Feb 2027.")
        return parse_date(match[1], today=today), ""
    return take


def optional_date(text: str, today: date) -> tuple[date | None, str]:
    """All the rest as a date, or None when nothing is left."""
    return (parse_date(text, today=today) if text.strip() else None), ""


def _split_at(text: str, keyword: str) -> tuple[str, str, str]:
    match = re.search(rf"\b{keyword}\b", text, flags=re.IGNORECASE)
    if match is None:
        return text, "", ""
    return text[:match.start()], text[match.start():match.end()], text[match.end():]


REFERENCE = Arg("reference", _reference)  # the first word: a review's reference
WHOLE_REFERENCE = Arg("reference", _the_rest)  # all the text, as the review's reference
REASON = Arg("reason", _reason)  # the rest, without a leading "because"; may be empty
EMAIL = Arg("email", _email)  # the next word, an email address, lower-cased


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    permission: Permission
    scopes: frozenset[str] = ALL_SCOPES
    aliases: tuple[str, ...] = ()
    method: str = ""  # the handler: this method of the handler group named `owner`
    examples: tuple[str, ...] = field(default_factory=tuple)
    review: ReferenceIn | None = None  # which review it names: the person must be able to see it
    group: str = "Reviews"
    # whom the help card shows it to, beyond the permission (None: everyone permitted). Only
    # what is shown: who may act is still the permission and the use case's own checks.
    audience: frozenset[Role] | None = None
    owner: str = ""
    # typed while `imr new` runs, it runs and the person is asked to continue or start again;
    # False (`imr new` itself): it does not run, the person is only asked
    interrupts_dialog: bool = True
    answers_questions: bool = False  # a natural question the phrase table maps to it runs it
    # typed arguments, given to the handler by name; without, it takes the text as it came
    arguments: tuple[Arg, ...] = ()
    ask: str = ""  # said, and nothing done, when an argument is missing

    def parse(self, text: str, *, today: date) -> dict[str, Any]:
        """The declared arguments' typed values, or MissingArgument (or the DomainError that
        says what is wrong with one)."""
        values: dict[str, Any] = {}
        for argument in self.arguments:
            values[argument.name], text = argument.take(text, today)
        return values
    order: int = field(default=0, compare=False)  # its place among its group's declarations

    def shown_to(self, actor: Actor) -> bool:
        return allowed(self.permission, actor) and (
            self.audience is None or bool(self.audience & actor.roles))


_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def normalise(text: str | None) -> str:
    """What the user asked for, without the @mention, markup, a leading slash or 'imr'."""
    cleaned = _MENTION.sub(" ", text or "")
    cleaned = _TAGS.sub(" ", cleaned).replace("&nbsp;", " ")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    cleaned = re.sub(r"^/", "", cleaned)
    cleaned = re.sub(r"^imr\b\s*", "", cleaned, flags=re.IGNORECASE)
    return cleaned.strip()


def has_command_prefix(text: str | None) -> bool:
    cleaned = _MENTION.sub(" ", text or "").strip()
    return bool(re.match(r"^/?imr\b", cleaned, flags=re.IGNORECASE))


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._lookup: dict[str, Command] = {}

    def declare(self, command: Command) -> Command:
        if command.name in self._commands:
            raise ValueError(f"the command {command.name!r} is declared twice")
        if command.permission in REVIEW_SCOPED:
            raise ValueError(f"{command.name}: a command's permission is by directory role; "
                             "name its review with review=")
        for name in (command.name, *command.aliases):
            if name.lower() in self._lookup:
                raise ValueError(f"{command.name}: the name {name!r} is declared twice")
        self._commands[command.name] = command
        self._commands = dict(sorted(self._commands.items(), key=lambda item: _listed(item[1])))
        for name in (command.name, *command.aliases):
            self._lookup[name.lower()] = command
        return command

    def __iter__(self):
        return iter(self._commands.values())

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command a normalised text asks for, and the rest of the text as its arguments."""
        if not text:
            return None
        word, _, rest = text.partition(" ")
        command = self._lookup.get(word.lower())
        if command is None:
            return None
        return command, rest.strip()

    def help_lines(self) -> list[tuple[str, str]]:
        return [(f"imr {c.usage}", c.help) for c in self._commands.values()]

    def help_groups(self, actor: Actor | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
        """The help card's sections: each group's commands that `actor` may run (all of them
        without an actor), the most asked for first, then in declaration order; empty groups
        are left out."""
        shown = sorted((c for c in self._commands.values() if actor is None or c.shown_to(actor)),
                       key=lambda c: FIRST_IN_GROUP.index(c.name) if c.name in FIRST_IN_GROUP
                       else len(FIRST_IN_GROUP))
        return [(group, [(f"imr {c.usage}", c.help) for c in shown if c.group == group])
                for group in GROUPS if any(c.group == group for c in shown)]

    def phrase(self, text: str, actor: Actor | None = None) -> str | None:
        """The command a natural question asks for (from the phrase table), if the actor may
        run it: "what's overdue?" is `status overdue`."""
        asked = _question(text)
        for pattern, meant in PHRASES:
            if pattern.search(asked):
                spec = self._lookup.get(meant.split(" ", 1)[0])
                if spec is not None and (actor is None or allowed(spec.permission, actor)):
                    return meant
                return None
        return None

    def near(self, text: str, actor: Actor | None = None) -> list[str]:
        """Commands a mistyped first word may have meant (the rest of the text kept), among
        those the actor may run: "stauts mine" is `status mine`."""
        word, _, rest = text.strip().partition(" ")
        names = {name: spec for name, spec in self._lookup.items()
                 if name.isalpha() and (actor is None or allowed(spec.permission, actor))}
        found: list[str] = []
        for name in difflib.get_close_matches(word.lower()[:40], list(names), n=3, cutoff=0.7):
            suggestion = f"{names[name].name} {rest[:80]}".strip()
            if suggestion not in found:
                found.append(suggestion)
        return found


def _listed(command: Command) -> tuple[int, int]:
    owner = GROUP_ORDER.index(command.owner) if command.owner in GROUP_ORDER else len(GROUP_ORDER)
    return owner, command.order


def _question(text: str) -> str:
    cleaned = re.sub(r"[^\w\s']", " ", text[:300].lower().replace("’", "'"))
    return re.sub(r"\s+", " ", cleaned).strip()


# Natural questions and what answers them: a small table, not a language model. First match wins.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(overdue|late|behind|red ones?)\b"), "status overdue"),
    (re.compile(r"\b(this|the) (working )?week\b|\bby friday\b"), "todo week"),
    (re.compile(r"\b(what|anything).*\b(due|waiting|pending|need|outstanding)\b|\bmy (tasks|jobs|"
             r"actions|work|list)\b|\bto ?do\b|\bwhat should i\b"), "todo"),
    (re.compile(r"\bwho am i\b|\bmy roles?\b"), "whoami"),
    (re.compile(r"\b(tracker|all reviews|every review|open reviews|board)\b"), "status"),
    (re.compile(r"\btemplates?\b"), "templates"),
    (re.compile(r"\b(new|log|start)\b.*\b(review|commission|imr)\b"), "new"),
    (re.compile(r"\bwhat can you do\b|\bcommands\b|\bhelp\b"), "help"),
)


REGISTRY = CommandRegistry()


def command(name: str, usage: str, help: str, permission: Permission, *,
            scopes: frozenset[str] = ALL_SCOPES, aliases: tuple[str, ...] = (),
            review: ReferenceIn | None = None, group: str = "Reviews",
            audience: frozenset[Role] | None = None, interrupts_dialog: bool = True,
            answers_questions: bool = False, arguments: tuple[Arg, ...] = (), ask: str = ""):
    """Declare a handler method as a command. `review`, for a command that names a review, takes
    the arguments and returns the reference (or None when this use names none): before the
    handler runs, someone who may not see that review is told it does not exist."""
    if group not in GROUPS:
        raise ValueError(f"unknown help group {group!r}")
    if arguments and not ask:
        raise ValueError(f"{name}: say what to ask for when an argument is missing, with ask=")

    order = next(_ORDER)

    def declare(owner: str, method: str) -> None:
        REGISTRY.declare(Command(name, usage, help, permission, scopes, aliases, method=method,
                                 review=review, group=group, audience=audience, owner=owner,
                                 interrupts_dialog=interrupts_dialog,
                                 answers_questions=answers_questions, arguments=arguments,
                                 ask=ask, order=order))

    def decorate(handler: Handler) -> Handler:
        _pending(handler).append(declare)
        return handler
    return decorate


def first_word(args: str) -> str | None:
    """The reference in `REF ...` arguments."""
    words = args.split()
    return words[0] if words else None


@dataclass(frozen=True)
class CardAction:
    verb: str
    permission: Permission
    target: Target | None  # the card-data field naming the review; None: about no one review
    method: str  # the handler: this method of the handler group named `owner`
    # Action.Execute: the card (a name in cards/) that replaces the clicked one, from the
    # handler's data; None for an Action.Submit
    invoke: str | None = None
    dialog: bool = False  # a step of the `imr new` dialog, handled by the dialog while it runs
    owner: str = ""


CARD_ACTIONS: dict[str, CardAction] = {}


def card_action(verb: str, permission: Permission, *, review: Target | None,
                invoke: str | None = None, dialog: bool = False):
    """Declare a handler method for a card button: the only way a card's verb reaches code.

    To add a button: put `"verb": "<area>.<what>"` in the card's JSON (Action.Submit: in `data`;
    Action.Execute: the action's `verb`), and decorate its handler with
    `@card_action("<area>.<what>", Permission.X, review=Target.Y)`:

    - `Permission.X`: who may press it. For an action about one review, use a permission in
      `domain.policy.REVIEW_SCOPED` (or add one there, with the roles it names in `POLICY`): a
      review role then counts only on that review, an organisation role on every review.
    - `review=`: the card-data field that names the review (`Target.REFERENCE`, `REVIEW_ID`,
      `MEETING_ID`, `ALLOCATION_ID`; add one in `services.access` with how to find its review),
      or `None` for an action about no one review (then `Permission.X` is by directory role).
    - `invoke="card"` for an Action.Execute: its handler takes (turn, data) and returns the data
      of that card (a name in cards/), which the invoke response shows in place of the clicked
      one. An Action.Submit's handler takes (turn, value) and answers in the chat.

    Before the handler runs, the bot checks this declaration against the person and the data,
    now; a refusal is neutral, audited and changes nothing. The test in
    tests/teams/test_authorisation.py finds every verb in cards/*.json and fails on an
    undeclared one, and walks each declared action as every role.
    """
    if review is None and permission in REVIEW_SCOPED:
        raise ValueError(f"{verb}: {permission} is about one review: say which, with review=")

    def declare(owner: str, method: str) -> None:
        if verb in CARD_ACTIONS:
            raise ValueError(f"the card action {verb!r} is declared twice")
        CARD_ACTIONS[verb] = CardAction(verb, permission, review, method, invoke, dialog, owner)

    def decorate(handler: Handler) -> Handler:
        if verb in CARD_ACTIONS:  # said at once, not only when the group's class is made
            raise ValueError(f"the card action {verb!r} is declared twice")
        _pending(handler).append(declare)
        return handler
    return decorate


_DECLARATIONS = "__imr_declarations__"
_ORDER = itertools.count()
GROUPS_BY_KEY: dict[str, type] = {}


def _pending(handler: Handler) -> list:
    """The declarations waiting for the handler's class (its group) to be made."""
    if not hasattr(handler, _DECLARATIONS):
        setattr(handler, _DECLARATIONS, [])
    return getattr(handler, _DECLARATIONS)


class HandlerGroup:
    """A set of handlers sharing their dependencies, given to the constructor by the composition
    root (imr_bot.app). Each subclass names itself with `key`; its methods decorated with
    @command or @card_action are declared, when the class is made, as (key, method name), so
    two groups cannot answer the same name unnoticed: a second declaration raises."""

    key: str = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.key or cls.key in GROUPS_BY_KEY:
            raise ValueError(f"{cls.__name__}: a handler group needs its own key, not {cls.key!r}")
        GROUPS_BY_KEY[cls.key] = cls
        for name, member in vars(cls).items():
            for declare in getattr(member, _DECLARATIONS, ()):
                declare(cls.key, name)


def card_verbs(card: Any) -> set[str]:
    """Every verb a card's JSON can send: Action.Submit's data.verb, Action.Execute's verb
    (the refresh included), wherever they are nested."""
    found: set[str] = set()
    if isinstance(card, dict):
        if card.get("type") == "Action.Execute" and isinstance(card.get("verb"), str):
            found.add(card["verb"])
        data = card.get("data")
        if isinstance(data, dict) and isinstance(data.get("verb"), str):
            found.add(data["verb"])
        for value in card.values():
            found |= card_verbs(value)
    elif isinstance(card, list):
        for item in card:
            found |= card_verbs(item)
    return found


def undeclared_card_verbs(cards_dir) -> dict[str, set[str]]:
    """Card file name -> the verbs it uses that no handler declares (empty when all are)."""
    import json

    from .card_templates import card_files

    missing: dict[str, set[str]] = {}
    for path in card_files(cards_dir):
        verbs = card_verbs(json.loads(path.read_text(encoding="utf-8"))) - set(CARD_ACTIONS)
        if verbs:
            missing[path.name] = verbs
    return missing


def declaration_problems(cards_dir, groups) -> list[str]:
    """What is wrong with the declarations, for the bot to refuse to start on: a card verb no
    handler declares, a declaration whose handler group is not among `groups` (key -> instance)
    or lacks the method, or an Action.Execute whose card is not in `cards_dir`."""
    from pathlib import Path

    problems = [f"{name} uses the undeclared card verb(s) {', '.join(sorted(verbs))}"
                for name, verbs in undeclared_card_verbs(cards_dir).items()]
    for spec in [*REGISTRY, *CARD_ACTIONS.values()]:
        if not callable(getattr(groups.get(spec.owner), spec.method, None)):
            problems.append(f"{getattr(spec, 'name', None) or spec.verb} is declared with a "
                            f"missing handler {spec.owner}.{spec.method}")
    for action in CARD_ACTIONS.values():
        if action.invoke is not None and not (Path(cards_dir) / f"{action.invoke}.json").is_file():
            problems.append(f"{action.verb} answers with the missing card {action.invoke}")
    return problems
