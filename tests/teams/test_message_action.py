"""The message action "Log as IMR commission": the commission form, filled in from a request
email, in a task module (composeExtension/fetchTask), then checked and logged on confirmation
(composeExtension/submitAction)."""

from pathlib import Path

from botbuilder.core.serializer_helper import serializer_helper

from imr_bot.store.unit_of_work import UnitOfWork
from tests.cardcheck import assert_valid_card
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, HEAD_OF_CP, STRANGER, card_text

EMAILS = Path(__file__).parent.parent / "domain" / "request_emails"
MARK = "Read from the message — please check."


def as_html(text: str) -> str:
    return "".join(f"<p>{line}</p>" for line in text.splitlines())


async def invoke(teams, user, name: str, value: dict, *, channel: bool = False) -> dict:
    """A message extension invoke from the user, as Teams sends it; returns the response body."""
    conversation = f"19:tracker@thread.tacv2;messageid=1700000000001" if channel else user.chat
    activity = teams._activity(user, conversation=conversation,
                               kind="channel" if channel else "personal",
                               activity_type="invoke", value=value)
    activity.name = name
    seen = len(teams.adapter.activity_buffer)
    await teams.adapter.receive_activity(activity)
    await teams.app.delivery.wait_idle()
    responses = [a for a in teams.adapter.activity_buffer[seen:] if a.type == "invokeResponse"]
    teams._collect(user.chat)
    (response,) = responses
    assert response.value.status == 200, response.value.body
    body = response.value.body
    # as server.py writes it to the wire
    return body if isinstance(body, dict) else serializer_helper(body)


def fetch_value(message_html: str, subject: str = "") -> dict:
    return {"commandId": "logCommission", "commandContext": "message",
            "context": {"theme": "default"},
            "messagePayload": {"id": "1700000000001", "messageType": "message",
                               "subject": subject,
                               "body": {"contentType": "html", "content": message_html},
                               "from": {"user": {"id": "29:someone", "displayName": "Sam Example"}}}}


