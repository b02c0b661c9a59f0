"""The import graph as docs/architecture.md draws it: no cycles, and every arrow runs from the
edge inwards (Teams and dialogs → services → domain; services → store and documents). A test
that fails here names each import that breaks the rule."""

from __future__ import annotations

from functools import cache

import grimp
import pytest

PACKAGES = ("imr_bot", "dialogs")
SDK = ("botbuilder", "botframework", "msrest")


@cache
def graph() -> grimp.ImportGraph:
    # imports inside `if TYPE_CHECKING:` count: a cycle a reader must follow is a cycle
    return grimp.build_graph(*PACKAGES, include_external_packages=True)


def room(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "dialogs":
        return "dialogs"
    if parts[0] == "imr_bot":
        return parts[1] if len(parts) > 1 else "imr_bot"
    return parts[0]  # an external package


def ours() -> list[str]:
    return sorted(m for m in graph().modules if m.split(".")[0] in PACKAGES)


def arrows_from(source_room: str, forbidden: set[str]) -> list[str]:
    found = []
    for module in ours():
        if room(module) != source_room:
            continue
        for imported in graph().find_modules_directly_imported_by(module):
            if room(imported) in forbidden:
                found.append(f"{module} -> {imported}")
    return sorted(found)


# what each room may not import (the composition root, imr_bot.app, and the CLI may import all)
FORBIDDEN = {
    "domain": {"services", "store", "teams", "dialogs", "documents", "scheduler", "app", "cli",
               "playground", "config", "sqlalchemy", "aiohttp", "docx", *SDK},
    "store": {"services", "teams", "dialogs", "documents", "scheduler", "app", "cli", *SDK},
    "documents": {"services", "store", "teams", "dialogs", "scheduler", "app", "cli",
                  "sqlalchemy", *SDK},
    "services": {"teams", "dialogs", "scheduler", "app", "cli", *SDK},
    "scheduler": {"teams", "dialogs", "store", "app", "cli", *SDK},
    "teams": {"store", "dialogs", "app", "cli"},
    "dialogs": {"store", "app", "cli"},
    # the Teams tab's routes: use cases only; its token check is the Teams edge's (given by app)
    "tab": {"store", "teams", "dialogs", "documents", "scheduler", "app", "cli", *SDK},
}


@pytest.mark.parametrize("source", sorted(FORBIDDEN))
def test_arrows_run_inwards(source):
    assert arrows_from(source, FORBIDDEN[source]) == []


def test_the_sdk_is_confined_to_the_teams_edge_and_the_dialogs():
    outside = [arrow for source in ("domain", "services", "store", "documents", "scheduler")
               for arrow in arrows_from(source, set(SDK))]
    assert outside == []


def _cycles() -> list[list[str]]:
    """The import graph's strongly connected parts of more than one module (Tarjan)."""
    modules = ours()
    edges = {m: [d for d in graph().find_modules_directly_imported_by(m) if d in set(modules)]
             for m in modules}
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    part = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        part.append(member)
                        if member == node:
                            break
                    if len(part) > 1:
                        found.append(sorted(part))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_cycle():
    assert _cycles() == []
