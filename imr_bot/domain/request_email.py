"""What can be read from a partnership's request email, to prefill the commission form.

A request to contribute an IMR arrives as an email (DDSCP for a Child Safeguarding Practice
Review, a Community Safety Partnership for a Domestic Homicide Review), usually forwarded to the
tracker channel or pasted into a chat. This reads the few facts the commission form asks for:
the reference, the review type, the commissioning body, the date the request was received, the
terms-of-reference period and an agreed submission date. Anything it cannot read with some
confidence is left empty for the officer to fill in; nothing else of the message is kept (a
request email names the child or the victim: no name is ever read from it).

Pure: text in, form values out (as the form holds them: ISO dates, the choices' values).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from .dates import parse_date
from .errors import BadDate

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?,?\s+)?"
_DATE = (rf"(?:{_WEEKDAY}\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}"
         rf"|\d{{4}}-\d{{2}}-\d{{2}}"
         rf"|\d{{1,2}}[/.]\d{{1,2}}[/.](?:\d{{4}}|\d{{2}}))")
_DATE_RE = re.compile(_DATE, re.IGNORECASE)
_RANGE_JOIN = r"\s*(?:to|until|till|and|[-–—])\s*"

# a reference: letters, then parts joined by "/" or "-", with a year and a number in it
_REFERENCE_RE = re.compile(
    r"\b([A-Z]{2,8}(?:[/\-][A-Z0-9]{1,10}){1,5})\b")
_REFERENCE_LABEL = re.compile(
    r"\b(?:our\s+|your\s+|review\s+|case\s+)?ref(?:erence)?(?:\s+(?:no\.?|number))?\s*[:.\-]?\s*",
    re.IGNORECASE)

_TYPES = (
    ("DHR", re.compile(r"\bdomestic\s+(?:homicide|abuse\s+related\s+death)\s+review\b|\bDHRs?\b|"
                       r"\bDARDR\b", re.IGNORECASE)),
    ("CSPR", re.compile(r"\b(?:local\s+)?child\s+safeguarding\s+practice\s+reviews?\b|"
                        r"\bL?CSPRs?\b|\brapid\s+review\b", re.IGNORECASE)),
)
_BODIES = (
    ("DDSCP", re.compile(r"\bDDSCP\b|\bDDSCB\b|derby\s+and\s+derbyshire\s+safeguarding\s+children",
                         re.IGNORECASE)),
    ("Community Safety Partnership",
     re.compile(r"\bcommunity\s+safety\s+partnership\b|\bCSP\b|\bcommunity\s+safety\b",
                re.IGNORECASE)),
)
# a header line of an email (the original's, when forwarded): "Sent: Tuesday, 3 November 2026 09:14"
_SENT_RE = re.compile(rf"^\s*(?:sent|date)\s*:\s*(?P<date>.*)$", re.IGNORECASE | re.MULTILINE)
_WROTE_RE = re.compile(r"^\s*on\s+(?P<date>.{6,200}?)\bwrote:\s*$", re.IGNORECASE | re.MULTILINE)
_SUBMISSION_RE = re.compile(
    r"(?:submi(?:t|ssion|tted)|return(?:ed)?|deadline|due|receive\s+(?:your|the)\s+(?:imr|report))"
    r"[^.\n]{0,80}?(?P<date>" + _DATE + r")", re.IGNORECASE)
_TOR_RE = re.compile(
    r"(?:terms\s+of\s+reference|tor\b|period|timeframe|time\s+frame|scope|covering|covers)"
    r"[^.\n]{0,120}?(?:from\s+|between\s+)?(?P<start>" + _DATE + r")" + _RANGE_JOIN
    + r"(?P<end>" + _DATE + r")", re.IGNORECASE | re.DOTALL)
_BETWEEN_RE = re.compile(r"\b(?:from|between)\s+(?P<start>" + _DATE + r")" + _RANGE_JOIN
                         + r"(?P<end>" + _DATE + r")", re.IGNORECASE)


@dataclass(frozen=True)
class ReadRequest:
    """The form's values read from a message (only those read), as the form holds them."""

    values: dict[str, str] = field(default_factory=dict)

    @property
    def read(self) -> frozenset[str]:
        return frozenset(self.values)


