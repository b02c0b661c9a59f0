"""Supplied templates in chat: a template that reaches beyond its fields is refused, saying which
placeholder and why; a malformed one is refused with Jinja's message and line; odd placeholders
and a missing protective marking are pointed out when one is accepted."""

import io

from docx import Document

from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, texts
from tests.teams.test_approvals import host  # noqa: F401
from tests.teams.test_templates_in_chat import REF, fetch, link_in, review  # noqa: F401


def docx(*paragraphs: str, split: int = 0) -> bytes:
    document = Document()
    for text in paragraphs:
        p = document.add_paragraph()
        for piece in ([text[i:i + split] for i in range(0, len(text), split)] if split else [text]):
            p.add_run(piece)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def upload(teams, host, content: bytes, name: str = "Council IMR.docx") -> str:  # noqa: F811
    replies = await teams.send_files(BUSINESS_SERVICES, [host.url(name, content)],
                                     text=f"imr template upload {REF} imr")
    return texts(replies).replace("\\", "")  # Markdown escapes aside, as a reader sees it


async def generated_text(teams) -> tuple[str, list[str]]:
    replies = await teams.say(AUTHOR, f"imr template imr {REF}")
    reply = texts(replies)
    document = Document(io.BytesIO(await fetch(teams, link_in(reply))))
    return reply, [p.text for p in document.sections[0].header.paragraphs] + [
        p.text for p in document.paragraphs]


async def test_a_template_that_calls_a_method_is_refused_at_upload(review, host):  # noqa: F811
    reply = await upload(review, host, docx("IMR {{ ref }}",
                                            "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
                                            split=3))
    assert "I can't use “Council IMR․docx” as a template" in reply
    assert "{{ cycler.__init__.__globals__" in reply and "calls a function or method" in reply
    assert "(line 2)" in reply and "is now the imr template" not in reply
    _, lines = await generated_text(review)
    assert "IMR DDSCP/CSPR/2026/014" not in lines  # nothing was stored: the built-in one is used


async def test_each_refused_placeholder_is_named_with_its_reason(review, host):  # noqa: F811
    reply = await upload(review, host, docx("{{ ref['__class__'] }}", "{{ ref|attr('x') }}",
                                            "{% include 'other.docx' %}", "{% set x = ref %}"))
    assert "reaches into Python's internals (“__class__”)" in reply
    assert "uses the filter |attr, which is not allowed" in reply
    assert "loads another template" in reply and "sets a variable with {% set %}" in reply


async def test_a_malformed_template_is_refused_with_jinjas_message_and_line(review, host):  # noqa: F811
    reply = await upload(review, host, docx("Fine {{ ref }}", "Broken {% endif %}"))
    assert "line 2 of the body is not a well-formed placeholder" in reply
    assert "Encountered unknown tag 'endif'" in reply
    assert "near “Broken {% endif %}”" in reply


async def test_other_style_placeholders_and_unknown_fields_are_warned_of(review, host):  # noqa: F811
    reply = await upload(review, host, docx("Review «ref» by [author] {reference} <<qa_lead>>",
                                            "{{ ref }} {{ childname }}", split=4))
    assert "is now the imr template for DDSCP/CSPR/2026/014" in reply
    assert "placeholders written another way" in reply
    for placeholder in ("«ref»", "[author]", "{reference}", "<<qa_lead>>"):
        assert placeholder in reply
    assert "{{ childname }}" in reply and "will stay empty" in reply


async def test_a_template_without_a_marking_gets_one_in_its_header(review, host):  # noqa: F811
    reply = await upload(review, host, docx("IMR for {{ ref }}"))
    assert "Its header had no protective marking, so I added {{ marking }}" in reply
    _, lines = await generated_text(review)
    assert lines[0] == "RESTRICTED" and "IMR for DDSCP/CSPR/2026/014" in lines
