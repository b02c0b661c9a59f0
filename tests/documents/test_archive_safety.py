"""A file someone sends as a .docx is checked as an archive before anything parses it: each class
of hostile archive is refused with a reason a person understands, and real documents pass."""

import io
import zipfile

import pytest
from docx import Document
from openpyxl import Workbook

from imr_bot.documents.safety import ArchiveLimits, inspect
from imr_bot.documents.templates import KINDS, Prefill, build
from imr_bot.domain.errors import DocumentRefused
from tests.documents.archives import (
    DOCUMENT,
    MB,
    Part,
    archive,
    deflated,
    deflated_zeros,
    incompressible,
    prose,
    word,
    zeros_crc,
    zeros_part,
)
from tests.documents.test_checker import BRADFORD, DERBYSHIRE, chronology, report

LIMITS = ArchiveLimits()


def refusal(content: bytes, limits: ArchiveLimits = LIMITS) -> str:
    with pytest.raises(DocumentRefused) as refused:
        inspect(content, limits, "IMR report.docx")
    message = str(refused.value)
    assert message.startswith("“IMR report.docx” was not accepted, and nothing was saved: ")
    assert "Error" not in message and "Traceback" not in message and "zipfile" not in message
    return message


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_embedded_workbook(workbook_bytes: bytes) -> bytes:
    base = zipfile.ZipFile(io.BytesIO(report(DERBYSHIRE)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in base.infolist():
            target.writestr(info, base.read(info))
        target.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook_bytes)
    return out.getvalue()


def workbook() -> bytes:
    book = Workbook()
    book.active["A1"] = "Actions"
    return saved(book)


# -- real documents pass ---------------------------------------------------------------------
@pytest.mark.parametrize("content", [
    report(DERBYSHIRE), report(BRADFORD), chronology(), saved(Document()),
    *(build(kind, pack, Prefill()) for kind in KINDS for pack in KINDS[kind].packs),
    with_embedded_workbook(workbook()),
    word(Part("word/media/image1.png", incompressible(3 * MB), method=zipfile.ZIP_STORED)),
], ids=lambda c: f"{len(c)} bytes")
def test_real_word_documents_pass(content):
    inspect(content, LIMITS, "IMR report.docx")


def test_every_pair_of_the_document_corpus_passes():
    from tests.documents.test_corpus import PAIRS

    for pair in PAIRS:
        for content in (pair.report, pair.chronology):
            if content is not None:  # None: a link was submitted
                inspect(content, LIMITS, "document.docx")


# -- deflate bombs ---------------------------------------------------------------------------
@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "customXml/item1.xml",
                                  "word/media/image1.png"])
def test_a_part_that_unpacks_past_the_part_limit_is_refused(part):
    bomb = archive([Part("[Content_Types].xml", b"<Types/>"), zeros_part(part, 200 * MB),
                    *([Part("word/document.xml", DOCUMENT)] if part != "word/document.xml"
                      else [])])
    assert "one part of it unpacks to more than 25 MB" in refusal(bomb)


@pytest.mark.parametrize("size", [2 * MB, 10 * MB, 24 * MB])
def test_a_part_that_expands_far_more_than_any_document_is_refused(size):
    assert "expands more than 100 times" in refusal(word(zeros_part("word/header1.xml", size)))


def test_many_parts_each_under_the_part_limit_but_over_the_total_are_refused():
    parts = [zeros_part(f"word/media/image{n}.bin", 20 * MB) for n in range(4)]
    limits = ArchiveLimits(ratio=10_000)  # the ratio would refuse them first
    assert "unpacks to more than 50 MB" in refusal(word(*parts), limits)


@pytest.mark.parametrize("parts", [3, 5])
def test_a_large_document_of_ordinary_compression_over_the_total_is_refused(parts):
    # text that packs a few times, as real XML does: no ratio refuses it, the total does
    content = word(*[Part(f"word/header{n}.xml", prose(20 * MB)) for n in range(parts)])
    assert len(content) < 25 * MB  # small enough to be sent
    assert "it unpacks to more than 50 MB" in refusal(content)


def test_parts_that_share_one_stream_are_refused():
    # the overlapping-entries bomb: many names for the same compressed bytes
    shared = [zeros_part(f"word/media/image{n}.bin", 900 * 1024) for n in range(40)]
    assert "it is damaged" in refusal(archive([Part("[Content_Types].xml", b"<Types/>"),
                                              *shared], share_data=True))


