"""Who may do what: one table for every command and card action.

Stage changes are also guarded by the transition table in stages.py; this table answers the
earlier question of whether a person may even ask.

Some permissions are about one review (`REVIEW_SCOPED`). For those, a review role in the table
(author, line manager, QA lead) counts only when the person holds it on *that* review, while an
organisation role (Business Services, Head of CP & IRO, a Service Director, administrator) counts
for every review. `allowed_on_review` decides; `services/access` works out what a person holds
on a review (their review roles, a delegated decision, an open offer to write it).
"""

from __future__ import annotations

from enum import StrEnum

from .errors import NotAllowed
from .people import Actor, Person
from .roles import REVIEW_ROLES, Role


class Permission(StrEnum):
    HELP = "help"
    PREVIEW_PLAN = "preview_plan"
    VIEW_STATUS = "view_status"
    COMMISSION = "commission"
    SUBSCRIBE_CHANNEL = "subscribe_channel"
    EDIT_REVIEW = "edit_review"
    HOLD_REVIEW = "hold_review"
    EXPORT = "export"
    VIEW_HISTORY = "view_history"
    ALLOCATE = "allocate"
    DECLARE_CONFLICT = "declare_conflict"
    MANAGE_PEOPLE = "manage_people"
    VIEW_PEOPLE = "view_people"
    VIEW_PERFORMANCE = "view_performance"  # the tab's performance page
    # about one review: see REVIEW_SCOPED
    VIEW_REVIEW = "view_review"
    SUBMIT_REPORT = "submit_report"
    DECIDE_APPROVAL = "decide_approval"
    ANSWER_OFFER = "answer_offer"
    ORGANISE_MEETING = "organise_meeting"
    ANSWER_MEETING = "answer_meeting"
    ANSWER_REMINDER = "answer_reminder"
    # the action plan (domain/action_plan.py)
    MANAGE_ACTION_PLAN = "manage_action_plan"  # add recommendations and actions, accept changes
    DECIDE_IMPACT = "decide_impact"  # confirm an action's evidence shows its outcome, or not
    ANSWER_ACTION = "answer_action"  # agree, propose, update, done: the action checks its owner
    # interviews with practitioners (domain/interviews.py)
    RECORD_INTERVIEW = "record_interview"  # the review's author records its interviews
    ANSWER_INTERVIEW = "answer_interview"  # agree a record: the interview checks its parties


EVERYONE = None  # also people not (yet) in the directory
ANY_KNOWN = frozenset(Role)  # anyone active in the directory, whatever their role
# The organisation roles that see every review (the same people may export the whole tracker).
SEE_EVERY_REVIEW = frozenset({Role.BUSINESS_SERVICES, Role.HEAD_OF_CP, Role.ADMINISTRATOR,
                              Role.SD_EHS, Role.SD_QPP})

POLICY: dict[Permission, frozenset[Role] | None] = {
    Permission.HELP: EVERYONE,
    Permission.PREVIEW_PLAN: EVERYONE,
    Permission.VIEW_STATUS: ANY_KNOWN,
    Permission.COMMISSION: frozenset({Role.BUSINESS_SERVICES, Role.HEAD_OF_CP}),
    Permission.SUBSCRIBE_CHANNEL: frozenset({Role.BUSINESS_SERVICES, Role.ADMINISTRATOR}),
    Permission.EDIT_REVIEW: frozenset({Role.BUSINESS_SERVICES}),
    Permission.HOLD_REVIEW: frozenset({Role.BUSINESS_SERVICES, Role.HEAD_OF_CP,
                                       Role.ADMINISTRATOR}),
    Permission.EXPORT: frozenset({Role.BUSINESS_SERVICES, Role.HEAD_OF_CP, Role.ADMINISTRATOR,
                                  Role.SD_EHS, Role.SD_QPP}),
    Permission.VIEW_HISTORY: ANY_KNOWN,
    Permission.ALLOCATE: frozenset({Role.HEAD_OF_CP}),
    Permission.DECLARE_CONFLICT: ANY_KNOWN,
    Permission.MANAGE_PEOPLE: frozenset({Role.BUSINESS_SERVICES, Role.ADMINISTRATOR}),
    Permission.VIEW_PEOPLE: frozenset({Role.BUSINESS_SERVICES, Role.ADMINISTRATOR, Role.HEAD_OF_CP}),
    Permission.VIEW_PERFORMANCE: frozenset({Role.SD_EHS, Role.SD_QPP, Role.HEAD_OF_CP,
                                            Role.BUSINESS_SERVICES}),
    Permission.VIEW_REVIEW: SEE_EVERY_REVIEW | REVIEW_ROLES,
    Permission.SUBMIT_REPORT: frozenset({Role.AUTHOR}),
    Permission.DECIDE_APPROVAL: frozenset({Role.QA_LEAD, Role.SD_EHS}),
    Permission.ANSWER_OFFER: frozenset({Role.AUTHOR}),
    Permission.ORGANISE_MEETING: frozenset({Role.QA_LEAD}),
    Permission.ANSWER_MEETING: REVIEW_ROLES,
    # "On it" / "Remind me on" on a reminder card: whom the review's reminders reach (its
    # people, and the organisation roles on the reminder ladder)
    Permission.ANSWER_REMINDER: REVIEW_ROLES | frozenset({Role.HEAD_OF_CP, Role.SD_EHS,
                                                          Role.SD_QPP, Role.BUSINESS_SERVICES}),
    # Business Services on every review, the QA lead on theirs
    Permission.MANAGE_ACTION_PLAN: frozenset({Role.BUSINESS_SERVICES, Role.QA_LEAD}),
    # the QA lead on theirs, or the Service Director QPP on every review (IMR_IMPACT_DECIDED_BY
    # says which of the two decides)
    Permission.DECIDE_IMPACT: frozenset({Role.QA_LEAD, Role.SD_QPP}),
    # an action's owner may be anyone in the directory; Action.agree etc. check it is them
    Permission.ANSWER_ACTION: ANY_KNOWN,
    Permission.RECORD_INTERVIEW: frozenset({Role.AUTHOR}),
    # an interviewee may be anyone in the directory; Interview.decide checks it is a party
    Permission.ANSWER_INTERVIEW: ANY_KNOWN,
}

