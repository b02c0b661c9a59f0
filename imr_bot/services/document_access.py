"""Who may see a review's submitted documents: the one question a document link asks when it is
made and again when it is opened. (Small on purpose, so a central access service can take its
place: everything else asks through `may_see_documents`.)"""

from __future__ import annotations

from imr_bot.domain.people import Person
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.submissions import Level

# Organisation roles whose work on every review includes reading what was submitted: Business
# Services send the pack to DDSCP; the Head of CP & IRO allocates and names delegates.
READ_EVERY_REVIEW = frozenset({Role.BUSINESS_SERVICES, Role.HEAD_OF_CP})


def entitled(person: Person | None, review: Review, delegates: set[int]) -> bool:
    """Whether `person` may see `review`'s documents now: active in the directory, and holding a
    role on this review (author, line manager, QA lead, its Service Director), named a delegate
    approver on it, a Service Director (EH&S) when the review has none of its own, or in an
    organisation role that reads every review."""
    if person is None or person.id is None or not person.active:
        return False
    if person.id in review.people.values() or person.id in delegates:
        return True
    if person.holds(Role.SD_EHS) and Role.SD_EHS not in review.people:
        return True  # the approvers at sign-off are then every Service Director (EH&S)
    return bool(READ_EVERY_REVIEW & person.roles)


async def may_see_documents(uow, person: Person | None, review: Review) -> bool:
    delegates = set()
    for level in Level:
        delegate = await uow.submissions.delegate(review.id, level.value)
        if delegate is not None:
            delegates.add(delegate)
    return entitled(person, review, delegates)
