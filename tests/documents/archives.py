"""Hostile archives, built byte by byte, so each can lie where a real attacker's would: sizes, names,
shared data, what a part really holds. Each builder returns the bytes of a file someone could send
as a .docx.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass

MB = 1024 * 1024

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
                 b'.org/package/2006/content-types"><Default Extension="xml" ContentType="application'
                 b'/xml"/></Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/relationships"/>')
DOCUMENT = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformat'
            b's.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>IMR</w:t></w:r></w:p>'
            b'</w:body></w:document>')


@dataclass
class Part:
    name: str
    data: bytes = b""  # what it really holds, unpacked
    packed: bytes | None = None  # its bytes in the archive (default: data, deflated)
    method: int = zipfile.ZIP_DEFLATED
    size: int | None = None  # the unpacked size it declares (default: the truth)
    crc: int | None = None
    local_name: str | None = None  # the name in its local header (default: name)
    flags: int = 0


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@functools.cache
def deflated_zeros(size: int) -> bytes:
    """`size` zero bytes, deflated, without holding them all at once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    chunk, out, left = bytes(MB), [], size
    while left:
        step = min(left, MB)
        out.append(compressor.compress(chunk[:step]))
        left -= step
    return b"".join(out) + compressor.flush()


@functools.cache
def zeros_crc(size: int) -> int:
    crc, chunk, left = 0, bytes(MB), size
    while left:
        step = min(left, MB)
        crc = zlib.crc32(chunk[:step], crc)
        left -= step
    return crc


def archive(parts: list[Part], *, share_data: bool = False) -> bytes:
    """A zip of `parts` exactly as declared. `share_data`: every part after the first points at
    the first one's data (the overlapping-entries bomb)."""
    out = io.BytesIO()
    central = []
    first_offset = None
    for part in parts:
        packed = part.packed if part.packed is not None else (
            deflated(part.data) if part.method == zipfile.ZIP_DEFLATED else part.data)
        size = part.size if part.size is not None else len(part.data)
        crc = part.crc if part.crc is not None else zlib.crc32(part.data)
        name = part.name.encode()
        local = (part.local_name if part.local_name is not None else part.name).encode()
        offset = out.tell()
        if share_data and first_offset is not None:
            offset = first_offset
        else:
            first_offset = offset if first_offset is None else first_offset
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, part.flags | 0x800,
                                  part.method, 0, 0, crc, len(packed), size, len(local), 0))
            out.write(local)
            out.write(packed)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, part.flags | 0x800,
                                   part.method, 0, 0, crc, len(packed), size, len(name), 0, 0, 0,
                                   0, 0, offset) + name)
    directory = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          out.tell() - directory, directory, 0))
    return out.getvalue()


def word(*extra: Part, document: bytes = DOCUMENT) -> bytes:
    """A minimal Word package with `extra` parts."""
    return archive([Part("[Content_Types].xml", CONTENT_TYPES), Part("_rels/.rels", RELS),
                    Part("word/document.xml", document), *extra])


def zeros_part(name: str, length: int, *, size: int | None = None, crc: int | None = None) -> Part:
    """`length` zero bytes, declaring `size` (default: the truth)."""
    return Part(name, packed=deflated_zeros(length), size=length if size is None else size,
                crc=zeros_crc(length) if crc is None else crc)


def incompressible(size: int) -> bytes:
    return os.urandom(size)


_WORDS = (b"child", b"social", b"worker", b"visit", b"school", b"police", b"health", b"review",
          b"mother", b"home", b"seen", b"alone", b"referral", b"strategy", b"meeting", b"plan")


@functools.cache
def _prose_block() -> bytes:
    import random

    chooser = random.Random(19)
    return b" ".join(chooser.choice(_WORDS) for _ in range(150_000))


def prose(size: int) -> bytes:
    """`size` bytes of words, packing as ordinary text does (a few times, not hundreds)."""
    block = _prose_block()
    return (block * (size // len(block) + 1))[:size]
