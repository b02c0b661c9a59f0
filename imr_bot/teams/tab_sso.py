"""Teams single sign-on for the tab: the token the Teams JavaScript library hands the page
(`authentication.getAuthToken`), checked by the bot on every data request: its signature with
the tenant's keys, its issuer, its audience (`api://<host>/<appId>`, the webApplicationInfo
resource of the app package, or the app id itself), its tenant against the allowed tenants, and
its expiry. The keys are fetched with the machinery that fetches the Bot Framework's
(`adapter.SigningKeys`: aiohttp, a timeout, one refresh at a time), and only from Microsoft's
login host: no other URL is ever fetched, whatever a metadata document says."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
import jwt

from imr_bot.tab.identity import NotSignedIn
from imr_bot.teams import adapter
from imr_bot.teams.adapter import SigningKeys, SigningKeysUnavailable

LOGIN_HOSTS = frozenset({"login.microsoftonline.com"})  # where signing keys may come from
ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 60


def on_allow_list(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "") in LOGIN_HOSTS and not parts.port


class TenantSigningKeys(SigningKeys):
    """The signing keys of one Entra ID tenant, fetched only from Microsoft's login host."""

    async def _fetch(self, url: str) -> list[dict]:
        if not on_allow_list(url):
            raise ValueError("not a Microsoft login address")
        async with aiohttp.ClientSession() as session:
            metadata = await adapter._bounded_json(session, url)
            jwks_uri = str(metadata.get("jwks_uri") or "")
            if not on_allow_list(jwks_uri):
                raise ValueError("the key set is not on a Microsoft login address")
            keys = await adapter._bounded_json(session, jwks_uri)
        found = keys.get("keys")
        if not isinstance(found, list) or not all(isinstance(k, dict) and "kid" in k for k in found):
            raise ValueError("not a key set")
        return found


def metadata_url(tenant: str) -> str:
    return f"https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"


@dataclass(frozen=True)
class SignedIn:
    aad_object_id: str
    tenant_id: str
    name: str


class TabTokens:
    """Checks a tab's bearer token. `keys` looks up a key id's public key (a TenantSigningKeys
    per tenant, or a test's own)."""

    def __init__(self, app_id: str, public_url: str, tenants: Collection[str], keys=None):
        host = urlsplit(public_url).hostname or ""
        self.audiences = [a for a in (f"api://{host}/{app_id}" if host else "", app_id) if a]
        self.tenants = {t.lower() for t in tenants}
        self._keys = keys or {}

    def _signing_keys(self, tenant: str):
        if not isinstance(self._keys, dict):
            return self._keys
        if tenant not in self._keys:
            self._keys[tenant] = TenantSigningKeys(metadata_url(tenant))
        return self._keys[tenant]

    async def check(self, authorization: str | None) -> SignedIn:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotSignedIn("no_token")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise NotSignedIn("malformed") from None
        tenant = str(unverified.get("tid") or "").lower()
        if not tenant or tenant not in self.tenants:
            raise NotSignedIn("tenant")  # before any key is fetched for a stranger's tenant
        if header.get("alg") not in ALGORITHMS:
            raise NotSignedIn("algorithm")
        try:
            found = await self._signing_keys(tenant).get(str(header.get("kid") or ""))
        except (SigningKeysUnavailable, IndexError):
            found = None
        if found is None:
            raise NotSignedIn("unknown_key")
        issuers = [f"https://login.microsoftonline.com/{tenant}/v2.0",
                   f"https://sts.windows.net/{tenant}/"]
        try:
            claims = jwt.decode(token, found.public_key, algorithms=ALGORITHMS,
                                audience=self.audiences, issuer=issuers, leeway=LEEWAY_SECONDS,
                                options={"require": ["exp", "iss", "aud", "tid", "oid"]})
        except jwt.ExpiredSignatureError:
            raise NotSignedIn("expired") from None
        except jwt.InvalidAudienceError:
            raise NotSignedIn("audience") from None
        except jwt.InvalidIssuerError:
            raise NotSignedIn("issuer") from None
        except jwt.PyJWTError:
            raise NotSignedIn("signature") from None
        return SignedIn(str(claims["oid"]), tenant, str(claims.get("name") or ""))
