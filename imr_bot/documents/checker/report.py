"""The report: its sections found by heading text and matched whole, whether the author wrote in
each, and its own sign-off block (lines or a table) for the signature and the date."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

from .chronology import is_key_heading
from .dates import DATE, read_date
from .reading import Block, Paragraph, Table

# The sections each partnership's template requires, as the seeds name them, with the other
# names authors give them (compared after `heading_key`).
SECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "derbyshire": (
        ("INTRODUCTION", ("introduction",)),
        ("TERMS OF REFERENCE", ("terms of reference", "scope and terms of reference",
                                "terms of reference and scope")),
        ("METHODOLOGY", ("methodology", "methodologies")),
        ("SUMMARY OF AGENCY INVOLVEMENT", ("summary of agency involvement",
                                           "summary of involvement",
                                           "summary of childrens services involvement")),
        # the pack's only analysis section, so "Analysis" alone is it
        ("ANALYSIS OF INVOLVEMENT", ("analysis of involvement", "analysis",
                                     "analysis of agency involvement",
                                     "analysis of childrens services involvement")),
        ("EFFECTIVE PRACTICE/LESSONS LEARNT", ("effective practice and lessons learnt",
                                               "effective practice lessons learnt",
                                               "effective practice and lessons to be learnt",
                                               "lessons learnt", "effective practice")),
        ("RECOMMENDATIONS", ("recommendations", "recommendation",
                             "recommendations for action")),
    ),
    "bradford": (
        ("Introduction", ("introduction",)),
        ("Methodologies", ("methodologies", "methodology")),
        ("Chronology of Contacts", ("chronology of contacts", "chronology of contact",
                                    "chronology")),
        ("The Child's Journey", ("the childs journey", "childs journey",
                                 "the childs journey and story", "the childs story and journey")),
        ("Analysis", ("analysis",)),
        ("What do we learn from this case?", ("what do we learn from this case",
                                              "what can we learn from this case",
                                              "what have we learnt from this case")),
        ("Recommendations for Action Plan", ("recommendations for action plan",
                                             "recommendations for action",
                                             "recommendations for the action plan",
                                             "recommendations")),
    ),
}

_NUMBERING = re.compile(
    r"^(?:(?:section|part|chapter)\s+[0-9a-z]{1,4}\b\s*[-:.)]*\s*"
    r"|\d{1,2}(?:\.\d{1,2})*\.?\)?\s*[-:.)]?\s*"
    r"|\(?[ivx]{1,4}[.)]\s*|\(?[a-h][.)]\s+)")


def heading_key(text: str) -> str:
    """A heading's words, compared whole: case, numbering ("1.", "1.1", "Section 3 –"), quotes,
    "&" or "/" for "and", and a trailing colon or question mark make no difference."""
    text = text.replace("\u00a0", " ").replace("\t", " ").lower()
    text = re.sub(r"[‘’‛′`']", "", text)
    text = re.sub(r"[–—‒]", "-", text)
    for _ in range(2):
        text = _NUMBERING.sub("", text.strip())
    text = re.sub(r"\s*\([^()]*\)\s*[:.]?$", "", text)  # "Analysis (key lines of enquiry)"
    text = text.replace("&", " and ").replace("/", " and ").replace("learned", "learnt")
    text = re.sub(r"[\s:.\-?!]+$", "", text)
    text = re.sub(r"[\"“”,]", "", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Section:
    title: str
    position: int | None = None  # the heading's block, when found
    empty: bool = True


@dataclass
class Report:
    sections: list[Section] = field(default_factory=list)
    signoff_start: int | None = None
    signed: tuple[bool, str] = (False, "")  # (signed, the problem when not)
    dated: tuple[bool, str, str] = (False, "", "")  # (dated, the problem, as written)
    heading_positions: set[int] = field(default_factory=set)
    signoff_positions: set[int] = field(default_factory=set)  # names and dates, not prose


def _section_of(block: Block, wanted: dict[str, str]) -> str | None:
    if isinstance(block, Paragraph):
        if block.toc or len(block.text) > 120:
            return None
        return wanted.get(heading_key(block.text))
    if len(block.rows) == 1 and len(block.rows[0]) <= 2:  # a heading in a shaded box
        return wanted.get(heading_key(block.rows[0][0].text))
    return None


# -- what is the template's, not the author's ---------------------------------------------------
@functools.cache
def _template_texts() -> tuple[frozenset[str], tuple[str, ...]]:
    """Every line of our built-in templates: guidance, labels and examples are not the author's
    writing."""
    from imr_bot.documents.templates import KINDS, Prefill, build

    from .reading import open_document

    lines: set[str] = set()
    for kind in KINDS.values():
        for pack in kind.packs:
            for block in open_document(build(kind.name, pack, Prefill())).blocks:
                if isinstance(block, Paragraph):
                    lines.update(block.text.split("\n"))
                else:
                    lines.update(c.text for row in block.rows for c in row)
    from .guidance import SEED_GUIDANCE

    lines.update(SEED_GUIDANCE)
    keys = frozenset(k for k in map(_content_key, lines) if k)
    return keys, tuple(k for k in keys if len(k) > 25)


def _content_key(text: str) -> str:
    text = re.sub(r"[‘’‛′`]", "'", text.replace("\u00a0", " ")).lower()
    return re.sub(r"[^a-z0-9']+", " ", text).strip()


_PLACEHOLDER = re.compile(r"^(?:tbc|tba|to follow|to be (?:completed|confirmed|added)|"
                          r"click or tap here to enter text|enter text here|insert text( here)?|"
                          r"type here|text|x+|n a|none yet|\W*)$")


def is_template_text(text: str) -> bool:
    key = _content_key(text)
    if _PLACEHOLDER.match(key) or key.startswith(("e g ", "eg ", "insert ", "enter ")):
        return True
    exact, long = _template_texts()
    if key in exact:
        return True
    if len(key) <= 25:
        return False
    for line in long:
        if abs(len(line) - len(key)) > 0.25 * max(len(line), len(key)):
            continue
        matcher = difflib.SequenceMatcher(None, key, line, autojunk=False)
        if matcher.real_quick_ratio() >= 0.85 and matcher.quick_ratio() >= 0.85 \
                and matcher.ratio() >= 0.85:
            return True
    return False


def _has_content(block: Block, body_size: float | None) -> bool:
    if isinstance(block, Paragraph):
        if block.image:
            return True
        text = block.text.strip()
        if not text or block.looks_like_heading(body_size):
            return False
        return not is_template_text(text)
    rows = block.rows
    if rows and all(p.bold for c in rows[0] for p in c.paragraphs if p.text.strip()):
        rows = rows[1:]  # the column headings
    return any(c.image or (c.text.strip() and not is_template_text(c.text))
               for row in rows for c in row if not c.spanned and not c.continued)


# -- the sign-off --------------------------------------------------------------------------------
_SIGN_LABEL = re.compile(
    r"^\s*(?:(?:electronic|digital|e-?)\s*)?(?:(?:report\s+)?author['’]?s?\s+)?(?:signed|signature)"
    r"(?:\s+(?:of|by)(?:\s+the)?(?:\s+report)?(?:\s+author)?)?\s*(?:\((?P<who>[^)]{0,40})\))?"
    r"\s*(?::|\t|_{2,}|\.{3,}|…|$)", re.IGNORECASE)
_DATE_LABEL = re.compile(r"^\s*(?:date(?:\s+signed)?|dated|date of (?:signature|sign[- ]?off))"
                         r"\s*(?:\([^)]{0,40}\))?\s*(?::|\t|_{2,}|\.{3,}|…|$)", re.IGNORECASE)
_OTHER_LABEL = re.compile(r"^\s*(?:name|print name|designation|job title|role|position|"
                          r"title|agency|organisation)\s*(?::|\t|$)", re.IGNORECASE)


def _label(text: str) -> tuple[str, str, str] | None:
    """(kind, who, what follows) for a sign-off label at the start of `text`."""
    for kind, pattern in (("date", _DATE_LABEL), ("sign", _SIGN_LABEL), ("other", _OTHER_LABEL)):
        match = pattern.match(text)
        if match:
            who = match.groupdict().get("who") or ""
            return kind, who.lower(), text[match.end():]
    return None


def _blank(value: str) -> bool:
    if re.fullmatch(r"\s*(?:\[[^\]]*\]|<[^>]*>)\s*", value):
        return True  # "[insert signature image]", "<author's signature>": where it goes, not it
    stripped = re.sub(r"[_.\-–—…\s:/|*]+", "", value)
    stripped = re.sub(r"(?i)\[?\(?(?:signature|sign here|signed|insert|enter|name|date)\)?\]?", "",
                      stripped)
    return sum(c.isalnum() for c in stripped) < 2


@dataclass
class _Field:
    kind: str
    who: str
    value: str
    image: bool
    position: int
    value_position: int | None = None  # the line below the label, when the value is there


def _segments(text: str) -> list[str]:
    """A line may hold several labels: "Signed: ____   Date: ____"."""
    parts = re.split(r"\n|\t+(?=\s*(?:signed|signature|date|name|designation|job title)\b)"
                     r"|\s{3,}(?=(?:signed|signature|date|name|designation|job title)\b)"
                     r"|(?<=_)\s*(?=(?:signed|signature|date|name|designation|job title)\b)",
                     text, flags=re.IGNORECASE)
    return [p for p in parts if p is not None and p.strip()]


def _fields(blocks: list[Block], start: int) -> list[_Field]:
    found: list[_Field] = []
    for position in range(start, len(blocks)):
        block = blocks[position]
        if isinstance(block, Paragraph):
            for segment in _segments(block.text):
                label = _label(segment)
                if label is None:
                    continue
                kind, who, value = label
                image = block.image
                below = None
                if _blank(value) and not image:  # the value on the next line
                    following = _next_value(blocks, position)
                    if following is not None:
                        value, image, below = following
                found.append(_Field(kind, who, value, image, position, below))
        else:
            found += _table_fields(block, position)
    return found


def _next_value(blocks: list[Block], position: int) -> tuple[str, bool, int] | None:
    for offset, block in enumerate(blocks[position + 1:position + 3], start=position + 1):
        if not isinstance(block, Paragraph):
            return None
        if block.image and not block.text.strip():
            return "", True, offset
        text = block.text.strip()
        if not text:
            continue
        if _label(text) or len(text.split()) > 8 or block.looks_like_heading():
            return None
        return text, block.image, offset
    return None


def _table_fields(table: Table, position: int) -> list[_Field]:
    found: list[_Field] = []
    rows = table.rows
    header = [_label(c.text.strip()) for c in rows[0]] if rows else []
    across = (len(rows) >= 2 and sum(1 for h in header if h is not None) >= 2
              and any(h and h[0] in ("sign", "date") for h in header)
              and not any(_label(row[0].text.strip()) for row in rows[1:] if row))
    if across:
        for row in rows[1:]:  # labels across the top, values beneath
            for label, cell in zip(header, row, strict=False):
                if label and not cell.spanned:
                    found.append(_Field(label[0], label[1], (label[2] + " " + cell.text).strip(),
                                        cell.image, position))
        return found
    for row in rows:
        for index, cell in enumerate(row):
            if cell.spanned:
                continue
            for line in cell.text.split("\n") or [""]:
                label = _label(line.strip())
                if label is None:
                    continue
                kind, who, value = label
                image = cell.image
                if _blank(value):
                    later = [c for c in row[index + 1:] if not c.spanned]
                    if later and _label(later[0].text.strip()) is None:
                        value, image = later[0].text, image or later[0].image
                found.append(_Field(kind, who, value, image, position))
    return found


def _signoff(blocks: list[Block], start: int, report: Report) -> None:
    every = _fields(blocks, start)
    report.signoff_positions = {f.position for f in every} | {
        f.value_position for f in every if f.value_position is not None}
    fields = [f for f in every if f.kind != "other"]
    signatures = [f for f in fields if f.kind == "sign"]
    if not signatures:
        report.signed = (False, "no signature line in the report's sign-off")
        report.dated = (False, "no date in the report's sign-off", "")
        return
    chosen = next((f for f in signatures if "author" in f.who), signatures[0])
    index = fields.index(chosen)
    report.signoff_start = min(f.position for f in fields[max(0, index - 1):index + 1])
    if chosen.image or not _blank(chosen.value):
        report.signed = (True, "")
    else:
        report.signed = (False, "the signature line is empty")
    date_field = next((f for f in fields[index + 1:] if f.kind == "date"), None)
    if date_field is not None and any(f.kind == "sign" for f in fields[index + 1:
                                                                       fields.index(date_field)]):
        date_field = None
    if date_field is None and index > 0 and fields[index - 1].kind == "date":
        date_field = fields[index - 1]
    if date_field is None:
        report.dated = (False, "no date beside the signature", "")
        return
    written = date_field.value.strip()
    if _blank(written):
        report.dated = (False, "the date line is empty", "")
        return
    read = read_date(written)
    if read.kind == DATE:
        report.dated = (True, "", written)
    else:
        report.dated = (False, f"the date can't be read one way ({read.reason})", written)


_APPENDIX = re.compile(r"^\s*(?:appendix|annex|annexe)\b.{0,80}$", re.IGNORECASE)


def read(blocks: list[Block], pack: str, body_size: float | None) -> Report:
    wanted = {alias: title for title, aliases in SECTIONS[pack] for alias in aliases}
    report = Report([Section(title) for title, _ in SECTIONS[pack]])
    by_title = {s.title: s for s in report.sections}
    occurrences: list[tuple[int, str]] = []
    for position, block in enumerate(blocks):
        title = _section_of(block, wanted)
        if title is not None:
            occurrences.append((position, title))
    report.heading_positions = {p for p, _ in occurrences}
    first = occurrences[0][0] if occurrences else next(
        (i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.page_break), 0)
    _signoff(blocks, first, report)
    end_of_report = report.signoff_start if report.signoff_start is not None else len(blocks)
    for number, (position, title) in enumerate(occurrences):
        section = by_title[title]
        if section.position is None:
            section.position = position
        stop = occurrences[number + 1][0] if number + 1 < len(occurrences) else len(blocks)
        if position < end_of_report:
            stop = min(stop, end_of_report)
        level = blocks[position].level if isinstance(blocks[position], Paragraph) else None
        for block in blocks[position + 1:stop]:
            if isinstance(block, Paragraph) and block.text.strip() and (
                    is_key_heading(block.text) or _APPENDIX.match(block.text)
                    or (level is not None and block.level is not None and block.level <= level)):
                break  # the next part of the document ("Glossary", an appendix)
            if _has_content(block, body_size):
                section.empty = False
                break
    return report
