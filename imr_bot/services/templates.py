"""Templates in chat: the built-in packs (Derbyshire, Bradford), organisation-supplied templates
filled with docxtpl, and the automated document check for QA."""

from __future__ import annotations

from dataclasses import dataclass

from imr_bot.documents import checker, jobs, safety, supplied
from imr_bot.documents.safety import ArchiveLimits
from imr_bot.documents.templates import KINDS, PACKS, Prefill, build
from imr_bot.domain.errors import DocumentRefused, DomainError
from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.review import Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.submissions import DocumentKind

from .context import ServiceContext

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIELDS = {
    "ref": "the review's reference", "reference": "the review's reference",
    "author": "the report author", "qa_lead": "the QA senior lead",
    "review_type": "CSPR, DHR or other", "tor_start": "start of the terms of reference",
    "tor_end": "end of the terms of reference", "ddscp_due": "the DDSCP submission date",
    "today": "the date the document is made", "marking": "the protective marking",
}


def _kind(name: str) -> str:
    key = name.strip().lower()
    aliases = {"report": "imr", "chron": "chronology", "actionplan": "action-plan",
               "action": "action-plan", "interview-record": "interview"}
    key = aliases.get(key, key)
    if key not in KINDS:
        raise DomainError(f"There is no template “{name}”. Choose one of: {', '.join(KINDS)}.")
    return key


def _pack(name: str) -> str:
    key = name.strip().lower()
    if key not in PACKS:
        raise DomainError(f"There is no template pack “{name}”. Choose one of: {', '.join(PACKS)}.")
    return key


async def _prefill(ctx: ServiceContext, uow, review: Review | None, marking: str,
                   kind: str = "") -> Prefill:
    if review is None:
        return Prefill(today=ctx.clock.today(), marking=marking)
    names = {p.id: p.name for p in await uow.people.all()}
    actions = await _action_rows(uow, review, names) if kind == "action-plan" else ()
    return Prefill(actions=actions, reference=review.reference, author=names.get(review.people.get(Role.AUTHOR), ""),
                   qa_lead=names.get(review.people.get(Role.QA_LEAD), ""),
                   review_type=review.review_type.value, tor_start=review.tor_start,
                   tor_end=review.tor_end, ddscp_due=review.plan.deadline, today=ctx.clock.today(),
                   marking=marking)


async def _action_rows(uow, review: Review, names: dict[int, str]) -> tuple[tuple[str, ...], ...]:
    """The review's real actions, as the action plan template's rows (ACTION_PLAN_COLUMNS)."""
    from . import action_plans

    return tuple((f"{row.number}. {row.recommendation}", f"{row.what} ({row.status.lower()})",
                  row.owner, row.due.strftime("%d/%m/%Y"), row.outcome, row.evaluation,
                  "Yes" if row.immediate else "No")
                 for row in await action_plans.plan_rows(uow, review, names))


def _context(prefill: Prefill) -> dict:
    def d(day):
        return day.strftime("%d/%m/%Y") if day else ""

    return {"ref": prefill.reference, "reference": prefill.reference, "author": prefill.author,
            "qa_lead": prefill.qa_lead, "review_type": prefill.review_type,
            "tor_start": d(prefill.tor_start), "tor_end": d(prefill.tor_end),
            "ddscp_due": d(prefill.ddscp_due), "today": d(prefill.today), "marking": prefill.marking}


@dataclass(frozen=True)
class Generated:
    filename: str
    content: bytes
    review_id: int | None
    source: str  # "built-in" or the supplied template's file name


async def generate(ctx: ServiceContext, actor: Actor, kind_name: str, reference: str | None,
                   marking: str, pack: str | None = None) -> Generated:
    """`pack` (derbyshire, bradford) chooses the built-in pack, in place of the review's own,
    when no supplied template applies."""
    require(Permission.VIEW_STATUS, actor)
    kind = _kind(kind_name)
    pack = _pack(pack) if pack else None
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference) if reference else None
        prefill = await _prefill(ctx, uow, review, marking, kind)
        found = None
        if review is not None:
            found = await uow.org_templates.find(
                [f"review:{review.id}", f"type:{review.review_type.value}"], kind)
    # filled in outside any transaction: a supplied template is read in a document worker, and
    # rendered there only in the sandbox: one stored before uploads were checked is refused
    # rather than run, and the refusal is audited
    if found is not None:
        try:
            content = await ctx.documents.run(
                _render_supplied, ctx.documents.limits, found[0], found[1],
                _context(prefill), name=found[0],
                unreadable="the supplied template could not be filled in")
        except supplied.TemplateRefused:
            async with ctx.unit_of_work() as uow:
                await uow.audit.record(actor=actor.key, action="template.render_refused",
                                       at=ctx.clock.now(), review_id=review.id, kind=kind,
                                       source=found[0])
                await uow.commit()
            raise
        source = found[0]
    else:
        pack = pack or (review.template_pack if review else (
            "bradford" if kind in ("action-plan", "interview") else "derbyshire"))
        content, source = build(kind, pack, prefill), "built-in"
    slug = (review.reference.replace("/", "-") + "-") if review else ""
    async with ctx.unit_of_work() as uow:
        await uow.audit.record(actor=actor.key, action="template.generated", at=ctx.clock.now(),
                               review_id=review.id if review else None, kind=kind, source=source)
        await uow.commit()
    return Generated(f"{slug}{kind}.docx", content, review.id if review else None, source)


# -- in a document worker (documents/worker.py): the archive checked, then read ----------------
def _render_supplied(limits: ArchiveLimits, name: str, content: bytes, context: dict) -> bytes:
    safety.inspect(content, limits, name)
    return supplied.render(name, content, context)


