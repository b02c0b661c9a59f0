"""Supplied templates: only the documented fields and a few constructs get past upload, and the
sandbox they are rendered in runs nothing even for a template that never went through upload.

Templates are real .docx files built with python-docx; placeholders are split across runs the
way Word splits them, since docxtpl joins the runs before Jinja sees them."""

import io
import time

import pytest
from docx import Document
from docx.enum.section import WD_SECTION

from imr_bot.documents import supplied
from imr_bot.domain.errors import DomainError
from imr_bot.services.templates import FIELDS

CONTEXT = {name: f"<{name}> & co" for name in FIELDS} | {"ref": "DDSCP/CSPR/2026/014"}
CANARY = "imr-sandbox-canary"  # a file an attack would create if it ran a shell command


def paragraph(document, text: str, *, split: int = 0):
    """`text` as one paragraph; with `split`, in runs of that many characters, as Word does when
    spelling marks, edits or formatting change part way through a placeholder."""
    p = document.add_paragraph()
    pieces = [text[i:i + split] for i in range(0, len(text), split)] if split else [text]
    for piece in pieces:
        p.add_run(piece)
    return p


def docx(*paragraphs: str, split: int = 0, header: str | None = None, footer: str | None = None,
         title: str = "", table: str | None = None) -> bytes:
    document = Document()
    for text in paragraphs:
        paragraph(document, text, split=split)
    if table is not None:
        document.add_table(rows=1, cols=2).rows[0].cells[1].paragraphs[0].add_run(table)
    if header is not None:
        document.sections[0].header.paragraphs[0].add_run(header)
    if footer is not None:
        document.sections[0].footer.paragraphs[0].add_run(footer)
    document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_of(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    parts.append(document.core_properties.title or "")
    return "\n".join(parts)


def canary(tmp_path) -> str:
    return str(tmp_path / CANARY)


# Each class of attack with varied payloads. `{canary}` is a path the payload would touch if a
# shell command ran.
ATTACKS = {
    "attribute walk": [
        "{{ ref.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('touch {canary}').read() }}",
        "{{ author.upper.__self__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ ref.format }}",
        "{% if ref.__class__ %}yes{% endif %}",
        "{{ (ref).__doc__ }}",
        "{{ qa_lead.encode('utf-8') }}",
    ],
    "dunder through a subscript": [
        "{{ ref['__class__'] }}",
        "{{ author[\"__init__\"][\"__globals__\"] }}",
        "{{ ref['__cl' ~ 'ass__'] }}",
        "{{ ()['__class__']['__base__'] }}",
        "{{ ref[0] }}",
        "{{ ref[::-1] }}",
    ],
    "the attr filter and other filters that read attributes": [
        "{{ ref|attr('__class__') }}",
        "{{ (ref|attr('__class__'))|attr('__mro__') }}",
        "{{ ref|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
        "{{ ref|map(attribute='__class__')|list }}",
        "{{ [ref]|selectattr('__class__')|list }}",
        "{{ ref|sort(attribute='__class__') }}",
        "{{ ref|default(ref.__class__) }}",
        "{{ ref|upper(ref) }}",
        "{{ ref|upper('x') }}",
        "{{ ref|default('a', 'b') }}",
        "{{ ref|default('x', boolean=True) }}",
    ],
    "Jinja's globals": [
        "{{ cycler }}",
        "{{ joiner() }}",
        "{{ namespace(a=1) }}",
        "{{ range(10) }}",
        "{{ lipsum(n=99999) }}",
        "{{ dict(a=1) }}",
        "{{ self }}",
        "{{ lipsum.__globals__['os'].popen('touch {canary}').read() }}",
        "{% if loop %}x{% endif %}",
    ],
    "loading another template": [
        "{% import 'os' as os %}{{ os }}",
        "{% from 'x.html' import y %}",
        "{% include '/etc/passwd' %}",
        "{% extends 'base.html' %}",
        "{% include ref %}",
    ],
    "macro and call blocks": [
        "{% macro m() %}{{ ref }}{% endmacro %}{{ m() }}",
        "{% call cycler() %}x{% endcall %}",
        "{% macro m(x=ref.__class__) %}{{ x }}{% endmacro %}",
        "{% macro caller() %}{% endmacro %}",
    ],
    "format strings": [
        "{{ '%s and %s'|format(ref, author) }}",
        "{{ '{0.__class__}'.format(ref) }}",
        "{{ '%(x)s' % {'x': ref} }}",
        "{{ '{0:>999999999}'.format(ref) }}",
        "{{ '%999999999d' % 1 }}",
        "{{ ref|format }}",
        "{{ '{0.__init__.__globals__}'.format_map(ref) }}",
    ],
    "huge loops and values": [
        "{% for i in range(999999999) %}x{% endfor %}",
        "{% for a in ref %}{% for b in ref %}{% for c in ref %}{% for d in ref %}x{% endfor %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "{{ 'x' * 999999999 }}",
        "{{ 9 ** 9 ** 9 }}",
        "{{ ref * 99999999 }}",
        "{{ -ref }}",
        "{% for x in [1, 2] %}{{ x }}{% endfor %}",
    ],
    "setting and rebinding names": [
        "{% set x = ref %}{{ x }}",
        "{% set c = cycler %}{{ c }}",
        "{% with a = ref %}{{ a }}{% endwith %}",
        "{% set x %}{{ ref }}{% endset %}{{ x }}",
        "{% set ref = 'forged' %}{{ ref }}",
    ],
    "other blocks": [
        "{% raw %}{{ ref }}{% endraw %}",
        "{% autoescape false %}{{ author }}{% endautoescape %}",
        "{% filter upper %}{{ ref }}{% endfilter %}",
        "{% block b %}{{ ref }}{% endblock %}",
        "{{ {'a': ref} }}",
        "{{ (ref, author) }}",
    ],
}
PAYLOADS = [(kind, payload) for kind, payloads in ATTACKS.items() for payload in payloads]
IDS = [f"{kind}: {payload[:40]}" for kind, payload in PAYLOADS]


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_an_attack_is_refused_at_upload_naming_its_placeholder(kind, payload, tmp_path):
    content = docx("IMR for {{ ref }}", "Before " + payload.replace("{canary}", canary(tmp_path)))
    with pytest.raises(supplied.TemplateRefused) as refused:
        supplied.inspect("t.docx", content, FIELDS)
    assert "(line 2)" in str(refused.value) and "the body" in str(refused.value)
    assert not (tmp_path / CANARY).exists()


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_an_attack_split_across_runs_is_refused_at_upload(kind, payload, tmp_path):
    content = docx("Before " + payload.replace("{canary}", canary(tmp_path)), split=3)
    with pytest.raises(supplied.TemplateRefused):
        supplied.inspect("t.docx", content, FIELDS)


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_an_attack_in_a_header_footer_table_or_property_is_refused(kind, payload, tmp_path):
    attack = payload.replace("{canary}", canary(tmp_path))
    for content in (docx("x", header=attack), docx("x", footer=attack), docx("x", table=attack),
                    docx("x", title=attack)):
        with pytest.raises(supplied.TemplateRefused):
            supplied.inspect("t.docx", content, FIELDS)


HARMFUL_OUTPUT = ("<class", "class '", "<built-in", "<function", "<bound", "<module", "object at 0x",
                  "TemplateReference", "Context", "uid=", "__", "os.", "Undefined")
# shown as written, never run: harmless, though the check refuses it at upload
LITERAL_AT_RENDER = {"{% raw %}{{ ref }}{% endraw %}"}


def _rendered_or_refused(content: bytes) -> str | None:
    """The rendered text, or None when the sandbox refused to render."""
    started = time.monotonic()
    try:
        out = supplied.render("t.docx", content, CONTEXT)
    except supplied.TemplateRefused:
        return None
    finally:
        assert time.monotonic() - started < 5
    assert len(out) < 1_000_000
    return text_of(out)


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_an_attack_is_refused_at_render(kind, payload, tmp_path):
    content = docx("Before " + payload.replace("{canary}", canary(tmp_path)), split=4)
    text = _rendered_or_refused(content)
    assert text is None or (payload in LITERAL_AT_RENDER and "{{ ref }}" in text)
    assert not (tmp_path / CANARY).exists()


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_an_attack_is_harmless_at_render_even_without_the_allow_list(kind, payload, tmp_path,
                                                                    monkeypatch):
    """Defence in depth: with the compile-time allow-list switched off, as for a template that
    slipped past it, the sandbox itself still runs nothing and reveals nothing."""
    monkeypatch.setattr(supplied, "_problems", lambda *args: [])
    content = docx("Before " + payload.replace("{canary}", canary(tmp_path)), split=4)
    text = _rendered_or_refused(content)
    assert not (tmp_path / CANARY).exists()
    if text is not None:
        assert not any(sign in text for sign in HARMFUL_OUTPUT), text


def test_the_sandbox_holds_no_globals_calls_nothing_and_reads_no_attribute():
    environment = supplied._Sandbox()
    assert environment.globals == {}
    assert set(environment.filters) == set(supplied.FILTERS) | {supplied._BOUNDED}
    for trick in ("{{ x.upper() }}", "{{ x.__class__ }}", "{{ x['__class__'] }}", "{{ x * 2 }}",
                  "{{ -x }}", "{{ x[0] }}"):
        with pytest.raises(Exception, match="may not|not allowed|reads inside|calls|arithmetic|"
                                            "internals|cuts"):
            environment.from_string(trick).render(x="abc")


# -- what a template may do ------------------------------------------------------------------------

def test_fields_filters_and_if_blocks_are_accepted_and_filled():
    content = docx("Review {{ ref }} by {{ author|upper }}, QA {{ qa_lead|default('to follow') }}",
                   "{% if tor_start %}From {{ tor_start }} to {{ tor_end }}{% else %}No dates"
                   "{% endif %}", "{% if not ddscp_due %}open{% elif review_type == 'CSPR' %}"
                   "CSPR{% endif %} — {{ marking|trim }} {{ today }}", split=5)
    inspection = supplied.inspect("t.docx", content, FIELDS)
    assert inspection.unknown == [] and inspection.other_styles == []
    assert "ref" in inspection.fields and "tor_start" in inspection.fields
    text = text_of(supplied.render("t.docx", content, CONTEXT | {"tor_start": "01/04/2025",
                                                                 "tor_end": "31/03/2026"}))
    assert "Review DDSCP/CSPR/2026/014 by <AUTHOR> & CO" in text
    assert "From 01/04/2025 to 31/03/2026" in text


def test_docxtpls_own_paragraph_and_run_tags_are_accepted():
    content = docx("{%p if qa_lead %}", "QA lead: {{ qa_lead }}", "{%p endif %}",
                   "{%r if ref %}Ref {{ ref }}{%r endif %}", "{# a note for the editor #}done")
    supplied.inspect("t.docx", content, FIELDS)
    text = text_of(supplied.render("t.docx", content, CONTEXT))
    assert "QA lead: <qa_lead> & co" in text and "{%" not in text and "done" in text


def test_a_field_split_across_runs_is_filled():
    content = docx("Reference: {{ ref }}; author: {{author}}", split=2)
    supplied.inspect("t.docx", content, FIELDS)
    assert "Reference: DDSCP/CSPR/2026/014; author: <author> & co" in text_of(
        supplied.render("t.docx", content, CONTEXT))


def test_values_are_escaped_into_the_document_not_read_as_word_markup():
    content = docx("{{ author }}")
    out = supplied.render("t.docx", content, {"author": "</w:t></w:r><w:r><w:t>injected"})
    assert "</w:t></w:r><w:r><w:t>injected" in text_of(out)


def test_only_plain_strings_reach_the_template_whatever_the_caller_passes():
    class Sneaky:
        def __str__(self):
            return "plain"

    out = supplied.render("t.docx", docx("{{ ref }} {{ today }}"), {"ref": Sneaky(), "today": None})
    assert "plain" in text_of(out)


# -- a malformed template --------------------------------------------------------------------------

MALFORMED = [
    ("{{ ref ", "not a well-formed placeholder"),
    ("{% if ref %}never closed", "Jinja was looking for the following tags: 'elif' or 'else' or "
                                 "'endif'"),
    ("{% endif %}", "Encountered unknown tag 'endif'"),
    ("{{ ref | }}", "not a well-formed placeholder"),
    ("{% if %}x{% endif %}", "not a well-formed placeholder"),
    ("{{ ref }} {% else %}", "Encountered unknown tag 'else'"),
    ("{% for %}", "not a well-formed placeholder"),
]


@pytest.mark.parametrize(("source", "says"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_template_is_refused_with_jinjas_message_and_its_line(source, says):
    content = docx("Fine {{ ref }}", "Also fine", "Bad " + source, "After")
    with pytest.raises(supplied.TemplateRefused) as refused:
        supplied.inspect("t.docx", content, FIELDS)
    message = str(refused.value)
    assert says in message.replace("\\", "")
    assert "line " in message and "is not a well-formed placeholder" in message
    line = int(message.split("line ", 1)[1].split()[0])
    assert line >= 3  # the third paragraph or, for a block left open, a later one


def test_a_malformed_placeholder_is_found_on_its_own_paragraph():
    content = docx("One", "Two {{ ref }}", "Three {% endif %}", "Four")
    with pytest.raises(supplied.TemplateRefused) as refused:
        supplied.inspect("t.docx", content, FIELDS)
    assert "line 3 of the body" in str(refused.value)
    assert "Encountered unknown tag 'endif'" in str(refused.value)
    assert "near “Three {% endif %}”" in str(refused.value)


def test_a_malformed_header_is_named_as_a_header():
    with pytest.raises(supplied.TemplateRefused, match="of a header is not a well-formed"):
        supplied.inspect("t.docx", docx("x", header="{{ ref "), FIELDS)


def test_a_template_with_too_many_placeholders_is_refused_before_each_is_read(monkeypatch):
    monkeypatch.setattr(supplied, "MAX_PLACEHOLDERS", 20)
    with pytest.raises(supplied.TemplateRefused, match="more than 20 placeholders"):
        supplied.inspect("t.docx", docx(" ".join(["{{ ref }}"] * 21)), FIELDS)
    supplied.inspect("t.docx", docx(" ".join(["{{ ref }}"] * 20)), FIELDS)


def test_a_file_that_is_not_a_word_document_is_refused():
    with pytest.raises(DomainError, match="could not be read as a Word template"):
        supplied.inspect("t.docx", b"PK\x03\x04 not really", FIELDS)


# -- placeholders docxtpl will not fill ------------------------------------------------------------

def test_placeholders_in_other_styles_are_accepted_and_listed():
    content = docx("Ref «ref» for [author] on {ref}, QA <<qa_lead>>", "Also «Child Name»",
                   "{{ ref }} stays a field", split=3)
    inspection = supplied.inspect("t.docx", content, FIELDS)
    assert sorted(inspection.other_styles) == sorted(["«ref»", "«Child Name»", "<<qa_lead>>",
                                                      "[author]", "{ref}"])
    assert "«ref»" in text_of(supplied.render("t.docx", content, CONTEXT))


def test_other_styles_in_a_header_are_listed_and_ordinary_brackets_are_not():
    content = docx("See section [3] and (a) and {1}", header="[Insert name]")
    assert supplied.inspect("t.docx", content, FIELDS).other_styles == ["[Insert name]"]


def test_unknown_fields_are_accepted_and_listed():
    content = docx("{{ childname }} {{ victim_name|upper }} {% if panel %}x{% endif %} {{ ref }}")
    inspection = supplied.inspect("t.docx", content, FIELDS)
    assert inspection.unknown == ["childname", "panel", "victim_name"]
    assert inspection.fields == ["ref"]
    assert "DDSCP/CSPR/2026/014" in text_of(supplied.render("t.docx", content, CONTEXT))


# -- the protective marking ------------------------------------------------------------------------

def header_text(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    return [p.text for s in document.sections for p in s.header.paragraphs]


def test_a_template_without_a_header_gets_the_marking_field_in_one():
    marked = supplied.mark_header(docx("{{ ref }}"), "RESTRICTED")
    assert marked is not None and header_text(marked)[0] == "{{ marking }}"
    supplied.inspect("t.docx", marked, FIELDS)
    filled = supplied.render("t.docx", marked, CONTEXT | {"marking": "OFFICIAL-SENSITIVE"})
    assert header_text(filled)[0] == "OFFICIAL-SENSITIVE"


def test_a_header_without_a_marking_keeps_its_text_below_the_marking():
    marked = supplied.mark_header(docx("x", header="Individual Management Review"), "RESTRICTED")
    assert header_text(marked)[:2] == ["{{ marking }}", "Individual Management Review"]


@pytest.mark.parametrize("header", ["RESTRICTED", "Restricted — IMR", "OFFICIAL-SENSITIVE",
                                    "CONFIDENTIAL", "{{ marking }}", "{{marking|upper}}"])
def test_a_header_that_has_a_marking_is_left_as_it_is(header):
    assert supplied.mark_header(docx("x", header=header), "RESTRICTED") is None


def test_a_split_marking_in_a_header_counts():
    document = Document()
    for piece in ("RESTR", "ICTED"):
        document.sections[0].header.paragraphs[0].add_run(piece)
    out = io.BytesIO()
    document.save(out)
    assert supplied.mark_header(out.getvalue(), "RESTRICTED") is None


def test_every_header_a_reader_sees_gets_the_marking():
    document = Document()
    document.add_paragraph("one")
    document.sections[0].different_first_page_header_footer = True
    document.sections[0].header.paragraphs[0].add_run("Running head")
    document.sections[0].first_page_header.paragraphs[0].add_run("Cover")
    second = document.add_section(WD_SECTION.NEW_PAGE)
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].add_run("Appendix")
    out = io.BytesIO()
    document.save(out)
    marked = Document(io.BytesIO(supplied.mark_header(out.getvalue(), "RESTRICTED")))
    first, appendix = marked.sections
    assert first.header.paragraphs[0].text == "{{ marking }}"
    assert first.first_page_header.paragraphs[0].text == "{{ marking }}"
    assert appendix.header.paragraphs[0].text == "{{ marking }}"


def test_a_loop_that_slipped_past_the_check_is_stopped_not_run_to_the_end(monkeypatch):
    monkeypatch.setattr(supplied, "_problems", lambda *args: [])
    nested = ("{% for a in ref %}{% for b in ref %}{% for c in ref %}{% for d in ref %}"
              "{% endfor %}{% endfor %}{% endfor %}{% endfor %}")
    with pytest.raises(supplied.TemplateRefused, match="repeat so much"):
        supplied.render("t.docx", docx(nested), CONTEXT)
    short = "{% for a in 'abc' %}{{ a }}{% endfor %}"
    assert "abc" in text_of(supplied.render("t.docx", docx(short), CONTEXT))


def test_a_template_that_prints_an_object_is_refused_at_render(monkeypatch):
    monkeypatch.setattr(supplied, "_problems", lambda *args: [])
    with pytest.raises(supplied.TemplateRefused, match="only text"):
        supplied.render("t.docx", docx("{{ self }}"), CONTEXT)


# each passes the allow-list placeholder by placeholder, yet cannot be filled in
UNFILLABLE = ["{% if ref %}" * 120 + "deep" + "{% endif %}" * 120,
              "{% if ref %}a" + "{% elif author %}b" * 3000 + "{% endif %}",
              "{{ " + "ref if author else " * 400 + "ref }}",
              "{% if ref %}{% if author %}" * 60 + "x" + "{% endif %}{% endif %}" * 60]


@pytest.mark.parametrize("text", UNFILLABLE, ids=["nested-ifs", "elifs", "conditionals", "pairs"])
def test_a_template_that_passes_the_checks_but_cannot_be_filled_is_refused_at_upload(text):
    with pytest.raises(supplied.TemplateRefused) as refused:
        supplied.inspect("deep.docx", docx(text), FIELDS)
    assert "can't use" in str(refused.value)
