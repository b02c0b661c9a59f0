"""The action plan: a review's recommendations and their actions in and out of the database, and
the one impact decision made on each version of an action's evidence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.action_plan import UNDER_WAY, Action, ActionStatus, Proposal, Recommendation

from . import tables as t
from .common import ConcurrentChange, with_id


class ActionPlans:
    def __init__(self, connection: AsyncConnection):
        self._c = connection
        self._versions: dict[int, int] = {}

    # -- recommendations -------------------------------------------------------------------------
    async def add_recommendation(self, recommendation: Recommendation, by: str,
                                 at: datetime) -> Recommendation:
        try:
            result = await self._c.execute(insert(t.recommendations).values(
                review_id=recommendation.review_id, number=recommendation.number,
                text=recommendation.text, lesson=recommendation.lesson,
                themes=",".join(recommendation.themes), created_by=by, created_at=at))
        except IntegrityError as error:  # two people numbered one at the same moment
            raise ConcurrentChange() from error
        return with_id(recommendation, result.inserted_primary_key[0])

    async def recommendations(self, review_id: int) -> list[Recommendation]:
        rows = (await self._c.execute(select(t.recommendations).where(
            t.recommendations.c.review_id == review_id).order_by(
            t.recommendations.c.number))).all()
        return [_recommendation(r) for r in rows]

    async def recommendation(self, review_id: int, number: int) -> Recommendation | None:
        row = (await self._c.execute(select(t.recommendations).where(
            t.recommendations.c.review_id == review_id,
            t.recommendations.c.number == number))).first()
        return _recommendation(row) if row is not None else None

    # -- actions ---------------------------------------------------------------------------------
    async def add_action(self, action: Action, at: datetime) -> Action:
        result = await self._c.execute(insert(t.plan_actions).values(
            **_row(action), version=1, created_at=at, updated_at=at))
        action_id = result.inserted_primary_key[0]
        self._versions[action_id] = 1
        return with_id(action, action_id)

    async def save_action(self, action: Action, at: datetime) -> None:
        version = self._versions[action.id]
        result = await self._c.execute(update(t.plan_actions).where(
            t.plan_actions.c.id == action.id, t.plan_actions.c.version == version).values(
            **_row(action), version=version + 1, updated_at=at))
        if result.rowcount != 1:
            raise ConcurrentChange()
        self._versions[action.id] = version + 1

    async def record_decision(self, *, action_id: int, evidence_version: int, decision: str,
                              comment: str, evidence_link: str, by: str, at: datetime) -> None:
        """The one decision on this version of the evidence; a second raises ConcurrentChange."""
        try:
            await self._c.execute(insert(t.impact_decisions).values(
                action_id=action_id, evidence_version=evidence_version, decision=decision,
                comment=comment, evidence_link=evidence_link, by=by, at=at))
        except IntegrityError as error:
            raise ConcurrentChange() from error

    async def decisions(self, action_id: int) -> list[tuple[int, str, str]]:
        """(evidence version, decision, comment), oldest first."""
        rows = (await self._c.execute(select(
            t.impact_decisions.c.evidence_version, t.impact_decisions.c.decision,
            t.impact_decisions.c.comment).where(
            t.impact_decisions.c.action_id == action_id).order_by(
            t.impact_decisions.c.evidence_version))).all()
        return [(r.evidence_version, r.decision, r.comment) for r in rows]

    async def action(self, action_id: int) -> Action | None:
        rows = (await self._c.execute(select(t.plan_actions).where(
            t.plan_actions.c.id == action_id))).all()
        found = self._hydrate(rows)
        return found[0] if found else None

    async def actions(self, review_id: int) -> list[Action]:
        return self._hydrate((await self._c.execute(select(t.plan_actions).where(
            t.plan_actions.c.review_id == review_id).order_by(t.plan_actions.c.id))).all())

    async def owned_by(self, person_id: int) -> list[Action]:
        return self._hydrate((await self._c.execute(select(t.plan_actions).where(
            t.plan_actions.c.owner_id == person_id).order_by(
            t.plan_actions.c.due, t.plan_actions.c.id))).all())

    async def overdue(self, today: date) -> list[Action]:
        return self._hydrate((await self._c.execute(select(t.plan_actions).where(and_(
            t.plan_actions.c.due < today,
            t.plan_actions.c.status.in_(sorted(s.value for s in UNDER_WAY)))).order_by(
            t.plan_actions.c.due, t.plan_actions.c.id))).all())

    async def under_way_due_by(self, day: date) -> list[Action]:
        """The actions still under way whose date is `day` or earlier: those a reminder sweep
        may owe something today (an action further off owes nothing yet)."""
        return self._hydrate((await self._c.execute(select(t.plan_actions).where(and_(
            t.plan_actions.c.due <= day,
            t.plan_actions.c.status.in_(sorted(s.value for s in UNDER_WAY)))).order_by(
            t.plan_actions.c.review_id, t.plan_actions.c.id))).all())

    async def overdue_by_review(self, today: date) -> list[tuple[int, int, int, date]]:
        """(review id, actions overdue, actions in its plan, the earliest overdue date) for each
        review with an overdue action, earliest first: the digest's lines."""
        c = t.plan_actions.c
        late = and_(c.due < today, c.status.in_(sorted(s.value for s in UNDER_WAY)))
        overdue = func.sum(case((late, 1), else_=0))
        earliest = func.min(case((late, c.due), else_=None))
        rows = (await self._c.execute(select(c.review_id, overdue, func.count(), earliest)
                                      .group_by(c.review_id).having(overdue > 0)
                                      .order_by(earliest, c.review_id))).all()
        return [(r[0], int(r[1]), int(r[2]), _as_date(r[3])) for r in rows]

    async def themed_recommendations(self) -> list[Recommendation]:
        """Every recommendation that carries a theme, across reviews."""
        rows = (await self._c.execute(select(t.recommendations).where(
            t.recommendations.c.themes != "").order_by(
            t.recommendations.c.review_id, t.recommendations.c.number))).all()
        return [_recommendation(r) for r in rows]

    async def of_recommendations(self, recommendation_ids: list[int]) -> list[Action]:
        """The actions carrying out these recommendations (a sweep of ids, in chunks)."""
        found: list[Action] = []
        ids = sorted(set(recommendation_ids))
        for start in range(0, len(ids), 500):
            found += self._hydrate((await self._c.execute(select(t.plan_actions).where(
                t.plan_actions.c.recommendation_id.in_(ids[start:start + 500])).order_by(
                t.plan_actions.c.due, t.plan_actions.c.id))).all())
        return found

    async def review_of(self, action_id: int) -> int | None:
        return (await self._c.execute(select(t.plan_actions.c.review_id).where(
            t.plan_actions.c.id == action_id))).scalar()

    async def count(self, review_id: int) -> int:
        return (await self._c.execute(select(func.count()).select_from(t.plan_actions).where(
            t.plan_actions.c.review_id == review_id))).scalar_one()

    def _hydrate(self, rows) -> list[Action]:
        found = []
        for r in rows:
            self._versions[r.id] = r.version
            proposal = (Proposal(r.proposal_reason, r.proposal_due, r.proposal_owner_id)
                        if r.proposal_reason is not None else None)
            found.append(Action(
                recommendation_id=r.recommendation_id, review_id=r.review_id, what=r.what,
                owner_id=r.owner_id, due=r.due, outcome=r.outcome, evaluation=r.evaluation,
                immediate=bool(r.immediate), status=ActionStatus(r.status), reason=r.reason,
                proposal=proposal, progress=r.progress, evidence_link=r.evidence_link,
                evidence_note=r.evidence_note, evidence_version=r.evidence_version,
                decided_version=r.decided_version, decision_comment=r.decision_comment,
                id=r.id))
        return found


def _as_date(value) -> date:
    """SQLite hands an aggregate's date back as its text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _recommendation(row) -> Recommendation:
    return Recommendation(row.review_id, row.number, row.text, row.lesson,
                          tuple(t for t in row.themes.split(",") if t), id=row.id)


def _row(action: Action) -> dict[str, Any]:
    proposal = action.proposal
    return {"recommendation_id": action.recommendation_id, "review_id": action.review_id,
            "what": action.what, "owner_id": action.owner_id, "due": action.due,
            "outcome": action.outcome, "evaluation": action.evaluation,
            "immediate": action.immediate, "status": action.status.value,
            "reason": action.reason,
            "proposal_reason": proposal.reason if proposal else None,
            "proposal_due": proposal.due if proposal else None,
            "proposal_owner_id": proposal.owner_id if proposal else None,
            "progress": action.progress, "evidence_link": action.evidence_link,
            "evidence_note": action.evidence_note, "evidence_version": action.evidence_version,
            "decided_version": action.decided_version,
            "decision_comment": action.decision_comment}