def _inspect_supplied(limits: ArchiveLimits, name: str, content: bytes, fields,
                      marking: str) -> tuple[supplied.Inspection, bytes | None]:
    safety.inspect(content, limits, name)
    return supplied.inspect(name, content, fields), supplied.mark_header(content, marking)


@dataclass(frozen=True)
class Uploaded:
    """Where a supplied template now applies, and what its uploader should know about it."""
    where: str
    unknown: list[str]  # {{ fields }} the bot does not fill; they stay empty
    other_styles: list[str]  # placeholders written another way («ref», [author]); left as they are
    marked: bool  # the header had no protective marking, so {{ marking }} was added


async def upload(ctx: ServiceContext, actor: Actor, target: str, kind_name: str, filename: str,
                 content: bytes, marking: str = "RESTRICTED") -> Uploaded:
    """Business Services supply a .docx with {{ fields }}. One that uses anything but the fields
    and the few constructs `supplied` allows is refused, saying which placeholder and why."""
    require(Permission.EDIT_REVIEW, actor)
    kind = _kind(kind_name)
    if not filename.lower().endswith(".docx"):
        raise DomainError("A template must be a Word document (.docx).")
    try:
        inspection, marked = await ctx.documents.run(
            _inspect_supplied, ctx.documents.limits, filename, content, tuple(FIELDS), marking,
            name=filename, unreadable="it could not be read as a Word template")
    except supplied.TemplateRefused as refused:
        async with ctx.unit_of_work() as uow:
            await uow.audit.record(actor=actor.key, action="template.refused", at=ctx.clock.now(),
                                   kind=kind, problems=len(refused.problems))
            await uow.commit()
        raise
    content = marked or content
    unknown = inspection.unknown
    async with ctx.unit_of_work() as uow:
        type_names = {t.value.lower(): t for t in ReviewType}
        if target.strip().lower() in type_names:
            scope = f"type:{type_names[target.strip().lower()].value}"
            where = f"every {type_names[target.strip().lower()].value} review"
        else:
            review = await uow.reviews.require(target)
            scope, where = f"review:{review.id}", review.reference
        await uow.org_templates.put(scope, kind, filename, content, actor.key, ctx.clock.now())
        await uow.audit.record(actor=actor.key, action="template.uploaded", at=ctx.clock.now(),
                               kind=kind, scope=scope, unknown_fields=unknown,
                               marking_added=marked is not None)
        await uow.commit()
    return Uploaded(where, unknown, inspection.other_styles, marked is not None)


def catalogue() -> list[tuple[str, str, str]]:
    return [(k.name, k.title, ", ".join(PACKS[p] for p in k.packs)) for k in KINDS.values()]


@dataclass(frozen=True)
class _ToCheck:
    key: tuple  # what the result depends on: the documents' hashes, the pack, the period
    report: bytes | None = None
    chronology: bytes | None = None
    known: object = None  # the result (or refusal) already remembered: nothing was read


def _check_key(review: Review, documents) -> tuple:
    hashes = {d.kind: d.sha256 for d in documents
              if d.filename.lower().endswith(".docx") and not d.link}
    return ("check", hashes.get(DocumentKind.REPORT.value),
            hashes.get(DocumentKind.CHRONOLOGY.value), review.template_pack,
            review.tor_start, review.tor_end)


async def to_check(ctx: ServiceContext, uow, review: Review, documents) -> _ToCheck:
    """What the check of `documents` needs: nothing read when the same bytes were checked."""
    key = _check_key(review, documents)
    known = ctx.documents.known(key)
    if known is not None:
        return _ToCheck(key, known=known)
    contents = {}
    for document in documents:
        if document.filename.lower().endswith(".docx") and not document.link:
            contents[document.kind] = await uow.submissions.content(document.id)
    return _ToCheck(key, contents.get(DocumentKind.REPORT.value),
                    contents.get(DocumentKind.CHRONOLOGY.value))


async def run_check(ctx: ServiceContext, review: Review, pending: _ToCheck) -> checker.CheckResult:
    """The check, in a document worker, once per set of bytes; DocumentRefused (remembered too)
    when the worker could not finish it."""
    known = pending.known if pending.known is not None else ctx.documents.known(pending.key)
    if known is None:
        try:
            known = await ctx.documents.run(
                jobs.check, ctx.documents.limits, pending.report, pending.chronology,
                review.template_pack, (review.tor_start, review.tor_end),
                unreadable="the documents could not be read")
        except DocumentRefused as refused:
            known = refused
        ctx.documents.keep(pending.key, known)
    if isinstance(known, DocumentRefused):
        raise known
    return known


async def check_version(ctx: ServiceContext, uow, review: Review, version: int) -> checker.CheckResult:
    documents = await uow.submissions.documents(review.id, version)
    return await run_check(ctx, review, await to_check(ctx, uow, review, documents))


async def check_latest(ctx: ServiceContext, actor: Actor, reference: str) -> tuple[Review, int, checker.CheckResult]:
    require(Permission.VIEW_STATUS, actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        version = await uow.submissions.latest_version(review.id)
        if not version:
            raise DomainError(f"Nothing has been submitted for {review.reference} yet.")
        pending = await to_check(ctx, uow, review,
                                 await uow.submissions.documents(review.id, version))
    try:  # read outside the transaction: a worker may take its time
        return review, version, await run_check(ctx, review, pending)
    except DocumentRefused as refused:
        raise DomainError(f"I could not check {review.reference} version {version}: "
                          f"{refused.reason}.") from None
