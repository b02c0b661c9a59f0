"""Links pasted after `imr submit REF` asked for the documents: taken as the submission, each
checked by the allow-list first; a refusal says why and changes nothing."""

from botbuilder.schema import Attachment

from imr_bot.store.unit_of_work import UnitOfWork
from tests.domain.test_urls import LEGITIMATE
from tests.teams import test_approvals
from tests.teams.harness import AUTHOR, card_text, cards, texts
from tests.teams.test_approvals import REF, word
from tests.teams.test_submitted_links import REFUSED

midway = test_approvals.midway  # a review whose midway review is held (the fixture)
files = test_approvals.host  # serves files on loopback, as Teams does (the fixture)

REPORT = LEGITIMATE[0]  # ".../IMR%20report.docx"
CHRONOLOGY = ("https://derbyshire-my.sharepoint.com/:w:/g/personal/arun_author_derbyshire_gov_uk/"
              "Chronology.docx?e=Ab12")
NAMELESS = LEGITIMATE[2]  # a OneDrive share link: no file name in it
NAMELESS_TOO = LEGITIMATE[1]


async def drafts(teams) -> dict[str, str]:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        return {d.kind: d.link for d in await uow.submissions.drafts(review.id, AUTHOR.email)}


async def asked_for_documents(teams) -> None:
    reply = texts(await teams.say(AUTHOR, f"imr submit {REF}"))
    assert "paste SharePoint/OneDrive links" in reply


async def test_two_links_pasted_after_the_prompt_are_the_submission(midway):
    await asked_for_documents(midway)
    replies = await midway.say(AUTHOR, f"{REPORT} {CHRONOLOGY}")
    assert "I don't know" not in texts(replies)
    (confirm,) = cards(replies)
    assert "IMR report" in card_text(confirm) and "Chronology" in card_text(confirm)
    assert await drafts(midway) == {"report": REPORT, "chronology": CHRONOLOGY}


async def test_links_pasted_one_at_a_time_ask_for_the_other_then_show_both(midway):
    await asked_for_documents(midway)
    reply = texts(await midway.say(AUTHOR, NAMELESS))
    assert "Send me the chronology" in reply and "I don't know" not in reply
    # a link whose name says nothing is the document still missing
    (confirm,) = cards(await midway.say(AUTHOR, NAMELESS_TOO))
    assert "Chronology" in card_text(confirm)
    assert await drafts(midway) == {"report": NAMELESS, "chronology": NAMELESS_TOO}


async def test_links_labelled_in_the_message_are_taken_as_labelled(midway):
    await asked_for_documents(midway)
    await midway.say(AUTHOR, f"chronology: {NAMELESS} report: {NAMELESS_TOO}")
    assert await drafts(midway) == {"report": NAMELESS_TOO, "chronology": NAMELESS}


async def test_a_link_teams_shows_as_its_file_name_is_read_from_the_message_markup(midway):
    await asked_for_documents(midway)
    activity = midway._activity(AUTHOR, conversation=AUTHOR.chat, kind="personal",
                                text="Chronology for the panel")
    html = NAMELESS.replace("&", "&amp;")
    activity.attachments = [Attachment(content_type="text/html", content=(
        f'<div><a href="{html}" title="{html}">Chronology for the panel</a></div>'))]
    reply = texts(await midway._run(activity))
    assert "I don't know" not in reply and "Send me the report" in reply
    assert await drafts(midway) == {"chronology": NAMELESS}


async def test_a_refused_pasted_link_is_explained_and_changes_nothing(midway):
    await asked_for_documents(midway)
    for link in REFUSED:
        reply = texts(await midway.say(AUTHOR, link))
        assert "That link was refused" in reply or "Links must be to SharePoint" in reply, link
        assert "evil.com" not in reply and "I don't know" not in reply
        assert await drafts(midway) == {}
    # one bad link beside a good one: neither is added
    reply = texts(await midway.say(AUTHOR, f"{REPORT} https://evil.com/chronology.docx"))
    assert await drafts(midway) == {} and "I don't know" not in reply


