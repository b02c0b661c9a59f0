"""Signed links for things a browser fetches later (calendar invitations).

A link names what it opens and for whom, carries an expiry, and is signed with a key kept in the
database (made on first use), so links survive a restart and cannot be forged or altered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from .context import ServiceContext

KEY_SETTING = "signing_key"
_keys: dict[int, bytes] = {}


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


async def sign(ctx: ServiceContext, purpose: str, subject: str, expires: datetime,
               uow=None) -> str:
    body = f"{purpose}:{subject}:{int(expires.timestamp())}".encode()
    mac = hmac.new(await signing_key(ctx, uow), body, hashlib.sha256).digest()[:20]
    return f"{_b64(body)}.{_b64(mac)}"


async def verify(ctx: ServiceContext, purpose: str, token: str) -> str | None:
    """The subject a valid, unexpired token of `purpose` names; None otherwise."""
    try:
        body_text, mac_text = token.split(".", 1)
        body = _unb64(body_text)
        expected = hmac.new(await signing_key(ctx), body, hashlib.sha256).digest()[:20]
        if not hmac.compare_digest(expected, _unb64(mac_text)):
            return None
        token_purpose, rest = body.decode().split(":", 1)
        subject, expires = rest.rsplit(":", 1)
    except (ValueError, UnicodeDecodeError):
        return None
    if token_purpose != purpose or int(expires) < ctx.clock.now().timestamp():
        return None
    return subject
