"""The chronology: its table found by its columns wherever its header row is, its entries, and
its Key to Initials read as a table or as lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import ReadDate, read_date
from .reading import Block, Paragraph, Table
from .terms import key_entry, undotted

# What each of the seed's columns is called in the wild (lower case, words in any order).
_DATE_HEADERS = re.compile(r"^(?:date|dates|date\s*(?:and|&|/)\s*time|date of (?:event|contact|"
                           r"activity|entry)|when|date\s*\(.*\))$")
_OTHER_HEADERS = re.compile(r"source|event|activity|response|outcome|action|agency|information|"
                            r"detail|contact|summary|description|comment|analysis|decision|"
                            r"narrative|notes|significance|impact")


def _header(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower().rstrip(":")


@dataclass
class Entry:
    row: int  # 1 is the first row under the column headings
    written: str  # the date cell as written
    date: ReadDate
    cells: list[str]  # the other cells, in order
    reason_given: bool = False  # its "reason for inclusion" column is filled

    @property
    def text(self) -> str:
        return " | ".join(c for c in self.cells if c)

    @property
    def justified(self) -> bool:
        """Whether the entry says why it is there although outside the terms of reference: the
        seed asks for significant or relevant events outside the period to be included."""
        return (self.reason_given or bool(_JUSTIFIED.search(self.text))
                or any(_MARKED.search(c) for c in self.cells))


# A column whose heading asks why an entry is there: anything written in it is the reason.
_REASON_HEADER = re.compile(r"\b(?:reasons?|why|inclusion)\b")


# "Included although before the period because it is significant", "(outside ToR: relevant)",
# "Significant event prior to the review period", "relevant history".
_JUSTIFIED = re.compile(
    r"\b(?:outside|before|prior\s+to|after|beyond|pre-?dat(?:es|ing)|post-?dat(?:es|ing))\s+"
    r"(?:of\s+)?(?:the\s+)?(?:review['’]?s?\s+|reporting\s+|scoping\s+)?"
    r"(?:period|time\s*frames?|terms\s+of\s+reference|tor|scope)\b"
    r"|\bincluded\b[^.;|]{0,60}?\b(?:as|because|since|given)\b[^.;|]{0,40}?"
    r"\b(?:significant|relevant|important|background|context)"
    r"|\b(?:significant|relevant|important)\s+(?:historical\s+|background\s+)?"
    r"(?:events?|incidents?|history|background|information|context)\b"
    r"|\bhistorical\s+(?:events?|information|concerns?|context|background)\b",
    re.IGNORECASE)
# A cell, or a sentence in one, that marks the entry as significant, as a column "Significance /
# reason for inclusion" is filled: "Significant: first concern", "Relevant – the plan ended",
# "(Significant.)". Not "Significant bruising", nor "the injury was significant".
_MARKED = re.compile(r"(?:^|[.;|]\s)[\s(\[]*(?:significant|relevant)(?:\s+(?:events?|history|"
                     r"background|information|incident))?\s*(?:[:;–—-]|[.)\]]*$)", re.IGNORECASE)


@dataclass
class Chronology:
    entries: list[Entry] = field(default_factory=list)
    tables: list[int] = field(default_factory=list)  # block positions of the chronology tables
    rows: int = 0  # rows under the headings, in all its tables


def _header_row(table: Table) -> tuple[int, int] | None:
    """(row index, date column) of the chronology's header among the table's first rows."""
    for index, row in enumerate(table.rows[:4]):
        names = [_header(c.text) for c in row]
        dates = [i for i, n in enumerate(names) if _DATE_HEADERS.match(n)]
        others = {n for i, n in enumerate(names) if i not in dates and _OTHER_HEADERS.search(n)}
        if dates and len(others) >= 2:
            return index, dates[0]
    return None


def _continues(blocks: list[Block], position: int, previous: int | None, columns: int) -> bool:
    """Whether the table at `position` carries on the chronology table at `previous` (Word split
    it, or the author typed the headings in a table of their own): the same columns, with
    nothing but empty lines between."""
    if previous is None or blocks[position].columns != columns:
        return False
    return all(isinstance(b, Paragraph) and not b.text.strip() for b in blocks[previous + 1:position])


def find(blocks: list[Block]) -> Chronology | None:
    chronology = Chronology()
    previous = None  # the last chronology table's position, its headings and date column
    heading: list[str] = []
    date_column = 0
    for position, block in enumerate(blocks):
        if not isinstance(block, Table):
            continue
        header = _header_row(block)
        if header is not None:
            header_index, date_column = header
            heading = [_header(c.text) for c in block.rows[header_index]]
        elif _continues(blocks, position, previous, len(heading)):
            header_index = -1
        else:
            continue
        previous = position
        chronology.tables.append(position)
        offset = chronology.rows  # numbering runs on into a continued table
        chronology.rows += len(block.rows) - header_index - 1
        for number, row in enumerate(block.rows[header_index + 1:], start=1):
            texts = [c.text.strip() for c in row]
            if not any(texts) or [_header(t) for t in texts] == heading:
                continue
            if len(row) > 1 and all(c.spanned for c in row[1:]):
                continue  # a merged row across the table: a divider ("2025", "Period 2")
            written = texts[date_column] if date_column < len(texts) else ""
            others = [t for i, (t, c) in enumerate(zip(texts, row, strict=True))
                      if i != date_column and not c.spanned]
            reason_given = any(
                i != date_column and i < len(texts) and texts[i] and _REASON_HEADER.search(name)
                for i, name in enumerate(heading))
            chronology.entries.append(Entry(offset + number, written, read_date(written), others,
                                            reason_given))
    return chronology if chronology.tables else None


# -- the Key to Initials -----------------------------------------------------------------------
_KEY_HEADING = re.compile(r"^(?:key|key to\b.*|glossary\b.*|(?:list of\s+)?abbreviations\b.*|"
                          r"acronyms\b.*|initials(?: used)?\b.*|(?:key|list) of (?:initials|terms)\b.*|"
                          r"terms used\b.*)$")
_KEY_COLUMN = re.compile(r"^(?:initials?|key|abbreviations?|term|acronym)s?$")


def is_key_heading(text: str) -> bool:
    cleaned = re.sub(r"^[\d.\s]+|[\s:.\-]+$", "", _header(text))
    return len(cleaned.split()) <= 8 and bool(_KEY_HEADING.match(cleaned))


def _lines(paragraph: Paragraph) -> list[str]:
    return [line for line in re.split(r"[\n;]", paragraph.text) if line.strip()]


def _table_entries(table: Table) -> set[str]:
    found = set()
    rows = table.rows
    if rows and _KEY_COLUMN.match(_header(rows[0][0].text)):
        rows = rows[1:]
    for row in rows:
        if len(row) >= 2 and row[0].text.strip() and row[1].text.strip():
            token = undotted(row[0].text).strip().upper()
            if re.fullmatch(r"[A-Z][A-Z&]{0,7}\d{0,2}", token):
                found.add(token)
        elif row and row[0].text.strip():
            entry = key_entry(row[0].text)
            if entry:
                found.add(entry)
    return found


_GLOSSARY_HEADING = re.compile(r"^(?:glossary|(?:list of\s+)?abbreviations|acronyms|terms used|"
                               r"list of terms)\b")


def is_glossary_heading(text: str) -> bool:
    """A glossary's heading, as against a Key to Initials' own."""
    return bool(_GLOSSARY_HEADING.match(re.sub(r"^[\d.\s]+", "", _header(text))))


@dataclass
class Key:
    entries: set[str] = field(default_factory=set)
    found: bool = False  # a heading or table that is a key, even if empty
    empty_key_heading: bool = False  # a Key to Initials heading with nothing under it
    keyed: set[str] = field(default_factory=set)  # what was read outside glossaries

    @property
    def usable(self) -> bool:
        """A key to check initials against: a glossary after an empty Key to Initials does not
        make the key written in."""
        return self.found and bool(self.entries) and (bool(self.keyed)
                                                      or not self.empty_key_heading)


def read_keys(blocks: list[Block], *, skip: set[int] = frozenset()) -> Key:
    """Every key or glossary in the document: a heading ("Key to Initials Used", "Glossary")
    followed by a table or by lines up to the next heading or table; or a table whose first
    column is headed Initials or Abbreviation. `skip`: the chronology's own tables."""
    key = Key()
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if isinstance(block, Table) and index not in skip and block.rows:
            if _KEY_COLUMN.match(_header(block.rows[0][0].text)) and block.columns >= 2:
                key.found = True
                read = _table_entries(block)
                key.entries |= read
                key.keyed |= read
            elif len(block.rows) == 1 and len(block.rows[0]) == 1 \
                    and is_key_heading(block.rows[0][0].text):
                before = set(key.entries)
                key.entries = set()
                index = _read_after(blocks, index + 1, key, skip)
                if not is_glossary_heading(block.rows[0][0].text):
                    key.keyed |= key.entries
                    key.empty_key_heading |= not key.entries
                key.entries |= before
                continue
        elif isinstance(block, Paragraph):
            label, _, rest = block.text.partition(":")
            if is_key_heading(block.text) or (rest.strip() and is_key_heading(label)
                                              and not key_entry(block.text)):
                before = set(key.entries)
                key.entries = set()
                if rest.strip():  # "Key to Initials Used: AB – child; CD – mother"
                    key.entries |= {e for e in map(key_entry, re.split(r"[\n;]", rest)) if e}
                index = _read_after(blocks, index + 1, key, skip)
                key.found = True
                if not is_glossary_heading(label if rest.strip() else block.text):
                    key.keyed |= key.entries
                    key.empty_key_heading |= not key.entries
                key.entries |= before
                continue
        index += 1
    return key


def _read_after(blocks: list[Block], index: int, key: Key, skip: set[int]) -> int:
    key.found = True
    read_any = False
    prose = 0
    while index < len(blocks):
        block = blocks[index]
        if isinstance(block, Table):
            if index in skip:
                return index
            if not read_any:
                key.entries |= _table_entries(block)
                return index + 1
            return index
        text = block.text.strip()
        if not text:
            index += 1
            continue
        entries = [e for e in (key_entry(line, loose=True) for line in _lines(block)) if e]
        if entries:
            key.entries |= set(entries)
            read_any = True
        elif block.looks_like_heading() or read_any or prose >= 2:
            return index
        else:
            prose += 1  # a line of guidance under the heading ("no names, initials only")
        index += 1
    return index
