"""The private parts of msrest that the fast paths rely on, in one place, each one checked.

Three fast paths avoid msrest's slow generic walks (docs/adr/0004, docs/benchmarks.md): reading
an incoming activity (activities.py), writing an outgoing one (connector.py), and passing a
rendered card through the SDK's serialiser untouched (adapter.py). They need msrest's model
metadata (`_attribute_map`, `_validation`, `_subtype_map`, `Model._infer_class_models`) and the
`_serialize` attribute of a connector client, none of which is public API.

`problems()` checks each assumption against the msrest that is installed. When one does not
hold, `fast_paths_hold()` is false and every fast path steps aside for the SDK's own: a change in
msrest then costs speed, never correctness. tests/teams/test_msrest_seam.py fails loudly on such a
change, so that it is seen, not silently absorbed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botbuilder.schema import Activity, Attachment
from msrest.serialization import Model, Serializer


def model_classes() -> dict[str, type[Model]]:
    """Every schema model an Activity can hold, by the name msrest's type strings use."""
    return Activity._infer_class_models()


def attribute_map(model: type[Model]) -> dict[str, dict[str, Any]]:
    """Attribute name → {"key": JSON key, "type": msrest type string}."""
    return model._attribute_map


def reads_simply(model: type[Model]) -> bool:
    """False for a model msrest reads with rules of its own (validation, subtypes)."""
    return not model._validation and not getattr(model, "_subtype_map", None)


def serializer_holders(client: Any) -> list[Any]:
    """The parts of a ConnectorClient that carry their own msrest Serializer."""
    return [part for part in (client, *vars(client).values())
            if isinstance(getattr(part, "_serialize", None), Serializer)]


def current_serializer(client: Any) -> Serializer | None:
    holders = serializer_holders(client)
    return holders[0]._serialize if holders else None


def replace_serializer(client: Any, serializer: Serializer) -> None:
    for part in serializer_holders(client):
        part._serialize = serializer


def problems() -> list[str]:
    """What no longer holds of what the fast paths assume about msrest; empty when all is well."""
    found = []
    try:
        models = model_classes()
        if not isinstance(models, dict) or models.get("Attachment") is not Attachment:
            found.append("Model._infer_class_models no longer names the schema's models")
    except Exception as error:  # any failure here means the assumption is gone
        found.append(f"Model._infer_class_models failed: {type(error).__name__}")
    mapping = getattr(Activity, "_attribute_map", None)
    if not isinstance(mapping, dict) or not all(
            isinstance(spec, dict) and isinstance(spec.get("key"), str)
            and isinstance(spec.get("type"), str) for spec in mapping.values()):
        found.append("Model._attribute_map is no longer {name: {key, type}}")
    elif mapping.get("service_url", {}).get("key") != "serviceUrl":
        found.append("Activity._attribute_map no longer maps service_url to serviceUrl")
    if not hasattr(Activity, "_validation"):
        found.append("Model._validation is gone")
    if not hasattr(Serializer, "serialize_object"):
        found.append("Serializer.serialize_object is gone")
    return found


@cache
def fast_paths_hold() -> bool:
    return not problems()
