"""Templates in chat: the right document, prefilled; files reach Teams properly."""

import io

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import Activity
from docx import Document
from docxtpl import DocxTemplate

from imr_bot.domain.roles import Role
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, QA_LEAD, texts
from tests.teams.test_approvals import FileHost, host  # noqa: F401
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"


@pytest.fixture
async def review(teams):
    await log_review(teams, REF)
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD})
    return teams


def link_in(text: str) -> str:
    return text[text.index("/files/"):text.index(")", text.index("/files/"))]


async def fetch(teams, path: str) -> bytes:
    async with TestClient(TestServer(teams.app.web)) as client:
        response = await client.get(path)
        assert response.status == 200
        return await response.read()


async def test_a_prefilled_chronology_arrives_in_a_personal_chat(review):
    replies = await review.say(AUTHOR, f"imr template chronology {REF}")
    consent = [a for r in replies for a in (r.attachments or [])
               if a.content_type == "application/vnd.microsoft.teams.card.file.consent"]
    assert consent and consent[0].name == "DDSCP-CSPR-2026-014-chronology.docx"
    document = Document(io.BytesIO(await fetch(review, link_in(texts(replies)))))
    header = document.sections[0].header.paragraphs[0].text
    assert "Individual Management Review ref: DDSCP/CSPR/2026/014" in header
    assert "Arun Author" in "\n".join(p.text for p in document.paragraphs)


async def test_in_a_channel_a_template_comes_as_a_link(review):
    replies = await review.say_in_channel(AUTHOR, "<at>IMR bot</at> template action-plan")
    assert "/files/" in texts(replies)
    assert not any(r.attachments for r in replies)


async def test_templates_lists_the_kinds_and_an_unknown_kind_is_explained(review):
    assert "`interview`" in texts(await review.say(AUTHOR, "imr templates"))
    assert "There is no template “minutes”" in texts(await review.say(AUTHOR, "imr template minutes"))


async def test_allowing_the_upload_puts_the_file_and_shows_a_file_card(review):
    uploads = []

    async def receive(request):
        uploads.append((request.headers.get("Content-Range"), await request.read()))
        return web.json_response({})

    app = web.Application()
    app.router.add_put("/upload", receive)
    server = TestServer(app)
    await server.start_server()
    try:
        replies = await review.say(AUTHOR, f"imr template imr {REF}")
        consent = next(a for r in replies for a in (r.attachments or [])
                       if a.content_type.endswith("file.consent"))
        invoke = review._activity(AUTHOR, conversation=AUTHOR.chat, kind="personal",
                                  activity_type="invoke", value={
                                      "type": "fileUpload", "action": "accept",
                                      "context": consent.content["acceptContext"],
                                      "uploadInfo": {"name": consent.name,
                                                     "uploadUrl": str(server.make_url("/upload")),
                                                     "contentUrl": "https://onedrive.test/x.docx",
                                                     "uniqueId": "u1", "fileType": "docx"}})
        invoke.name = "fileConsent/invoke"
        await review.adapter.receive_activity(invoke)
        new = review._collect(AUTHOR.chat)
    finally:
        await server.close()
    ((content_range, body),) = uploads
    assert content_range == f"bytes 0-{len(body) - 1}/{len(body)}" and body.startswith(b"PK")
    info = [a for r in new if isinstance(r, Activity) for a in (r.attachments or [])
            if a.content_type.endswith("file.info")]
    assert info and info[0].content_url == "https://onedrive.test/x.docx"


async def test_an_uploaded_dhr_template_with_unknown_fields_is_reported_and_used(review, host):  # noqa: F811
    template = Document()
    template.add_paragraph("DHR IMR for {{ ref }} by {{ author }}; victim {{ victim_name }}; "
                           "panel {{ panel_chair }}")
    buffer = io.BytesIO()
    template.save(buffer)
    replies = await review.send_files(BUSINESS_SERVICES, [host.url("CSP DHR template.docx",
                                                                   buffer.getvalue())],
                                      text=f"imr template upload {REF} imr")
    reply = texts(replies)
    assert "is now the imr template for DDSCP/CSPR/2026/014" in reply
    assert "{{ panel_chair }}" in reply and "{{ victim_name }}" in reply
    generated = await review.say(AUTHOR, f"imr template imr {REF}")
    text = "\n".join(p.text for p in Document(io.BytesIO(
        await fetch(review, link_in(texts(generated))))).paragraphs)
    assert "DHR IMR for DDSCP/CSPR/2026/014 by Arun Author" in text
    assert DocxTemplate  # docxtpl renders supplied templates


async def test_only_business_services_upload_templates(review, host):  # noqa: F811
    replies = await review.send_files(AUTHOR, [host.url("t.docx", b"PK")],
                                      text=f"imr template upload {REF} imr")
    assert "only Business Services" in texts(replies)


async def test_a_blank_bradford_report_is_asked_for_by_its_pack(review):
    replies = await review.say_in_channel(AUTHOR, "<at>IMR bot</at> template imr --pack bradford")
    document = Document(io.BytesIO(await fetch(review, link_in(texts(replies)))))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "11\tANALYSIS" in headings
    assert "compiled by (insert NAME OF AUTHOR)" in "\n".join(p.text for p in document.paragraphs)


async def test_an_unknown_pack_is_explained_and_a_pack_needs_its_name(review):
    assert "There is no template pack “leeds”" in texts(
        await review.say(AUTHOR, "imr template imr --pack leeds"))
    assert "--pack derbyshire|bradford" in texts(await review.say(AUTHOR, "imr template imr --pack"))