# -- entry counts ----------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1001, 5000])
def test_an_archive_of_more_parts_than_any_document_is_refused(count):
    parts = [Part(f"word/part{n}.xml", b"<a/>") for n in range(count)]
    assert f"more than {LIMITS.entries} parts" in refusal(word(*parts))


def test_directory_entries_count_as_parts():
    parts = [Part(f"word/folder{n}/", b"", method=zipfile.ZIP_STORED) for n in range(1001)]
    assert "parts" in refusal(word(*parts))


# -- sizes that lie --------------------------------------------------------------------------
def test_a_part_that_holds_more_than_it_declares_is_refused_while_it_is_unpacked():
    # declares 4 KB; holds 200 MB of zeros. Its own CRC matches the 200 MB.
    lying = zeros_part("word/document.xml", 200 * MB, size=4096)
    message = refusal(archive([Part("[Content_Types].xml", b"<Types/>"), lying]))
    assert "a part of it holds more than the archive says it does" in message


@pytest.mark.parametrize("declared", [0, 100, 8 * MB])
def test_a_part_that_holds_more_than_it_declares_is_refused(declared):
    lying = zeros_part("word/header1.xml", 9 * MB, size=declared)
    assert "holds more than the archive says" in refusal(word(lying), ArchiveLimits(ratio=10_000))


@pytest.mark.parametrize("declared", [2 * MB, 9 * MB + 1])
def test_a_part_that_holds_less_than_it_declares_is_refused(declared):
    lying = zeros_part("word/header1.xml", MB, size=declared)
    assert "damaged" in refusal(word(lying), ArchiveLimits(ratio=10_000))


def test_a_part_with_a_wrong_checksum_is_refused():
    assert "damaged" in refusal(word(Part("word/styles.xml", b"<w:styles/>", crc=1)))


def test_a_declared_size_past_the_limits_is_refused_before_anything_is_unpacked():
    # claims 4 GB but holds four bytes: refused from the directory alone
    assert "unpacks to more than" in refusal(word(Part("word/styles.xml", b"<a/>",
                                                       size=0xFFFFFFF0)))


def test_a_part_whose_local_name_differs_from_its_directory_name_is_refused():
    assert "damaged" in refusal(word(Part("word/styles.xml", b"<a/>",
                                          local_name="word/document.xml")))


def test_a_part_whose_data_runs_past_the_archive_is_refused():
    content = word(Part("word/styles.xml", b"<a/>" * 1000))
    assert "damaged" in refusal(content[:len(content) // 2] + content[-22:])


# -- archives inside -------------------------------------------------------------------------
def test_a_zip_disguised_as_a_picture_is_refused():
    inner = word()
    assert "another archive packed inside it" in refusal(
        word(Part("word/media/image1.png", inner, method=zipfile.ZIP_STORED)))


@pytest.mark.parametrize("magic", [b"\x1f\x8b\x08\x00", b"BZh91AY", b"\xfd7zXZ\x00\x00",
                                   b"7z\xbc\xaf\x27\x1c\x00", b"Rar!\x1a\x07\x00"])
def test_other_compressed_archives_inside_are_refused(magic):
    assert "another archive" in refusal(word(Part("customXml/item1.bin", magic + bytes(64))))


def test_an_embedded_office_file_that_is_itself_a_bomb_is_refused():
    bomb = archive([Part("[Content_Types].xml", b"<Types/>"),
                    zeros_part("xl/worksheets/sheet1.xml", 200 * MB)])
    assert "one part of it unpacks to more than 25 MB" in refusal(
        with_embedded_workbook(bomb))


def test_an_archive_inside_an_embedded_office_file_is_refused():
    nested = archive([Part("[Content_Types].xml", b"<Types/>"),
                      Part("xl/media/image1.png", word(), method=zipfile.ZIP_STORED)])
    assert "another archive" in refusal(with_embedded_workbook(nested))


def test_a_zip_in_a_zip_in_a_zip_is_refused():
    inner = word()
    for _ in range(3):
        inner = word(Part("word/embeddings/Document.docx", inner))
    assert "another archive" in refusal(inner)


# -- not an archive at all -------------------------------------------------------------------
@pytest.mark.parametrize("content", [
    b"", b"PK", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
    b"{\\rtf1\\ansi Report}", b"<html><body>Report</body></html>", bytes(range(256)) * 40,
], ids=["empty", "two bytes", "pdf", "ole (a .doc or a password)", "rtf", "html", "binary"])
def test_a_file_that_is_not_a_zip_is_refused(content):
    assert "it is not a Word document (.docx)" in refusal(content)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_document_is_refused(cut):
    content = report(DERBYSHIRE)
    assert "damaged" in refusal(content[:int(len(content) * cut)])


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as plain:
        plain.writestr("notes.txt", "hello")
    assert "not a Word document" in refusal(out.getvalue())


# -- names that climb out --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../etc/cron.d/imr", "word/../../outside.xml", "/etc/passwd",
                                  "word\\..\\..\\outside.xml", "\\\\server\\share\\x.xml",
                                  "C:/Windows/x.xml", "c:evil.xml", "word/doc\x00ument.xml"])
