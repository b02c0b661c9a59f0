"""Every card the bot sends must be a valid Adaptive Card 1.5 (what Teams renders)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft6Validator


@lru_cache(maxsize=1)
def _validator() -> Draft6Validator:
    schema = json.loads(resources.files("adaptive_cards").joinpath(
        "schemas/schema-1.5.json").read_text(encoding="utf-8"))
    return Draft6Validator(schema)


def _without_teams_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_teams_keys(v) for k, v in node.items() if k != "msteams"}
    if isinstance(node, list):
        return [_without_teams_keys(v) for v in node]
    return node


def _input_ids(node: Any, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input.") and "id" in node:
            found.append(node["id"])
        for value in node.values():
            _input_ids(value, found)
    elif isinstance(node, list):
        for value in node:
            _input_ids(value, found)
    return found


def _leftover_template(node: Any, path: str = "") -> list[str]:
    if isinstance(node, dict):
        bad = [f"{path}.{k}" for k in node if k in ("$data", "$when")]
        return bad + [p for k, v in node.items() for p in _leftover_template(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leftover_template(v, f"{path}[{i}]")]
    if isinstance(node, str) and "${" in node:
        return [path]
    return []


def card_problems(card: dict[str, Any]) -> list[str]:
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in _validator().iter_errors(_without_teams_keys(card))]
    version = str(card.get("version", "0"))
    if tuple(int(p) for p in version.split(".")) > (1, 5):
        problems.append(f"version {version} is above 1.5")
    ids = _input_ids(card, [])
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate input ids: {sorted(duplicates)}")
    problems += [f"unbound template at {p}" for p in _leftover_template(card)]
    return problems


def assert_valid_card(card: dict[str, Any]) -> None:
    problems = card_problems(card)
    assert not problems, "invalid Adaptive Card:\n" + "\n".join(problems)
