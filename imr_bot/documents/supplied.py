"""Organisation-supplied Word templates: what may be written in them, and how they are filled.

A supplied template is text from outside that docxtpl hands to Jinja, and Jinja left alone will
run Python. So there are two locks, each enough on its own:

- at upload, `inspect` reads every part docxtpl renders (body, headers, footers, footnotes, the
  document's properties) and refuses anything but the documented fields, a few text filters and
  `{% if %}`; a template Jinja cannot parse is refused with Jinja's own message and line;
- at render, `render` fills it in a sandbox that compiles only the same constructs, holds only
  plain strings, has no globals, calls nothing, reads no attribute and does no arithmetic, so a
  template stored before the check (or one that slips past it) still cannot run anything.
"""

from __future__ import annotations

import html
import io
import re
import weakref
from dataclasses import dataclass, field

from jinja2 import TemplateError, TemplateSyntaxError, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.parser import Parser
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from imr_bot.domain.errors import DomainError
from imr_bot.domain.plain_text import plain

# The text filters a template may use, with plain string arguments only (`{{ ref|upper }}`,
# `{{ author|default('to be confirmed') }}`).
FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default", "d", "escape", "e")
TESTS = ("defined", "undefined", "none")
# Names Jinja itself gives a template; a supplied one never needs them, and some reach Python.
JINJA_NAMES = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "self",
                         "loop", "caller", "varargs", "kwargs", "super", "context", "environment"})
MAX_SOURCE = 16 * 1024 * 1024  # characters of XML in one template, all parts together
MAX_PLACEHOLDERS = 5_000  # in one part; each is parsed on its own to be named
MAX_CONSTANT = 200  # characters in a literal such as a default's text
MAX_TURNS = 10_000  # loop turns in one filled part, all loops together (none pass the check)
_BOUNDED = "imr_bounded"  # the filter the sandbox puts around every loop's list
_MARKING_FIELD = "{{ marking }}"
_KNOWN_MARKINGS = re.compile(r"\b(OFFICIAL(?:[- ]SENSITIVE)?|RESTRICTED|CONFIDENTIAL|SECRET|"
                             r"PROTECT(?:ED)?)\b")


class TemplateRefused(DomainError):
    """A supplied template uses something it may not; `problems` says what, one line each, with
    the template's own text in them already made plain (it is shown in chat)."""

    def __init__(self, filename: str, problems: list[str], *, stored: bool = False):
        self.filename, self.problems = filename, list(problems)
        shown = problems[:8]
        more = f"\n- …and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        filename = plain(filename)
        intro = (f"The supplied template “{filename}” can't be filled in safely, so I have not "
                 "used it; Business Services can upload a corrected one" if stored
                 else f"I can't use “{filename}” as a template")
        super().__init__(f"{intro}:\n" + "\n".join(f"- {p}" for p in shown) + more
                         + "\n\nA template may use only the fields ({{ ref }}, {{ author }}…), "
                         "the filters " + ", ".join(f"|{f}" for f in FILTERS[:5])
                         + " and |default('…'), and {% if field %}…{% endif %}.")


@dataclass(frozen=True)
class Inspection:
    """What an acceptable template uses: fields the bot does not fill and placeholders written in
    another style (both stay as they are), and the fields it does fill."""
    fields: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    other_styles: list[str] = field(default_factory=list)


# -- the parts docxtpl renders, as it renders them ------------------------------------------------

@dataclass(frozen=True)
class _Part:
    name: str  # as a person would say it: "the body", "a header"
    source: str


