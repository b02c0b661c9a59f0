"""Handlers for interviews with practitioners: the review's author records them on a card and
attaches each record (.docx, sent with the command); the interviewee and any second interviewer
agree it or ask for corrections on their card; the author agrees it too, or marks an interviewee
outside Teams as agreed on paper."""

from __future__ import annotations

from imr_bot.config import Settings
from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import DomainError
from imr_bot.domain.interviews import Decision, count, count_words
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import Permission
from imr_bot.domain.submissions import ACCEPTED_TYPES
from imr_bot.services import interviews
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from .attachments import FetchPolicy, TooLarge, check_before_fetch, download
from .commands import HandlerGroup, card_action, command, first_word
from .template_handlers import offer_file
from .turn import Turn, parse_id
from .views import outcome_data, table_data, table_row

DOCX = {"docx": ACCEPTED_TYPES["docx"]}
USAGE = ("`imr interview add REF`, `imr interview attach ID` (with the record sheet), "
         "`imr interview sheet ID`, `imr interview record ID`, `imr interview agree ID` or "
         "`imr interview paper ID DATE REASON`")


def _after_add(args: str) -> str | None:
    words = args.split()
    return words[1] if len(words) > 1 and words[0].lower() == "add" else None


def _id(word: str) -> int:
    return parse_id(word) if word.isdigit() and len(word) < 10 else 0


