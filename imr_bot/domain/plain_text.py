"""Text people typed (a comment, a reason, a meeting's place, a name) shown to others as typed.

Teams reads a message's text, and an Adaptive Card's TextBlock and FactSet, as Markdown: typed
text would otherwise become links, emphasis, lists or headings, under the bot's name. `plain`
makes a piece of text inert Markdown; `Markdown` marks text the bot's own code wrote as Markdown
(with any typed parts inside it passed through `plain`), which is shown as it is.
"""

from __future__ import annotations

import re

# CommonMark's backslash escapes, for what starts markup anywhere in a line: emphasis, code,
# strikethrough, a link or image ("[", "!["), HTML, a mention or autolink ("<"), an entity
_INLINE = re.compile(r"([\\`*_\[<~]|&(?=#?[A-Za-z0-9]{1,32};))")
# ... and for those that start a block (a heading, a list, a quote, a rule) at a line's start
_LINE_START = re.compile(r"^([ \t]*)([#+\-=>])", re.MULTILINE)
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)  # four spaces or a tab would make a code block
_NUMBERED = re.compile(r"^([ \t]*\d{1,9})([.)])", re.MULTILINE)
# what a client would make a live link of without any markup (an address with a scheme, a bare
# domain or email address): a zero-width space after the scheme, and each dot that a letter
# follows shown as a one-dot leader, which looks the same but is no host name's dot (numbers,
# 3.5 or 2026.1, stay as they are)
_DOMAIN_DOT = re.compile(r"(?<=\w)\.(?=[^\W\d_])")
# most text (dates, stages, references, names) has nothing to change: found with one search
_ANYTHING_TO_CHANGE = re.compile(r"[\\`*_\[<~&:\n\t]|^[ #+\-=>]|^\d{1,9}[.)]|\w\.[^\W\d_]")
_ZERO_WIDTH_SPACE = "\u200b"
_ONE_DOT_LEADER = "\u2024"


class Markdown(str):
    """Markdown the bot's own code wrote: shown as it is, where other text is made plain."""


def plain(value: object) -> str:
    """`value` as text that reads the same but, as Markdown, is no link, no emphasis, no
    heading or list, no HTML and no mention. Markdown the bot wrote passes unchanged."""
    if isinstance(value, Markdown):
        return str(value)  # a plain str from here on (JSON encoders see the same as ever)
    text = "" if value is None else str(value)
    # a lone carriage return ends a line for Markdown (not for `re`'s ^): one kind of line end
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _ANYTHING_TO_CHANGE.search(text):
        return text
    text = _INLINE.sub(r"\\\1", text)
    text = _INDENT.sub(lambda m: "\u00a0" * len(m.group()), text)
    text = _NUMBERED.sub(r"\1\\\2", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    # every "://", not only after a word boundary: "_http://x" is a link too
    text = text.replace("://", f":{_ZERO_WIDTH_SPACE}//")
    return _DOMAIN_DOT.sub(_ONE_DOT_LEADER, text)
