"""A Word document as a reader meets it: paragraphs and tables in order, with what makes a
paragraph look like a heading (a heading or custom style, an outline level, bold, capitals, a
larger size), whatever way the author made it.

Content controls are read through; tracked deletions and field codes are not text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cached_property

from docx import Document
from docx.oxml.ns import qn

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = {_W + "del", _W + "moveFrom", _W + "instrText", _W + "delText", _W + "txbxContent"}
_IMAGE = {_W + "drawing", _W + "pict", _W + "object"}


@dataclass
class Paragraph:
    text: str
    style: str = ""
    level: int | None = None  # from a heading style or an outline level
    bold: bool = False  # every letter bold
    italic: bool = False  # every letter italic
    caps: bool = False  # formatted as capitals
    size: float | None = None  # points, when every run has one
    image: bool = False
    page_break: bool = False

    @cached_property
    def words(self) -> list[str]:
        return self.text.split()

    @property
    def toc(self) -> bool:
        return self.style.lower().startswith(("toc", "table of figures")) or bool(
            re.search(r"\t\s*\d+\s*$", self.text))

    def looks_like_heading(self, body_size: float | None = None) -> bool:
        """A short line set apart as a heading, by style or by its look."""
        text = self.text.strip()
        if not text or self.toc:
            return False
        if self.level is not None:
            return True
        if len(self.words) > 16 or len(text) > 140 or re.search(r"[.;,]$", text):
            return False
        letters = [c for c in text if c.isalpha()]
        shouted = bool(letters) and all(c.isupper() for c in letters) and len(letters) > 3
        bigger = self.size is not None and body_size is not None and self.size >= body_size + 1.5
        named = bool(re.search(r"head|title|section", self.style, re.IGNORECASE))
        return self.bold or self.caps or shouted or bigger or named


@dataclass
class Cell:
    text: str
    paragraphs: list[Paragraph]
    image: bool = False
    spanned: bool = False  # the same cell as the one before it (merged across)
    continued: bool = False  # merged down from the row above


@dataclass
class Table:
    rows: list[list[Cell]]

    @property
    def columns(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def texts(self, row: int) -> list[str]:
        return [c.text for c in self.rows[row]]


Block = Paragraph | Table


@dataclass
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    italic: bool | None
    caps: bool | None
    size: float | None
    outline: int | None


def _on(element) -> bool | None:
    """A toggle property (w:b, w:i, w:caps): None when not set."""
    if element is None:
        return None
    return element.get(qn("w:val"), "true").lower() not in ("false", "0", "off", "none")


def _run_properties(rpr) -> tuple[bool | None, bool | None, bool | None, float | None]:
    if rpr is None:
        return None, None, None, None
    size = rpr.find(qn("w:sz"))
    points = None
    if size is not None:
        try:
            points = int(size.get(qn("w:val"))) / 2
        except (TypeError, ValueError):
            points = None
    return (_on(rpr.find(qn("w:b"))), _on(rpr.find(qn("w:i"))), _on(rpr.find(qn("w:caps"))),
            points)


class _Styles:
    def __init__(self, document):
        self._by_id: dict[str, _Style] = {}
        self.default_paragraph = None
        try:
            root = document.styles.element
        except Exception:  # a document without a styles part
            return
        for style in root.findall(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            name = style.find(qn("w:name"))
            based = style.find(qn("w:basedOn"))
            bold, italic, caps, size = _run_properties(style.find(qn("w:rPr")))
            ppr = style.find(qn("w:pPr"))
            outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
            self._by_id[style_id] = _Style(
                name.get(qn("w:val")) if name is not None else style_id or "",
                based.get(qn("w:val")) if based is not None else None, bold, italic, caps, size,
                int(outline.get(qn("w:val"))) if outline is not None
                and (outline.get(qn("w:val")) or "").isdigit() else None)
            if (style.get(qn("w:type")) == "paragraph"
                    and style.get(qn("w:default")) in ("1", "true")):
                self.default_paragraph = style_id

    def chain(self, style_id: str | None) -> list[_Style]:
        found, seen = [], set()
        while style_id and style_id in self._by_id and style_id not in seen:
            seen.add(style_id)
            found.append(self._by_id[style_id])
            style_id = self._by_id[style_id].based_on
        return found

    def resolve(self, style_id: str | None, attribute: str):
        for style in self.chain(style_id or self.default_paragraph):
            value = getattr(style, attribute)
            if value is not None:
                return value
        return None

    def name(self, style_id: str | None) -> str:
        chain = self.chain(style_id or self.default_paragraph)
        return chain[0].name if chain else ""

    def level(self, style_id: str | None) -> int | None:
        for style in self.chain(style_id or self.default_paragraph):
            match = re.fullmatch(r"heading\s*(\d)", style.name.strip(), re.IGNORECASE)
            if match:
                return int(match.group(1))
            if style.name.strip().lower() == "title":
                return 0
            if style.outline is not None and style.outline < 9:
                return style.outline + 1
        return None


class Reader:
    def __init__(self, document):
        self.styles = _Styles(document)
        self.blocks: list[Block] = []
        self._walk(document.element.body, self.blocks)
        sizes = [p.size for p in self.paragraphs() if p.size and p.level is None]
        self.body_size = max(set(sizes), key=sizes.count) if sizes else None

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def _walk(self, parent, into: list[Block]) -> None:
        for child in parent:
            if child.tag == _W + "p":
                into.append(self.paragraph(child))
            elif child.tag == _W + "tbl":
                into.append(self.table(child))
            elif child.tag in (_W + "sdt", _W + "customXml", _W + "smartTag"):
                content = child.find(qn("w:sdtContent")) if child.tag == _W + "sdt" else child
                if content is not None:
                    self._walk(content, into)

    def paragraph(self, p) -> Paragraph:
        ppr = p.find(qn("w:pPr"))
        style_id = None
        outline = None
        if ppr is not None:
            style = ppr.find(qn("w:pStyle"))
            style_id = style.get(qn("w:val")) if style is not None else None
            level = ppr.find(qn("w:outlineLvl"))
            if level is not None and (level.get(qn("w:val")) or "").isdigit():
                outline = int(level.get(qn("w:val")))
        parts: list[str] = []
        flags = {"bold": [], "italic": [], "caps": [], "size": []}
        image = page_break = False
        paragraph_bold = self.styles.resolve(style_id, "bold")
        paragraph_italic = self.styles.resolve(style_id, "italic")
        paragraph_caps = self.styles.resolve(style_id, "caps")
        paragraph_size = self.styles.resolve(style_id, "size")
        for run in _runs(p):
            rpr = run.find(qn("w:rPr"))
            bold, italic, caps, size = _run_properties(rpr)
            run_style = rpr.find(qn("w:rStyle")) if rpr is not None else None
            run_style_id = run_style.get(qn("w:val")) if run_style is not None else None
            text = []
            for element in run:
                tag = element.tag
                if tag == _W + "t":
                    text.append(element.text or "")
                elif tag == _W + "tab":
                    text.append("\t")
                elif tag in (_W + "br", _W + "cr"):
                    if element.get(qn("w:type")) == "page":
                        page_break = True
                    else:
                        text.append("\n")
                elif tag == _W + "noBreakHyphen":
                    text.append("-")
                elif tag in _IMAGE or tag == _W + "AlternateContent":
                    image = True
            joined = "".join(text)
            parts.append(joined)
            if any(c.isalnum() for c in joined):
                for name, direct, inherited in (("bold", bold, paragraph_bold),
                                                ("italic", italic, paragraph_italic),
                                                ("caps", caps, paragraph_caps),
                                                ("size", size, paragraph_size)):
                    flags[name].append(self._effective(direct, run_style_id, name, inherited))
        if any(e.tag in _IMAGE for e in p.iter()):
            image = True
        level = self.styles.level(style_id)
        if outline is not None and outline < 9:
            level = outline + 1
        sizes = set(flags["size"])
        return Paragraph("".join(parts), self.styles.name(style_id), level,
                         bool(flags["bold"]) and all(map(bool, flags["bold"])),
                         bool(flags["italic"]) and all(map(bool, flags["italic"])),
                         bool(flags["caps"]) and all(map(bool, flags["caps"])),
                         next(iter(sizes)) if len(sizes) == 1 else None, image, page_break)

    def _effective(self, direct, run_style_id: str | None, attribute: str, inherited):
        """A run's formatting: set on the run, else by its character style, else the
        paragraph's."""
        if direct is not None:
            return direct
        via_style = self.styles.resolve(run_style_id, attribute) if run_style_id else None
        return via_style if via_style is not None else inherited

    def table(self, tbl) -> Table:
        rows: list[list[Cell]] = []
        for tr in _children(tbl, "tr"):
            row: list[Cell] = []
            for tc in _children(tr, "tc"):
                paragraphs: list[Block] = []
                self._walk(tc, paragraphs)
                flat = _flatten(paragraphs)
                tcpr = tc.find(qn("w:tcPr"))
                span = 1
                merge = None
                if tcpr is not None:
                    grid = tcpr.find(qn("w:gridSpan"))
                    if grid is not None and (grid.get(qn("w:val")) or "").isdigit():
                        span = max(1, int(grid.get(qn("w:val"))))
                    vmerge = tcpr.find(qn("w:vMerge"))
                    if vmerge is not None:
                        merge = vmerge.get(qn("w:val"), "continue")
                column = len(row)
                if merge == "continue" and rows and column < len(rows[-1]):
                    above = rows[-1][column]
                    cell = Cell(above.text, above.paragraphs, above.image, continued=True)
                else:
                    cell = Cell("\n".join(p.text for p in flat).strip(), flat,
                                any(p.image for p in flat))
                row.append(cell)
                for _ in range(span - 1):
                    row.append(Cell(cell.text, cell.paragraphs, cell.image, spanned=True,
                                    continued=cell.continued))
            rows.append(row)
        return Table(rows)


