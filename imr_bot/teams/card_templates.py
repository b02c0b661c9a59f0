"""Cards are data: JSON files in cards/, bound to values by one small function.

`bind` understands the part of the Adaptive Card Templating language our cards use, so the same
files open in the Adaptive Cards Designer with sample data:
- "${path.to.value}" inside any string; a string that is only one expression keeps the value's
  type (a list stays a list, a boolean stays a boolean);
- "$data": "${list}" on an element repeats it once per item (the item is the new scope;
  "$root" always reaches the top); "$data" bound to an object changes scope;
- "$when": "${path}" or "${!path}" drops the element when the value is falsy (or truthy).
Values are inserted as data and never evaluated again, so text a user typed (even "${x}") is
shown as typed.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

_EXPR = re.compile(r"\$\{\s*(!?)\s*([$A-Za-z_][\w.$]*)\s*\}")
_MISSING = object()


def _lookup(path: str, scope: Any, root: Any) -> Any:
    parts = path.split(".")
    if parts[0] == "$root":
        current, parts = root, parts[1:]
    elif parts[0] == "$data":
        current, parts = scope, parts[1:]
    else:
        current = scope
    for part in parts:
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return _MISSING
    return current


def _text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _bind_string(template: str, scope: Any, root: Any) -> Any:
    whole = _EXPR.fullmatch(template.strip())
    if whole and not whole.group(1):
        value = _lookup(whole.group(2), scope, root)
        if not isinstance(value, str):
            return "" if value is _MISSING or value is None else value

    def replace(match: re.Match[str]) -> str:
        value = _lookup(match.group(2), scope, root)
        if match.group(1):
            return "false" if value not in (_MISSING, None) and value else "true"
        return _text(value)

    return _EXPR.sub(replace, template)


def _truthy(expression: Any, scope: Any, root: Any) -> bool:
    if isinstance(expression, bool):
        return expression
    match = _EXPR.fullmatch(str(expression).strip())
    if not match:
        return bool(expression)
    value = _lookup(match.group(2), scope, root)
    result = value is not _MISSING and bool(value)
    return not result if match.group(1) else result


def _bind_node(node: Any, scope: Any, root: Any) -> list[Any]:
    """Bind one node; returns a list because `$data` over a list yields several elements
    and `$when` may yield none."""
    if isinstance(node, dict):
        if "$data" in node:
            data = node["$data"]
            if isinstance(data, str):
                match = _EXPR.fullmatch(data.strip())
                data = _lookup(match.group(2), scope, root) if match else data
            rest = {k: v for k, v in node.items() if k != "$data"}
            if isinstance(data, list):
                return [bound for item in data for bound in _bind_node(rest, item, root)]
            if data is _MISSING or data is None:
                return []
            return _bind_node(rest, data, root)
        if "$when" in node and not _truthy(node["$when"], scope, root):
            return []
        bound: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$when":
                continue
            if isinstance(value, list):
                bound[key] = [b for item in value for b in _bind_node(item, scope, root)]
            else:
                results = _bind_node(value, scope, root)
                if results:
                    bound[key] = results[0]
        return [bound]
    if isinstance(node, list):
        return [[b for item in node for b in _bind_node(item, scope, root)]]
    if isinstance(node, str):
        return [_bind_string(node, scope, root)]
    return [node]


def bind(template: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    (card,) = _bind_node(template, data, data)
    return card


class CardLibrary:
    """Card templates from the cards/ folder, read once."""

    def __init__(self, folder: Path):
        self.folder = folder

    @cache  # noqa: B019 - one library per process, templates never change
    def _template_text(self, name: str) -> str:
        return (self.folder / f"{name}.json").read_text(encoding="utf-8")

    def template(self, name: str) -> dict[str, Any]:
        return json.loads(self._template_text(name))

    def render(self, name: str, data: dict[str, Any]) -> dict[str, Any]:
        return bind(self.template(name), data)

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.stem.endswith(".sample"))
