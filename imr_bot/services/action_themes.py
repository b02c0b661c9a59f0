"""`imr themes` and `imr actions theme THEME`: across reviews, the themes recommendations carry
and how far their actions have got, for the Service Director (Quality, Partnerships &
Performance), the Head of Children's Services / CP and Business Services (the performance view's
people: `Permission.VIEW_PERFORMANCE`)."""

from __future__ import annotations

from imr_bot.domain.action_themes import ThemeCount, theme_counts, themed
from imr_bot.domain.errors import DomainError
from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission, require

from .action_plans import ActionLine, _lines, themes
from .context import ServiceContext


def _may_see(actor: Actor) -> None:
    require(Permission.VIEW_PERFORMANCE, actor)


async def across_reviews(ctx: ServiceContext, actor: Actor) -> list[ThemeCount]:
    """Every theme a recommendation carries, with its reviews and its actions' progress."""
    _may_see(actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        recommendations = await uow.action_plans.themed_recommendations()
        actions = await uow.action_plans.of_recommendations(
            [r.id for r in recommendations if r.id is not None])
    return theme_counts(recommendations, actions, ctx.clock.today())


def which_theme(ctx: ServiceContext, text: str) -> str:
    """The theme a person named (any case, spaces as typed), or a refusal listing them."""
    wanted = " ".join((text or "").lower().split())
    allowed = themes(ctx)
    if not wanted:
        raise DomainError("Say which theme, e.g. `imr actions theme supervision`. The themes "
                          "are: " + ", ".join(allowed) + ".")
    if wanted in allowed:
        return wanted
    starting = [t for t in allowed if t.startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    raise DomainError(f"“{wanted[:60]}” is not one of the themes. The themes are: "
                      + ", ".join(allowed) + ".")


async def actions_for_theme(ctx: ServiceContext, actor: Actor, text: str) -> tuple[
        str, list[ActionLine], ThemeCount | None]:
    """The actions under every recommendation carrying the theme, across reviews, soonest date
    first; and the theme's counts (None when no recommendation carries it yet)."""
    _may_see(actor)
    theme = which_theme(ctx, text)
    async with ctx.unit_of_work(read_only=True) as uow:
        recommendations = await uow.action_plans.themed_recommendations()
        chosen = themed(theme, recommendations)
        actions = await uow.action_plans.of_recommendations(sorted(chosen))
        lines = await _lines(ctx, uow, actions)
    counted = [c for c in theme_counts([r for r in recommendations if r.id in chosen], actions,
                                       ctx.clock.today()) if c.theme == theme]
    return theme, lines, counted[0] if counted else None
