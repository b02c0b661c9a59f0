"""Every card file has sample data, and binds with it to a valid Adaptive Card 1.5."""

import sys
from pathlib import Path

import pytest

from imr_bot.teams.card_templates import CardLibrary
from tests.cardcheck import assert_valid_card

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from card_samples import samples  # noqa: E402

LIBRARY = CardLibrary(ROOT / "cards")


def test_every_card_has_sample_data():
    assert set(LIBRARY.names()) == set(samples())


@pytest.mark.parametrize("name", LIBRARY.names())
def test_every_card_binds_to_a_valid_card(name):
    assert_valid_card(LIBRARY.render(name, samples()[name]))


@pytest.mark.parametrize("name", LIBRARY.names())
def test_every_card_has_its_designer_sample_data_beside_it(name):
    import json

    data = json.loads((ROOT / "cards" / f"{name}.data.json").read_text(encoding="utf-8"))
    assert_valid_card(LIBRARY.render(name, data))
