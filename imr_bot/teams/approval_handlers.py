"""Handlers for submission and approval: files in, approval cards out (Action.Execute)."""

from __future__ import annotations

from imr_bot.config import Settings
from imr_bot.domain.errors import DomainError
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import Permission
from imr_bot.domain.roles import Role
from imr_bot.domain.submissions import (
    ACCEPTED_TYPES,
    MAX_FILE_BYTES,
    Decision,
    DocumentKind,
    Level,
    file_kind,
)
from imr_bot.domain.urls import Link, document_link, looks_like_link
from imr_bot.domain.words import plural
from imr_bot.services import approvals
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from . import notice_views, views
from .action_handlers import offer_after_qa_approval
from .attachments import FetchPolicy, PastedLink, TooLarge, check_before_fetch, download
from .commands import (
    PERSONAL,
    WHOLE_REFERENCE,
    HandlerGroup,
    card_action,
    command,
    first_word,
)
from .turn import Turn, parse_id

SUBMITTING = "imr.submitting"  # conversation state: the review the author is sending files for



def _links(words: list[str], organisation_hosts: tuple[str, ...]) -> list[str]:
    """The links after `imr submit REF`, each strictly read; a word that is not a link, or a
    link that is refused, is said rather than skipped (BadLink, DomainError)."""
    links = []
    for word in words:
        if not looks_like_link(word):
            shown = plain(word if len(word) <= 40 else word[:40] + "…")
            raise DomainError(f"“{shown}” is not a link. After the review's reference, paste "
                              "only SharePoint or OneDrive links, each starting with https://.")
        links.append(document_link(word, organisation_hosts).url)
    return links


def _named_kind(label: str) -> DocumentKind | None:
    lowered = label.lower()
    if "chron" in lowered:
        return DocumentKind.CHRONOLOGY
    if "report" in lowered:
        return DocumentKind.REPORT
    return None


def _kinds(pasted: list[PastedLink], links: list[Link],
           missing: list[str]) -> list[DocumentKind | None]:
    """Which document each pasted link is: as labelled ("chronology: https://…", or the name
    Teams showed), or as its file's name says; a link that says neither is the next document
    still missing (the report, then the chronology), else judged by its name."""
    kinds = [_named_kind(p.label) or _named_kind(link.filename)
             for p, link in zip(pasted, links, strict=True)]
    free = [DocumentKind(m) for m in missing if DocumentKind(m) not in kinds]
    return [kind or (free.pop(0) if free else None) for kind in kinds]


