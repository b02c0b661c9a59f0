"""The whole lifecycle of an IMR, through real Teams clients (Agents Playground), one per person."""

import io

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from docx import Document

from tests.documents.corpus import clean_derbyshire_pair
from tests.e2e.playground import action, card, choice_value

REF = "DDSCP/CSPR/2026/077"
REPORT, CHRONOLOGY, TOR = clean_derbyshire_pair()
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def files():
    """Serves the author's documents on loopback, as Teams serves a file's download URL."""
    store = {}
    app = web.Application()
    async def serve(request):
        return web.Response(body=store[request.match_info["name"]])

    app.router.add_get("/f/{name}", serve)
    server = TestServer(app)
    await server.start_server()
    yield store, server
    await server.close()


async def submit_files(author, server, version: str) -> None:
    """The author sends the report and the chronology as files in chat and confirms."""
    await author.say(f"imr submit {REF}", wait_for="Send me the")
    gathered = await author.send_files("", [(name, str(server.make_url(f"/f/{name}")))
                                            for name in ("report.docx", "chronology.docx")],
                                       wait_for=f"Submit {REF} to the QA senior lead")
    await author.submit(gathered, action(card(gathered), "Submit")["data"], wait_for=version)


async def status_of(client, expected: str) -> None:
    await client.say(f"imr status {REF}", wait_for=expected)


