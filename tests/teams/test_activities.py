"""The quick reader of incoming activities builds exactly what msrest builds, or leaves the
activity to msrest."""

import json

import pytest
from botbuilder.schema import Activity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msrest.exceptions import DeserializationError
from msrest.serialization import Model

from imr_bot.teams.activities import read_activity

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3), max_leaves=10)
texts = st.one_of(st.text(max_size=20), json_values)
accounts = st.one_of(st.fixed_dictionaries(
    {"id": texts}, optional={"name": texts, "aadObjectId": texts, "role": texts,
                             "properties": json_values, "extra": json_values}), json_values)
timestamps = st.one_of(st.just("2026-11-23T09:30:00.1234567Z"), st.just("2026-11-23T09:30:00Z"),
                       st.just("2026-11-23T09:30:00+01:00"), st.just("23/11/2026"), json_values)
activities = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "invoke", "conversationUpdate", "event"])},
    optional={
        "id": texts, "text": texts, "channelId": texts, "serviceUrl": texts, "locale": texts,
        "timestamp": timestamps, "localTimestamp": timestamps, "from": accounts,
        "recipient": accounts, "membersAdded": st.one_of(st.lists(accounts, max_size=2), json_values),
        "conversation": st.one_of(st.fixed_dictionaries(
            {"id": texts}, optional={"conversationType": texts, "tenantId": texts,
                                     "isGroup": st.one_of(st.booleans(), json_values)}),
            json_values),
        "attachments": st.one_of(st.lists(st.fixed_dictionaries(
            {"contentType": texts}, optional={"content": json_values, "name": texts,
                                              "contentUrl": texts}), max_size=2), json_values),
        "entities": st.one_of(st.lists(st.fixed_dictionaries(
            {"type": texts}, optional={"locale": texts, "mentioned": accounts}), max_size=2),
            json_values),
        "value": json_values, "channelData": json_values, "name": texts,
        "suggestedActions": json_values, "textHighlights": json_values,
        "replyToId": texts, "unknownKey": json_values, "listenFor": json_values})


def plain(value):
    """A model as nested plain data, with each model's class, to compare two readings."""
    if isinstance(value, Model):
        return (type(value).__name__, {k: plain(v) for k, v in vars(value).items()})
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return (type(value).__name__, value)


def msrest_reading(body):
    try:
        return plain(Activity().deserialize(body))
    except DeserializationError as error:
        return DeserializationError, str(error)[:40]


def quick_reading(body):
    try:
        return plain(read_activity(body))
    except DeserializationError as error:
        return DeserializationError, str(error)[:40]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities)
def test_the_quick_reader_builds_what_msrest_builds(body):
    assert quick_reading(body) == msrest_reading(body)


TEAMS_SENDS = [
    {"type": "message", "id": "1700000000000", "timestamp": "2026-11-23T09:30:00.1234567Z",
     "localTimestamp": "2026-11-23T09:30:00.123+00:00", "serviceUrl": "https://smba.trafficmanager.net/uk/",
     "channelId": "msteams", "from": {"id": "29:1abc", "name": "A Person", "aadObjectId": "aad-1"},
     "conversation": {"conversationType": "personal", "tenantId": "t", "id": "a:1xyz"},
     "recipient": {"id": "28:bot", "name": "IMR"}, "textFormat": "plain", "locale": "en-GB",
     "text": "imr status", "entities": [{"locale": "en-GB", "country": "GB", "platform": "Web",
                                        "timezone": "Europe/London", "type": "clientInfo"}],
     "channelData": {"tenant": {"id": "t"}}},
    {"type": "invoke", "name": "adaptiveCard/action", "id": "f:1", "channelId": "msteams",
     "serviceUrl": "https://smba.trafficmanager.net/uk/", "from": {"id": "29:1abc"},
     "conversation": {"id": "19:x@thread.tacv2;messageid=1", "conversationType": "channel",
                      "isGroup": True}, "replyToId": "1",
     "value": {"action": {"type": "Action.Execute", "verb": "approval.approve",
                          "data": {"reviewId": 1, "version": 2.0, "level": "qa"}},
               "trigger": "manual"}},
    {"type": "conversationUpdate", "membersAdded": [{"id": "28:bot"}, {"id": "29:x"}],
     "channelId": "msteams", "serviceUrl": "https://x/", "conversation": {"id": "a:1"},
     "channelData": {"eventType": "teamMemberAdded", "team": {"id": "19:t"}}},
]


@pytest.mark.parametrize("body", TEAMS_SENDS, ids=["message", "invoke", "members-added"])
def test_what_teams_sends_is_read_quickly_and_the_same(body, monkeypatch):
    expected = msrest_reading(json.loads(json.dumps(body)))
    monkeypatch.setattr(Activity, "deserialize", lambda *_: pytest.fail("msrest was used"))
    assert quick_reading(body) == expected
