"""Small pieces of English the bot's messages are built from: counts and names in a sentence."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "reply": "replies", "person": "people"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 review`, `3 reviews`, `0 entries`, `1 working day`: a count with its noun agreeing."""
    if count == 1:
        return f"{count} {word}"
    if many is None:
        head, _, last = word.rpartition(" ")
        last = _IRREGULAR.get(last, last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s"))
        many = f"{head} {last}" if head else last
    return f"{count} {many}"


def in_sentence(title: str) -> str:
    """A title as it reads inside a sentence: `QA complete` stays, `Midway review` becomes
    `midway review`, `Submission to DDSCP` becomes `submission to DDSCP` (a word in capitals, an
    abbreviation, keeps them)."""
    first, _, rest = title.partition(" ")
    second = rest.split(" ", 1)[0]
    if len(first) > 1 and (first[1:2].isupper() or any(c.isdigit() for c in first)):
        return title
    if second[:1].isupper() and second[1:2].islower():  # a name: "Service Director review"
        return title
    return first[:1].lower() + first[1:] + (" " + rest if rest else "")
