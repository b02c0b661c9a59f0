"""The Teams edge's arrows run one way: no import cycles among its modules, no import of
dialogs/, and the handlers see no Teams SDK (they get the SDK-neutral Turn)."""

from __future__ import annotations

import ast

import pytest

from imr_bot.config import PROJECT_ROOT

TEAMS = PROJECT_ROOT / "imr_bot" / "teams"
SDK_FREE = ("turn", "commands", "handlers", "allocation_handlers", "approval_handlers",
            "meeting_handlers", "reminder_handlers", "template_handlers", "todo_handlers",
            "views", "action_handlers")


def _imports(name: str) -> set[str]:
    """Every module `imr_bot/teams/<name>.py` imports, TYPE_CHECKING blocks included."""
    tree = ast.parse((TEAMS / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = "imr_bot.teams" + (f".{node.module}" if node.module else "")
                found.add(base)
                if not node.module:
                    found |= {f"imr_bot.teams.{alias.name}" for alias in node.names}
            elif node.module:
                found.add(node.module)
    return found


def _edge_graph() -> dict[str, set[str]]:
    names = {path.stem for path in TEAMS.glob("*.py") if path.stem != "__init__"}
    return {name: {m.removeprefix("imr_bot.teams.") for m in _imports(name)
                   if m.startswith("imr_bot.teams.") and m.removeprefix("imr_bot.teams.") in names}
            for name in names}


def test_the_edge_has_no_import_cycle():
    graph = _edge_graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail("import cycle: " + " → ".join([*path[path.index(name):], name]))
        if name in done:
            return
        for imported in graph[name]:
            visit(imported, [*path, name])
        done.add(name)

    for name in graph:
        visit(name, [])


def test_the_edge_never_imports_a_dialog():
    for path in TEAMS.glob("*.py"):
        assert not any(m == "dialogs" or m.startswith("dialogs.") for m in _imports(path.stem)), path


@pytest.mark.parametrize("name", SDK_FREE)
def test_handlers_see_no_teams_sdk(name):
    assert not any(m.startswith(("botbuilder", "botframework")) for m in _imports(name)), name


def test_two_groups_cannot_declare_the_same_command():
    from imr_bot.domain.policy import Permission
    from imr_bot.teams.commands import HandlerGroup, command

    with pytest.raises(ValueError, match="twice"):
        class Again(HandlerGroup):  # noqa: F841 - declaring is the test
            key = "test-again"

            @command("status", "status", "x", Permission.VIEW_STATUS)
            async def status(self, turn, args):
                pass


def test_a_group_needs_its_own_key():
    from imr_bot.teams.commands import HandlerGroup

    with pytest.raises(ValueError, match="key"):
        class Same(HandlerGroup):  # noqa: F841 - declaring is the test
            key = "todo"
