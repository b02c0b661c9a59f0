"""Wiring: settings → database → services → Teams edge → web app."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from dialogs.new_review import NewReviewDialog
from imr_bot.clock import Clock, SettableClock, SystemClock
from imr_bot.config import RefusedToStart, Settings, audit_key
from imr_bot.documents.worker import DocumentWorkers
from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.observability import Metrics
from imr_bot.scheduler import Schedule, create_scheduler
from imr_bot.services import records
from imr_bot.services.context import ServiceContext
from imr_bot.services.delivery import DeliveryService
from imr_bot.store.database import Database
from imr_bot.store.state_records import StateRecords
from imr_bot.store.unit_of_work import UnitOfWorkFactory
from imr_bot.teams.action_handlers import ActionPlanHandlers
from imr_bot.teams.adapter import close_adapter, create_adapter
from imr_bot.teams.allocation_handlers import AllocationHandlers, PeopleHandlers
from imr_bot.teams.approval_handlers import ApprovalHandlers
from imr_bot.teams.bot import ImrBot
from imr_bot.teams.card_templates import CardLibrary
from imr_bot.teams.commands import declaration_problems
from imr_bot.teams.delivery import Delivery
from imr_bot.teams.handlers import ReviewHandlers
from imr_bot.teams.interview_handlers import InterviewHandlers
from imr_bot.teams.meeting_handlers import MeetingHandlers
from imr_bot.teams.reminder_handlers import ReminderHandlers
from imr_bot.teams.server import create_web_app
from imr_bot.teams.state_storage import DatabaseStorage
from imr_bot.teams.template_handlers import TemplateHandlers
from imr_bot.teams.todo_handlers import TodoHandlers

log = logging.getLogger(__name__)


@dataclass
class Application:
    settings: Settings
    database: Database
    ctx: ServiceContext
    cards: CardLibrary
    adapter: object
    bot: ImrBot
    delivery: Delivery
    web: web.Application
    scheduler: Schedule | None = None
    metrics: Metrics = None  # type: ignore[assignment]
    checkpointer: asyncio.Task | None = None


CHECKPOINT_SECONDS = 5


async def _checkpoint_every(database: Database, seconds: float) -> None:
    """SQLite's write-ahead log copied into the database file every few seconds, off every
    commit's path (see Database(checkpoint_in_background))."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await database.checkpoint()
        except Exception:  # the next one will do it; the log only grows meanwhile
            log.warning("SQLite checkpoint failed", exc_info=True)


def build_bot(ctx: ServiceContext, cards: CardLibrary, storage, delivery: Delivery | None,
              settings: Settings) -> ImrBot:
    """The Teams edge: each handler group with what it needs, the `imr new` dialog, the bot."""
    approvals = ApprovalHandlers(ctx, settings)
    todo = TodoHandlers(ctx, approvals)
    groups = (approvals, MeetingHandlers(ctx), ReminderHandlers(ctx),
              TemplateHandlers(ctx, settings), todo, ReviewHandlers(ctx, settings, todo),
              AllocationHandlers(ctx), PeopleHandlers(ctx), ActionPlanHandlers(ctx),
              InterviewHandlers(ctx, settings))
    return ImrBot(ctx, cards, storage, groups=groups, new_review=NewReviewDialog(ctx, cards),
                  on_files=approvals.on_files, delivery=delivery, settings=settings)


def add_tab(app: Application, tokens=None) -> None:
    """The Teams tab's pages and data on the bot's own web app: as the demo person in local
    mode, else by Teams single sign-on (`tokens`: a test's own checker, else TabTokens)."""
    from pathlib import Path

    from imr_bot.tab.identity import LocalIdentity, SignedInIdentity
    from imr_bot.tab.routes import add_tab_routes
    from imr_bot.teams.tab_sso import TabTokens

    settings = app.settings
    if settings.local_mode and tokens is None:
        identity = LocalIdentity(app.ctx, os.environ.get("IMR_PLAYGROUND_AS") or None)
    else:
        identity = SignedInIdentity(app.ctx, tokens or TabTokens(
            settings.app_id, settings.base_url, settings.tenant_allow_list))
    # where `make node` installed the charting library (the image: IMR_NODE_MODULES)
    node_modules = Path(os.environ.get("IMR_NODE_MODULES")
                        or Path(__file__).resolve().parents[1] / "node_modules")
    add_tab_routes(app.web, app.ctx, identity, node_modules)


