"""What the document check found, as plain data: each check with a stable code, whether it passed,
the document it concerns, a severity and every item it names; and the checks that could not run.

Plain dataclasses of str/int/bool/lists, so a result crosses a process boundary (pickle) and is
stored as JSON. The card, `imr check` and the command line render from this, never from a sentence.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace

REPORT = "report"
CHRONOLOGY = "chronology"
ERROR = "error"  # the document needs changing before QA can rely on it
WARNING = "warning"  # QA should look: allowed when justified (an entry outside the period)


@dataclass(frozen=True)
class CheckDefinition:
    code: str
    document: str
    severity: str
    title: str  # what the check looks for, as a QA lead would put it
    failed: str  # what a failure is called in a one-line summary
    key: str  # the Item field that names each item: section, row, initials or term ("" for one)


_D = CheckDefinition
DEFINITIONS: tuple[CheckDefinition, ...] = (
    _D("report.section_missing", REPORT, ERROR, "Every required section is there",
       "sections missing", "section"),
    _D("report.section_empty", REPORT, ERROR, "No section is left empty",
       "sections left empty", "section"),
    _D("report.signed", REPORT, ERROR, "The report is signed in its sign-off", "not signed", ""),
    _D("report.dated", REPORT, ERROR, "The sign-off is dated", "not dated", ""),
    _D("report.initials", REPORT, ERROR,
       "Initials in the report are in the chronology's Key to Initials",
       "initials in the report not in the Key to Initials", "initials"),
    _D("report.abbreviations", REPORT, WARNING, "Abbreviations in the report are explained",
       "abbreviations in the report not explained", "term"),
    _D("chronology.table", CHRONOLOGY, ERROR, "The chronology table is there, with entries",
       "no chronology table", ""),
    _D("chronology.dates_unreadable", CHRONOLOGY, ERROR, "Every date can be read",
       "dates that can't be read", "row"),
    _D("chronology.dates_ambiguous", CHRONOLOGY, WARNING,
       "No date is ambiguous (two-digit year, month first, no day or year)", "ambiguous dates",
       "row"),
    _D("chronology.dates_order", CHRONOLOGY, ERROR, "Entries are in date order",
       "entries out of date order", "row"),
    _D("chronology.outside_tor", CHRONOLOGY, WARNING,
       "Entries fall within the terms of reference period (or are justified as significant)",
       "entries outside the terms of reference period", "row"),
    _D("chronology.key", CHRONOLOGY, ERROR, "A Key to Initials Used is there",
       "no Key to Initials", ""),
    _D("chronology.initials", CHRONOLOGY, ERROR,
       "Every initial in the chronology is in its Key to Initials",
       "initials missing from the Key to Initials", "initials"),
    _D("chronology.abbreviations", CHRONOLOGY, WARNING,
       "Abbreviations in the chronology are explained",
       "abbreviations in the chronology not explained", "term"),
)
BY_CODE = {d.code: d for d in DEFINITIONS}


@dataclass(frozen=True)
class Item:
    """One thing a check names. `text` is the chronology cell as written: it may hold personal
    details, so it is shown only to people with a role on the review (see `without_text`)."""
    problem: str
    section: str = ""
    row: int = 0  # the chronology row: 1 is the first row under the column headings
    date: str = ""  # ISO 8601, when the date could be read
    written: str = ""  # the date as the author wrote it
    text: str = ""
    initials: str = ""
    term: str = ""

    def key(self, definition: CheckDefinition) -> str:
        return str(getattr(self, definition.key)) if definition.key else ""

    def where(self) -> str:
        """The item named without quoting the document's text."""
        named = self.section or self.initials or self.term
        if self.row:
            when = shown_date(self.date) or (f"“{self.written}”" if self.written else "no date")
            return f"{named} (row {self.row}, {when})" if named else f"row {self.row} ({when})"
        return named


def shown_date(iso: str) -> str:
    """An ISO date (as the JSON result keeps it) as every card and message shows a date."""
    from datetime import date

    from imr_bot.domain.dates import format_date

    try:
        return format_date(date.fromisoformat(iso)) if iso else ""
    except ValueError:
        return iso


@dataclass(frozen=True)
class Check:
    code: str
    ok: bool
    items: list[Item] = field(default_factory=list)

    @property
    def definition(self) -> CheckDefinition:
        return BY_CODE[self.code]

    @property
    def document(self) -> str:
        return self.definition.document

    @property
    def severity(self) -> str:
        return self.definition.severity

    @property
    def title(self) -> str:
        return self.definition.title


