"""Links pasted with `imr submit`: strictly read, and a refusal is said in chat and changes nothing."""

from imr_bot.store.unit_of_work import UnitOfWork
from tests.domain.test_urls import ATTACKS, LEGITIMATE
from tests.teams import test_approvals
from tests.teams.harness import AUTHOR, QA_LEAD, card_text, cards, texts
from tests.teams.test_approvals import REF, approval_card

midway = test_approvals.midway  # a review whose midway review is held (the fixture)

REPORT = LEGITIMATE[0]
CHRONOLOGY = ("https://derbyshire-my.sharepoint.com/:w:/g/personal/arun_author_derbyshire_gov_uk/"
              "Chronology.docx?e=Ab12")


async def drafts(teams) -> list:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        return await uow.submissions.drafts(review.id, AUTHOR.email)


async def test_share_links_from_sharepoint_and_onedrive_are_gathered_and_shown_on_the_card(midway):
    reply = await midway.say(AUTHOR, f"imr submit {REF} {REPORT} {CHRONOLOGY}")
    (confirm,) = cards(reply)
    assert "IMR report" in card_text(confirm) and "Chronology" in card_text(confirm)
    await midway.submit(AUTHOR, confirm["actions"][0]["data"])
    card = approval_card(midway, QA_LEAD, 1)
    urls = [a["url"] for s in card["body"] if s.get("type") == "ActionSet" for a in s["actions"]]
    assert sorted(urls) == sorted([REPORT, CHRONOLOGY])


REFUSED = [
    "https://derbyshire.sharepoint.com@evil.com/report.docx",
    "https://evil.com\\@derbyshire.sharepoint.com/report.docx",
    "https:\\\\evil.com\\report.docx",
    "https://derbyshire．sharepoint．com/report.docx",
    "https://derbyshire.sharepoint.com./report.docx",
    "https://derbyshire.sharepoint.com:8443/report.docx",
    "https://derbyshire.sharepoint.com/%2e%2e/report.docx",
    "https://xn--drbyshire-x6a.sharepoint.com/report.docx",
    "https://evil.com/report.docx",
    "https://derbyshire.sharepoint.com\u200b@evil.com/report.docx",
]


async def test_a_refused_link_is_explained_and_changes_nothing(midway):
    for link in REFUSED:
        reply = texts(await midway.say(AUTHOR, f"imr submit {REF} {link}"))
        assert "That link was refused" in reply or "Links must be to SharePoint" in reply, link
        assert "Traceback" not in reply and "evil.com" not in reply
        assert await drafts(midway) == []
        # nor was a submission begun: files sent now are not taken for this review
        reply = texts(await midway.send_files(AUTHOR, [("report.docx", "https://x.sharepoint.com/f")]))
        assert "Which review are these for?" in reply


async def test_one_bad_link_among_good_ones_adds_none_of_them(midway):
    reply = texts(await midway.say(AUTHOR, f"imr submit {REF} {REPORT} "
                                           "https://derbyshire.sharepoint.com@evil.com/c.docx"))
    assert "user name before the host" in reply
    assert await drafts(midway) == []


async def test_a_link_without_https_is_answered_not_ignored(midway):
    for link in ("http://derbyshire.sharepoint.com/report.docx",
                 "HTTP://derbyshire.sharepoint.com/report.docx",
                 "derbyshire.sharepoint.com/report.docx"):
        reply = texts(await midway.say(AUTHOR, f"imr submit {REF} {link}"))
        assert "Links must start with https://" in reply
        assert await drafts(midway) == []


async def test_a_word_after_the_reference_that_is_not_a_link_is_said_not_skipped(midway):
    reply = texts(await midway.say(AUTHOR, f"imr submit {REF} {REPORT} @evil.com/x"))
    assert "is not a link" in reply
    assert await drafts(midway) == []


async def test_with_the_councils_hosts_named_another_tenants_sharepoint_is_refused(midway):
    midway.app.ctx.document_hosts = ("derbyshire.sharepoint.com", "derbyshire-my.sharepoint.com")
    reply = texts(await midway.say(
        AUTHOR, f"imr submit {REF} https://othertenant.sharepoint.com/:w:/r/sites/x/report.docx"))
    assert "the organisation's own SharePoint or OneDrive" in reply
    assert "derbyshire.sharepoint.com" in reply
    assert await drafts(midway) == []
    reply = await midway.say(AUTHOR, f"imr submit {REF} {REPORT} {CHRONOLOGY}")
    assert len(cards(reply)) == 1 and len(await drafts(midway)) == 2


async def test_the_corpus_is_refused_through_the_chat_as_well(midway):
    for link in [url for urls in ATTACKS.values() for url in urls[::2]]:
        await midway.say(AUTHOR, f"imr submit {REF} {link}")
        assert await drafts(midway) == [], link
