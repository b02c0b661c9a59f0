"""The recommendations an approved report makes, read from its recommendations section so that
the QA senior lead (or Business Services) need not type them again: each is offered, to be
confirmed or edited before it joins the action plan.

The section is found by its heading, as the check finds sections (`report.heading_key`: in any
style, numbered or not): "Recommendations", "Recommendations for Action (Plan)", "Recommendations
for the agency", "Learning and recommendations", "Lessons learnt and recommendations"... It runs
to the next heading of its rank or above, a glossary or key, an appendix or the sign-off. Its
recommendations are the items written as a list: "1.", "1)", "(1)", "12.1" (the section's
number first), "Recommendation 1:", "R1 –", bullets ("•", "-", "*"), paragraphs in a Word list
style, or the rows of a table (its Recommendation column, else its widest). Sentences that only
lead into the list ("The following recommendations are made:") and the template's guidance are
not recommendations. Pure reading: no I/O beyond the bytes given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .chronology import is_key_heading
from .reading import Block, Paragraph, Table, open_document
from .report import _APPENDIX, heading_key, is_template_text

# a heading's words (after `heading_key`) that name a recommendations section
_HEADING = re.compile(
    r"^(?:(?:learning|lessons(?: learnt)?|lessons learnt|key learning|conclusions?|findings)"
    r" and )?recommendations?(?: (?:for|to|from|of|made)(?: [a-z]+){1,5})?$")
_ITEM = re.compile(
    r"^\s*(?:"
    r"(?:recommendation|rec\.?|r)\s*(?P<a>\d{1,2})\s*[.:)\-–—]?"  # Recommendation 1: / R1 –
    r"|\d{1,2}\.(?P<c>\d{1,2})\.?(?=\s)"  # 12.1 (the section's number first)
    r"|\(?(?P<b>\d{1,2})\s*[.)]"  # 1.  1)  (1)
    r"|(?P<d>\d{1,2})\t"  # 1⇥ (a tab after the number)
    r"|(?P<bullet>[•●▪◦·*\-–—])(?=\s)"
    r")\s*(?P<text>.*)$", re.IGNORECASE | re.DOTALL)
_SIGNOFF = re.compile(r"^\s*(?:signed|signature|e-signed|electronic signature)\b", re.IGNORECASE)
_NOTHING = re.compile(r"^\s*(?:none|n/?a|not applicable|no recommendations?\b.*)\.?\s*$",
                      re.IGNORECASE)
TEXT_LIMIT = 2000  # as the action plan keeps a recommendation's words


@dataclass(frozen=True)
class Found:
    """One recommendation as the report numbers it (or its place in the list, when it is not
    numbered) and its words."""
    number: int
    text: str


def is_recommendations_heading(text: str) -> bool:
    key = heading_key(text)
    return len(key.split()) <= 8 and bool(_HEADING.match(key))


def _heading(block: Block) -> str | None:
    if isinstance(block, Paragraph):
        if block.toc or len(block.text) > 120 or not block.text.strip():
            return None
        return block.text
    if len(block.rows) == 1 and len(block.rows[0]) <= 2:  # a heading in a shaded box
        return block.rows[0][0].text
    return None


def _ends_section(block: Block, level: int | None, body_size: float | None) -> bool:
    if not isinstance(block, Paragraph) or not block.text.strip():
        return False
    text = block.text.strip()
    if is_key_heading(text) or _APPENDIX.match(text) or _SIGNOFF.match(text):
        return True
    if level is not None and block.level is not None and block.level <= level:
        return True
    if _ITEM.match(text) or _is_list(block):
        return False
    if level is not None:
        return False
    return block.looks_like_heading(body_size) and not text.endswith(":")


def _is_list(paragraph: Paragraph) -> bool:
    return "list" in paragraph.style.lower()


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    return text[:TEXT_LIMIT].rstrip()


def _worth(text: str) -> bool:
    """A recommendation's words, not a lead-in, a placeholder or the template's guidance."""
    return bool(text) and not text.endswith(":") and not _NOTHING.match(text) \
        and not is_template_text(text)


def _written(match: re.Match) -> str | None:
    return match.group("a") or match.group("b") or match.group("c") or match.group("d")


def _from_paragraphs(paragraphs: list[Paragraph]) -> list[Found]:
    found: list[Found] = []
    waiting: int | None = None  # "Recommendation 2:" alone: its words are the next paragraph
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        match = _ITEM.match(text)
        if waiting is not None and not match:
            if _worth(_clean(text)):
                found.append(Found(waiting, _clean(text)))
            waiting = None
            continue
        if match:
            written = _written(match)
            number = int(written) if written else len(found) + 1
            words = _clean(match.group("text"))
            if not words and written:
                waiting = number
            elif _worth(words):
                found.append(Found(number, words))
        elif _is_list(paragraph) and _worth(_clean(text)):
            found.append(Found(len(found) + 1, _clean(text)))
    return found


def _from_table(table: Table) -> list[Found]:
    if not table.rows or table.columns < 1:
        return []
    header = [heading_key(c.text) for c in table.rows[0]]
    has_header = any("recommendation" in h or h in ("action", "no", "number", "ref")
                     for h in header)
    body = table.rows[1:] if has_header else table.rows
    column = next((i for i, h in enumerate(header) if "recommendation" in h
                   and h not in ("recommendation no", "recommendation number")), None)
    if column is None:  # the widest column holds the words
        widths = [sum(len(row[i].text) for row in body if i < len(row))
                  for i in range(table.columns)]
        column = max(range(table.columns), key=lambda i: widths[i]) if widths else 0
    found: list[Found] = []
    for row in body:
        if column >= len(row) or row[column].continued:
            continue
        text = _clean(row[column].text)
        match = _ITEM.match(text)
        written = None
        if match and _written(match):
            written = _written(match)
            text = _clean(match.group("text"))
        if written is None:
            first = row[0].text.strip() if column > 0 else ""
            number = re.match(r"^(?:r|rec\.?|recommendation)?\s*(\d{1,2})\.?$", first,
                              re.IGNORECASE)
            written = number.group(1) if number else None
        if _worth(text):
            found.append(Found(int(written) if written else len(found) + 1, text))
    return found


def find(blocks: list[Block], body_size: float | None = None) -> list[Found]:
    """The recommendations of the report's recommendations section; none when it has no such
    section or the section lists none. The last section with any counts (a summary near the
    start may name the heading too)."""
    best: list[Found] = []
    for position, block in enumerate(blocks):
        text = _heading(block)
        if text is None or not is_recommendations_heading(text):
            continue
        level = block.level if isinstance(block, Paragraph) else None
        paragraphs: list[Paragraph] = []
        tables: list[Found] = []
        for following in blocks[position + 1:]:
            if _ends_section(following, level, body_size):
                break
            if isinstance(following, Table):
                tables.extend(_from_table(following))
            else:
                paragraphs.append(following)
        found = _from_paragraphs(paragraphs) + tables
        if found:
            best = found
    return _renumbered(best)


def _renumbered(found: list[Found]) -> list[Found]:
    """Numbers as written when they are distinct; otherwise 1, 2, 3 in the order read."""
    numbers = [f.number for f in found]
    if len(set(numbers)) == len(numbers):
        return found
    return [Found(i, f.text) for i, f in enumerate(found, start=1)]


def read(content: bytes) -> list[Found]:
    """From a report's bytes (already through the archive check); ValueError when it is not a
    Word document."""
    opened = open_document(content)
    return find(opened.blocks, opened.body_size)
