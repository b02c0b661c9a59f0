"""Files people send to the bot in a personal chat: Teams gives a short-lived download URL.

The URL is in the message, so whoever can shape the message chooses where the bot connects. A
file is fetched only after its name, type and declared size pass; only over https from the
hosts Teams stores files on (IMR_ATTACHMENT_HOSTS); only to addresses on the public internet,
which the bot resolves and vets itself and then connects to (a second lookup cannot swap in an
inner address); redirects are followed only to such hosts, a few hops at most; and no more
bytes are read than the limit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from imr_bot.domain.errors import DomainError
from imr_bot.domain.plain_text import plain
from imr_bot.domain.urls import BadLink, check_host, host_allowed, looks_like_link, parse_https

TEAMS_FILE = "application/vnd.microsoft.teams.file.download.info"
MAX_REDIRECTS = 3
MAX_NAME_LENGTH = 255
_REDIRECTS = (301, 302, 303, 307, 308)
TEAMS_FILE_HOSTS = (".sharepoint.com",)

Resolve = Callable[[str, int], Awaitable[list[str]]]


class TooLarge(Exception):
    pass


class RefusedFile(DomainError):
    """A sent file the bot will not fetch; the message says why, for the chat."""


@dataclass(frozen=True)
class TeamsFile:
    name: str
    url: str
    file_type: str = ""  # what Teams says the file is ("docx"), if it says
    declared_size: int | None = None


def teams_files(activity) -> list[TeamsFile]:
    """Each Teams file attached to a message."""
    found = []
    for attachment in activity.attachments or []:
        if attachment.content_type == TEAMS_FILE and isinstance(attachment.content, dict):
            content = attachment.content
            url = content.get("downloadUrl")
            if isinstance(url, str) and url:
                size = content.get("sizeInBytes", content.get("size"))
                found.append(TeamsFile(
                    str(attachment.name or "document")[:1000], url,
                    str(content.get("fileType") or "")[:20].lower(),
                    size if isinstance(size, int) and not isinstance(size, bool) else None))
    return found


# -- links pasted into a message ---------------------------------------------------------------
TEAMS_HTML = "text/html"
MAX_PASTED_LINKS = 10  # more than this is no submission: the first ones are read, the rest said
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class PastedLink:
    """A link in a message, as written (not yet checked), and what it was labelled: the word
    before it ("chronology: https://…") or the text Teams showed for it."""

    url: str
    label: str = ""


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[PastedLink] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = next((v for k, v in attrs if k == "href" and v), None)
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            if looks_like_link(self._href) and not self._href.lower().startswith("mailto:"):
                self.found.append(PastedLink(self._href, " ".join("".join(self._text).split())))
            self._href = None


def pasted_links(activity) -> list[PastedLink]:
    """The links a message carries: each link-like word of its text (with the word before it
    as its label), and each link Teams keeps only in markup (a pasted link that Teams shows as
    its page's or file's name reaches `text` as that name alone, its address in the message's
    HTML)."""
    text = _MENTION.sub(" ", str(activity.text or "")[:20000])
    markup = [text] if "<" in text else []
    markup += [a.content for a in activity.attachments or []
               if a.content_type == TEAMS_HTML and isinstance(a.content, str)]
    found: list[PastedLink] = []
    words = _TAG.sub(" ", text).replace("&nbsp;", " ").split()
    for index, word in enumerate(words):
        # a word that is a link ("https://…", "www.…"), not one inside markup ("[a](https://…)")
        if looks_like_link(word) and re.match(r"[a-z][a-z0-9+.-]*:|www\.", word, re.IGNORECASE):
            label = words[index - 1] if index else ""
            found.append(PastedLink(word.rstrip(".,;)"), "" if looks_like_link(label) else label))
    for html in markup:
        anchors = _Anchors()
        try:
            anchors.feed(html[:100000])
            anchors.close()
        except Exception:  # markup that cannot be read: its links are not taken
            continue
        seen = {link.url for link in found}
        found += [link for link in anchors.found if link.url not in seen]
    return found[:MAX_PASTED_LINKS]


def check_before_fetch(sent: TeamsFile, extensions: Iterable[str], limit: int) -> str:
    """The file's extension, if its name, its type and its declared size allow fetching it at
    all; RefusedFile or TooLarge otherwise. Nothing is requested before this passes."""
    name = sent.name
    if (not name.strip() or len(name) > MAX_NAME_LENGTH or any(c in name for c in "/\\")
            or any(not c.isprintable() for c in name)):
        raise RefusedFile("That file's name is not one I can take; please rename it (letters, "
                          "digits, spaces and a .docx or .pdf ending) and send it again.")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = {e.lower() for e in extensions}
    if extension not in allowed:
        shown = " or ".join(f".{e}" for e in sorted(allowed))
        raise RefusedFile(f"“{plain(name)}” is not a {shown} file; I only take {shown} here.")
    if sent.file_type and sent.file_type != extension:
        raise RefusedFile(f"“{plain(name)}” says it is a .{extension} file but Teams says it is "
                          "something else; please send the document itself.")
    if sent.declared_size is not None and sent.declared_size > limit:
        raise TooLarge()
    return extension


# -- where the bot may connect -----------------------------------------------------------
@dataclass(frozen=True)
class FetchPolicy:
    """Where files may come from. `allow_loopback` (IMR_ATTACHMENTS_FROM_LOOPBACK) is for the
    Playground and tests, which serve files over http from this machine."""

    hosts: tuple[str, ...] = TEAMS_FILE_HOSTS
    allow_loopback: bool = False
    timeout: float = 30.0
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls, settings) -> FetchPolicy:
        return cls(hosts=settings.attachment_host_patterns,
                   allow_loopback=settings.attachments_from_loopback)


_NOT_THERE = RefusedFile("I can only fetch files that Teams keeps in SharePoint or OneDrive; "
                         "that file's address is somewhere else, so I left it.")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in ipaddress.ip_network("64:ff9b::/96") or address in ipaddress.ip_network(
            "::/96"):  # NAT64 and the old IPv4-compatible form
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


# ranges the standard library still calls global that never hold a public file server:
# IPv6 site-local (deprecated, still routed inside some networks), the 2024 IPv6 documentation
# block, the IPv4 special-purpose block, the retired 6to4 relay anycast, and the old 6bone
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "fec0::/10", "3fff::/20", "192.0.0.0/24", "192.88.99.0/24", "3ffe::/16"))


def is_public(address: str) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local (the
    cloud metadata service), multicast, reserved, unspecified or shared, in IPv4 or IPv6."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            candidates.append(inner)
    return all(c.is_global and not (c.is_loopback or c.is_private or c.is_link_local
                                     or c.is_multicast or c.is_reserved or c.is_unspecified
                                     or any(c in n for n in _NOT_PUBLIC if c.version == n.version))
               for c in candidates)


def is_loopback_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@dataclass(frozen=True)
class _Target:
    url: str
    host: str
    port: int
    loopback: bool  # allowed only as a loopback address (IMR_ATTACHMENTS_FROM_LOOPBACK)


def _target(url: str, policy: FetchPolicy) -> _Target:
    """Where `url` points, if the policy allows it; RefusedFile otherwise. No lookup yet."""
    if not isinstance(url, str) or len(url) > 8192:
        raise _NOT_THERE
    if policy.allow_loopback and url.startswith(("http://", "https://")):
        local = _loopback_target(url)
        if local is not None:
            return local
    try:
        link = parse_https(url)
    except BadLink:
        raise _NOT_THERE from None
    if not host_allowed(link.host, policy.hosts):
        raise _NOT_THERE
    return _Target(link.url, link.host, 443, loopback=False)


def _loopback_target(url: str) -> _Target | None:
    """A URL on this machine (the Playground's or a test's file server), or None."""
    if any(not ("!" <= c <= "~") for c in url) or "\\" in url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or not host:
        return None
    if not _loopback_name(host) and not is_loopback_address(host):
        return None
    return _Target(url, host, port, loopback=True)


def _loopback_name(host: str) -> bool:
    """localhost, or a name under it (RFC 6761: those are this machine)."""
    return host == "localhost" or host.endswith(".localhost")


async def _system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def _vetted_addresses(target: _Target, resolve: Resolve) -> list[str]:
    """Every address the host has, each allowed; RefusedFile if any is not (a name with one
    inner address among public ones is someone's trick)."""
    try:
        ipaddress.ip_address(target.host)
        addresses = [target.host]
    except ValueError:
        try:
            if not target.loopback:
                check_host(target.host)
            addresses = await resolve(target.host, target.port)
        except (BadLink, OSError, UnicodeError):
            raise _NOT_THERE from None
    allowed = is_loopback_address if target.loopback else is_public
    if not addresses or not all(allowed(a) for a in addresses):
        raise _NOT_THERE
    return addresses


class _PinnedResolver(AbstractResolver):
    """Answers aiohttp with the addresses already vetted, and nothing else."""

    def __init__(self, host: str, addresses: list[str]):
        self._host, self._addresses = host, addresses

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        if host.lower().rstrip(".") != self._host:
            raise OSError(f"not resolving {host}")  # nothing but the vetted host
        return [{"hostname": host, "host": address, "port": port,
                 "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST} for address in self._addresses]

    async def close(self) -> None:
        return None


async def _request(method: str, url: str, policy: FetchPolicy, resolve: Resolve | None,
                   handle, **kwargs):
    """One request with every hop vetted: `handle(response)` is called on the final answer."""
    resolve = resolve or _system_resolve
    timeout = aiohttp.ClientTimeout(total=policy.timeout)
    for _hop in range(policy.max_redirects + 1):
        target = _target(url, policy)
        addresses = await _vetted_addresses(target, resolve)
        connector = aiohttp.TCPConnector(resolver=_PinnedResolver(target.host, addresses),
                                         use_dns_cache=False)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                         trust_env=False) as session, session.request(
                method, target.url, allow_redirects=False, **kwargs) as response:
            if 300 <= response.status < 400:
                location = response.headers.get("Location", "")
                if response.status not in _REDIRECTS or not location or method != "GET":
                    raise _NOT_THERE
                url = urljoin(target.url, location)
                continue
            response.raise_for_status()
            return await handle(response)
    raise RefusedFile("That file's address sent me on too many times, so I left it.")


async def download(url: str, limit: int, policy: FetchPolicy | None = None, *,
                   resolve: Resolve | None = None) -> bytes:
    """The file's bytes, refusing anything over `limit` without reading it all."""

    async def read(response) -> bytes:
        if response.content_length and response.content_length > limit:
            raise TooLarge()
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)

    return await _request("GET", url, policy or FetchPolicy(), resolve, read)


async def upload(url: str, content: bytes, headers: dict[str, str],
                 policy: FetchPolicy | None = None, *, resolve: Resolve | None = None) -> None:
    """PUT `content` to the upload URL Teams gave for a file the user allowed, vetted the same
    way (no redirects for a PUT)."""

    async def done(_response) -> None:
        return None

    await _request("PUT", url, policy or FetchPolicy(), resolve, done, data=content,
                   headers=headers)
