"""The message action "Log as IMR commission" through the Agents Playground's invoke route, as
Teams sends it: a forwarded DDSCP request becomes a logged commission in two clicks (Check, then
Confirm) once the officer has typed the initials."""

from __future__ import annotations

from pathlib import Path

PEOPLE = {"bea": "bea.services@demo.council.test"}  # Business Services
EMAIL = (Path(__file__).parents[1] / "domain/request_emails/ddscp_forwarded.txt").read_text()


async def invoke(client, name: str, value: dict) -> dict:
    response = await client._session.post(f"{client.base}/_conversation/v1/invoke", json={
        "name": name, "conversation": {"id": client.chat}, "from": {"id": client.user["id"]},
        "value": value})
    assert response.status == 200, await response.text()
    body = await response.json()
    return body if "task" in body else body.get("body", body)


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


async def test_a_forwarded_request_is_logged_in_two_clicks(clients):
    bea = clients["bea"]
    html = "".join(f"<p>{line}</p>" for line in EMAIL.splitlines())
    body = await invoke(bea, "composeExtension/fetchTask", {
        "commandId": "logCommission", "commandContext": "message",
        "messagePayload": {"id": "1", "body": {"contentType": "html", "content": html}}})
    form = body["task"]["value"]["card"]["content"]
    values = inputs(form)
    assert values["reference"] == "DDSCP/CSPR/2026/014" and values["tor_end"] == "2026-03-31"
    assert "Read from the message — please check." in str(form)
    body = await invoke(bea, "composeExtension/submitAction", {
        "commandId": "logCommission",
        "data": {**values, "subject_initials": "CK", "verb": "new_review.check"}})
    confirm = body["task"]["value"]["card"]["content"]
    (data,) = [a["data"] for a in confirm["actions"] if a["data"]["verb"] == "new_review.confirm"]
    body = await invoke(bea, "composeExtension/submitAction",
                        {"commandId": "logCommission", "data": data})
    assert body["task"] == {"type": "message", "value": body["task"]["value"]}
    assert body["task"]["value"].startswith("Logged DDSCP/CSPR/2026/014.")
    status = await bea.say("imr status DDSCP/CSPR/2026/014", wait_for="DDSCP/CSPR/2026/014")
    assert "DDSCP/CSPR/2026/014" in str(status)
