"""Cards are data: JSON files in cards/, bound to values by one small function.

`bind` understands the part of the Adaptive Card Templating language our cards use, so the same
files open in the Adaptive Cards Designer with sample data:
- "${path.to.value}" inside any string; a string that is only one expression keeps the value's
  type (a list stays a list, a boolean stays a boolean);
- "$data": "${list}" on an element repeats it once per item (the item is the new scope;
  "$root" always reaches the top); "$data" bound to an object changes scope;
- "$when": "${path}" or "${!path}" drops the element when the value is falsy (or truthy).
Values are inserted as data and never evaluated again, so text a user typed (even "${x}") is
shown as typed. And where Teams reads text as Markdown (a TextBlock's text, a fact's title and
value) a bound value is made plain (imr_bot/domain/plain_text.py): what someone typed is never a
link, emphasis or a heading on another person's screen. Only a value the bot's own code marked as
`Markdown` keeps its markup; the template's own text is the template author's.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from imr_bot.domain.plain_text import plain

_EXPR = re.compile(r"\$\{\s*(!?)\s*([$A-Za-z_][\w.$]*)\s*\}")
_MISSING = object()


def _lookup(path: str, scope: Any, root: Any) -> Any:
    return _path(path)(scope, root)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value  # as it is: a Markdown value stays one
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _truthy(expression: Any, scope: Any, root: Any) -> bool:
    if isinstance(expression, bool):
        return expression
    match = _EXPR.fullmatch(str(expression).strip())
    if not match:
        return bool(expression)
    value = _lookup(match.group(2), scope, root)
    result = value is not _MISSING and bool(value)
    return not result if match.group(1) else result


class CardContent(dict):
    """A rendered card: JSON data. Our connector serialiser (adapter.py) and our direct sends
    (connector.py) pass it through as the JSON it is, instead of walking it value by value.

    Copying means what it always means: botbuilder deep-copies every outgoing activity, and a
    deep copy of a card is a new, independent card. It is made through orjson, since a card is
    JSON data, which is far quicker than copy.deepcopy's walk (docs/benchmarks.md)."""

    def __deepcopy__(self, memo) -> CardContent:
        try:
            copied = CardContent(orjson.loads(orjson.dumps(self)))
        except TypeError:  # a value JSON cannot hold: copy it the slow, general way
            copied = CardContent(copy.deepcopy(dict(self), memo))
        memo[id(self)] = copied
        return copied


def bind(template: dict[str, Any], data: dict[str, Any]) -> CardContent:
    (card,) = _compile(template)(data, data)
    return CardContent(card)


# -- compiled templates ---------------------------------------------------------------------
# A card sent on every turn (the status board has some hundreds of nodes) is bound many times,
# so each template is turned once into closures that do only the binding left to do (the library
# keeps them); `bind` compiles and binds in one go.

def _is_static(node: Any) -> bool:
    if isinstance(node, str):
        return "${" not in node
    if isinstance(node, dict):
        return not any(k in ("$data", "$when") for k in node) and all(
            _is_static(v) for v in node.values())
    if isinstance(node, list):
        return all(_is_static(v) for v in node)
    return True


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@cache
def _path(path: str):
    """A lookup of `path` (dots between keys; `$root` and `$data` first) in a scope, split once."""
    parts = path.split(".")
    start = parts[0]
    rest = parts[1:] if start in ("$root", "$data") else parts

    def lookup(scope, root):
        current = root if start == "$root" else scope
        for part in rest:
            if isinstance(current, dict) and part in current:
                current = current[part]
            else:
                return _MISSING
        return current
    return lookup


# where Teams renders text as Markdown: these keys of these elements (a fact has no type)
_MARKDOWN_KEYS = {"TextBlock": frozenset({"text"}), "Fact": frozenset({"title", "value"})}


