"""Across reviews: the themes recommendations carry, and how far the actions under each have got
(done, overdue, impact evidenced), so the organisation sees what keeps coming back. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .action_plan import Action, ActionStatus, Recommendation

RECURRING = 2  # a theme in this many reviews or more keeps coming back


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    reviews: int
    recommendations: int
    actions: int
    done: int  # done or impact evidenced
    overdue: int
    evidenced: int

    @property
    def recurring(self) -> bool:
        return self.reviews >= RECURRING


def theme_counts(recommendations: list[Recommendation], actions: list[Action],
                 today: date) -> list[ThemeCount]:
    """One count per theme any recommendation carries: the themes in the most reviews first,
    then those with the most actions overdue, then by name. An action counts under every theme
    of its recommendation."""
    by_recommendation: dict[int, list[Action]] = {}
    for action in actions:
        by_recommendation.setdefault(action.recommendation_id, []).append(action)
    themes: dict[str, list[Recommendation]] = {}
    for recommendation in recommendations:
        for theme in recommendation.themes:
            themes.setdefault(theme, []).append(recommendation)
    counts = []
    for theme, carried in themes.items():
        under = [a for r in carried for a in by_recommendation.get(r.id, [])]
        counts.append(ThemeCount(
            theme, len({r.review_id for r in carried}), len(carried), len(under),
            sum(a.status in (ActionStatus.DONE, ActionStatus.IMPACT_EVIDENCED) for a in under),
            sum(a.overdue(today) for a in under),
            sum(a.status == ActionStatus.IMPACT_EVIDENCED for a in under)))
    return sorted(counts, key=lambda c: (-c.reviews, -c.overdue, -c.actions, c.theme))


def themed(theme: str, recommendations: list[Recommendation]) -> set[int]:
    """The ids of the recommendations that carry `theme`."""
    return {r.id for r in recommendations if theme in r.themes and r.id is not None}