class ApprovalHandlers(HandlerGroup):
    key = "approvals"

    def __init__(self, ctx: ServiceContext, settings: Settings):
        self.ctx = ctx
        self.settings = settings

    @command("submit", "submit REF [links | cancel]", "Send the report and the chronology to the "
             "QA lead as files or SharePoint/OneDrive links; after amendments, only what changed.", Permission.VIEW_STATUS, scopes=PERSONAL,
             review=first_word, group="Documents", audience=frozenset({Role.AUTHOR}))
    async def submit(self, turn: Turn, args: str) -> None:
        words = args.split()
        if not words:
            await turn.say("Tell me the review, e.g. `imr submit DDSCP/CSPR/2026/014`.")
            return
        reference = words[0]
        ctx = self.ctx
        if len(words) > 1 and words[1].lower() == "cancel":
            removed = await approvals.discard(ctx, turn.actor, reference)
            await turn.conversation.set_submitting(None)
            await turn.say(f"Cleared {plural(removed, 'document')} waiting to be submitted.")
            return
        rest, pasted = words[1:], list(turn.request.links)
        hidden = any(p.url not in args for p in pasted)  # an address only in the markup
        if rest and hidden and not all(looks_like_link(w) for w in rest):
            # Teams showed a pasted link by its name: its address is in the message's markup
            named = [document_link(p.url, ctx.document_hosts) for p in pasted]  # BadLink
            links = [link.url for link in named]
        else:
            named = None
            links = _links(rest, ctx.document_hosts)  # every link checked before anything changes
        gathered = await approvals.start(ctx, turn.actor, reference)
        await turn.conversation.set_submitting(gathered.review.reference)
        kinds = (_kinds(pasted, named, gathered.missing()) if named is not None
                 else [None] * len(links))
        for url, kind in zip(links, kinds, strict=True):
            gathered = await approvals.add_link(ctx, turn.actor, reference, url, kind)
        if turn.request.files:  # files sent with the command itself are part of it
            await self.on_files(turn)
            return
        await self._progress(turn, gathered)
        if not gathered.ready and not links:  # or a box per document, for links
            await turn.card("submit_links", {"reference": gathered.review.reference})

    async def _progress(self, turn: Turn, gathered) -> None:
        if gathered.ready:
            await turn.card("submit_confirm", views.submit_confirm(gathered))
        else:
            await turn.say(views.submission_prompt(gathered))

    # the amendments card's button: the same as typing `imr submit REF`
    @card_action("submit.new_version", Permission.SUBMIT_REPORT, review=Target.REFERENCE)
    async def on_new_version(self, turn: Turn, value: dict) -> None:
        await self.submit(turn, str(value.get("reference") or ""))

    async def on_files(self, turn: Turn) -> bool:
        """Files sent, or links pasted, in the personal chat: part of a submission if one is
        being gathered."""
        files = list(turn.request.files)
        if not files:
            return await self._on_links(turn)
        reference = await turn.conversation.submitting()
        if not reference:
            await turn.say("Which review are these for? Type `imr submit REF` first, then send "
                           "the files again.")
            return True
        gathered = None
        policy = FetchPolicy.from_settings(self.settings)
        for sent in files:
            name = plain(sent.name)
            try:
                file_kind(sent.name)  # the submission's own rule, said before anything is fetched
                check_before_fetch(sent, ACCEPTED_TYPES, MAX_FILE_BYTES)
                content = await download(sent.url, MAX_FILE_BYTES, policy)
                gathered = await approvals.add_file(self.ctx, turn.actor, reference,
                                                    sent.name, content)
            except TooLarge:
                await turn.say(f"“{name}” is over {MAX_FILE_BYTES // (1024 * 1024)} MB; please "
                               "share a SharePoint or OneDrive link instead.")
            except DomainError as error:
                await turn.say(str(error))
            except Exception:  # the short-lived URL expired or the network failed
                await turn.say(f"I couldn't download “{name}”. Please send it again.")
        if gathered is not None:
            await self._progress(turn, gathered)
        return True

    async def _on_links(self, turn: Turn) -> bool:
        """Links pasted after `imr submit REF` asked for them: taken as the report and the
        chronology. Every link is checked before anything changes; a refusal says why."""
        pasted = list(turn.request.links)
        if not pasted:
            return False
        reference = await turn.conversation.submitting()
        if not reference and len(turn.request.text.split()) > 2 * len(pasted):
            return False  # words with a link in them, and no documents asked for: no submission
        if not reference:
            these = "this link" if len(pasted) == 1 else "these links"
            one = len(pasted) == 1
            await turn.say(f"Which review is {these} for? Type `imr submit REF` first, then paste "
                           f"{'it' if one else 'them'} again (or type `imr submit REF` followed "
                           f"by the {'link' if one else 'links'}).")
            return True
        if len(pasted) > len(DocumentKind):
            await turn.say("Please paste at most two links: the report's and the chronology's. "
                           "Nothing was added.")
            return True
        links = [document_link(p.url, self.ctx.document_hosts) for p in pasted]  # BadLink
        gathered = await approvals.start(self.ctx, turn.actor, reference)
        for link, kind in zip(links, _kinds(pasted, links, gathered.missing()), strict=True):
            gathered = await approvals.add_link(self.ctx, turn.actor, reference, link.url, kind)
        await self._progress(turn, gathered)
        return True

    @card_action("submit.links", Permission.SUBMIT_REPORT, review=Target.REFERENCE)
    async def on_submit_links(self, turn: Turn, value: dict) -> None:
        """The links form: a box per document; an empty box is left as it is. Every link is
        checked before anything changes."""
        reference = str(value.get("reference") or "")
        given = [(kind, str(value.get(f"{kind.value}_link") or "").strip())
                 for kind in DocumentKind]
        given = [(kind, text) for kind, text in given if text]
        if not given:
            await turn.say("Paste a link in the report's box, the chronology's, or both, then "
                           "press **Add these links**.")
            return
        links = []
        for kind, text in given:
            try:
                links.append((kind, document_link(text, self.ctx.document_hosts)))
            except DomainError as error:
                raise DomainError(f"The {kind.value}'s link: {error} Nothing was added.") from None
        gathered = await approvals.start(self.ctx, turn.actor, reference)
        await turn.conversation.set_submitting(gathered.review.reference)
        for kind, link in links:
            gathered = await approvals.add_link(self.ctx, turn.actor, reference, link.url, kind)
        await self._progress(turn, gathered)

    @card_action("submit.confirm", Permission.SUBMIT_REPORT, review=Target.REFERENCE)
    async def on_submit_confirm(self, turn: Turn, value: dict) -> None:
        review, version, level = await approvals.submit(self.ctx, turn.actor,
                                                        str(value.get("reference") or ""))
        await turn.conversation.set_submitting(None)
        turn.deliver_soon()
        await turn.say(f"Submitted **{review.reference}** version {version} to the {level.title}.")

    @card_action("submit.discard", Permission.SUBMIT_REPORT, review=Target.REFERENCE)
    async def on_submit_discard(self, turn: Turn, value: dict) -> None:
        reference = str(value.get("reference") or "")
        removed = await approvals.discard(self.ctx, turn.actor, reference)
        await turn.say(f"Cleared {plural(removed, 'document')}. Send the report and the chronology again.")

    @command("submitted", "submitted REF [DATE]", "Record that the IMR went to DDSCP (today, or "
             "on DATE) and close the review (Business Services).", Permission.EDIT_REVIEW,
             review=first_word, group="Documents")
    async def submitted(self, turn: Turn, args: str) -> None:
        reference, _, rest = args.strip().partition(" ")
        if not reference:
            await turn.say("Tell me the review, e.g. `imr submitted DDSCP/CSPR/2026/014 12/02/2027`.")
            return
        asked = await approvals.prepare_ddscp_submission(self.ctx, turn.actor, reference, rest)
        await turn.card("ddscp_confirm", views.ddscp_confirm(asked))

    # -- the confirmation card of `imr submitted`: Action.Execute, so the card is replaced by
    # what was done and its buttons cannot be pressed again; a stale copy pressed again is told
    # that the review is already closed, and nothing more is recorded
    @card_action("ddscp.confirm", Permission.EDIT_REVIEW, review=Target.REFERENCE,
                 invoke="message")
    async def on_ddscp_confirm(self, turn: Turn, data: dict) -> dict:
        review, told = await approvals.record_ddscp_submission(
            self.ctx, turn.actor, str(data.get("reference") or ""), str(data.get("on") or ""))
        turn.deliver_soon()
        return {"text": f"Recorded: {review.reference} was submitted to DDSCP. The review is "
                        f"closed. {told}".strip()}

    @card_action("ddscp.cancel", Permission.EDIT_REVIEW, review=Target.REFERENCE,
                 invoke="message")
    async def on_ddscp_cancel(self, turn: Turn, data: dict) -> dict:
        reference = plain(str(data.get("reference") or ""))[:60]
        return {"text": f"Nothing was recorded: {reference} is still open."}

    @command("delegate", "delegate REF EMAIL", "Let someone else make the pending approval "
             "decision on a review (Head of CP & IRO).", Permission.ALLOCATE, scopes=PERSONAL,
             review=first_word, group="Documents")
    async def delegate(self, turn: Turn, args: str) -> None:
        words = args.split()
        if len(words) != 2:
            await turn.say("Use `imr delegate REF EMAIL`.")
            return
        review, person, level = await approvals.delegate(self.ctx, turn.actor, *words)
        turn.deliver_soon()
        await turn.say(f"{plain(person.name)} may now make the {level.title}'s decision on "
                       f"{review.reference}; they have been sent the card.")

    @command("history", "history REF", "A review's audit trail: every change, who and when.",
             Permission.VIEW_HISTORY, review=first_word,
             arguments=(WHOLE_REFERENCE,),
             ask="Tell me the review, e.g. `imr history DDSCP/CSPR/2026/014`.")
    async def history(self, turn: Turn, reference: str) -> None:
        review, lines = await approvals.history(self.ctx, turn.actor, reference)
        await turn.card("table", views.history_table(review.reference, lines))

    # -- Action.Execute: each returns the approval card's data to show in place of the clicked one
    @card_action("approval.refresh", Permission.VIEW_REVIEW, review=Target.REVIEW_ID,
                 invoke="approval")
    async def on_approval_refresh(self, turn: Turn, data: dict) -> dict:
        review_id, version, level = _approval_card(data)
        return notice_views.approval_card(
            await approvals.view(self.ctx, turn.actor, review_id, version, level))

    @card_action("approval.approve", Permission.DECIDE_APPROVAL, review=Target.REVIEW_ID,
                 invoke="approval")
    async def on_approval_approve(self, turn: Turn, data: dict) -> dict:
        return await self._decide_on_card(turn, data, Decision.APPROVED)

    @card_action("approval.amend", Permission.DECIDE_APPROVAL, review=Target.REVIEW_ID,
                 invoke="approval")
    async def on_approval_amend(self, turn: Turn, data: dict) -> dict:
        return await self._decide_on_card(turn, data, Decision.AMENDMENTS)

    async def _decide_on_card(self, turn: Turn, data: dict, decision: Decision) -> dict:
        review_id, version, level = _approval_card(data)
        checklist = [k for k, v in data.items() if k.startswith("check_") and str(v) == "true"]
        outcome = await approvals.click(
            self.ctx, turn.actor, review_id, version, level, decision,
            str(data.get("comment") or ""), checklist,
            unticked_confirmed=str(data.get("nothingTicked")) == "confirmed")
        if outcome.recorded:
            turn.deliver_soon()
            if decision == Decision.APPROVED and level == Level.QA:  # issue 24: the plan
                await offer_after_qa_approval(self.ctx, turn, outcome.view.reference)
        return notice_views.approval_card(outcome.view)


def _approval_card(data: dict) -> tuple[int, int, Level]:
    """Which review, version and level an approval card is for."""
    try:
        return parse_id(data.get("reviewId")), parse_id(data.get("version")), Level(
            str(data.get("level")))
    except (DomainError, ValueError):
        raise DomainError("That card's data is not valid.") from None