def task_card(body: dict) -> dict:
    task = body["task"]
    assert task["type"] == "continue", task
    card = task["value"]["card"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(card["content"])
    return card["content"]


def inputs(card: dict) -> dict:
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node.get("value", "")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def submit_value(card_inputs: dict, verb: str, **extra) -> dict:
    return {"commandId": "logCommission", "commandContext": "message",
            "data": {**card_inputs, "verb": verb, **extra}}


def action_data(card: dict, verb: str) -> dict:
    return next(a["data"] for a in card["actions"] if a["data"].get("verb") == verb)


async def count_reviews(teams) -> int:
    async with UnitOfWork(teams.app.database) as uow:
        return await uow.reviews.count()


async def test_the_form_opens_filled_in_from_a_forwarded_ddscp_request(teams):
    email = (EMAILS / "ddscp_forwarded.txt").read_text()
    card = task_card(await invoke(teams, BUSINESS_SERVICES, "composeExtension/fetchTask",
                                  fetch_value(as_html(email)), channel=True))
    assert inputs(card) == {
        "reference": "DDSCP/CSPR/2026/014", "review_type": "CSPR", "body": "DDSCP",
        "template_pack": "derbyshire", "received": "2026-11-09", "tor_start": "2024-04-01",
        "tor_end": "2026-03-31", "subject_initials": "", "ddscp_date": "2027-01-15", "notes": ""}
    text = card_text(card)
    assert text.count(MARK) == 7  # one beside each value read
    assert "please type them" in text
    assert "Child K" not in str(card) and "Sam Example" not in str(card)
    assert await count_reviews(teams) == 0  # opening the form logs nothing


async def test_only_what_was_read_is_marked(teams):
    email = (EMAILS / "no_reference.txt").read_text()
    card = task_card(await invoke(teams, HEAD_OF_CP, "composeExtension/fetchTask",
                                  fetch_value(as_html(email))))
    assert inputs(card)["reference"] == ""
    assert card_text(card).count(MARK) == 2  # the review type and the body


async def test_check_then_confirm_logs_the_commission_and_nothing_before(teams):
    email = (EMAILS / "dhr_community_safety.txt").read_text()
    form = task_card(await invoke(teams, BUSINESS_SERVICES, "composeExtension/fetchTask",
                                  fetch_value(as_html(email))))
    typed = {**inputs(form), "subject_initials": "AB"}
    confirm = task_card(await invoke(teams, BUSINESS_SERVICES, "composeExtension/submitAction",
                                     submit_value(typed, "new_review.check")))
    assert "CSP/DHR/2026/03" in card_text(confirm)
    assert await count_reviews(teams) == 0
    data = action_data(confirm, "new_review.confirm")
    body = await invoke(teams, BUSINESS_SERVICES, "composeExtension/submitAction",
                        {"commandId": "logCommission", "data": data})
    assert body["task"]["type"] == "message"
    assert body["task"]["value"].startswith("Logged CSP/DHR/2026/03.")
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get("CSP/DHR/2026/03")
    assert review.review_type.value == "DHR" and review.received.isoformat() == "2026-11-04"
    assert review.subject_initials == "AB"


async def test_the_form_still_refuses_a_name_as_initials_and_does_not_show_it_back(teams):
    email = (EMAILS / "ddscp_forwarded.txt").read_text()
    form = task_card(await invoke(teams, BUSINESS_SERVICES, "composeExtension/fetchTask",
                                  fetch_value(as_html(email))))
    again = task_card(await invoke(teams, BUSINESS_SERVICES, "composeExtension/submitAction",
                                   submit_value({**inputs(form), "subject_initials": "Jane Smith"},
                                                "new_review.check")))
    assert "looks like a name" in card_text(again)
    assert "Jane Smith" not in str(again)
    assert inputs(again)["reference"] == "DDSCP/CSPR/2026/014"  # the rest is kept
    assert await count_reviews(teams) == 0


async def test_change_goes_back_to_the_form_and_cancel_saves_nothing(teams):
    values = {"reference": "DDSCP/CSPR/2026/040", "review_type": "CSPR", "body": "DDSCP",
              "received": "2026-11-20", "tor_start": "2025-01-01", "tor_end": "2026-06-30",
              "subject_initials": "KL"}
    confirm = task_card(await invoke(teams, BUSINESS_SERVICES, "composeExtension/submitAction",
                                     submit_value(values, "new_review.check")))
    form = task_card(await invoke(teams, BUSINESS_SERVICES, "composeExtension/submitAction",
                                  {"data": action_data(confirm, "new_review.change")}))
    assert inputs(form)["reference"] == "DDSCP/CSPR/2026/040"
    body = await invoke(teams, BUSINESS_SERVICES, "composeExtension/submitAction",
                        {"data": action_data(confirm, "new_review.cancel")})
    assert body["task"] == {"type": "message", "value": "Cancelled: nothing was saved."}
    assert await count_reviews(teams) == 0


async def test_someone_who_may_not_log_commissions_is_told_so(teams):
    email = (EMAILS / "ddscp_forwarded.txt").read_text()
    for user in (AUTHOR, STRANGER):
        body = await invoke(teams, user, "composeExtension/fetchTask",
                            fetch_value(as_html(email)))
        assert body["task"]["type"] == "message"
    assert "Sorry, only" in body["task"]["value"] or "directory" in body["task"]["value"]
    values = {"reference": "DDSCP/CSPR/2026/041", "review_type": "CSPR", "body": "DDSCP",
              "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "KL"}
    for verb in ("new_review.check", "new_review.confirm"):
        body = await invoke(teams, AUTHOR, "composeExtension/submitAction",
                            submit_value(values, verb, values=values))
        assert body["task"]["type"] == "message" and "Sorry, only" in body["task"]["value"]
    assert await count_reviews(teams) == 0


async def test_a_database_that_does_not_answer_gets_a_plain_message_not_an_error(teams,
                                                                                 monkeypatch):
    from imr_bot.services import commissioning

    async def unavailable(*_args, **_kwargs):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(commissioning, "commission", unavailable)
    values = {"reference": "DDSCP/CSPR/2026/042", "review_type": "CSPR", "body": "DDSCP",
              "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "KL"}
    body = await invoke(teams, BUSINESS_SERVICES, "composeExtension/submitAction",
                        submit_value(values, "new_review.confirm", values=values))
    assert body["task"]["type"] == "message"
    assert "Nothing was logged" in body["task"]["value"]
    assert await count_reviews(teams) == 0


async def test_an_unreadable_payload_is_a_bad_request(teams):
    activity = teams._activity(BUSINESS_SERVICES, conversation=BUSINESS_SERVICES.chat,
                               kind="personal", activity_type="invoke", value="not an object")
    activity.name = "composeExtension/submitAction"
    seen = len(teams.adapter.activity_buffer)
    await teams.adapter.receive_activity(activity)
    (response,) = [a for a in teams.adapter.activity_buffer[seen:] if a.type == "invokeResponse"]
    assert response.value.status == 400
    assert await count_reviews(teams) == 0
