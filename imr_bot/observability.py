"""Logs as JSON lines with a correlation id per request, and Prometheus metrics.

No secrets and no document contents are ever logged: settings hide the app password, the code
logs identifiers (correlation ids, notification keys), never message text or files, and the access
log names a request's route pattern, never a link's token (teams/link_routes); `RedactTokens` on
the handler takes out anything token-like that a library might still write.
"""

from __future__ import annotations

import contextvars
import ctypes
import ctypes.util
import json
import logging
import re
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")


def new_correlation_id() -> str:
    value = uuid.uuid4().hex[:12]
    correlation_id.set(value)
    return value


# What a link's token looks like in a log line: a link path's last segment, any query string, and
# the signed-token shape (base64url, a dot, base64url). The access log already writes route
# patterns only; this filter is the backstop on the process's own handler for anything else
# (a library's error message that quotes a request line).
_LINK_PATH = re.compile(  # (the route patterns themselves, as the access log writes them, stay)
    r"(/(?:documents|calendar|files)/)(?!\{token\}(?:\.ics)?(?=[\s\"'<>?#]|$))[^\s\"'<>?#]+")
_QUERY = re.compile(r"\?[^\s\"'<>#]+")
_SIGNED = re.compile(r"[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]{16,})+")  # also a JWT's three parts
REDACTED = "[redacted]"


def redact(text: str) -> str:
    text = _LINK_PATH.sub(lambda m: m.group(1) + REDACTED, text)
    text = _QUERY.sub("?" + REDACTED, text)
    return _SIGNED.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Takes link tokens out of a record's message and its exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# aiohttp writes a malformed request's first line (path, query and all) into its error log
LIBRARY_LOGGERS = ("aiohttp.access", "aiohttp.server", "aiohttp.web", "aiohttp.internal")


def redact_library_logs() -> None:
    """RedactTokens on the loggers that may quote a request, whichever handler is listening."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage(), "correlation_id": correlation_id.get()}
        if record.exc_text or record.exc_info:  # (exc_text: as RedactTokens left it)
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str, json_lines: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactTokens())
    redact_library_logs()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)


# Label values come only from these fixed sets, whatever a request carries: an unauthenticated
# sender choosing a label value would create a new series each time, without bound.
ACTIVITY_TYPES = frozenset({
    "message", "contactRelationUpdate", "conversationUpdate", "typing", "endOfConversation",
    "event", "invoke", "invokeResponse", "deleteUserData", "messageUpdate", "messageDelete",
    "installationUpdate", "messageReaction", "suggestion", "trace", "handoff", "command",
    "commandResult"})
OTHER_TYPE = "other"  # a type the Bot Framework does not define
INVALID_TYPE = "invalid"  # a request refused before its type could be read
REFUSAL_REASONS = frozenset({
    "not_json_content", "charset", "not_json", "too_large", "not_an_activity", "malformed",
    "unauthorised", "tenant", "bad_request", "link"})
# why a card action was refused (services/access.REASONS)
ACTION_REFUSALS = frozenset({"undeclared", "not_in_directory", "not_permitted", "no_review",
                             "no_role"})


def activity_type_label(value: object) -> str:
    return value if isinstance(value, str) and value in ACTIVITY_TYPES else OTHER_TYPE


class Metrics:
    """One registry per application, so several apps in one process (tests) do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("imr_turns_total", "Activities handled", ["type"],
                             registry=self.registry)
        self.latency = Histogram("imr_turn_seconds", "Time to handle an activity", ["type"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.notifications = Counter("imr_notifications_total", "Notifications delivered or not",
                                     ["outcome"], registry=self.registry)
        self.errors = Counter("imr_errors_total", "Turns that failed", registry=self.registry)
        self.refused = Counter("imr_refused_requests_total", "Requests refused at the edge",
                               ["reason"], registry=self.registry)
        self.refused_actions = Counter("imr_refused_card_actions_total",
                                       "Card actions refused by their declaration", ["reason"],
                                       registry=self.registry)

    def count_refused_action(self, reason: str) -> None:
        self.refused_actions.labels(reason if reason in ACTION_REFUSALS else "undeclared").inc()

    def count_refusal(self, reason: str) -> None:
        self.refused.labels(reason if reason in REFUSAL_REASONS else "bad_request").inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _glibc_trim():
    try:
        library = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return library.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


_MALLOC_TRIM = _glibc_trim()


def release_memory() -> None:
    """Hand memory freed by a large job (a delivery pass over thousands of queued reminders) back
    to the operating system. glibc keeps freed heap for reuse, so without this the bot's RSS
    settles at its largest job's peak, and creeps up as the tracker grows (measured by the soak)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
