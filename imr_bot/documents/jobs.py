"""What a document worker does (see worker.py): each job checks the archive first (safety.py),
then parses. Module-level functions of plain data, so they cross the process boundary."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from imr_bot.domain.errors import DocumentRefused

from . import checker, safety
from .checker import DEFINITIONS, CheckResult
from .safety import ArchiveLimits


def inspect(limits: ArchiveLimits, name: str, content: bytes) -> None:
    """A Word document someone sent, before it is stored: refused unless it is a sound archive
    within the limits."""
    safety.inspect(content, limits, name)


def check(limits: ArchiveLimits, report: bytes | None, chronology: bytes | None, pack: str,
          tor: tuple[date | None, date | None] | None) -> CheckResult:
    """The document check; a document the archive check refuses is not read, and each of its
    checks says why."""
    refused: dict[str, str] = {}
    readable: dict[str, bytes | None] = {checker.REPORT: report, checker.CHRONOLOGY: chronology}
    for document, content in readable.items():
        if content is None:
            continue
        try:
            safety.inspect(content, limits, document)
        except DocumentRefused as refusal:
            refused[document] = refusal.reason
            readable[document] = None
    result = checker.check(readable[checker.REPORT], readable[checker.CHRONOLOGY], pack, tor)
    if refused:
        result.not_checked = [
            replace(n, reason=f"the {n.document} was not read: {refused[n.document]}")
            if n.document in refused else n for n in result.not_checked]
    return result


def not_checked(reason: str) -> CheckResult:
    """A result in which nothing could run, each check saying why."""
    result = CheckResult()
    for definition in DEFINITIONS:
        result.skip(definition.code, f"the documents were not read: {reason}")
    return result


def recommendations(limits: ArchiveLimits, report: bytes) -> list[tuple[int, str]]:
    """The numbered recommendations of a report's recommendations section (checker/
    recommendations.py), as (number, words); none when it has none. A report the archive check
    refuses is not read (DocumentRefused, with the reason)."""
    from .checker import recommendations as found

    safety.inspect(report, limits, checker.REPORT)
    try:
        return [(item.number, item.text) for item in found.read(report)]
    except ValueError as error:
        raise DocumentRefused("it could not be opened as a Word document",
                              checker.REPORT) from error
