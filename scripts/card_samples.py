"""Sample data for every card in cards/, as the bot would bind it: for the gallery (make cards) and
for the tests that every card binds to a valid Adaptive Card.

Each card's sample data sits beside it, in cards/<name>.data.json (the Adaptive Cards Designer
opens it as the card's sample data). The help card's is made from the commands' declarations
instead, as the bot makes it: its text is the bot's own Markdown, which JSON cannot mark."""

from __future__ import annotations

import json
from pathlib import Path

CARDS = Path(__file__).resolve().parent.parent / "cards"


def sample_file(name: str) -> Path:
    return CARDS / f"{name}.data.json"


def samples() -> dict[str, dict]:
    import imr_bot.app  # noqa: F401 - imports the handler groups, which declare the commands
    from imr_bot.teams import views
    from imr_bot.teams.card_templates import card_files
    from imr_bot.teams.commands import REGISTRY

    found = {path.stem: json.loads(sample_file(path.stem).read_text(encoding="utf-8"))
             for path in card_files(CARDS) if sample_file(path.stem).is_file()}
    found["help"] = views.help_data(REGISTRY.help_groups())
    return found
