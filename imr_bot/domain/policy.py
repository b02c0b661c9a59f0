"""Who may do what: one table for every command and card action.

Stage changes are also guarded by the transition table in stages.py; this table answers the
earlier question of whether a person may even ask.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import NotAllowed
from .people import Actor
from .roles import Role


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


EVERYONE = None  # also people not (yet) in the directory
ANY_KNOWN = frozenset(Role)  # anyone active in the directory, whatever their role

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
}


def allowed(permission: Permission, actor: Actor) -> bool:
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
