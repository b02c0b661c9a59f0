"""Every template as LibreOffice lays it out: A4 pages, nothing past the margins, real bullets, and
a signature that never leaves its date on the page before.

Needs `soffice` (libreoffice-writer-nogui) and poppler-utils; skipped without them, except under
CI, where .ci/run installs them.
"""

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import render_templates  # noqa: E402

from imr_bot.documents.templates import MARGIN, build  # noqa: E402

TOOLS = ("soffice", "pdfinfo", "pdftoppm", "pdftotext")
if any(shutil.which(tool) is None for tool in TOOLS):
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice or poppler-utils is missing under CI: .ci/run installs "
                    "libreoffice-writer-nogui and poppler-utils", pytrace=False)
    pytest.skip("LibreOffice or poppler-utils is not installed (apt-get install "
                "libreoffice-writer-nogui poppler-utils)", allow_module_level=True)

A4_POINTS = (595.3, 841.9)
LANDSCAPE = ("chronology", "action-plan")
PAGES = {"chronology": range(1, 2), "action-plan": range(1, 2), "interview": range(1, 2),
         "imr": range(3, 7)}
PADDINGS = range(40)  # empty lines before the sign-off: more than a page's worth
SIGNED_REPORTS = {"imr-derbyshire": ("derbyshire",), "imr-bradford": ("bradford",)}


def padded(content: bytes, lines: int) -> bytes:
    """The report with empty lines before its sign-off, moving it down the pages."""
    document = Document(io.BytesIO(content))
    signed = next(p for p in document.paragraphs if p.text.startswith("Signed (author)"))
    for _ in range(lines):
        signed.insert_paragraph_before("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    documents = render_templates.documents(distinct=False)
    for name, (pack,) in SIGNED_REPORTS.items():
        report = build("imr", pack, render_templates.FILLED)
        for lines in PADDINGS:
            documents[f"{name}-padded-{lines:02d}"] = padded(report, lines)
    return render_templates.to_pdf(documents, tmp_path_factory.mktemp("rendered"))


def templates(pdfs) -> list[tuple[str, Path]]:
    return [(name, pdf) for name, pdf in pdfs.items() if "-padded-" not in name]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    def pdfinfo(*options: str) -> str:
        return subprocess.run(["pdfinfo", *options, str(pdf)], capture_output=True, text=True,
                              check=True).stdout

    pages = re.search(r"^Pages:\s+(\d+)", pdfinfo(), re.M)[1]
    info = pdfinfo("-f", "1", "-l", pages)
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


def pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def test_every_page_is_a4_in_its_orientation_and_the_page_counts_are_sane(pdfs):
    for name, pdf in templates(pdfs):
        kind = next(k for k in PAGES if name.startswith(k + "-"))
        sizes = page_sizes(pdf)
        assert len(sizes) in PAGES[kind], (name, len(sizes))
        expected = A4_POINTS[::-1] if kind in LANDSCAPE else A4_POINTS
        for width, height in sizes:
            assert (round(width, 1), round(height, 1)) == expected, name


def grey_pages(pdf: Path, workdir: Path, dpi: int) -> list[tuple[int, int, bytes]]:
    prefix = workdir / pdf.stem
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(prefix)], check=True)
    pages = []
    for path in sorted(workdir.glob(f"{pdf.stem}-*.pgm")):
        data = path.read_bytes()
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", data)
        pages.append((int(header[1]), int(header[2]), data[header.end():]))
    return pages


def test_nothing_is_drawn_in_the_left_or_right_margin(pdfs, tmp_path):
    dpi = 40
    margin = round(MARGIN.inches * dpi)
    band = margin - 3  # a table's border sits on the margin itself
    for name, pdf in templates(pdfs):
        for number, (width, height, pixels) in enumerate(grey_pages(pdf, tmp_path, dpi), start=1):
            for y in range(height):
                row = pixels[y * width:(y + 1) * width]
                assert min(row[:band]) > 200 and min(row[width - band:]) > 200, (
                    f"{name}, page {number}: ink in the side margin at y={y}")


def test_the_guidance_questions_are_list_bullets(pdfs):
    # LibreOffice draws each list item's bullet from the Word numbering (the Symbol font's bullet,
    # U+F0B7, as text); none is typed in the document
    for name, questions in (("imr-derbyshire-blank", 12), ("imr-bradford-blank", 14)):
        text = "".join(pages_text(pdfs[name]))
        assert text.count("\uf0b7") + text.count("•") == questions, name


@pytest.mark.parametrize("report", list(SIGNED_REPORTS))
def test_the_signature_and_its_date_are_on_one_page_wherever_they_fall(pdfs, report):
    for lines in PADDINGS:
        pages = pages_text(pdfs[f"{report}-padded-{lines:02d}"])
        signed = [i for i, page in enumerate(pages) if "Signed (author)" in page]
        dated = [i for i, page in enumerate(pages) if re.search(r"^\s*Date: _", page, re.M)]
        assert len(signed) == 1 and signed == dated, (report, lines, signed, dated)


def test_a_blank_header_reads_without_a_dangling_dash(pdfs):
    for name, pdf in templates(pdfs):
        if name.endswith("-blank"):
            first_line = next(line for line in pages_text(pdf)[-1].splitlines() if line.strip())
            assert not re.search(r"[—–-]\s*(Date:|$)", first_line), (name, first_line)
