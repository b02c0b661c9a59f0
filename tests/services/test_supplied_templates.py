"""Supplied templates as use cases: a refused upload stores nothing and is audited; an accepted
one gets the protective marking in its header; a hostile template already in the database (stored
before uploads were checked) is refused when someone asks for it, and runs nothing."""

import io

import pytest
from docx import Document

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.documents.supplied import TemplateRefused
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.roles import Role
from imr_bot.services import commissioning, templates
from imr_bot.store.unit_of_work import UnitOfWork

REF = "R/1"


def docx(*paragraphs: str, header: str | None = None) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header is not None:
        document.sections[0].header.paragraphs[0].add_run(header)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
async def app(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
    async with UnitOfWork(database) as uow:
        person, _ = await uow.people.upsert(Person(email="bs@c.test", name="B S", roles=frozenset(
            {Role.BUSINESS_SERVICES})), clock.now())
        await uow.commit()
    app.actor = Actor(person.email, person.name, person)
    await commissioning.commission(app.ctx, app.actor, {
        "reference": REF, "review_type": "CSPR", "body": "DDSCP", "received": "",
        "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "AB"})
    return app


async def test_a_refused_upload_stores_nothing_and_is_audited(app, database, tmp_path):
    hostile = docx("{{ cycler.__init__.__globals__.os.popen('touch " + str(tmp_path / "ran")
                   + "').read() }}")
    with pytest.raises(TemplateRefused, match="calls a function or method"):
        await templates.upload(app.ctx, app.actor, REF, "imr", "t.docx", hostile)
    async with UnitOfWork(database) as uow:
        review = await uow.reviews.get(REF)
        assert await uow.org_templates.find([f"review:{review.id}"], "imr") is None
        actions = [e.action for e in await uow.audit.all()]
    assert actions[-1] == "template.refused" and "template.uploaded" not in actions
    assert not (tmp_path / "ran").exists()


async def test_an_accepted_upload_is_stored_with_the_marking_in_its_header(app, database):
    uploaded = await templates.upload(app.ctx, app.actor, REF, "imr", "t.docx",
                                      docx("IMR {{ ref }} «author» {{ childname }}"))
    assert uploaded.where == REF and uploaded.marked
    assert uploaded.unknown == ["childname"] and uploaded.other_styles == ["«author»"]
    generated = await templates.generate(app.ctx, app.actor, "imr", REF, "OFFICIAL-SENSITIVE")
    document = Document(io.BytesIO(generated.content))
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert "IMR R/1 «author»" in document.paragraphs[0].text


async def test_a_template_with_its_own_marking_is_stored_as_it_was(app, database):
    content = docx("IMR {{ ref }}", header="OFFICIAL-SENSITIVE")
    uploaded = await templates.upload(app.ctx, app.actor, REF, "imr", "t.docx", content)
    assert not uploaded.marked
    async with UnitOfWork(database) as uow:
        review = await uow.reviews.get(REF)
        assert (await uow.org_templates.find([f"review:{review.id}"], "imr"))[1] == content


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('touch CANARY').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum|attr('__globals__') }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "{% include '/etc/passwd' %}",
    "{{ '%999999999s' % ref }}",
])
async def test_a_hostile_template_stored_before_the_check_is_refused_when_asked_for(
        app, database, tmp_path, payload):
    async with UnitOfWork(database) as uow:
        review = await uow.reviews.get(REF)
        await uow.org_templates.put(f"review:{review.id}", "imr", "old.docx",
                                    docx(payload.replace("CANARY", str(tmp_path / "ran"))),
                                    "someone", app.ctx.clock.now())
        await uow.commit()
    with pytest.raises(TemplateRefused) as refused:
        await templates.generate(app.ctx, app.actor, "imr", REF, "RESTRICTED")
    assert "can't be filled in safely" in str(refused.value)
    assert "upload a corrected one" in str(refused.value)
    assert not (tmp_path / "ran").exists()
    async with UnitOfWork(database) as uow:
        last = (await uow.audit.all())[-1]
    assert last.action == "template.render_refused" and last.detail["source"] == "old.docx"
