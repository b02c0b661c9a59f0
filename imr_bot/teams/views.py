"""Service results as card data: the values each card template in cards/ is bound with."""

from __future__ import annotations

from typing import Any

from imr_bot.domain.action_plan import progress_words
from imr_bot.domain.commission_form import COMMISSION_FIELDS
from imr_bot.domain.dates import ACCEPTED_FORMS, format_date, format_when
from imr_bot.domain.interviews import count_words
from imr_bot.domain.plain_text import Markdown
from imr_bot.domain.plan import Milestone, PlanRow
from imr_bot.domain.rag import RAG_RULE, deadline_text, left_words
from imr_bot.domain.review import Commission
from imr_bot.domain.words import plural
from imr_bot.services.notifications import RAG_COLOURS, days_left_words
from imr_bot.services.planning import PlanPreview
from imr_bot.services.tracker import BoardPage, ReviewDetail


def help_data(groups: list[tuple[str, list[tuple[str, str]]]]) -> dict[str, Any]:
    # the commands' declarations, the bot's own words, in the help card's sections
    return {"groups": [{"title": title, "commands": [
                {"usage": Markdown(usage), "help": Markdown(text)} for usage, text in commands]}
                for title, commands in groups],
            "ragRule": RAG_RULE, "dateForms": ACCEPTED_FORMS}


def plan_rows(rows: list[PlanRow]) -> list[dict[str, Any]]:
    return [{"day": str(r.day), "milestone": r.milestone.title, "date": format_date(r.due)}
            for r in rows]


def plan_data(preview: PlanPreview) -> dict[str, Any]:
    moved = ""
    if preview.day_one != preview.received:
        moved = (f"Received on {format_date(preview.received)}, which is not a working day, "
                 f"so Day 1 is {format_date(preview.day_one)}. ")
    return {
        "title": "Plan for a request received " + format_date(preview.received),
        "subtitle": ("Re-based to the agreed DDSCP date." if preview.rebased else
                     "Default timescale from the IMR workflow (Appendix 2)."),
        "rows": plan_rows(preview.rows),
        "note": moved + "Working days: weekends and bank holidays in England are skipped.",
    }


def board_data(board: BoardPage, scope: str) -> dict[str, Any]:
    titles = {"all": "Open IMRs", "mine": "My IMRs", "overdue": "Overdue IMRs"}
    return {
        "title": titles.get(scope, "Open IMRs"),
        "subtitle": (f"{plural(board.total, 'open review')}, most urgent first"
                     + (f" — showing {board.first + 1}–{board.first + len(board.rows)}"
                        if board.total > board.page_size else "")
                     + ". Days left are working days; negative means overdue."),
        "rows": [{
            "reference": r.reference, "stage": r.stage.title,
            "milestone": r.milestone.title if r.milestone else "—",
            "due": format_date(r.due), "daysLeft": days_left_words(r.working_days_left),
            "rag": r.rag.title, "ragColour": RAG_COLOURS[r.rag], "holder": r.holder,
            "waiting": [{"text": line} for line in r.waiting],
        } for r in board.rows],
        "hint": Markdown("Select a reference to see its timeline and people, or type "
                         "`imr status REF`."),
        "more": board.more, "nextPage": board.page + 1, "scope": scope,
        # the other views of the board, one press away
        "scopes": [{"title": title, "scope": other} for other, title in titles.items()
                   if other != scope],
    }


