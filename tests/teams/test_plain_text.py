"""What one person types is shown to another as they typed it: never a live link, emphasis, a
heading, a list, HTML or a mention. Checked by rendering as Markdown (CommonMark with bare-link
detection, as Teams' clients read TextBlocks, facts and messages) and finding no markup."""

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from imr_bot.domain.plain_text import Markdown, plain
from imr_bot.teams.card_templates import CardLibrary
from tests.teams.harness import AUTHOR, QA_LEAD, SD, card_text, cards, texts
from tests.teams.test_approvals import approval_card, execute_data, host, midway, submit_files  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "strikethrough"])
ONLY_PARAGRAPHS = re.compile(r"</?p>|<br\s*/?>")

HOSTILE = [
    "[Open the report](https://evil.test/login)",
    "![logo](https://evil.test/pixel.png)",
    "**URGENT** _approve now_ ~~old~~ `code`",
    "<at>Quinn Lead</at> please look",
    "<a href='https://evil.test'>council portal</a> <img src=x onerror=alert(1)>",
    "visit www.evil.test or evil.com, or mail help@evil.test",
    "HTTPS://EVIL.TEST/x and ftp://files.evil.test and <https://evil.test>",
    "# Approved\n## by the Director\n---\n===",
    "- item one\n* item two\n+ item three\n1. first\n2) second",
    "> quoted from the Director",
    "    indented code block\n\tand a tab",
    "```\nfenced\n```\n~~~\nalso fenced\n~~~",
    "[ref]: https://evil.test\nsee [ref]",
    "&lt;b&gt;bold&lt;/b&gt; &#60;script&#62; &amp;",
    "a line  \nbreak and \\*escaped\\* already",
    "аррӏе.com/login xn--80ak6aa92e.com",
]


def markup_of(text: str) -> str:
    """The HTML tags rendering `text` as Markdown makes, other than paragraphs and breaks."""
    rendered = MARKDOWN.render(text)
    return ONLY_PARAGRAPHS.sub("", rendered) if "<" in ONLY_PARAGRAPHS.sub("", rendered) else ""


def shown(text: str) -> str:
    """What a reader sees of `text` once rendered, as plain characters."""
    import html

    words = re.sub(r"<[^>]+>", " ", MARKDOWN.render(text))
    words = html.unescape(words).replace("\u2024", ".").replace("\u200b", "").replace("\u00a0", " ")
    return " ".join(words.split())


# a carriage return on its own ends a line for CommonMark, so what follows it starts a block
CARRIAGE_RETURNS = ["noted\r# Approved by the Director", "noted\r- item\r* item\r+ item",
                    "noted\r> quoted", "noted\r1. first\r2) second", "noted\r\r    code block",
                    "Approved\r===", "Approved\r---", "a\r\n# b\r\r## c", "x\r```\rfenced\r```",
                    "x\r<div>html block</div>"]


@pytest.mark.parametrize("text", HOSTILE + CARRIAGE_RETURNS)
def test_typed_markdown_is_shown_as_typed_and_makes_no_markup(text):
    assert markup_of(plain(text)) == ""
    assert shown(plain(text)) == " ".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab1 .:/\n\r\t*_[]()<>!#-+=~`&;@|\\") +
                                ["www.", "http://", "x.com", "&lt;", "<at>", "1. ", "    "]),
                max_size=30).map("".join))
def test_no_typed_text_at_all_makes_markup(text):
    assert markup_of(plain(text)) == ""


def test_markdown_the_bot_wrote_is_left_as_it_is():
    assert plain(Markdown("**R/1** was approved")) == "**R/1** was approved"
    assert type(plain(Markdown("x"))) is str


def _hostile_everywhere(node, payload):
    if isinstance(node, dict):
        return {k: _hostile_everywhere(v, payload) for k, v in node.items()}
    if isinstance(node, list):
        return [_hostile_everywhere(v, payload) for v in node]
    if isinstance(node, str):
        return payload
    return node


def _markdown_fields(node, kind="", found=None):
    found = [] if found is None else found
    if isinstance(node, dict):
        own = node.get("type", kind)
        for key, value in node.items():
            if isinstance(value, str) and ((own == "TextBlock" and key == "text")
                                           or (own == "Fact" and key in ("title", "value"))):
                found.append(value)
            else:
                _markdown_fields(value, "Fact" if own == "FactSet" and key == "facts" else "",
                                 found)
    elif isinstance(node, list):
        for value in node:
            _markdown_fields(value, kind, found)
    return found


LIBRARY = CardLibrary(ROOT / "cards")


@pytest.mark.parametrize("payload", HOSTILE[:6] + HOSTILE[7:9])
@pytest.mark.parametrize("name", LIBRARY.names())
def test_every_card_shows_any_value_it_is_given_as_plain_text(name, payload):
    sys.path.insert(0, str(ROOT / "scripts"))
    from card_samples import samples

    card = LIBRARY.render(name, _hostile_everywhere(samples()[name], f"QQ {payload} ZZ"))
    fields = [f for f in _markdown_fields(card) if "QQ" in f]
    for text in fields:
        rendered = MARKDOWN.render(text)
        inside = rendered[rendered.index("QQ"):rendered.rindex("ZZ")]
        assert not ONLY_PARAGRAPHS.sub("", inside).count("<"), (name, text, rendered)


async def test_an_amendments_comment_with_links_reaches_the_author_and_qa_lead_inert(
        midway, host):  # noqa: F811 - the fixtures imported above
    teams = midway
    await submit_files(teams, host, b"1")
    comment = "See [the guidance](https://evil.test/login) **now** <at>Arun</at> evil.com"
    await teams.execute(QA_LEAD, "approval.amend", {
        **execute_data(approval_card(teams, QA_LEAD, 1)), "comment": comment})
    amendments = [c for c in cards(teams.inbox(AUTHOR)) if "Amendments requested" in card_text(c)][-1]
    for text in _markdown_fields(amendments):
        assert markup_of(text) == "" or "evil" not in text, text
    assert any("evil" in shown(t) for t in _markdown_fields(amendments))

    await submit_files(teams, host, b"2")
    await teams.execute(QA_LEAD, "approval.approve", {
        **execute_data(approval_card(teams, QA_LEAD, 2)), "check_0": "true"})
    await teams.execute(SD, "approval.amend", {
        **execute_data(approval_card(teams, SD, 2, "Service Director (EH&S)")), "comment": comment})
    told = [t for t in texts(teams.inbox(QA_LEAD)).splitlines() if "evil" in t][-1]
    assert "<a " not in MARKDOWN.render(told) and "<strong>now" not in MARKDOWN.render(told)
    assert "the guidance" in shown(told)