def _parts(template) -> list[_Part]:
    """Each source docxtpl hands to Jinja, patched the way it patches it, with a line per
    paragraph (as its renderer makes), so that Jinja's line numbers count paragraphs."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    def lines(xml: str) -> str:  # line N is the Nth paragraph, tables' paragraphs included
        first = re.search(r"<w:p[ >]", xml)
        if first is None:
            return xml
        return xml[:first.end()] + re.sub(r"<w:p([ >])", r"\n<w:p\1", xml[first.end():])

    docx = template.docx
    parts = [_Part("the body", lines(template.patch_xml(template.get_xml())))]
    for reltype, what in ((RT.HEADER, "a header"), (RT.FOOTER, "a footer")):
        for rel in docx.part.rels.values():
            if rel.reltype == reltype and rel.target_part.blob:
                xml = template.xml_to_string(parse_xml(rel.target_part.blob))
                parts.append(_Part(what, lines(template.patch_xml(xml))))
    for part in docx.part.package.parts:
        if part.content_type.endswith(".footnotes+xml"):
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            parts.append(_Part("the footnotes", lines(template.patch_xml(blob))))
    properties = docx.core_properties
    for name in ("author", "comments", "identifier", "language", "subject", "title"):
        parts.append(_Part(f"the document's {name} property", getattr(properties, name) or ""))
    return parts


def _open(filename: str, content: bytes):
    from docxtpl import DocxTemplate

    try:
        template = DocxTemplate(io.BytesIO(content))
        template.render_init()
        return template, _parts(template)
    except Exception:
        raise DomainError(f"“{plain(filename)}” could not be read as a Word template.") from None


# -- the allow-list, one walk over Jinja's tree ---------------------------------------------------

_SAFE_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Not, nodes.And,
               nodes.Or, nodes.Concat, nodes.CondExpr, nodes.Compare, nodes.Operand)
_STATEMENTS = {
    nodes.For: "repeats with {% for %}; there are no lists to repeat over",
    nodes.Macro: "defines a macro", nodes.CallBlock: "calls a macro with {% call %}",
    nodes.Import: "loads another template", nodes.FromImport: "loads another template",
    nodes.Include: "loads another template", nodes.Extends: "loads another template",
    nodes.Block: "defines a {% block %}", nodes.Assign: "sets a variable with {% set %}",
    nodes.AssignBlock: "sets a variable with {% set %}", nodes.With: "sets variables with {% with %}",
    nodes.FilterBlock: "filters a block with {% filter %}",
    nodes.ScopedEvalContextModifier: "changes escaping with {% autoescape %}",
    nodes.Call: "calls a function or method", nodes.BinExpr: "does arithmetic or string formatting",
    nodes.UnaryExpr: "does arithmetic", nodes.Slice: "cuts a value with [a:b]",
    nodes.List: "builds a list", nodes.Tuple: "builds a list", nodes.Dict: "builds a dictionary",
}


def _problems(tree: nodes.Node, known: frozenset[str], unknown: set[str]) -> list[str]:
    """Why `tree` may not be rendered, one reason a node; unknown field names go to `unknown`."""
    found: list[str] = []

    def walk(node: nodes.Node) -> None:
        if isinstance(node, nodes.Name):
            if node.ctx != "load":
                found.append(f"sets the name “{node.name}”")
            elif node.name in JINJA_NAMES or node.name.startswith("_"):
                found.append(f"uses “{node.name}”, which is Jinja's own, not one of the fields")
            elif node.name not in known:
                unknown.add(node.name)
            return
        if isinstance(node, nodes.Const):
            value = node.value
            if not (value is None or isinstance(value, (str, bool, int, float))):
                found.append("uses a value that is not plain text or a number")
            elif isinstance(value, str) and len(value) > MAX_CONSTANT:
                found.append(f"has a text longer than {MAX_CONSTANT} characters")
            return
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            keys = [n.attr for n in _walk(node, nodes.Getattr)] + [
                n.value for n in _walk(node, nodes.Const) if isinstance(n.value, str)]
            inner = next((key for key in keys if key.startswith("_")), None)
            found.append(f"reaches into Python's internals (“{inner}”)" if inner else
                         "reads inside a value with . or [ ]; a field is used whole")
            return
        if isinstance(node, nodes.Filter):
            if node.name not in FILTERS:
                found.append(f"uses the filter |{node.name}, which is not allowed")
                return
            if node.kwargs or node.dyn_args or node.dyn_kwargs or not all(
                    isinstance(a, nodes.Const) and isinstance(a.value, str) for a in node.args):
                found.append(f"gives |{node.name} something other than plain text")
                return
            if len(node.args) > (1 if node.name in ("default", "d") else 0):
                found.append(f"gives |{node.name} more than it takes")
                return
        elif isinstance(node, nodes.Test):
            if node.name not in TESTS:
                found.append(f"uses the test “is {node.name}”, which is not allowed")
                return
            if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
                found.append(f"gives “is {node.name}” something to work on")
                return
        elif isinstance(node, nodes.Operand):
            if node.op not in ("eq", "ne"):
                found.append("compares with something other than == or !=")
                return
        elif isinstance(node, nodes.If):
            pass
        elif not isinstance(node, _SAFE_NODES):
            reason = next((why for kind, why in _STATEMENTS.items() if isinstance(node, kind)),
                          f"uses {type(node).__name__}, which is not allowed")
            found.append(reason)
            return
        for child in node.iter_child_nodes():
            walk(child)

    walk(tree)
    return found


def _walk(node: nodes.Node, kind):
    """`node` itself, when of `kind`, and every node of `kind` below it."""
    if isinstance(node, kind):
        yield node
    yield from node.find_all(kind)


# -- the sandbox ----------------------------------------------------------------------------------

class _Sandbox(ImmutableSandboxedEnvironment):
    """Stricter than Jinja's own sandbox: compiles only what the allow-list allows, and at run
    time has no globals, calls nothing, reads no attribute or item, does no arithmetic, prints
    only plain values and stops any loop after `MAX_TURNS` turns."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=Undefined, loader=None, finalize=_only_plain)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in FILTERS}
        self.tests = {name: self.tests[name] for name in TESTS}
        turns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per render

        @pass_context
        def bounded(context, items):
            left = turns.setdefault(context, [MAX_TURNS])
            for item in items:
                left[0] -= 1
                if left[0] < 0:
                    raise SecurityError("a supplied template may not repeat so much")
                yield item

        self.filters[_BOUNDED] = bounded

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        problems = _problems(tree, frozenset(), set())
        if problems:
            raise SecurityError(problems[0])
        # the check refuses every loop; should one get past it, it still cannot run for long
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _BOUNDED, [], [], None, None, lineno=loop.lineno)
        return tree

    def is_safe_attribute(self, obj, attr, value) -> bool:
        return False

    def is_safe_callable(self, obj) -> bool:
        return False

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        raise SecurityError("a supplied template may not call anything")

    def getattr(self, obj, attribute):
        raise SecurityError("a supplied template may not read an attribute")

    def getitem(self, obj, argument):
        raise SecurityError("a supplied template may not read inside a value")

    def call_binop(self, context, operator, left, right):
        raise SecurityError("a supplied template may not do arithmetic")

    def call_unop(self, context, operator, arg):
        raise SecurityError("a supplied template may not do arithmetic")