def review_data(detail: ReviewDetail) -> dict[str, Any]:
    review, where = detail.review, detail.standing
    if where.milestone and where.due:
        # the days left are counted to the deadline (below), never to this milestone: they would
        # jump each time a stage ends; an overdue milestone is said, it is what the RAG is about
        left = where.working_days_left
        late = f" ({left_words(left)})" if left is not None and left < 0 else ""
        next_text = (f"{where.milestone.title} (the deadline){late}"
                     if where.milestone == Milestone.DDSCP_SUBMISSION
                     else f"{where.milestone.title} by {format_date(where.due)}{late}")
    else:
        next_text = "—"
    return {
        "reference": review.reference,
        "reviewType": review.review_type.title, "body": review.body.value,
        "stage": review.stage.title, "next": next_text, "rag": where.rag.title,
        "deadline": (deadline_text(review.plan.deadline, detail.deadline_left)
                     if review.is_open else "—"),
        "actionPlan": progress_words(detail.action_plan) if detail.action_plan else "",
        "interviews": count_words(detail.interviews) if detail.interviews else "",
        "holder": detail.holder,
        "tor": f"{format_date(review.tor_start)} to {format_date(review.tor_end)}",
        "timeline": [_timeline_row(t) for t in detail.timeline],
        "people": [{"role": role, "name": name} for role, name in detail.people],
        "recent": [{"at": format_when(a.at), "what": a.action} for a in detail.recent],
        "waiting": [{"text": line} for line in detail.waiting],
        "hasWaiting": bool(detail.waiting),
    }


def _timeline_row(row) -> dict[str, str]:
    if row.received is not None:  # Day 1 is the first working day on or after it
        actual = f"received {format_date(row.received)}"
    else:
        actual = format_date(row.actual) if row.actual else ""
    return {"day": str(row.day) if row.day is not None else "", "milestone": row.what,
            "planned": format_date(row.planned) if row.planned else "", "actual": actual}


def form_values_for_card(values: dict[str, str]) -> dict[str, str]:
    """Typed answers shown back in the form: dates in the form's own ISO shape."""
    from imr_bot.domain.dates import parse_date
    from imr_bot.domain.errors import BadDate

    shown = {f.name: values.get(f.name, "") or "" for f in COMMISSION_FIELDS}
    for name in ("received", "tor_start", "tor_end", "ddscp_date"):
        try:
            if shown[name] and shown[name].lower() not in ("skip", "today"):
                shown[name] = parse_date(shown[name]).isoformat()
        except BadDate:
            pass  # kept as typed; the error beside it says why
    if not shown["review_type"]:
        shown["review_type"] = "CSPR"
    if not shown["body"]:
        shown["body"] = "DDSCP"
    if shown["template_pack"] not in ("derbyshire", "bradford"):
        shown["template_pack"] = "derbyshire"
    return shown