def _children(element, name: str):
    """Rows of a table, cells of a row: also those inside content controls."""
    for child in element:
        if child.tag == _W + name:
            yield child
        elif child.tag in (_W + "sdt", _W + "customXml"):
            content = child.find(qn("w:sdtContent")) if child.tag == _W + "sdt" else child
            if content is not None:
                yield from _children(content, name)


def _runs(p):
    """The paragraph's runs in order, through hyperlinks, insertions, smart tags and content
    controls; not those deleted or moved away."""
    for child in p:
        if child.tag == _W + "r":
            yield child
        elif child.tag in _SKIPPED or child.tag == _W + "pPr":
            continue
        else:
            yield from _runs(child)


def _flatten(blocks: list[Block]) -> list[Paragraph]:
    found: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            found.append(block)
        else:
            for row in block.rows:
                for cell in row:
                    if not cell.spanned and not cell.continued:
                        found.extend(cell.paragraphs)
    return found


@dataclass
class Opened:
    blocks: list[Block] = field(default_factory=list)
    body_size: float | None = None


def open_document(content: bytes) -> Opened:
    """Raises ValueError when the bytes are not a Word document python-docx can read."""
    try:
        document = Document(io.BytesIO(content))
    except MemoryError:  # not the document's fault alone: the worker's cap says so (worker.py)
        raise
    except Exception as error:  # any failure to open is the same to the author: not a .docx
        raise ValueError("not a Word document (.docx) that can be opened") from error
    reader = Reader(document)
    return Opened(reader.blocks, reader.body_size)