async def test_a_link_pasted_with_no_submission_under_way_asks_which_review(midway):
    reply = texts(await midway.say(AUTHOR, REPORT))
    assert "Which review is this link for?" in reply and "imr submit REF" in reply
    assert "I don't know" not in reply
    assert await drafts(midway) == {}


async def test_too_many_links_add_nothing(midway):
    await asked_for_documents(midway)
    reply = texts(await midway.say(AUTHOR, f"{REPORT} {CHRONOLOGY} {NAMELESS}"))
    assert "at most two links" in reply and await drafts(midway) == {}


async def test_a_file_sent_right_after_the_prompt_is_taken(midway, files):
    await asked_for_documents(midway)
    reply = texts(await midway.send_files(AUTHOR, [files.url("IMR report.docx", word(b"report"))]))
    assert "Send me the chronology" in reply
    assert set(await drafts(midway)) == {"report"}


async def test_files_sent_with_the_submit_command_itself_are_taken(midway, files):
    replies = await midway.send_files(AUTHOR, [files.url("IMR report.docx", word(b"report")),
                                               files.url("Chronology.docx", word(b"chron"))],
                                      text=f"imr submit {REF}")
    (confirm,) = cards(replies)
    assert "Chronology" in card_text(confirm)
    assert set(await drafts(midway)) == {"report", "chronology"}


def links_form(replies) -> dict:
    (form,) = [c for c in cards(replies) if c["actions"][0]["data"]["verb"] == "submit.links"]
    return form


async def test_the_prompt_comes_with_a_box_per_document_and_both_boxes_are_taken(midway):
    form = links_form(await midway.say(AUTHOR, f"imr submit {REF}"))
    assert {"report_link", "chronology_link"} <= {
        e.get("id") for e in form["body"] if isinstance(e, dict)}
    # two share links whose names say nothing: each box says which document it is
    data = {**form["actions"][0]["data"], "report_link": NAMELESS, "chronology_link": NAMELESS_TOO}
    (confirm,) = cards(await midway.submit(AUTHOR, data))
    assert "Submit" in card_text(confirm)
    assert await drafts(midway) == {"report": NAMELESS, "chronology": NAMELESS_TOO}


async def test_one_box_filled_adds_that_document_and_asks_for_the_other(midway):
    form = links_form(await midway.say(AUTHOR, f"imr submit {REF}"))
    reply = texts(await midway.submit(AUTHOR, {**form["actions"][0]["data"],
                                               "chronology_link": NAMELESS, "report_link": " "}))
    assert "Send me the report" in reply
    assert await drafts(midway) == {"chronology": NAMELESS}


async def test_a_refused_link_in_a_box_says_which_and_adds_nothing(midway):
    form = links_form(await midway.say(AUTHOR, f"imr submit {REF}"))
    for bad in REFUSED[:4]:
        reply = texts(await midway.submit(AUTHOR, {**form["actions"][0]["data"],
                                                   "report_link": REPORT, "chronology_link": bad}))
        assert "The chronology's link" in reply and "Nothing was added" in reply
        assert await drafts(midway) == {}
    reply = texts(await midway.submit(AUTHOR, form["actions"][0]["data"]))
    assert "Paste a link" in reply and await drafts(midway) == {}


async def test_a_sentence_with_a_link_in_it_and_no_submission_under_way_is_no_submission(midway):
    reply = texts(await midway.say(AUTHOR, f"could you tell me where I put {REPORT} last week"))
    assert "Which review" not in reply and await drafts(midway) == {}


async def test_imr_submit_with_links_teams_shows_by_name_reads_them_from_the_markup(midway):
    activity = midway._activity(AUTHOR, conversation=AUTHOR.chat, kind="personal",
                                text=f"imr submit {REF} Chronology IMR report")
    first, second = (u.replace("&", "&amp;") for u in (NAMELESS, NAMELESS_TOO))
    activity.attachments = [Attachment(content_type="text/html", content=(
        f'<p>imr submit {REF} <a href="{first}">Chronology</a> '
        f'<a href="{second}">IMR report</a></p>'))]
    (confirm,) = cards(await midway._run(activity))
    assert "Submit" in card_text(confirm)
    assert await drafts(midway) == {"chronology": NAMELESS, "report": NAMELESS_TOO}