def form_data(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {"values": form_values_for_card(values), "errors": errors, "hasErrors": bool(errors)}


def confirm_data(commission: Commission, rows: list[PlanRow]) -> dict[str, Any]:
    return {
        "reference": commission.reference, "reviewType": commission.review_type.title,
        "body": commission.body.value, "received": format_date(commission.received),
        "tor": f"{format_date(commission.tor_start)} to {format_date(commission.tor_end)}",
        "initials": commission.subject_initials, "notes": commission.notes or "—",
        "rows": plan_rows(rows),
    }



def outcome_data(title: str, outcome: str, *, colour: str = "Default", note: str = "",
                 facts: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """A card whose moment has passed: what happened, without buttons."""
    return {"title": title, "outcome": outcome, "colour": colour, "note": note,
            "facts": [{"title": t, "value": v} for t, v in facts or []],
            "hasFacts": bool(facts)}


# -- the table card (cards/table.json): a title, four headed columns, a row per thing -----------
def table_row(item: str, first: str, second: str, third: str, *,
              item_detail: str = "") -> dict[str, str]:
    """One row: the thing it is about (bold, with a quieter detail under it), then three values."""
    return {"item": item, "itemDetail": item_detail, "first": first, "second": second,
            "third": third}


def table_data(title: str, subtitle: str, headings: tuple[str, str, str, str],
               rows: list[dict[str, str]]) -> dict[str, Any]:
    item, first, second, third = headings
    return {"title": title, "subtitle": subtitle, "rows": rows,
            "headings": {"item": item, "first": first, "second": second, "third": third}}


def reminders_table(reference: str, planned, sent) -> dict[str, Any]:
    """`imr reminders`: the reminders planned (working days ahead), then the last ones sent."""
    rows = [table_row(format_date(p.day), p.text, p.recipients, "Planned") for p in planned]
    for line in sent[-20:]:
        rows.append(table_row(line.at, line.what, "", line.status[:1].upper() + line.status[1:]))
    return table_data(f"Reminders for {reference}", "Planned (working days only, 08:00-18:00) "
                      "and already sent.", ("Day", "Reminder", "To", "Status"), rows)


HISTORY_SHOWN = 60


def history_table(reference: str, lines) -> dict[str, Any]:
    """`imr history`: the audit trail, the last 60 entries, oldest first."""
    return table_data(f"History of {reference}", f"{plural(len(lines), 'entry')}, oldest first"
                      + (f" (the last {HISTORY_SHOWN} shown)." if len(lines) > HISTORY_SHOWN else "."),
                      ("When", "What", "Who", ""),
                      [table_row(line.at, line.what, line.who, "") for line in lines[-HISTORY_SHOWN:]])


def meetings_table(reference: str, lines) -> dict[str, Any]:
    """`imr meeting`: a review's meetings and who is awaited."""
    return table_data(f"Meetings for {reference}", "Times are UK time.",
                      ("Meeting", "When", "Status", "Waiting for"),
                      [table_row(line.title, line.when, line.status, line.waiting_for)
                       for line in lines])


def fairness_table(loads) -> dict[str, Any]:
    """`imr people load`: open IMRs and the last year's allocations per person, as author and as
    QA senior lead (an offer never taken up is no allocation)."""
    return table_data(
        "Fairness: IMRs per person", "Open IMRs now, and IMRs allocated in the last 12 months "
        "(offers withdrawn or declined before they were accepted are not counted).",
        ("Person", "Open IMRs", "Offers awaiting an answer", "Allocated in 12 months"),
        [table_row(r.person.name, _as_roles(r.open_imrs, r.qa_open), str(r.open_offers),
                   _as_roles(r.allocations_12_months, r.qa_allocations_12_months),
                   item_detail=r.person.service) for r in loads])


def _as_roles(author: int, qa_lead: int) -> str:
    """`2 as author, 1 as QA senior lead`, or `none`."""
    said = [f"{n} as {role}" for n, role in ((author, "author"), (qa_lead, "QA senior lead")) if n]
    return ", ".join(said) or "none"


def pool_table(loads, today) -> dict[str, Any]:
    """`imr people`: the pool, with each person's load and availability."""
    return table_data(
        "The IMR pool", "Authors and QA senior leads, with their current load.",
        ("Person", "Roles", "Load", "Availability"),
        [table_row(r.person.name, ", ".join(sorted(x.title for x in r.person.roles)),
                   _load_words(r),
                   availability(r.person, today), item_detail=r.person.email) for r in loads])


def _load_words(row) -> str:
    """`1 of 2 as author, 2 of 2 as QA senior lead`: each role's open IMRs (an author's offers
    awaiting an answer count) against the person's maximum, which holds in each role."""
    from imr_bot.domain.roles import Role

    most = row.person.max_concurrent
    said = []
    if Role.AUTHOR in row.person.roles:
        said.append(f"{row.open_imrs + row.open_offers} of {most} as author")
    if Role.QA_LEAD in row.person.roles:
        said.append(f"{row.qa_open} of {most} as QA senior lead")
    return ", ".join(said)


def availability(person, today) -> str:
    upcoming = [p for p in person.leave if p.ends >= today]
    if not upcoming:
        return "available"
    first = min(upcoming, key=lambda p: p.starts)
    return f"leave {format_date(first.starts)} to {format_date(first.ends)}"


def actions_table(title: str, subtitle: str, lines) -> dict[str, Any]:
    """`imr actions`: actions of the action plan, each with its review, owner, date and status."""
    rows = []
    for line in lines:
        action, recommendation = line.action, line.recommendation
        number = f"{recommendation.number}. " if recommendation is not None else ""
        status = action.status.title + (" (needed immediately)" if action.immediate else "")
        due = f"{format_date(action.due)} ({days_left_words(line.working_days_left)})" if (
            action.status.value in ("proposed", "agreed", "in_progress")) else format_date(
            action.due)
        rows.append(table_row(f"{number}{action.what}", line.owner, due, status,
                              item_detail=line.reference))
    return table_data(title, subtitle, ("Action", "Owner", "By", "Status"), rows)


def themes_table(counts) -> dict[str, Any]:
    """`imr themes`: across reviews, each theme recommendations carry (domain.action_themes
    ThemeCount), with how many of its actions are done, overdue and evidenced."""
    rows = []
    for count in counts:
        detail = (f"{plural(count.reviews, 'review')}, "
                  f"{plural(count.recommendations, 'recommendation')}, "
                  f"{plural(count.actions, 'action')}"
                  + ("; keeps coming back" if count.recurring else ""))
        rows.append(table_row(count.theme[:1].upper() + count.theme[1:],
                              f"{count.done} of {count.actions}", str(count.overdue),
                              f"{count.evidenced} of {count.actions}", item_detail=detail))
    recurring = sum(c.recurring for c in counts)
    return table_data("Action plan themes across reviews",
                      f"{plural(len(counts), 'theme')}; {recurring} in more than one review. "
                      "Those in the most reviews first. Type `imr actions theme THEME` for a "
                      "theme's actions.", ("Theme", "Done", "Overdue", "Impact evidenced"), rows)


def ddscp_confirm(asked) -> dict:
    """`imr submitted REF [DATE]`'s question (cards/ddscp_confirm.json), from
    services.approvals.DdscpToConfirm."""
    return {"reference": asked.review.reference, "on": format_date(asked.on),
            "onIso": asked.on.isoformat()}


def submit_confirm(gathered) -> dict:
    """The author's "Submit?" card (cards/submit_confirm.json) for what is gathered
    (services.approvals.Gathered): what was sent, and what is carried forward unchanged."""
    level = ("Service Director" if gathered.review.stage.value == "sd_amendments"
             else "QA senior lead")
    documents = [{"kind": kind.value.title(), "name": name}
                 for kind, name in sorted(gathered.kinds.items())]
    documents += [{"kind": kind.value.title(),
                   "name": f"{document.filename} (carried forward from version "
                           f"{document.carried_from or document.version})"}
                  for kind, document in sorted(gathered.carried.items())]
    carried = " and the ".join(kind.value for kind in sorted(gathered.carried))
    return {"reference": gathered.review.reference, "levelTitle": level,
            "documents": documents,
            "note": (f"The {carried} is carried forward unchanged from version "
                     f"{gathered.previous}; send a new one first to replace it."
                     if carried else "Both documents go together as one numbered version. "
                     "Sending another file of the same kind first replaces it.")}


def submission_prompt(gathered) -> str:
    """What the author is asked to send next for a submission being gathered."""
    reference = gathered.review.reference
    how = ("as .docx or .pdf files in this chat, or paste SharePoint/OneDrive links. A file "
           "whose name contains “chronology” is taken as the chronology.")
    if gathered.previous and not gathered.kinds:
        return (f"Send me the amended report, the chronology, or both, for {reference} "
                f"version {gathered.previous + 1}, {how} Whatever you don't send again is "
                f"carried forward unchanged from version {gathered.previous}.")
    have = ", ".join(f"{k.value}: {n}" for k, n in gathered.kinds.items()) or "nothing yet"
    return (f"Send me the {' and the '.join(gathered.missing())} for {reference} {how} "
            f"So far: {have}.")