def _only_plain(value):
    """What a {{ }} prints: text, a number or nothing, never an object's description."""
    if value is None or isinstance(value, (str, int, float, Undefined)):
        return value
    raise SecurityError("a supplied template may print only text")


def _plain(context: dict) -> dict:
    """Only plain strings reach the template, whatever the caller passed."""
    return {str(key): "" if value is None else str(value) for key, value in context.items()}


def render(filename: str, content: bytes, context: dict) -> bytes:
    """The template filled with `context`'s values, in the sandbox; a template that tries
    anything else is refused with `TemplateRefused`, never run."""
    template, parts = _open(filename, content)
    if sum(len(p.source) for p in parts) > MAX_SOURCE:
        raise TemplateRefused(filename, ["it is too large to be a template"], stored=True)
    try:
        template.render(_plain(context), jinja_env=_Sandbox(), autoescape=True)
        out = io.BytesIO()
        template.save(out)
    except (TemplateError, SecurityError) as error:
        raise TemplateRefused(filename, [_sentence(error)], stored=True) from None
    except Exception:  # e.g. an {% include %} that reached for the missing loader
        raise TemplateRefused(filename, ["it could not be filled in"], stored=True) from None
    return out.getvalue()


def _sentence(error: Exception) -> str:
    return plain(_message(error))


def _message(error: Exception) -> str:
    message = (str(getattr(error, "message", None) or error).splitlines() or [""])[0][:200]
    return message.rstrip(".") + "."


# -- upload: the placeholders one by one, so a refusal can name them ------------------------------

@dataclass(frozen=True)
class _Placeholder:
    line: int
    text: str  # as written, e.g. "{{ ''.__class__ }}"
    tag: str  # "" for {{ … }}, else the block's tag: if, for, set…
    inner: str  # between the delimiters


def _placeholders(env, source: str) -> list[_Placeholder]:
    found, current, line, kind = [], [], 0, None
    for lineno, token, value in env.lexer.tokeniter(source, None):
        if token in ("variable_begin", "block_begin"):
            current, line, kind = [value], lineno, token
        elif token in ("variable_end", "block_end") and kind:
            current.append(value)
            inner = "".join(current[1:-1]).strip()
            tag = ""
            if kind == "block_begin":
                tag = inner.split(None, 1)[0] if inner else ""
            found.append(_Placeholder(line, "".join(current).strip(), tag, inner))
            kind = None
        elif token == "raw_begin":
            found.append(_Placeholder(lineno, value.strip(), "raw", ""))
        elif kind:
            current.append(value)
    return found


_ALLOWED_TAGS = {"if", "elif", "else", "endif"}
_TAG_REASONS = {"for": _STATEMENTS[nodes.For], "endfor": "", "macro": "defines a macro",
                "call": "calls a macro with {% call %}", "set": "sets a variable with {% set %}",
                "import": "loads another template", "from": "loads another template",
                "include": "loads another template", "extends": "loads another template",
                "raw": "hides template text with {% raw %}"}


def _explain(env, placeholder: _Placeholder, known: frozenset[str], unknown: set[str]) -> list[str]:
    if placeholder.tag in ("else", "endif") or placeholder.tag.startswith("end"):
        return []
    if placeholder.tag:
        if placeholder.tag not in _ALLOWED_TAGS:
            return [_TAG_REASONS.get(placeholder.tag) or f"uses {{% {placeholder.tag} %}}, "
                    "which is not allowed"]
        snippet = "{% if " + placeholder.inner[len(placeholder.tag):] + " %}{% endif %}"
    else:
        snippet = "{{ " + placeholder.inner + " }}"
    try:
        tree = _tree(env, snippet)
    except TemplateSyntaxError as error:
        return [_message(error)]
    return _problems(tree, known, unknown)