async def test_an_imr_from_commission_to_ddscp(clients, bot, files):
    bea, arun, lena, quinn, sam = (clients[k] for k in ("bea", "arun", "lena", "quinn", "sam"))
    await bot.set_time("2026-11-23T09:30:00+00:00")  # Monday, Day 1

    # Day 1: Business Services log the commission on the form
    form = await bea.say("imr new", wait_for="Log a new IMR commission")
    confirm = await bea.submit(form, {**action(card(form), "Check and show the plan")["data"],
                                      "reference": REF, "review_type": "CSPR", "body": "DDSCP",
                                      "template_pack": "derbyshire", "received": "",
                                      "tor_start": TOR[0].isoformat(), "tor_end": TOR[1].isoformat(),
                                      "subject_initials": "JS"}, wait_for="Confirm the new IMR")
    await bea.submit(confirm, action(card(confirm), "Confirm and log it")["data"],
                     wait_for=f"Logged **{REF}**")
    await status_of(bea, "Commissioned")

    # Days 1-4: the Head of CP (Bea holds that role too) allocates from the new-IMR card
    new_card = await bea.wait_for("New IMR to allocate")
    allocation = await bea.submit(new_card, action(card(new_card), "Allocate")["data"],
                                  wait_for=f"Allocate {REF}")
    content = card(allocation)
    await bea.submit(allocation, {**action(content, "Ask this author")["data"], "involved": "",
                                  "author": choice_value(content, "author", "Arun Author"),
                                  "qa_lead": choice_value(content, "qa_lead", "Quinn Lead")},
                     wait_for="Asked Arun Author")
    offer = await arun.wait_for("Will you write the IMR")
    await arun.submit(offer, {**action(card(offer), "Accept")["data"], "declaration": "true"},
                      wait_for="you are the report author")
    await quinn.wait_for("you are its QA senior lead")
    await lena.wait_for("who reports to you, has accepted")
    await status_of(arun, "Author and QA lead allocated")

    # Day 4: the scoping meeting, with a counter-proposal
    arrange = await quinn.wait_for("Arrange the Scoping meeting")
    await quinn.submit(arrange, {**action(card(arrange), "Send to participants")["data"],
                                 "day": "2026-11-26", "time": "10:00", "minutes": 60,
                                 "location": "Teams"}, wait_for="Sent:")
    invite = await arun.wait_for("Scoping meeting for")
    await arun.submit(invite, action(card(invite), "Accept")["data"], wait_for="you have accepted")
    invite = await lena.wait_for("Scoping meeting for")
    await lena.submit(invite, {**action(card(invite), "Send my proposal")["data"],
                               "day": "2026-11-26", "time": "14:00"}, wait_for="will confirm")
    counter = await quinn.wait_for("Lena Manager proposes another time")
    await quinn.submit(counter, action(card(counter), "Confirm the new time")["data"],
                       wait_for="Moved to Thu 26 Nov 2026, 14:00")
    # Arun accepted 10:00: asked again about 14:00, not told
    invite = await arun.wait_for("you accepted Thu 26 Nov 2026, 10:00")
    await arun.submit(invite, action(card(invite), "Accept")["data"],
                      wait_for="everyone has accepted")
    await quinn.wait_for("Confirmed: Scoping meeting")
    confirmed = await arun.wait_for("Confirmed: Scoping meeting")
    assert "Record the outcome" not in str(card(confirmed))  # Quinn records it, not Arun
    calendar_url = action(card(confirmed), "Add to my calendar")["url"]
    calendar = await bot.get("/" + calendar_url.split("/", 3)[3])
    assert b"METHOD:REQUEST" in calendar and b"SEQUENCE:1" in calendar

    await bot.set_time("2026-11-26T16:00:00+00:00")
    confirmed = quinn.last_card("Confirmed: Scoping meeting")
    form = await quinn.submit(confirmed, action(card(confirmed), "Record the outcome")["data"],
                              wait_for="Record the scoping meeting")
    await quinn.submit(form, {**action(card(form), "Record the outcome")["data"],
                              "held_on": "2026-11-26", "attendees": "",
                              "due_ddscp_submission": "2027-01-22"}, wait_for="Recorded.")
    await arun.wait_for("Submission to DDSCP: Fri 22 Jan 2027")
    await status_of(bea, "Scoping meeting held")

    # Day 15: the midway review
    arrange = await quinn.wait_for("Arrange the Midway review")
    await quinn.submit(arrange, {**action(card(arrange), "Send to participants")["data"],
                                 "day": "2026-12-11", "time": "09:30", "minutes": 45},
                       wait_for="Sent:")
    for person in (arun, lena):
        invite = await person.wait_for("Midway review for")
        await person.submit(invite, action(card(invite), "Accept")["data"], wait_for="Thank you")
    await bot.set_time("2026-12-11T12:00:00+00:00")
    confirmed = await quinn.wait_for("Confirmed: Midway review")
    form = await quinn.submit(confirmed, action(card(confirmed), "Record the outcome")["data"],
                              wait_for="Record the midway review")
    await quinn.submit(form, {**action(card(form), "Record the outcome")["data"],
                              "held_on": "2026-12-11", "outcome": "on_track"}, wait_for="Recorded.")
    await status_of(arun, "Midway review held")

    # reminders: the report is due Tue 29 Dec, two working days after Wed 23 Dec (Christmas and the
    # Boxing Day substitute are not working days)
    await bot.set_time("2026-12-23T10:00:00+00:00")
    assert await bot.sweep() == 1
    await arun.wait_for("Report and chronology to QA lead is due Tue 29 Dec 2026 (in 2 working days)")
    await bot.set_time("2026-12-28T10:00:00+00:00")  # a bank holiday: nothing
    assert await bot.sweep() == 0

    # Day 25: the author submits the report and chronology as files
    store, server = files
    store["report.docx"], store["chronology.docx"] = REPORT, CHRONOLOGY
    await bot.set_time("2026-12-29T10:00:00+00:00")
    await submit_files(arun, server, "version 1")

    # QA: one round of amendments, then approval (Action.Execute)
    approval = await quinn.wait_for("version 1 for the QA senior lead")
    data = card(approval)["refresh"]["action"]["data"]
    assert "Automated check: all" in str(card(approval))  # the planted-defect-free pair
    decided = await quinn.execute(approval, "approval.amend", {**data, "comment": "Expand section 7"})
    assert "Amendments requested by Quinn Lead" in str(decided)
    await arun.wait_for("Expand section 7")
    await status_of(arun, "QA amendments requested")
    await submit_files(arun, server, "version 2")
    approval = await quinn.wait_for("version 2 for the QA senior lead")
    decided = await quinn.execute(approval, "approval.approve",
                                  {**card(approval)["refresh"]["action"]["data"], "check_0": "true"})
    assert "Approved by Quinn Lead" in str(decided)

    # Service Director sign-off, then Business Services record the submission to DDSCP
    approval = await sam.wait_for("version 2 for the Service Director")
    data = card(approval)["refresh"]["action"]["data"]
    asked = await sam.execute(approval, "approval.approve", data)  # nothing ticked: asked first
    assert "without ticking anything?" in str(asked)
    decided = await sam.execute(approval, "approval.approve",
                                action(asked, "Approve without ticking anything")["data"])
    assert "Approved by Sam Director" in str(decided)
    await bea.wait_for("ready for DDSCP")
    asked = await bea.say(f"imr submitted {REF}", wait_for="went to DDSCP?")
    done = await bea.execute(asked, "ddscp.confirm",
                             action(card(asked), "Confirm: close the review")["data"])
    assert "The review is closed" in str(done)
    await arun.wait_for("was submitted to DDSCP")
    await bea.say("imr status", wait_for="There are no open reviews")


async def test_a_template_arrives_prefilled_in_chat(clients, bot):
    arun = clients["arun"]
    message = await arun.say("imr template chronology", wait_for="download it here")
    link = message["text"][message["text"].index("/files/"):message["text"].index(")", message["text"].index("/files/"))]
    document = Document(io.BytesIO(await bot.get(link)))
    assert "Individual Management Review ref:" in document.sections[0].header.paragraphs[0].text