def test_a_part_named_outside_the_archive_is_refused(name):
    assert "names a part outside itself" in refusal(word(Part(name, b"<a/>")))


def test_two_parts_with_the_same_name_are_refused():
    assert "two parts with the same name" in refusal(word(Part("word/document.xml", b"<x/>")))


# -- other ways in ---------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_xml_that_declares_entities_is_refused(encoding):
    laughs = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
              "<w:document>&b;</w:document>").encode(encoding)
    assert "declares XML entities" in refusal(word(document=laughs))


# an entity declared in an encoding the search for one does not read, which lxml still reads
HIDDEN_ENCODINGS = [("UTF-32", "utf-32"), ("UTF-32LE", "utf-32-le"), ("UTF-32BE", "utf-32-be"),
                    ("ebcdic-cp-us", "cp037"), ("cp1026", "cp1026")]


@pytest.mark.parametrize(("declared", "codec"), HIDDEN_ENCODINGS)
def test_xml_in_an_encoding_word_never_writes_is_refused(declared, codec):
    declaration = f'<?xml version="1.0" encoding="{declared}"?>'
    rest = '<!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]><w:document>&b;</w:document>'
    assert "encoding Word never uses" in refusal(word(document=(declaration + rest).encode(codec)))


@pytest.mark.parametrize("declared", ["UTF-7", "utf-7", "UNICODE-1-1-UTF-7"])
def test_xml_in_utf_7_with_every_angle_bracket_encoded_is_refused(declared):
    # "<" written as +ADw-: no "<!ENTITY" in the bytes, yet a UTF-7 reader sees one
    laughs = (f'<?xml version="1.0" encoding="{declared}"?>+ADw-!DOCTYPE w +AFsAPA-!ENTITY a '
              '"lol"+AD4AXQA+ADw-w:document+AD4-+ACY-a;+ADw-/w:document+AD4-').encode()
    assert "encoding Word never uses" in refusal(word(document=laughs))


@pytest.mark.parametrize("declaration", [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
                                         b"<?xml version='1.0' encoding='utf-8'?>",
                                         b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>', b""])
def test_xml_in_utf_8_passes_whatever_its_declaration_says(declaration):
    inspect(word(document=declaration + b"<w:document/>"), LIMITS, "IMR report.docx")


def test_an_entity_split_across_two_reads_is_still_found():
    padding = b" " * (256 * 1024 - 4)
    assert "declares XML entities" in refusal(word(document=padding + b'<!ENTITY a "x">'))


def test_encrypted_parts_are_refused():
    assert "encrypted" in refusal(word(Part("word/styles.xml", b"<a/>", flags=0x1)))


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, 99])
def test_a_packing_word_never_uses_is_refused(method):
    assert "packed in a way Word never uses" in refusal(
        word(Part("word/styles.xml", b"<a/>", packed=deflated(b"<a/>"), method=method)))


def test_the_limits_are_the_operators():
    small = ArchiveLimits(total_bytes=2 * MB, entry_bytes=1 * MB, entries=10, ratio=5)
    assert "more than 1 MB" in refusal(word(Part("word/media/a.bin", incompressible(MB + 1),
                                                 method=zipfile.ZIP_STORED)), small)
    assert "more than 10 parts" in refusal(word(*[Part(f"p{n}.xml", b"<a/>") for n in range(9)]),
                                           small)
    inspect(word(zeros_part("word/media/a.bin", 4096, crc=zeros_crc(4096))), small)
    assert len(deflated_zeros(10)) < 10