def build(settings: Settings | None = None, *, clock: Clock | None = None,
          database: Database | None = None, adapter=None) -> Application:
    settings = settings or Settings()
    problems = settings.startup_problems()
    if problems:
        raise RefusedToStart("; ".join(problems))
    clock = clock or (SettableClock() if settings.test_clock else SystemClock())
    database = database or Database(settings.database_url, checkpoint_in_background=True)
    database.audit_key = audit_key(settings)
    ctx = ServiceContext(unit_of_work=UnitOfWorkFactory(database),
                         calendar=WorkingCalendar.for_england(), clock=clock,
                         base_url=settings.base_url,
                         document_hosts=settings.sharepoint_host_patterns,
                         document_link_minutes=settings.document_link_minutes,
                         action_themes=settings.action_themes,
                         impact_decided_by=settings.impact_decided_by,
                         documents=DocumentWorkers.from_settings(settings))
    ctx.calendar.is_working_day(clock.today())  # build the bank-holiday table now, not in a turn
    cards = CardLibrary(settings.cards_dir)
    adapter = adapter or create_adapter(settings, lean=settings.lean_adapter)
    outbox = DeliveryService(database, clock, timedelta(seconds=settings.delivery_lease_seconds))
    delivery = Delivery(adapter, settings.app_id, outbox, cards, clock, settings.base_url)
    bot = build_bot(ctx, cards, DatabaseStorage(StateRecords(database), clock), delivery, settings)
    # every card button reaches code only through a declaration: refuse to run with one missing
    undeclared = declaration_problems(settings.cards_dir, bot.groups)
    if undeclared:
        raise RefusedToStart("; ".join(undeclared))
    app = Application(settings, database, ctx, cards, adapter, bot, delivery, None,  # type: ignore[arg-type]
                      metrics=Metrics())
    delivery.metrics = app.metrics
    bot.metrics = app.metrics
    app.web = create_web_app(app)
    add_tab(app)

    async def on_startup(_web_app: web.Application) -> None:
        if settings.local_mode:
            log.warning("MicrosoftAppId is empty: running in LOCAL MODE without Bot Framework "
                        "authentication. Never expose this to a network.")
        if not settings.local_mode and not settings.sharepoint_hosts.strip():
            log.warning("IMR_SHAREPOINT_HOSTS is not set: links to any organisation's "
                        "SharePoint or OneDrive are accepted. Set it to the council's own hosts.")
        if settings.document_workers == 0 and not settings.local_mode:
            log.warning("IMR_DOCUMENT_WORKERS is 0: documents people send are read in the bot's "
                        "own process, without a cap on memory or time (for unit tests only)")
        if settings.local_mode and settings.allow_unauthenticated:
            log.warning("IMR_ALLOW_UNAUTHENTICATED is set: listening on %s without "
                        "authentication", settings.host or "every address")
        try:
            if await records.seal_audit(ctx):
                log.info("the audit entries written before the chain was keyed are sealed")
        except Exception:  # the database may not be up yet; the first audited change seals too
            log.warning("could not check the audit chain's seal at startup", exc_info=True)
        if settings.scheduler:
            app.scheduler = create_scheduler(app)
            app.scheduler.start()
        database.follow_changes()  # what every turn reads, kept in memory while valid
        if database.checkpoints_in_background:
            app.checkpointer = asyncio.create_task(_checkpoint_every(database, CHECKPOINT_SECONDS))
        delivery.kick()

    async def on_cleanup(_web_app: web.Application) -> None:
        if app.scheduler is not None:
            await app.scheduler.stop()  # a running sweep finishes before the database closes
        if app.checkpointer is not None:
            app.checkpointer.cancel()
        await delivery.wait_idle()
        await close_adapter(adapter)
        await ctx.documents.close()
        await database.dispose()

    app.web.on_startup.append(on_startup)
    app.web.on_cleanup.append(on_cleanup)
    return app
