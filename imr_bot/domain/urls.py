"""Links people paste: one strict reading of a URL, and host allow-lists.

A link is checked by one parser and used by others (the browser behind a card, Teams, SharePoint).
Where those could read the same text two ways (a backslash, user-info, an encoded dot, a port,
a look-alike letter, a trailing dot), the link is refused rather than interpreted: what passes
is plain ASCII `https://host/path?query#fragment` that every parser reads alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .errors import DomainError

MAX_LINK_LENGTH = 2048
HTTPS_ONLY = "Links must start with https:// (in lower case)."

# Today's hosts for document links when the organisation names none of its own.
MICROSOFT_DOCUMENT_HOSTS = (".sharepoint.com", "onedrive.live.com", "1drv.ms", ".sharepoint-df.com")

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SCHEME_LIKE = re.compile(r"[a-z][a-z0-9+.-]*:.")
# RFC 3986 unreserved, sub-delims, ':' '@' '/' '?' and '%' (checked separately); no quotes,
# angle brackets, braces, pipes, carets, backticks or backslashes
_SAFE = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")
_ESCAPE = re.compile(r"%(..?)")


class BadLink(DomainError):
    """A link that cannot be read one way only, or is not allowed here. The message says why."""


def _refuse(why: str) -> BadLink:
    return BadLink(f"That link was refused: {why}. Paste the link exactly as SharePoint or "
                   "OneDrive gives it (Share, then Copy link).")


@dataclass(frozen=True)
class Link:
    """A strictly read https link. `host` is in lower case; the rest is as it was written."""

    host: str
    path: str
    query: str = ""
    fragment: str = ""

    @property
    def url(self) -> str:
        return ("https://" + self.host + self.path + (f"?{self.query}" if self.query else "")
                + (f"#{self.fragment}" if self.fragment else ""))

    @property
    def filename(self) -> str:
        """The last part of the path, decoded, for showing; "document" when there is none."""
        segments = [s for s in self.path.split("/") if s]
        name = unquote(segments[-1], errors="replace") if segments else ""
        name = "".join(ch for ch in name if ch.isprintable())
        return name[:255] or "document"

    def on(self, patterns: tuple[str, ...]) -> bool:
        return host_allowed(self.host, patterns)


def looks_like_link(word: str) -> bool:
    """Whether a word of a message is meant as a link (so it is checked, not ignored)."""
    lowered = word.lower()
    return bool(_SCHEME_LIKE.match(lowered)) or any(
        marker in lowered for marker in ("://", ":\\", "www.", "sharepoint", "onedrive", "1drv"))


def parse_https(text: str) -> Link:
    """`text` as an https link, or BadLink naming what is ambiguous about it."""
    if not isinstance(text, str) or not text:
        raise _refuse("it is empty")
    if len(text) > MAX_LINK_LENGTH:
        raise _refuse(f"it is longer than {MAX_LINK_LENGTH} characters")
    if any(not ("!" <= ch <= "~") for ch in text):
        raise _refuse("it contains spaces, control characters or letters outside plain ASCII "
                      "(look-alike letters and dots are how links are disguised)")
    if "\\" in text:
        raise _refuse("it contains a backslash")
    if not text.startswith("https://"):
        raise BadLink(HTTPS_ONLY)
    rest = text[len("https://"):]
    end = min((at for at in (rest.find(c) for c in "/?#") if at >= 0), default=len(rest))
    authority, remainder = rest[:end], rest[end:]
    host = _host(authority)
    path, query, fragment = _split_remainder(remainder)
    _check_part(path, "path", in_path=True)
    _check_part(query, "query", in_path=False)
    _check_part(fragment, "fragment", in_path=False)
    _agrees_with_urllib(text, host)
    return Link(host, path, query, fragment)


def _host(authority: str) -> str:
    if not authority:
        raise _refuse("it has no host")
    if "@" in authority:
        raise _refuse("it has a user name before the host (text before an @ hides the real host)")
    if ":" in authority:
        raise _refuse("it names a port")
    if "%" in authority:
        raise _refuse("its host is percent-encoded")
    return check_host(authority.lower(), what="its host")


def check_host(host: str, what: str = "the host") -> str:
    """`host` (lower case) if it is a plain DNS name; BadLink otherwise."""
    if host.endswith("."):
        raise _refuse(f"{what} ends with a dot")
    if len(host) > 253:
        raise _refuse(f"{what} is too long")
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise _refuse(f"{what} is not a plain name (letters, digits, hyphens and dots)")
    if any(label.startswith("xn--") for label in labels):
        raise _refuse(f"{what} is an international (punycode) name")
    if not any(ch.isalpha() for ch in labels[-1]):
        raise _refuse(f"{what} is a number, not a name")
    return host


def _split_remainder(remainder: str) -> tuple[str, str, str]:
    before_fragment, _, fragment = remainder.partition("#")
    path, _, query = before_fragment.partition("?")
    if path and not path.startswith("/"):
        raise _refuse("its path does not start with /")
    return path, query, fragment


def _check_part(part: str, name: str, *, in_path: bool) -> None:
    if not _SAFE.fullmatch(part):
        raise _refuse(f"its {name} contains characters that must be encoded")
    for match in _ESCAPE.finditer(part):
        digits = match.group(1)
        if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise _refuse(f"its {name} has a broken %-escape")
        byte = int(digits, 16)
        if byte < 0x20 or byte == 0x7F:
            raise _refuse(f"its {name} encodes a control character")
        if byte == 0x25:
            raise _refuse(f"its {name} is encoded twice (%25)")
        if in_path and chr(byte) in "./\\":
            raise _refuse("its path encodes a dot or a slash")
    if in_path:
        segments = part.split("/")[1:]
        if any(s in (".", "..") for s in segments):
            raise _refuse("its path has . or .. in it")
        if any(not s for s in segments[:-1]):
            raise _refuse("its path has an empty part (//)")


def _agrees_with_urllib(text: str, host: str) -> None:
    """The standard library must read the same host, and no port or user."""
    try:
        parsed = urlsplit(text)
        agrees = (parsed.scheme == "https" and parsed.hostname == host and parsed.port is None
                  and parsed.username is None and parsed.password is None
                  and parsed.netloc.lower() == host)
    except ValueError:
        agrees = False
    if not agrees:
        raise _refuse("it can be read in more than one way")


# -- host allow-lists ----------------------------------------------------------------------
def parse_hosts(text: str) -> tuple[str, ...]:
    """A setting's hosts, comma- or space-separated: `name.example.com` is that host only;
    `*.example.com` or `.example.com` is any name under it. ValueError names a bad entry."""
    patterns = []
    for entry in re.split(r"[,\s]+", text.strip().lower()):
        if not entry:
            continue
        suffix = entry.startswith(("*.", "."))
        name = entry.lstrip("*").lstrip(".") if suffix else entry
        try:
            check_host(name)
        except BadLink:
            raise ValueError(f"“{entry}” is not a host name (e.g. council.sharepoint.com or "
                             "*.sharepoint.com)") from None
        patterns.append(f".{name}" if suffix else name)
    return tuple(dict.fromkeys(patterns))


def host_allowed(host: str, patterns: tuple[str, ...]) -> bool:
    host = host.lower()
    return any(host.endswith(p) and len(host) > len(p) if p.startswith(".") else host == p
               for p in patterns)


def document_link(text: str, organisation_hosts: tuple[str, ...] = ()) -> Link:
    """A SharePoint or OneDrive link to a document. With `organisation_hosts` (the council's
    own SharePoint, IMR_SHAREPOINT_HOSTS), only those; without, any SharePoint or OneDrive."""
    link = parse_https(text)
    allowed = organisation_hosts or MICROSOFT_DOCUMENT_HOSTS
    if not link.on(allowed):
        if organisation_hosts:
            shown = ", ".join(f"*{p}" if p.startswith(".") else p for p in organisation_hosts)
            raise BadLink(f"Links must be to the organisation's own SharePoint or OneDrive "
                          f"({shown}); that link is to somewhere else.")
        raise BadLink("Links must be to SharePoint or OneDrive (https://…sharepoint.com/… or "
                      "https://onedrive.live.com/…).")
    return link


# Where a Teams meeting's join link points (https://teams.microsoft.com/l/meetup-join/…,
# https://teams.microsoft.com/meet/…, https://teams.live.com/meet/…).
TEAMS_MEETING_HOSTS = ("teams.microsoft.com", "teams.live.com")


def teams_meeting_link(text: str) -> Link | None:
    """A meeting's place as a Teams join link, if it plainly is one (strictly read, and on
    Teams' own hosts); None for a room, or for any other link (shown as text, never a button)."""
    try:
        link = parse_https(str(text or "").strip())
    except BadLink:
        return None
    return link if link.on(TEAMS_MEETING_HOSTS) else None
