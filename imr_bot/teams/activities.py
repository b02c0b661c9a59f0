"""Incoming activities read into botbuilder's Activity without msrest's walk.

msrest reads an Activity by visiting every attribute of every model it could hold, asking each
of two key extractors for it and converting whatever it finds, on every turn (docs/benchmarks.md
has what it costs). Teams sends a few keys of plain JSON types, so the reader
below visits only the keys present and builds the same objects. Whatever it is not sure of (a
number where text belongs, a list where a model belongs, a date msrest would have to parse
differently) it leaves to msrest, so the result is always msrest's: tests/teams/
test_activities.py holds the two equal on generated activities. What it assumes of msrest's
private parts is checked in msrest_seam.py; if that fails, msrest reads every activity.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from botbuilder.schema import Activity
from msrest.serialization import Deserializer, Model

from . import msrest_seam

_MODELS: dict[str, type[Model]] = msrest_seam.model_classes()


class _NotPlain(Exception):
    """This value is not one the quick reader is sure of: msrest reads the activity."""


def activity_tenant(activity: Activity) -> str:
    """The tenant an activity comes from, as Teams names it (lower case; empty if none)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    found = tenant.get("id") or getattr(activity.conversation, "tenant_id", None)
    return found.lower() if isinstance(found, str) else ""


def read_activity(body: dict) -> Activity:
    """`body` as msrest's Activity.deserialize would read it (and raising as it does)."""
    if not msrest_seam.fast_paths_hold():
        return Activity().deserialize(body)
    try:
        return _read_model(Activity, body)
    except _NotPlain:
        return Activity().deserialize(body)


def _read_model(model: type[Model], data: Any) -> Model:
    plan = _plan(model)
    if type(data) is not dict or plan is None:
        raise _NotPlain
    fields, attributes = plan
    values = dict.fromkeys(attributes)
    unknown = None
    for key, value in data.items():
        field = fields.get(key)
        if field is None:  # msrest keeps keys a model does not name as additional properties
            unknown = unknown or {}
            unknown[key] = value
        elif value is not None:
            name, read = field
            values[name] = read(value)
    instance = model(**values)
    if unknown:
        instance.additional_properties = unknown
    return instance


@cache
def _plan(model: type[Model]) -> tuple[dict[str, tuple[str, Callable]], tuple[str, ...]] | None:
    """The model's JSON keys → (attribute, reader), and all its attributes; None for a model
    msrest reads in ways this does not (nested keys, read-only or constant fields, subtypes:
    none of the activity's models today)."""
    if not msrest_seam.reads_simply(model):
        return None
    fields = {}
    mapping = msrest_seam.attribute_map(model)
    for name, description in mapping.items():
        key = description["key"]
        if not key or "." in key:
            return None
        fields[key] = (name, _reader(description["type"]))
    return fields, tuple(mapping)


def _reader(kind: str) -> Callable[[Any], Any]:
    if kind in _SCALARS:
        expected = _SCALARS[kind]
        return lambda value: value if type(value) is expected else _not_plain()
    if kind == "object":
        return _copy_json
    if kind == "iso-8601":
        return _read_time
    if kind.startswith("[") and kind.endswith("]"):
        read_item = _reader(kind[1:-1])
        return lambda value: ([None if item is None else read_item(item) for item in value]
                              if type(value) is list else _not_plain())
    if kind.startswith("{") and kind.endswith("}"):
        read_item = _reader(kind[1:-1])
        return lambda value: ({key: None if item is None else read_item(item)
                               for key, item in value.items()}
                              if type(value) is dict else _not_plain())
    if kind in _MODELS:
        model = _MODELS[kind]
        return lambda value: _read_model(model, value)
    return lambda value: _not_plain()


_SCALARS = {"str": str, "bool": bool, "int": int}


def _not_plain():
    raise _NotPlain


def _copy_json(value: Any) -> Any:
    """msrest's reading of an "object": the same JSON, in new lists and dicts."""
    kind = type(value)
    if kind is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if kind is list:
        return [_copy_json(item) for item in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    raise _NotPlain


def _read_time(value: Any):
    if type(value) is not str:
        raise _NotPlain
    try:
        return Deserializer.deserialize_iso(value)
    except Exception:  # msrest's own error for it, from msrest
        raise _NotPlain from None
