"""A .docx is a zip, and a zip can declare one thing and hold another. Before python-docx or
docxtpl see a byte of a file someone sent, this reads the zip's own structures (standard library
only) and inflates every part with a cap, so a file that would unpack to more than a document
needs is refused with a reason a person understands (`DocumentRefused`), and nothing is stored.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from imr_bot.domain.errors import DocumentRefused

MB = 1024 * 1024
# below this a part cannot exhaust anything, whatever its ratio (a part of tiny XML compresses well)
RATIO_FLOOR = 1 * MB
_CHUNK = 256 * 1024
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_ENCRYPTED, _UTF8 = 0x1, 0x800
_LOCAL_HEADER = 30
# other archives a part may be, by their first bytes
_ARCHIVES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00",
             b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x28\xb5\x2f\xfd", b"MSCF")
# an Office file Word embeds (a chart's workbook, a pasted document) is itself a zip: allowed one
# level down, in the embeddings folder, when it passes the same checks and holds no archive itself
_EMBEDDED = re.compile(r"^(word|xl|ppt)/embeddings/[^/]+\.(docx|docm|xlsx|xlsm|pptx|pptm)$",
                       re.IGNORECASE)
# an XML entity can expand to gigabytes when parsed; Word never writes a document type with one
_ENTITY = tuple(text.encode(codec) for text in ("<!ENTITY",)
                for codec in ("ascii", "utf-16-le", "utf-16-be"))
# Word writes its XML in UTF-8 (now and then UTF-16); a part in another encoding (UTF-32, UTF-7,
# EBCDIC) is how a declared entity hides from the search above
_XML_ENCODINGS = frozenset({"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be"})
_OTHER_ENCODING_STARTS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"<\x00\x00\x00",
                          b"\x00\x00\x00<", b"\x4c\x6f\xa7\x94")
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")
_ADVICE = ("please save it again from Word as a .docx, or share a SharePoint or OneDrive link "
           "instead")


@dataclass(frozen=True)
class ArchiveLimits:
    total_bytes: int = 50 * MB  # every part, unpacked
    entry_bytes: int = 25 * MB  # one part, unpacked
    entries: int = 1000
    ratio: int = 100  # unpacked size over packed size, for a part over RATIO_FLOOR

    @classmethod
    def from_settings(cls, settings) -> ArchiveLimits:
        return cls(total_bytes=settings.archive_max_mb * MB,
                   entry_bytes=settings.archive_entry_max_mb * MB,
                   entries=settings.archive_max_entries, ratio=settings.archive_max_ratio)


def inspect(content: bytes, limits: ArchiveLimits, name: str = "") -> None:
    """Refuses (DocumentRefused) a Word document that is not a sound zip within `limits`:
    what it declares, and what its parts really unpack to, part by part."""
    _Inspection(limits, name).archive(content, nested=False)


def _megabytes(size: int) -> str:
    return f"{size / MB:g} MB"


class _Inspection:
    def __init__(self, limits: ArchiveLimits, name: str):
        self.limits = limits
        self.name = name

    def refuse(self, reason: str) -> DocumentRefused:
        return DocumentRefused(reason, self.name)

    def damaged(self) -> DocumentRefused:
        return self.refuse(f"it is damaged and cannot be read; {_ADVICE}")

    def archive(self, content: bytes, *, nested: bool) -> None:
        limits = self.limits
        if not content.startswith(b"PK\x03\x04"):
            raise self.refuse("it is not a Word document (.docx) — an older .doc, a document "
                              "with a password, or another kind of file renamed looks like "
                              "this; please save it from Word as a .docx without a password")
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
                struct.error, UnicodeDecodeError, NotImplementedError):
            raise self.damaged() from None
        if len(infos) > limits.entries:
            raise self.refuse(f"it is made of more than {limits.entries} parts, far more than "
                              f"any Word document; {_ADVICE}")
        seen: set[str] = set()
        declared = 0
        for info in infos:
            self._name(info.orig_filename)
            if info.filename.lower() in seen:
                raise self.refuse("it holds two parts with the same name, so different programs "
                                  f"would read different documents from it; {_ADVICE}")
            seen.add(info.filename.lower())
            if info.flag_bits & _ENCRYPTED:
                raise self.refuse("parts of it are encrypted; please remove the password and "
                                  "send it again")
            if info.compress_type not in (_STORED, _DEFLATED):
                raise self.refuse(f"it is packed in a way Word never uses; {_ADVICE}")
            if info.file_size > limits.entry_bytes:
                raise self.too_big_part()
            if info.file_size >= RATIO_FLOOR and info.file_size > limits.ratio * max(
                    info.compress_size, 1):
                raise self.refuse(f"a part of it expands more than {limits.ratio} times when "
                                  "unpacked, which no real document does (files built to "
                                  f"exhaust memory do); {_ADVICE}")
            declared += info.file_size
            if declared > limits.total_bytes:
                raise self.too_big()
        if not nested and ("[content_types].xml" not in seen
                           or not any(n.startswith("word/") for n in seen)):
            raise self.refuse("it is a zip archive but not a Word document (it has no Word "
                              "document inside); please send the .docx itself")
        self.contents(content, infos, getattr(archive, "start_dir", len(content)), nested)

    def _name(self, name: str) -> None:
        parts = re.split(r"[\\/]", name)
        if (not name or "\x00" in name or name.startswith(("/", "\\"))
                or re.match(r"^[A-Za-z]:", name) or ".." in parts):
            raise self.refuse("it names a part outside itself (a path that climbs out with "
                              f"“..” or starts at the root of a disk); {_ADVICE}")

    def too_big(self) -> DocumentRefused:
        return self.refuse(f"it unpacks to more than {_megabytes(self.limits.total_bytes)}, and "
                           "an IMR report or chronology is a few MB; please make it smaller "
                           "(compress or remove large pictures) or share a SharePoint or "
                           "OneDrive link instead")

    def too_big_part(self) -> DocumentRefused:
        return self.refuse(f"one part of it unpacks to more than "
                           f"{_megabytes(self.limits.entry_bytes)}, and an IMR report or "
                           "chronology is a few MB; please make it smaller (compress or remove "
                           "large pictures) or share a SharePoint or OneDrive link instead")

    def contents(self, content: bytes, infos: list[zipfile.ZipInfo], directory: int,
                 nested: bool) -> None:
        """Every part inflated with a cap: what it really holds, not what it declares."""
        spans = []
        total = 0
        for info in infos:
            start = self._data_start(content, info)
            end = start + info.compress_size
            if end > min(directory, len(content)):
                raise self.damaged()
            spans.append((info.header_offset, end))
            embedded = not nested and bool(_EMBEDDED.match(info.filename))
            size, head, kept = self._inflate(content, start, info, keep=embedded)
            total += size
            if total > self.limits.total_bytes:
                raise self.too_big()
            if head.startswith(_ARCHIVES):
                if not embedded or not head.startswith(b"PK\x03\x04"):
                    raise self.refuse("it has another archive packed inside it (the part "
                                      f"“{info.filename[:80]}”), which a Word document does "
                                      f"not need; {_ADVICE}")
                self.archive(kept, nested=True)
        # parts that share their bytes are how a small zip unpacks many times over
        spans.sort()
        for (_start, end), (next_start, _end) in zip(spans, spans[1:], strict=False):
            if next_start < end:
                raise self.damaged()

    def _data_start(self, content: bytes, info: zipfile.ZipInfo) -> int:
        at = info.header_offset
        header = content[at:at + _LOCAL_HEADER]
        if len(header) < _LOCAL_HEADER or header[:4] != b"PK\x03\x04":
            raise self.damaged()
        flags, = struct.unpack("<H", header[6:8])
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        raw = content[at + _LOCAL_HEADER:at + _LOCAL_HEADER + name_length]
        local = raw.decode("utf-8" if flags & _UTF8 else "cp437", errors="replace")
        if local != info.orig_filename:  # two names for one part: two programs, two documents
            raise self.damaged()
        return at + _LOCAL_HEADER + name_length + extra_length

    def _inflate(self, content: bytes, start: int, info: zipfile.ZipInfo,
                 keep: bool) -> tuple[int, bytes, bytes]:
        """(the part's real size, its first bytes, all of it when `keep`), refusing as soon as
        it holds more than it declared, or a declared entity."""
        packed = memoryview(content)[start:start + info.compress_size]
        inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == _DEFLATED else None
        size, crc, head, tail = 0, 0, b"", b""
        kept: list[bytes] = []
        position, pending = 0, b""
        while True:
            if inflater is None:
                out = bytes(packed[position:position + _CHUNK])
                position += len(out)
                done = position >= len(packed)
            else:
                if not pending:
                    if position >= len(packed):
                        raise self.damaged()  # the part's data stops before its stream ends
                    pending = packed[position:position + _CHUNK]
                    position += len(pending)
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                done = inflater.eof
            size += len(out)
            if size > info.file_size:  # stopped at once: what it declared was checked
                raise self.refuse("a part of it holds more than the archive says it does, as "
                                  f"files built to exhaust memory do; {_ADVICE}")
            crc = zlib.crc32(out, crc)
            if len(head) < 256:
                head = (head + out)[:256]
            window = tail + out
            if any(entity in window for entity in _ENTITY):
                raise self.refuse("it declares XML entities, which Word never writes and which "
                                  f"can make a small file expand enormously; {_ADVICE}")
            tail = window[-16:]
            if keep:
                kept.append(out)
            if done:
                break
        if size != info.file_size or crc != info.CRC:
            raise self.damaged()
        declared = _DECLARED_ENCODING.match(head)
        if head.startswith(_OTHER_ENCODING_STARTS) or (
                declared and declared.group(1).decode("ascii", "replace").lower()
                not in _XML_ENCODINGS):
            raise self.refuse("its XML is written in a character encoding Word never uses, "
                              f"which can hide what it declares; {_ADVICE}")
        return size, head[:8], b"".join(kept)
