"""What every use case needs: a unit of work, the working calendar and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from imr_bot.clock import Clock
from imr_bot.domain.calendar import WorkingCalendar

if TYPE_CHECKING:
    from .ports import UnitOfWorkFactoryPort


class DocumentRunner(Protocol):
    """Where files people send are read and documents built: worker processes capped in memory
    and time (documents/worker.py), given by the app."""

    limits: Any  # the archive limits every job is given

    async def run(self, job: Callable[..., Any], *args: Any, **options: Any) -> Any: ...

    def known(self, key: Any) -> Any: ...


@dataclass
class ServiceContext:
    unit_of_work: UnitOfWorkFactoryPort  # the store's UnitOfWorkFactory, or a test's fake
    calendar: WorkingCalendar
    clock: Clock
    base_url: str = ""  # where people's browsers reach the bot, for links in cards
    # the organisation's own SharePoint hosts (IMR_SHAREPOINT_HOSTS); empty: any SharePoint
    document_hosts: tuple[str, ...] = ()
    document_link_minutes: int = 15  # how long a document link in a card works
    # the action plan's themes (IMR_ACTION_THEMES; empty: the default list) and who decides on
    # impact: "qa_lead" or "sd_qpp" (IMR_IMPACT_DECIDED_BY)
    action_themes: str = ""
    impact_decided_by: str = "qa_lead"
    # where files people send are read; None only where no use case reads a document
    documents: DocumentRunner | None = None