REVIEW_SCOPED = frozenset({Permission.VIEW_REVIEW, Permission.SUBMIT_REPORT,
                           Permission.DECIDE_APPROVAL, Permission.ANSWER_OFFER,
                           Permission.ORGANISE_MEETING, Permission.ANSWER_MEETING,
                           Permission.ANSWER_REMINDER, Permission.MANAGE_ACTION_PLAN,
                           Permission.DECIDE_IMPACT, Permission.RECORD_INTERVIEW})


def allowed(permission: Permission, actor: Actor) -> bool:
    """Whether `actor` may do this at all, by their directory roles. A permission about one
    review is never granted here: ask `allowed_on_review`."""
    if permission in REVIEW_SCOPED:
        return False
    roles = POLICY[permission]
    if roles is EVERYONE:
        return True
    if roles is ANY_KNOWN:
        return actor.is_known
    return bool(roles & actor.roles)


def who_may(permission: Permission) -> str:
    roles = POLICY[permission]
    if roles is EVERYONE:
        return "everyone"
    if roles is ANY_KNOWN:
        return "people in the IMR directory"
    titles = sorted(r.title for r in roles)
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]


def require(permission: Permission, actor: Actor) -> None:
    if allowed(permission, actor):
        return
    if not actor.is_known:
        raise NotAllowed("You're not in the IMR people directory yet, so I can't show you that. "
                         "Please ask Business Services to add you.")
    raise NotAllowed(f"Sorry, only {who_may(permission)} can do that.")


def allowed_on_review(permission: Permission, actor: Actor, held: frozenset[Role]) -> bool:
    """Whether `actor`, holding the roles `held` on one review, may do this there. Their
    organisation roles count; their directory's review roles (being in the pool of authors)
    do not: only `held` does. Nobody outside the directory, or deactivated, may do anything on a review."""
    if not actor.is_known:
        return False
    roles = POLICY[permission]
    if roles is EVERYONE or roles is ANY_KNOWN:
        return True
    return bool(roles & ((actor.roles - REVIEW_ROLES) | held))


# Organisation roles whose work on every review includes reading what was submitted: Business
# Services send the pack to DDSCP; the Head of CP & IRO allocates and names delegates.
READ_EVERY_REVIEWS_DOCUMENTS = frozenset({Role.BUSINESS_SERVICES, Role.HEAD_OF_CP})


def may_read_documents(person: Person | None, named_on_review: bool, delegate: bool,
                       review_has_own_sd: bool) -> bool:
    """Whether `person` may read a review's submitted documents now: narrower than seeing the
    review. Active in the directory, and named on it (author, line manager, QA lead, its Service
    Director), a delegate approver on it, a Service Director (EH&S) when the review names none of
    its own (every one of them then signs off), or in an organisation role that reads every
    review's documents."""
    if person is None or person.id is None or not person.active:
        return False
    if named_on_review or delegate:
        return True
    if person.holds(Role.SD_EHS) and not review_has_own_sd:
        return True
    return bool(READ_EVERY_REVIEWS_DOCUMENTS & person.roles)