def _compile_string(template: str, inert: bool = False):
    """A function (scope, root) -> the string bound; a string that is only one expression gives
    the value itself (a list stays a list, a boolean a boolean). `inert`: the bound values are
    made plain Markdown."""
    whole = _EXPR.fullmatch(template.strip())
    if whole and not whole.group(1):
        lookup = _path(whole.group(2))

        def single(scope, root):
            value = lookup(scope, root)
            if isinstance(value, str):
                return plain(value) if inert else value
            return "" if value is _MISSING or value is None else value
        return single
    pieces: list[Any] = []  # literal text, or (negate, lookup)
    position = 0
    for match in _EXPR.finditer(template):
        pieces.append(template[position:match.start()])
        pieces.append((bool(match.group(1)), _path(match.group(2))))
        position = match.end()
    pieces.append(template[position:])

    def joined(scope, root):
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            negate, lookup = piece
            value = lookup(scope, root)
            if negate:
                out.append("false" if value not in (_MISSING, None) and value else "true")
            elif inert:
                out.append(plain(_text(value)))
            else:
                out.append(_text(value))
        return "".join(out)
    return joined


def _compile(node: Any, kind: str = ""):
    """A function (scope, root) -> the bound nodes: a list, because `$data` over a list yields
    several elements and `$when` may yield none. `kind`: the element type a node without one
    is (a FactSet's facts are Facts)."""
    if _is_static(node):
        if isinstance(node, (dict, list)):
            return lambda scope, root: [_copy(node)]
        return lambda scope, root: [node]
    if isinstance(node, str):
        bind_string = _compile_string(node)
        return lambda scope, root: [bind_string(scope, root)]
    if isinstance(node, list):
        items = [_compile(item, kind) for item in node]
        return lambda scope, root: [[b for item in items for b in item(scope, root)]]
    if "$data" in node:
        data = node["$data"]
        match = _EXPR.fullmatch(data.strip()) if isinstance(data, str) else None
        rest = _compile({k: v for k, v in node.items() if k != "$data"}, kind)

        def repeat(scope, root):
            found = _lookup(match.group(2), scope, root) if match else data
            if isinstance(found, list):
                return [bound for item in found for bound in rest(item, root)]
            if found is _MISSING or found is None:
                return []
            return rest(found, root)
        return repeat
    when = node.get("$when", None)
    own_kind = node.get("type") if isinstance(node.get("type"), str) else kind
    markdown = _MARKDOWN_KEYS.get(own_kind, frozenset())
    fields = []
    for key, value in node.items():
        if key == "$when":
            continue
        child_kind = "Fact" if own_kind == "FactSet" and key == "facts" else ""
        if isinstance(value, str) and "${" not in value or not isinstance(
                value, (str, list, dict)):
            fields.append((key, 0, value))
        elif isinstance(value, str):
            fields.append((key, 1, _compile_string(value, inert=key in markdown)))
        elif isinstance(value, list):
            fields.append((key, 2, [_compile(item, child_kind) for item in value]))
        else:
            fields.append((key, 3, _compile(value, child_kind)))

    def element(scope, root):
        if when is not None and not _truthy(when, scope, root):
            return []
        bound: dict[str, Any] = {}
        for key, kind, value in fields:
            if kind == 0:
                bound[key] = value
            elif kind == 1:
                bound[key] = value(scope, root)
            elif kind == 2:
                bound[key] = [b for item in value for b in item(scope, root)]
            else:
                results = value(scope, root)
                if results:
                    bound[key] = results[0]
        return [bound]
    return element


class CardLibrary:
    """Card templates from the cards/ folder, read once."""

    def __init__(self, folder: Path):
        self.folder = folder

    @cache  # noqa: B019 - one library per process, templates never change
    def _template_text(self, name: str) -> str:
        return (self.folder / f"{name}.json").read_text(encoding="utf-8")

    def template(self, name: str) -> dict[str, Any]:
        return json.loads(self._template_text(name))

    @cache  # noqa: B019 - as above
    def _compiled(self, name: str):
        return _compile(self.template(name))

    def render(self, name: str, data: dict[str, Any]) -> CardContent:
        (card,) = self._compiled(name)(data, data)
        return CardContent(card)

    def names(self) -> list[str]:
        return sorted(p.stem for p in card_files(self.folder))


SAMPLE_DATA = ".data.json"  # cards/<name>.data.json: the card's sample data, for the Designer


def card_files(folder) -> list[Path]:
    """The card templates in `folder`, without their sample data files."""
    return sorted(p for p in Path(folder).glob("*.json")
                  if not p.name.endswith(SAMPLE_DATA) and not p.stem.endswith(".sample"))