def _tree(env, source: str) -> nodes.Template:
    """Jinja's tree of `source`, before the sandbox's own check (which stops at the first
    problem; upload wants them all)."""
    return Parser(env, source).parse()


def _line_text(source: str, line: int) -> str:
    lines = source.splitlines()
    raw = lines[line - 1] if 0 < line <= len(lines) else ""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", raw)).split())
    return text if len(text) <= 60 else text[:57] + "…"


_OTHER_STYLES = (re.compile(r"«[^«»\n]{1,60}»"), re.compile(r"<<[^<>\n]{1,60}>>"),
                 re.compile(r"\[[A-Za-z][^\[\]\n]{0,59}\]"),
                 re.compile(r"(?<!\{)\{[A-Za-z_][^{}\n]{0,59}\}(?!\})"))
_JINJA_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def _other_styles(parts: list[_Part]) -> list[str]:
    found: list[str] = []
    for part in parts:
        for line in part.source.splitlines():
            text = _JINJA_SPAN.sub(" ", html.unescape(re.sub(r"<[^>]+>", "", line)))
            for pattern in _OTHER_STYLES:
                for match in pattern.finditer(text):
                    if match.group(0) not in found:
                        found.append(match.group(0))
    return found


def inspect(filename: str, content: bytes, known) -> Inspection:
    """Refuse (`TemplateRefused`) a template that uses anything but the fields in `known` and the
    allowed constructs, or that Jinja cannot parse; otherwise say what it uses."""
    known = frozenset(known)
    _, parts = _open(filename, content)
    if sum(len(p.source) for p in parts) > MAX_SOURCE:
        raise TemplateRefused(filename, ["it is too large to be a template"])
    env, problems, unknown = _Sandbox(), [], set()
    for part in parts:
        try:
            tree = _tree(env, part.source)
        except TemplateSyntaxError as error:
            where = f"line {error.lineno} of {part.name}"
            near = _line_text(part.source, error.lineno or 1)
            problems.append(f"{where} is not a well-formed placeholder: {plain(error.message)}"
                            + (f" (near “{plain(near)}”)" if near else ""))
            continue
        named, placeholders = 0, _placeholders(env, part.source)
        if len(placeholders) > MAX_PLACEHOLDERS:
            problems.append(f"{part.name} has more than {MAX_PLACEHOLDERS:,} placeholders")
            continue
        for placeholder in placeholders:
            for reason in _explain(env, placeholder, known, unknown):
                problems.append(f"{plain(_quote(placeholder.text))} in {part.name} (line "
                                f"{placeholder.line}) {plain(reason)}")
                named += 1
        # the whole tree too, in case a construct spans placeholders in a way the one-by-one
        # reading did not see
        if not named:
            problems.extend(f"{part.name} {plain(reason)}" for reason in _problems(tree, known, unknown))
    if problems:
        raise TemplateRefused(filename, problems)
    # a template can pass every check and still not fill (ifs nested past what Python compiles,
    # thousands of elifs): filled once here, so it is refused now, not at every review later
    try:
        render(filename, content, {name: name for name in known})
    except TemplateRefused as refused:
        raise TemplateRefused(filename, refused.problems) from None
    used = sorted({n.name for part in parts for n in _tree(env, part.source).find_all(nodes.Name)}
                  & known)
    return Inspection(fields=used, unknown=sorted(unknown), other_styles=_other_styles(parts))


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "…"


# -- the protective marking -----------------------------------------------------------------------

def mark_header(content: bytes, marking: str) -> bytes | None:
    """The template with {{ marking }} at the top of each header that shows no protective
    marking, or None when every header already has one."""
    from docx import Document

    document = Document(io.BytesIO(content))
    odd_even = document.settings.odd_and_even_pages_header_footer
    changed = False
    for index, section in enumerate(document.sections):
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if odd_even:
            headers.append(section.even_page_header)
        for header in headers:
            if index and header.is_linked_to_previous:
                continue  # shows the previous section's header, already seen
            if not header.is_linked_to_previous and _has_marking(header, marking):
                continue
            paragraphs = header.paragraphs
            paragraph = (paragraphs[0].insert_paragraph_before() if paragraphs
                         else header.add_paragraph())
            paragraph.add_run(_MARKING_FIELD).bold = True
            changed = True
    if not changed:
        return None
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _has_marking(header, marking: str) -> bool:
    from docx.oxml.ns import qn

    text = "".join(t.text or "" for t in header._element.iter(qn("w:t")))
    return bool(re.search(r"\{\{-?\s*marking\b", text) or (marking and marking.upper() in text.upper())
                or _KNOWN_MARKINGS.search(text))