@dataclass(frozen=True)
class NotChecked:
    code: str
    reason: str

    @property
    def document(self) -> str:
        return BY_CODE[self.code].document


@dataclass
class CheckResult:
    checks: list[Check] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)

    # -- building ----------------------------------------------------------------------------
    def add(self, code: str, items: list[Item]) -> None:
        assert code in BY_CODE, code
        self.checks.append(Check(code, not items, list(items)))

    def skip(self, code: str, reason: str) -> None:
        assert code in BY_CODE, code
        self.not_checked.append(NotChecked(code, reason))

    # -- reading -----------------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        """Every check ran and passed: a check that could not run is never a pass."""
        return not self.not_checked and all(c.ok for c in self.checks)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def check(self, code: str) -> Check | None:
        return next((c for c in self.checks if c.code == code), None)

    @property
    def status(self) -> str:
        """"passed", "warning" (only warnings failed) or "attention"."""
        if self.ok:
            return "passed"
        if self.not_checked or any(c.severity == ERROR for c in self.problems):
            return "attention"
        return "warning"

    @property
    def colour(self) -> str:
        """The Adaptive Card colour for the status."""
        return {"passed": "Good", "warning": "Warning", "attention": "Attention"}[self.status]

    def findings(self) -> set[tuple[str, str]]:
        """(code, item key) for every item found, and (code, "not checked") for each check that
        could not run: what the corpus compares with its expectations."""
        found = {(c.code, i.key(c.definition)) for c in self.problems for i in c.items}
        return found | {(n.code, "not checked") for n in self.not_checked}

    def summary(self) -> str:
        """One paragraph for the approval card. Items are named (section, row and date, initials,
        term); the documents' text is never quoted."""
        ran = len(self.checks)
        if self.ok:
            return f"Automated check: all {ran} checks passed."
        parts = [f"{c.definition.failed}: " + ", ".join(i.where() or i.problem for i in c.items)
                 for c in self.problems]
        reasons: dict[str, list[str]] = {}
        for skipped in self.not_checked:
            title = BY_CODE[skipped.code].title
            reasons.setdefault(skipped.reason, []).append(title[0].lower() + title[1:])
        parts += [f"not checked, as {reason}: " + ", ".join(titles)
                  for reason, titles in reasons.items()]
        if not ran:
            return "Automated check: nothing could be checked; " + "; ".join(parts) + "."
        return (f"Automated check: {len(self.problems)} of {ran} checks need attention"
                + (f" and {len(self.not_checked)} could not run" if self.not_checked else "")
                + ". " + "; ".join(parts) + ".")

    def without_text(self) -> CheckResult:
        """The same result with no cell text quoted: for people without a role on the review,
        and for storage beside the submission."""
        return CheckResult([replace(c, items=[replace(i, text="") for i in c.items])
                            for c in self.checks], list(self.not_checked))

    # -- storage -----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        def item(i: Item) -> dict:
            return {k: v for k, v in asdict(i).items() if v or k == "problem"}

        return {"ok": self.ok, "status": self.status,
                "checks": [{"code": c.code, "ok": c.ok, "document": c.document,
                            "severity": c.severity, "title": c.title,
                            "items": [item(i) for i in c.items]} for c in self.checks],
                "not_checked": [{"code": n.code, "document": n.document, "reason": n.reason}
                                for n in self.not_checked]}

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> CheckResult:
        """Raises ValueError for text that is not a stored result (a summary from before)."""
        data = json.loads(text)
        if not isinstance(data, dict) or "checks" not in data:
            raise ValueError("not a stored document check")
        names = {f.name for f in fields(Item)}
        checks = [Check(c["code"], bool(c["ok"]),
                        [Item(**{k: v for k, v in i.items() if k in names}) for i in c["items"]])
                  for c in data["checks"] if c["code"] in BY_CODE]
        return cls(checks, [NotChecked(n["code"], n["reason"]) for n in data["not_checked"]
                            if n["code"] in BY_CODE])


def stored_summary(stored: str | None) -> tuple[str, str]:
    """(summary, Adaptive Card colour) for a check stored beside a submission. A summary stored
    as text before results were data is shown as it is, in the default colour."""
    if not stored:
        return "", "Default"
    try:
        result = CheckResult.from_json(stored)
    except (ValueError, KeyError, TypeError):
        return stored, "Default"
    return result.summary(), result.colour