def plain_text(message: str) -> str:
    """The message's text without HTML: tags dropped, entities decoded, <br>/<p> as new lines."""
    text = message or ""
    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\s*/?\s*>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text).replace("\xa0", " ")
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())


def _rejoin_split_lines(text: str) -> str:
    # a reference broken over a line by a mail client: "DDSCP/CSPR/\n2026/014"
    return re.sub(r"([A-Za-z0-9])([/\-])[ \t]*\n[ \t>]*([A-Za-z0-9])", r"\1\2\3", text)


def _iso(text: str) -> str | None:
    cleaned = re.sub(r"(?i)\bof\s+", "", text)
    cleaned = re.sub(r"(?i)^" + _WEEKDAY, "", cleaned.strip()).rstrip(".,")
    cleaned = re.sub(r"(?i)(\d)\s+([a-z]+)\.", r"\1 \2", cleaned)
    cleaned = re.sub(r"(?i)\b(sept)\b", "Sep", cleaned)
    short = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2})", cleaned)
    if short:  # "1.1.24": a two-digit year is this century's
        cleaned = f"{short[1]}/{short[2]}/20{short[3]}"
    try:
        return parse_date(cleaned).isoformat()
    except BadDate:
        return None


def _reference(text: str) -> str | None:
    candidates: list[str] = []
    for label in _REFERENCE_LABEL.finditer(text):
        match = _REFERENCE_RE.match(text, label.end())
        if match:
            candidates.append(match.group(1))
    candidates += [m.group(1) for m in _REFERENCE_RE.finditer(text)]
    for candidate in candidates:
        if re.search(r"(?:19|20)\d\d", candidate) and re.search(r"\d+$", candidate):
            return candidate.upper()[:40]
    return None


def _first(patterns, text: str) -> str | None:
    found = [(m.start(), value) for value, pattern in patterns
             for m in [pattern.search(text)] if m]
    return min(found)[1] if found else None


def _received(text: str) -> str | None:
    # the last "Sent:" header (or "On …, X wrote:") is the original message's: a forward or a
    # reply quotes it below its own
    headers = sorted([*_SENT_RE.finditer(text), *_WROTE_RE.finditer(text)],
                     key=lambda m: m.start())
    dates = [_iso(d.group(0)) for m in headers
             for d in [_DATE_RE.search(m.group("date"))] if d]
    dates = [d for d in dates if d]
    return dates[-1] if dates else None


def read_request(message: str, today: date) -> ReadRequest:
    """The commission form's values that the message states; a date after `today` is not
    taken as the date received."""
    text = _rejoin_split_lines(plain_text(message))
    values: dict[str, str] = {}
    reference = _reference(text)
    if reference:
        values["reference"] = reference
    kind = None
    if reference:
        kind = next((k for k in ("DHR", "CSPR") if re.search(rf"\b{k}\b", reference)), None)
    kind = kind or _first(_TYPES, text)
    if kind:
        values["review_type"] = kind
    body = None
    if reference and reference.startswith(("DDSCP", "DDSCB")):
        body = "DDSCP"
    body = body or _first(_BODIES, text)
    if body:
        values["body"] = body
    received = _received(text)
    if received and received <= today.isoformat():
        values["received"] = received
    tor = _TOR_RE.search(text) or _BETWEEN_RE.search(text)
    if tor:
        start, end = _iso(tor.group("start")), _iso(tor.group("end"))
        if start and end and start <= end:
            values["tor_start"], values["tor_end"] = start, end
    # a date "due to …" in the past is not a submission date: it must follow the request
    floor = values.get("received") or today.isoformat()
    for submission in _SUBMISSION_RE.finditer(text):
        due = _iso(submission.group("date"))
        if due and due > floor and due != values.get("tor_end"):
            values["ddscp_date"] = due
            break
    return ReadRequest(values)