class InterviewHandlers(HandlerGroup):
    """Interviews with practitioners, their records and the agreement of both sides."""

    key = "interviews"

    def __init__(self, ctx: ServiceContext, settings: Settings):
        self.ctx = ctx
        self.settings = settings

    @command("interviews", "interviews REF", "A review's interviews with practitioners and "
             "whether each record is agreed.", Permission.VIEW_STATUS)
    async def list_interviews(self, turn: Turn, args: str) -> None:
        reference = first_word(args)
        if not reference:
            await turn.say("Tell me the review, e.g. `imr interviews DDSCP/CSPR/2026/014`.")
            return
        review, lines = await interviews.listed(self.ctx, turn.actor, reference)
        if not lines:
            await turn.say(f"{review.reference} has no interviews recorded yet. Its author adds "
                           f"one with `imr interview add {review.reference}`.")
            return
        rows = [table_row(line.interviewee, line.role or "—", format_date(line.interview.on),
                          line.status, item_detail=f"Interview {line.interview.id}; "
                                                   f"{line.interviewers}")
                for line in lines]
        await turn.card("table", table_data(
            f"Interviews for {review.reference}",
            count_words(count([line.interview for line in lines])) + ".",
            ("Interviewee", "Role", "Date", "Record"), rows))

    @command("interview", "interview add REF | attach ID | sheet ID | record ID | agree ID | "
             "paper ID DATE REASON", "Record an interview for a review you write, attach its "
             "record, or agree it.", Permission.VIEW_STATUS, review=_after_add)
    async def interview(self, turn: Turn, args: str) -> None:
        words = args.split()
        verb = words[0].lower() if words else ""
        target = words[1] if len(words) > 1 else ""
        if verb == "add" and target:
            await turn.card("interview_form", await interviews.form(self.ctx, turn.actor,
                                                                    target))
        elif verb == "attach" and target:
            await self._attach(turn, _id(target))
        elif verb == "sheet" and target:
            name, content = await interviews.prefilled(self.ctx, turn.actor, _id(target))
            await offer_file(self.ctx, self.settings, turn, name, content, DOCX["docx"], None,
                             "The interview record sheet, prefilled")
        elif verb == "record" and target:
            review, record, content = await interviews.record_file(self.ctx, turn.actor,
                                                                   _id(target))
            await offer_file(self.ctx, self.settings, turn, record.filename, content,
                             DOCX["docx"], review.id, f"Interview record, version {record.number}")
        elif verb == "agree" and target:
            await turn.card("interview_agree", await interviews.agreement_card(
                self.ctx, turn.actor, _id(target)))
        elif verb == "paper" and len(words) >= 4:
            changed = await interviews.agreed_on_paper(
                self.ctx, turn.actor, _id(target), None, words[2], " ".join(words[3:]))
            await turn.say("Recorded: the interviewee agreed the record on paper on "
                           f"{format_date(parse_date(words[2], today=self.ctx.clock.today()))}."
                           + ("" if changed.agreed else " Agree it yourself with "
                              f"`imr interview agree {changed.id}`."))
        else:
            await turn.say(f"Tell me what to do: {USAGE}.")

    async def _attach(self, turn: Turn, interview_id: int) -> None:
        files = list(turn.request.files)
        if len(files) != 1:
            await turn.say("Send the completed interview record sheet (.docx) with the message "
                           f"`imr interview attach {interview_id or 'ID'}`.")
            return
        sent = files[0]
        name = plain(sent.name)
        try:
            check_before_fetch(sent, DOCX, interviews.MAX_RECORD_BYTES)
            content = await download(sent.url, interviews.MAX_RECORD_BYTES,
                                     FetchPolicy.from_settings(self.settings))
        except TooLarge:
            await turn.say(f"“{name}” is over {interviews.MAX_RECORD_BYTES // (1024 * 1024)} MB.")
            return
        except DomainError:
            raise
        except Exception:  # the short-lived URL expired or the network failed
            await turn.say(f"I couldn't download “{name}”. Please send it again.")
            return
        changed = await interviews.attach(self.ctx, turn.actor, interview_id, sent.name, content)
        turn.deliver_soon()
        await turn.card("interview_agree", await interviews.agreement_card(
            self.ctx, turn.actor, changed.id))
        await turn.say(f"Version {changed.version} of the record is sent for agreement. Agree "
                       "it yourself on the card above.")

    # -- the form ---------------------------------------------------------------------------------
    @card_action("interview.add", Permission.RECORD_INTERVIEW, review=Target.REFERENCE)
    async def on_add(self, turn: Turn, value: dict) -> None:
        review, interview, said = await interviews.add(
            self.ctx, turn.actor, str(value.get("reference") or ""),
            on_text=str(value.get("on") or ""),
            interviewee_email=str(value.get("interviewee") or ""),
            role=str(value.get("role") or ""), agency=str(value.get("agency") or ""),
            second_email=str(value.get("second") or ""))
        await turn.show_card("outcome", outcome_data(
            f"Interview recorded for {review.reference}",
            f"Interview {interview.id} with {said}, on {format_date(interview.on)}. Get its "
            f"record sheet prefilled with `imr interview sheet {interview.id}`, then send it "
            f"back completed with `imr interview attach {interview.id}`.", colour="Good"))

    # -- the parties' card ------------------------------------------------------------------------
    @card_action("interview.agree", Permission.ANSWER_INTERVIEW, review=None)
    async def on_agree(self, turn: Turn, value: dict) -> None:
        await self._decide(turn, value, Decision.AGREED)

    @card_action("interview.corrections", Permission.ANSWER_INTERVIEW, review=None)
    async def on_corrections(self, turn: Turn, value: dict) -> None:
        await self._decide(turn, value, Decision.CORRECTIONS)

    async def _decide(self, turn: Turn, value: dict, decision: Decision) -> None:
        changed = await interviews.decide(self.ctx, turn.actor, parse_id(value.get("interviewId")),
                                          decision, value.get("version"),
                                          str(value.get("comment") or ""))
        await turn.show_card("interview_agree", await interviews.agreement_card(
            self.ctx, turn.actor, changed.id))
        if decision == Decision.CORRECTIONS:
            await turn.say("Thank you: your corrections are recorded. The author will send a new "
                           "version of the record for you to agree.")
        elif changed.agreed:
            await turn.say("Thank you: the record is now agreed by the interviewer and the "
                           "interviewee.")
        else:
            await turn.say("Thank you: your agreement is recorded.")

