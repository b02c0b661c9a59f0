"""The fields of a new commission, each with its question and its parser.

Both ways of logging a commission (the card form and typed answers) use these parsers, so a value
is judged the same way whichever way it was entered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .calendar import WorkingCalendar
from .dates import ACCEPTED_FORMS, format_date, parse_date
from .errors import BadDate, DomainError, ValidationFailed
from .plan import Plan
from .review import Commission, CommissioningBody, ReviewType


class FieldError(DomainError):
    pass


REFERENCE_MAX = 40
NOTES_MAX = 1000
_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.\-]*$")


def parse_reference(text: str, today: date) -> str:
    value = (text or "").strip()
    if not value:
        raise FieldError("A reference is required, e.g. DDSCP/CSPR/2026/014.")
    if len(value) > REFERENCE_MAX:
        raise FieldError(f"Keep the reference to {REFERENCE_MAX} characters.")
    if not _REFERENCE_RE.match(value):
        raise FieldError("Use letters, digits and / - _ . only (no spaces), "
                         "e.g. DDSCP/CSPR/2026/014.")
    return value


def parse_review_type(text: str, today: date) -> ReviewType:
    value = (text or "").strip().lower()
    for kind in ReviewType:
        if value in (kind.value.lower(), kind.title.lower()):
            return kind
    raise FieldError("Choose CSPR, DHR or other.")


def parse_body(text: str, today: date) -> CommissioningBody:
    value = (text or "").strip().lower()
    if value in ("ddscp", "ddscb"):
        return CommissioningBody.DDSCP
    if value in ("csp", "community safety", "community safety partnership"):
        return CommissioningBody.CSP
    if value == "other":
        return CommissioningBody.OTHER
    raise FieldError("Choose DDSCP, Community Safety Partnership (CSP) or other.")


TEMPLATE_PACKS = {"derbyshire": "Derbyshire (DDSCP)", "bradford": "Bradford"}


def parse_template_pack(text: str, today: date) -> str:
    value = (text or "").strip().lower()
    if value in ("", "skip", "default"):
        return "derbyshire"
    for key, title in TEMPLATE_PACKS.items():
        if value in (key, title.lower(), title.split()[0].lower()):
            return key
    raise FieldError("Choose the Derbyshire (DDSCP) or the Bradford templates.")


def parse_received(text: str, today: date) -> date:
    if not (text or "").strip():
        return today
    day = _date(text, today)
    if day > today:
        raise FieldError(f"The request can't be received in the future (today is "
                         f"{format_date(today)}).")
    return day


def parse_required_date(text: str, today: date) -> date:
    if not (text or "").strip():
        raise FieldError(f"A date is required ({ACCEPTED_FORMS}).")
    return _date(text, today)


def parse_optional_date(text: str, today: date) -> date | None:
    if not (text or "").strip() or text.strip().lower() in ("skip", "none", "-", "default"):
        return None
    return _date(text, today)


_VOWELS = set("aeiou")


def parse_initials(text: str, today: date) -> str:
    """1-4 letters, kept as capitals: JS, J.S., j s, js. Anything that reads like a name is
    refused (we keep no names of children or families): more than one letter in a part of
    several ("Jane Smith", "Mr Smith", "J Smith"), a hyphen or apostrophe joining words
    ("Mary-Jane", "O'Brien"), or one word a person would write as a name ("Jane", "Jo", "john").
    A single part is taken as initials when typed in capitals, or when it has no vowel, or is
    two lower-case letters ("js", "Js", "kl", "jo")."""
    value = (text or "").strip()
    if not value:
        raise FieldError("Initials are required (1 to 4 letters, e.g. JS).")
    tokens = [t for t in re.split(r"[\s.\-'’]+", value) if t]
    if not tokens or any(not t.isalpha() for t in tokens):
        raise FieldError("Initials are letters only, e.g. JS or J.S.")
    joined = len(tokens) > 1 or re.search(r"[A-Za-z][\-'’][A-Za-z]", value)
    if (joined and any(len(t) > 1 for t in tokens)) or (
            not joined and not _reads_as_initials(tokens[0])):
        raise FieldError("That looks like a name. We store no names of children or families: "
                         "please give initials only, e.g. JS (in capitals if they spell a "
                         "word).")
    letters = "".join(tokens).upper()
    if len(letters) > 4:
        raise FieldError("Initials are 1 to 4 letters. If that is a name, please give initials "
                         "only: we store no names of children or families.")
    return letters


def _reads_as_initials(word: str) -> bool:
    if word.isupper() or len(word) == 1:
        return True
    if not _VOWELS & set(word.lower()):
        return True  # "js", "Jks": no name is written without a vowel
    return len(word) == 2 and word.islower()  # "jo": two letters typed quickly


def parse_notes(text: str, today: date) -> str:
    value = (text or "").strip()
    if value.lower() in ("skip", "none", "-"):
        return ""
    if len(value) > NOTES_MAX:
        raise FieldError(f"Keep notes to {NOTES_MAX} characters.")
    return value


def _date(text: str, today: date) -> date:
    try:
        return parse_date(text, today=today)
    except BadDate as error:
        raise FieldError(str(error)) from error


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    question: str
    parse: Callable[[str, date], Any]
    required: bool = True
    # a value this field refuses may be a person's name typed in the wrong place: it is never
    # kept (not in the dialog's stored state) nor shown back on the form
    refused_may_be_a_name: bool = False


COMMISSION_FIELDS: tuple[FormField, ...] = (
    FormField("reference", "Reference", "What is the review's reference? (e.g. DDSCP/CSPR/2026/014 "
              "— a reference, never a name)", parse_reference, refused_may_be_a_name=True),
    FormField("review_type", "Review type", "Which type of review is it: CSPR, DHR or other?",
              parse_review_type),
    FormField("body", "Commissioning body", "Who commissioned it: DDSCP, Community Safety "
              "Partnership (CSP) or other?", parse_body),
    FormField("template_pack", "Templates", "Which partnership's templates: Derbyshire (DDSCP, "
              "the default) or Bradford? Reply 'skip' for Derbyshire.", parse_template_pack,
              required=False),
    FormField("received", "Date received", "When was the request received? Reply 'today' or a "
              f"date ({ACCEPTED_FORMS}).", parse_received, required=False),
    FormField("tor_start", "Terms of reference: from", "When does the terms-of-reference period "
              "start?", parse_required_date),
    FormField("tor_end", "Terms of reference: to", "When does the terms-of-reference period end?",
              parse_required_date),
    FormField("subject_initials", "Subject's initials", "The subject's initials only (1 to 4 "
              "letters, e.g. JS). We store no names of children or families.", parse_initials,
              refused_may_be_a_name=True),
    FormField("ddscp_date", "Agreed DDSCP submission date", "Has a submission date to DDSCP been "
              "agreed? Reply a date, or 'skip' to use Day 35 of the plan.", parse_optional_date,
              required=False),
    FormField("notes", "Notes", "Any notes? (no names; reply 'skip' for none)", parse_notes,
              required=False),
)


FIELDS_BY_NAME = {f.name: f for f in COMMISSION_FIELDS}


def without_refused_names(raw: dict[str, str], today: date) -> dict[str, str]:
    """`raw` with every value dropped that a field refuses and that may be a name (a reference
    or initials field holding "Jane Smith"): what is kept between turns, and shown back."""
    kept = dict(raw)
    for form_field in COMMISSION_FIELDS:
        value = kept.get(form_field.name)
        if not form_field.refused_may_be_a_name or not value:
            continue
        try:
            form_field.parse(str(value), today)
        except FieldError:
            kept[form_field.name] = ""
    return kept


def form_value(name: str, text: str, today: date) -> str:
    """A typed answer as the form would hold it: "js" is "JS", "skip" is empty, "today" and
    "1 Jan 2025" are ISO dates, "csp" is "Community Safety Partnership". The answer must parse."""
    parsed = FIELDS_BY_NAME[name].parse(text, today)
    if parsed is None:
        return ""
    if isinstance(parsed, date):
        return parsed.isoformat()
    if isinstance(parsed, (ReviewType, CommissioningBody)):
        return parsed.value
    return str(parsed)


def validate_commission(raw: dict[str, str], today: date, calendar: WorkingCalendar) -> Commission:
    """Check every field and the rules between them; raise ValidationFailed with one message per
    wrong field, so a form can show each error beside its field."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for form_field in COMMISSION_FIELDS:
        try:
            values[form_field.name] = form_field.parse(str(raw.get(form_field.name) or ""), today)
        except FieldError as error:
            errors[form_field.name] = str(error)
    if "tor_start" in values and "tor_end" in values and values["tor_end"] < values["tor_start"]:
        errors["tor_end"] = "The end of the terms-of-reference period is before its start."
    if not errors and values.get("ddscp_date"):
        try:
            Plan.default(values["received"], calendar).rebase_to_deadline(
                values["ddscp_date"], calendar, by="-", reason="check", at=None)  # type: ignore[arg-type]
        except DomainError as error:
            errors["ddscp_date"] = str(error)
    if errors:
        raise ValidationFailed(errors)
    return Commission(**values)
