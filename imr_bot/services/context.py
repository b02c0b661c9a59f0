"""What every use case needs: a unit of work, the working calendar and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from imr_bot.clock import Clock
from imr_bot.domain.calendar import WorkingCalendar

if TYPE_CHECKING:
    from imr_bot.documents.worker import DocumentWorkers
    from imr_bot.store.unit_of_work import UnitOfWorkFactory


@dataclass
class ServiceContext:
    unit_of_work: UnitOfWorkFactory
    calendar: WorkingCalendar
    clock: Clock
    base_url: str = ""  # where people's browsers reach the bot, for links in cards
    # the organisation's own SharePoint hosts (IMR_SHAREPOINT_HOSTS); empty: any SharePoint
    document_hosts: tuple[str, ...] = ()
    document_link_minutes: int = 15  # how long a document link in a card works
    # where files people send are read: worker processes capped in memory and time
    documents: DocumentWorkers = field(default_factory=lambda: _in_process())


def _in_process() -> DocumentWorkers:
    from imr_bot.documents.worker import DocumentWorkers

    return DocumentWorkers(workers=0)
