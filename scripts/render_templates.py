"""make templates: every built-in Word template, blank and filled in for a review, rendered with
LibreOffice to PDF and then to PNG pages in docs/templates/ (with an index, README.md there).

Needs `soffice` (Debian's libreoffice-writer-nogui) and `pdftoppm` (poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imr_bot.documents.templates import KINDS, PACKS, Prefill, build  # noqa: E402

OUT = ROOT / "docs" / "templates"
FILLED = Prefill(reference="DDSCP/CSPR/2026/014", author="Arun Author", qa_lead="Quinn Lead",
                 review_type="CSPR", tor_start=date(2025, 1, 1), tor_end=date(2026, 6, 30),
                 ddscp_due=date(2027, 1, 29), today=date(2026, 11, 23))
BLANK = Prefill()
DPI = 60


def documents(*, distinct: bool = True) -> dict[str, bytes]:
    """Every template blank and filled, named KIND-PACK-blank|filled; `distinct`: a kind whose
    packs share one document once, named KIND-blank|filled."""
    made: dict[str, bytes] = {}
    for kind in KINDS.values():
        builders: dict[object, list[str]] = {}
        for pack, builder in kind.packs.items():
            builders.setdefault(builder if distinct else pack, []).append(pack)
        for packs in builders.values():
            stem = kind.name if len(packs) == len(PACKS) else f"{kind.name}-{packs[0]}"
            for variant, prefill in (("blank", BLANK), ("filled", FILLED)):
                made[f"{stem}-{variant}"] = build(kind.name, packs[0], prefill)
    return made


def to_pdf(docx: dict[str, bytes], workdir: Path) -> dict[str, Path]:
    """Convert every document with one LibreOffice run, in a profile of its own (another
    soffice running on the machine would otherwise take the job and its profile lock)."""
    sources = []
    for name, content in docx.items():
        path = workdir / f"{name}.docx"
        path.write_bytes(content)
        sources.append(str(path))
    profile = (workdir / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(workdir), *sources],
                   check=True, capture_output=True, timeout=600)
    pdfs = {name: workdir / f"{name}.pdf" for name in docx}
    missing = [name for name, pdf in pdfs.items() if not pdf.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice made no PDF for: {', '.join(missing)}")
    return pdfs


def to_png(pdf: Path, prefix: Path, workdir: Path) -> list[Path]:
    """The PDF's pages as PNGs named PREFIX-N.png, in 16 greys."""
    subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), str(pdf), str(workdir / pdf.stem)],
                   check=True, capture_output=True, timeout=120)
    pages = sorted(workdir.glob(f"{pdf.stem}-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    made = []
    for number, page in enumerate(pages, start=1):
        png = prefix.parent / f"{prefix.name}-{number}.png"
        png.write_bytes(grey_png(page.read_bytes()))
        made.append(png)
    return made


def grey_png(pgm: bytes, bits: int = 4) -> bytes:
    """A PNG of a greyscale PGM in 2**bits greys: a third of the size of poppler's own PNG, and
    to the eye the same page."""
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", pgm)
    width, height, pixels = int(header[1]), int(header[2]), pgm[header.end():]
    pixels = pixels.translate(bytes(round(v * ((1 << bits) - 1) / 255) for v in range(256)))
    per_byte = 8 // bits
    rows = bytearray()
    for y in range(height):
        row = pixels[y * width:(y + 1) * width]
        rows.append(0)  # no filter
        for x in range(0, width, per_byte):
            packed = 0
            for i, grey in enumerate(row[x:x + per_byte]):
                packed |= grey << (8 - bits * (i + 1))
            rows.append(packed)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bits, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def main() -> None:
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install libreoffice-writer-nogui poppler-utils")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    index = ["# The built-in Word templates, as LibreOffice renders them",
             "",
             "Made by `make templates` (scripts/render_templates.py): each template blank, then "
             f"filled in for a sample review ({FILLED.reference}), at {DPI} dpi. A kind whose "
             "packs share one document is shown once.", ""]
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = to_pdf(documents(), Path(tmp))
        for name, pdf in pdfs.items():
            pages = to_png(pdf, OUT / name, Path(tmp))
            index.append(f"## {name}")
            index.append("")
            index += [f"![{page.stem}]({page.name})" for page in pages]
            index.append("")
            print(f"{name}: {len(pages)} page(s)")
    (OUT / "README.md").write_text("\n".join(index))


if __name__ == "__main__":
    main()
