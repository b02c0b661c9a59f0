"""Text in a spreadsheet's cell (the .xlsx tracker, the people CSV) that a spreadsheet program
must never read as a formula: names and references come from people, and a name such as
"=HYPERLINK(...)" or "+cmd|..." would otherwise run when the file is opened (OWASP's "CSV
injection")."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
QUOTE = "'"
# what a spreadsheet may pass over before it reads the first character: any kind of space,
# and the invisible joiners and marks that paste in from Word and the web
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


def looks_like_a_formula(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    return text.lstrip().lstrip(_INVISIBLE).lstrip().startswith(FORMULA_STARTS)


def csv_text(value: object) -> object:
    """A CSV field as text a spreadsheet shows, not runs: an apostrophe before one that would
    start a formula (which `from_csv_text` takes off again on import). Other values as they are."""
    if isinstance(value, str) and looks_like_a_formula(value):
        return QUOTE + value
    return value


def from_csv_text(value: str) -> str:
    """A field as `csv_text` wrote it, back as it was."""
    if value.startswith(QUOTE) and looks_like_a_formula(value[1:]):
        return value[1:]
    return value
