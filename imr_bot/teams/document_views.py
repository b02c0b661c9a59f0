"""The document check card's data (cards/document_check.json), from a check's result."""

from __future__ import annotations

from imr_bot.documents.checker import BY_CODE, CheckResult

_DOCUMENT = {"report": "Report", "chronology": "Chronology"}
_MARK = {"passed": ("✔", "Good"), "error": ("✘", "Attention"), "warning": ("!", "Warning")}


def document_check_card(result: CheckResult, title: str, *, quote: bool) -> dict:
    """The card's data, from the result's data: every check with its mark, every item named
    (none cut), the cell's text only when `quote`."""
    checks = []
    for check in result.checks:
        mark, colour = _MARK["passed" if check.ok else check.severity]
        items = []
        for item in check.items:
            where = item.where()
            line = f"{where}: {item.problem}" if where else item.problem
            if item.written and not item.row:
                line += f" (“{item.written}”)"
            shown = f" — “{item.text}”" if quote and item.text else ""
            items.append({"line": line, "quote": shown})
        checks.append({"mark": mark, "colour": colour, "title": check.title,
                       "document": _DOCUMENT[check.document], "items": items})
    ran = len(result.checks)
    if result.ok:
        headline = f"All {ran} checks passed."
    else:
        headline = f"{len(result.problems)} of {ran} checks need attention"
        headline += (f"; {len(result.not_checked)} could not run." if result.not_checked
                     else ".")
    quoted_any = any(i.text for c in result.checks for i in c.items)
    return {"title": title, "headline": headline, "colour": result.colour, "checks": checks,
            "notChecked": [{"line": f"{_DOCUMENT[n.document]}: {BY_CODE[n.code].title} — {n.reason}"}
                           for n in result.not_checked],
            "note": ("The chronology's own words are shown only to people with a role on this "
                     "review." if quoted_any and not quote else "")}
