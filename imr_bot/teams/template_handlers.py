"""Handlers for templates: documents returned in chat, supplied templates, the document check.

Files reach people the Teams way: in a personal chat a FileConsentCard (the user allows it, the bot
uploads to their OneDrive, then shows a FileInfoCard); in channels and group chats a link that works
once, for 15 minutes. Every download is audited.
"""

from __future__ import annotations

import aiohttp

from imr_bot.config import Settings
from imr_bot.domain.people import Actor
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.review import Review
from imr_bot.services import files, templates
from imr_bot.services.context import ServiceContext

from .attachments import (
    FetchPolicy,
    TooLarge,
    check_before_fetch,
    download,
)
from .commands import WHOLE_REFERENCE, HandlerGroup, command, first_word
from .document_views import document_check_card
from .turn import Turn

TEMPLATE_BYTES = 10 * 1024 * 1024


async def offer_file(ctx: ServiceContext, settings: Settings, turn: Turn, filename: str,
                     content: bytes, content_type: str, review_id: int | None,
                     description: str) -> None:
    token = await files.offer(ctx, filename=filename, content_type=content_type,
                              content=content, created_by=turn.actor.key, review_id=review_id)
    link = f"{settings.base_url}/files/{token}"
    if turn.scope == "personal":
        await turn.replies.offer_file(filename, description, len(content), token)
        await turn.say(f"Allow the upload above to save **{filename}** to your OneDrive, or "
                       f"[download it here]({link}) (the link works once, for 15 minutes).")
    else:
        await turn.say(f"**{filename}**: [download]({link}) (the link works once, for 15 minutes, "
                       "for the first person who opens it).")


class TemplateHandlers(HandlerGroup):
    key = "templates"

    def __init__(self, ctx: ServiceContext, settings: Settings):
        self.ctx = ctx
        self.settings = settings

    @command("templates", "templates", "The Word templates I can make, by partnership.",
             Permission.HELP, group="Documents")
    async def templates(self, turn: Turn, args: str) -> None:
        lines = [f"- `{name}`: {title} ({packs})" for name, title, packs in templates.catalogue()]
        await turn.say("Templates (`imr template KIND [REF] [--pack derbyshire|bradford]`; with a "
                       "reference, it is filled in with what I know of the review):\n\n"
                       + "\n".join(lines))

    @command("template", "template KIND [REF] [--pack PACK] | template upload REF|TYPE KIND",
             "A Word template (chronology, imr, action-plan, interview), filled in for a review; "
             "Business Services can upload an organisation's own template.", Permission.VIEW_STATUS,
             review=lambda args: _template_reference(args.split()), group="Documents")
    async def template(self, turn: Turn, args: str) -> None:
        words = args.split()
        if not words:
            await self.templates(turn, "")
            return
        if words[0].lower() == "upload":
            await self._upload(turn, words[1:])
            return
        pack = None
        if "--pack" in words:  # e.g. `imr template imr --pack bradford`: a blank Bradford report
            at = words.index("--pack")
            pack = words[at + 1] if at + 1 < len(words) else ""
            words = words[:at] + words[at + 2:]
            if not pack or not words:
                await turn.say("Use `imr template KIND [REF] --pack derbyshire|bradford`, e.g. "
                               "`imr template imr --pack bradford`.")
                return
        generated = await templates.generate(self.ctx, turn.actor, words[0],
                                             words[1] if len(words) > 1 else None,
                                             self.settings.protective_marking, pack)
        source = "" if generated.source == "built-in" else f" (from the supplied {generated.source})"
        await offer_file(self.ctx, self.settings, turn, generated.filename, generated.content,
                         templates.DOCX, generated.review_id, f"IMR template{source}")

    async def _upload(self, turn: Turn, words: list[str]) -> None:
        if len(words) != 2:
            await turn.say("Use `imr template upload REF|TYPE KIND` with the .docx attached, e.g. "
                           "`imr template upload DHR imr`. Fields are written {{ ref }}, "
                           "{{ author }}…: " + ", ".join(f"{k}" for k in templates.FIELDS) + "; "
                           "a template may also use {% if field %}…{% endif %} and |upper, "
                           "|lower or |default('…'), and nothing else.")
            return
        found = list(turn.request.files)
        if not found:
            await turn.say("Attach the .docx to the same message as the command.")
            return
        sent = found[0]
        name = sent.name
        require(Permission.EDIT_REVIEW, turn.actor)  # before anything is fetched
        try:
            check_before_fetch(sent, ("docx",), TEMPLATE_BYTES)
            content = await download(sent.url, TEMPLATE_BYTES,
                                     FetchPolicy.from_settings(self.settings))
        except TooLarge:
            await turn.say(f"“{plain(name)}” is over {TEMPLATE_BYTES // (1024 * 1024)} MB; a "
                           "template should be far smaller.")
            return
        except (aiohttp.ClientError, TimeoutError):  # the short-lived URL expired, or the network
            await turn.say(f"I couldn't download “{plain(name)}”. Please send it again.")
            return
        uploaded = await templates.upload(self.ctx, turn.actor, words[0], words[1], name,
                                          content, self.settings.protective_marking)
        said = f"“{plain(name)}” is now the {words[1]} template for {uploaded.where}."
        if uploaded.marked:
            said += (" Its header had no protective marking, so I added {{ marking }} at the top "
                     f"(it prints as {self.settings.protective_marking}).")
        if uploaded.unknown:
            said += ("\n\n⚠ These fields are not ones I can fill, and will stay empty: "
                     + ", ".join(f"{{{{ {u} }}}}" for u in uploaded.unknown)
                     + f". I know: {', '.join(templates.FIELDS)}.")
        if uploaded.other_styles:
            shown = uploaded.other_styles[:10]
            more = f" and {len(uploaded.other_styles) - len(shown)} more" if len(
                uploaded.other_styles) > len(shown) else ""
            said += ("\n\n⚠ These look like placeholders written another way; I only fill "
                     "fields written {{ like_this }}, so they will stay as they are: "
                     + ", ".join(plain(s) for s in shown) + more + ".")
        await turn.say(said)

    @command("check", "check REF", "Check the latest submitted report and chronology: sections, "
             "dates, key to initials, signature, abbreviations.", Permission.VIEW_STATUS,
             review=first_word, group="Documents",
             arguments=(WHOLE_REFERENCE,),
             ask="Tell me the review, e.g. `imr check DDSCP/CSPR/2026/014`.")
    async def check(self, turn: Turn, reference: str) -> None:
        review, version, result = await templates.check_latest(self.ctx, turn.actor, reference)
        await turn.card("document_check", document_check_card(
            result, f"Document check: {review.reference}, version {version}",
            quote=may_read_entries(review, turn.actor)))


def _template_reference(words: list[str]) -> str | None:
    """The review `imr template KIND REF [--pack PACK]` fills in, if any (an upload names a
    review or a type, and is for Business Services alone)."""
    if not words or words[0].lower() == "upload":
        return None
    if "--pack" in words:
        at = words.index("--pack")
        words = words[:at] + words[at + 2:]
    return words[1] if len(words) > 1 else None


def may_read_entries(review: Review, actor: Actor) -> bool:
    """Whether the check may quote the chronology's own words to `actor`: only to a person who
    holds a role on this review. Everyone else who may run `imr check` sees each finding named
    by its section, row and date, initials or term. (The one place that decides it: the
    review entitlement in domain/policy can take its place.)"""
    person = actor.person
    return person is not None and person.active and person.id in review.people.values()
