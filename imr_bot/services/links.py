"""Signed links for things a browser fetches later (documents, calendar invitations).

A link names what it opens and for whom, carries an expiry, and is signed with a key kept in the
database (made on first use), so links survive a restart and cannot be forged or altered. A
browser that opens a link has no Teams identity: the person the link names is the person it is
for, and the use case re-checks that person (still active, still entitled) when it is used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from .context import ServiceContext

KEY_SETTING = "signing_key"
_keys: dict[int, bytes] = {}

# Why a link was refused: a fixed set, so the audit and the metrics never carry the token.
MALFORMED = "malformed"
TAMPERED = "tampered"  # the signature does not hold: forged, or edited (another review, person...)
WRONG_PURPOSE = "wrong_purpose"
EXPIRED = "expired"
NOT_FOUND = "not_found"  # what it names is gone
MISMATCH = "mismatch"  # what it names does not belong together (a document of another review)
INACTIVE = "inactive"  # the person it names is no longer active in the directory
NOT_ENTITLED = "not_entitled"  # the person no longer has a role that lets them see it
USED = "used"  # a single-use link already used
REASONS = frozenset({MALFORMED, TAMPERED, WRONG_PURPOSE, EXPIRED, NOT_FOUND, MISMATCH, INACTIVE,
                     NOT_ENTITLED, USED})
UNSIGNED = frozenset({MALFORMED, TAMPERED})  # reasons anyone on the network can cause


async def signing_key(ctx: ServiceContext, uow=None) -> bytes:
    """The key, made on first use. Pass the caller's unit of work when one is open: a second
    writer on the same SQLite database would wait for the first, which is waiting for it."""
    cached = _keys.get(id(ctx))
    if cached:
        return cached
    if uow is None or uow.read_only:  # (a read-only one would not keep a key it made)
        async with ctx.unit_of_work() as own:
            key = await _key_in(ctx, own)
            await own.commit()
    else:
        key = await _key_in(ctx, uow)
    _keys[id(ctx)] = bytes.fromhex(key)
    return _keys[id(ctx)]


async def _key_in(ctx: ServiceContext, uow) -> str:
    key = await uow.settings.get(KEY_SETTING)
    if key is None:
        key = secrets.token_hex(32)
        await uow.settings.put(KEY_SETTING, key, ctx.clock.now())
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


MAX_TOKEN = 512  # a real token is well under this; a longer one is not decoded at all


async def sign(ctx: ServiceContext, purpose: str, subject: str, expires: datetime,
               uow=None) -> str:
    body = f"{purpose}:{subject}:{int(expires.timestamp())}".encode()
    mac = hmac.new(await signing_key(ctx, uow), body, hashlib.sha256).digest()[:20]
    return f"{_b64(body)}.{_b64(mac)}"


@dataclass(frozen=True)
class Checked:
    """A token read: the subject it names, or why it is refused (one of REASONS)."""
    subject: str | None
    refused: str = ""


async def check(ctx: ServiceContext, purpose: str, token: str) -> Checked:
    if len(token) > MAX_TOKEN:
        return Checked(None, MALFORMED)
    try:
        body_text, mac_text = token.split(".", 1)
        body = _unb64(body_text)
        mac = _unb64(mac_text)
    except ValueError:  # also binascii.Error
        return Checked(None, MALFORMED)
    # base64 as Python reads it skips stray characters, padding and a last letter's spare bits:
    # one link, many spellings. Only the spelling `sign` wrote is the link.
    if _b64(body) != body_text or _b64(mac) != mac_text:
        return Checked(None, MALFORMED)
    expected = hmac.new(await signing_key(ctx), body, hashlib.sha256).digest()[:20]
    if not hmac.compare_digest(expected, mac):
        return Checked(None, TAMPERED)
    try:
        token_purpose, rest = body.decode().split(":", 1)
        subject, expires = rest.rsplit(":", 1)
        expires_at = int(expires)
    except (ValueError, UnicodeDecodeError):
        return Checked(None, MALFORMED)
    if token_purpose != purpose:
        return Checked(None, WRONG_PURPOSE)
    if expires_at < ctx.clock.now().timestamp():
        return Checked(None, EXPIRED)
    return Checked(subject)


async def verify(ctx: ServiceContext, purpose: str, token: str) -> str | None:
    """The subject a valid, unexpired token of `purpose` names; None otherwise."""
    return (await check(ctx, purpose, token)).subject


def whole_numbers(subject: str, count: int) -> tuple[int, ...] | None:
    """A signed subject's `count` ids (a subject of an older format: None)."""
    parts = subject.split(":")
    if len(parts) != count or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


# Refusals of tokens that name nobody we know (forged, garbage, a file token not on record) are
# audited up to this many a minute: anyone on the network can send them, and each audit entry
# takes the chain's one writer.
UNSIGNED_AUDITS_PER_MINUTE = 30
_unsigned_audits: dict[int, tuple[datetime, int]] = {}


def _may_audit(ctx: ServiceContext, reason: str, actor: str) -> bool:
    if actor and reason not in UNSIGNED:  # a link we made, for a person we know: always
        return True
    now = ctx.clock.now()
    started, count = _unsigned_audits.get(id(ctx), (now, 0))
    if now - started >= timedelta(minutes=1) or now < started:
        started, count = now, 0
    _unsigned_audits[id(ctx)] = (started, count + 1)
    return count < UNSIGNED_AUDITS_PER_MINUTE


async def refused(ctx: ServiceContext, purpose: str, reason: str, *, client: str,
                  actor: str = "", review_id: int | None = None, uow=None) -> None:
    """Audit a refused link: which kind, why, for whom it was made when that is known. Never the
    token. (`uow`: the caller's open, writable unit of work; it commits.)"""
    if not _may_audit(ctx, reason, actor):
        return
    fields = {"actor": actor or "link:unknown", "action": "link.refused", "at": ctx.clock.now(),
              "review_id": review_id, "purpose": purpose, "reason": reason, "client": client[:64]}
    if uow is not None:
        await uow.audit.record(**fields)
        return
    async with ctx.unit_of_work() as own:
        await own.audit.record(**fields)
        await own.commit()
