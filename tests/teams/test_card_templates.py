import json
from pathlib import Path

import pytest

from imr_bot.teams.card_templates import CardLibrary, bind, card_files

CARDS = Path(__file__).resolve().parents[2] / "cards"


def test_expressions_inside_strings_are_replaced():
    assert bind({"text": "Due ${when} for ${ref}"}, {"when": "Thu", "ref": "R/1"}) == \
        {"text": "Due Thu for R/1"}


def test_a_whole_string_expression_keeps_the_value_type():
    assert bind({"isVisible": "${flag}", "n": "${n}"}, {"flag": False, "n": 3}) == \
        {"isVisible": False, "n": 3}


def test_data_repeats_an_element_per_item_with_root_still_reachable():
    template = {"body": [{"$data": "${rows}", "type": "TextBlock", "text": "${name} of ${$root.team}"}]}
    assert bind(template, {"team": "T", "rows": [{"name": "a"}, {"name": "b"}]}) == {
        "body": [{"type": "TextBlock", "text": "a of T"}, {"type": "TextBlock", "text": "b of T"}]}


def test_when_drops_elements_whose_value_is_falsy_and_not_inverts_it():
    template = {"body": [{"$when": "${err}", "text": "${err}"}, {"$when": "${!err}", "text": "ok"}]}
    assert bind(template, {"err": ""}) == {"body": [{"text": "ok"}]}
    assert bind(template, {"err": "bad"}) == {"body": [{"text": "bad"}]}


def test_user_text_that_looks_like_a_template_is_shown_as_typed():
    assert bind({"text": "${note}"}, {"note": "${secret} {{ x }}", "secret": "LEAK"}) == \
        {"text": "${secret} {{ x }}"}


def test_missing_values_bind_to_empty_text():
    assert bind({"text": "[${nothing.here}]"}, {}) == {"text": "[]"}


@pytest.mark.parametrize("path", card_files(CARDS), ids=lambda p: p.stem)
def test_every_card_file_is_json_a_designer_can_open(path):
    card = json.loads(path.read_text(encoding="utf-8"))
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"


@pytest.mark.parametrize("path", card_files(CARDS), ids=lambda p: p.stem)
def test_every_condition_in_a_card_is_one_the_binder_reads(path):
    """`$when` is a value or its negation ("${x}", "${!x}"); anything else (a comparison, an
    "||") would be read as always true, and the element shown to everyone."""
    import re

    conditions = re.findall(r'"\$when"\s*:\s*"([^"]*)"', path.read_text(encoding="utf-8"))
    unreadable = [c for c in conditions if not re.fullmatch(r"\$\{!?[A-Za-z_][\w.]*\}", c)]
    assert unreadable == []


def test_the_library_lists_the_cards():
    assert {"help", "plan", "status_board"} <= set(CardLibrary(CARDS).names())


def test_negation_inside_text_objects_in_scope_and_nested_lists_bind_as_data():
    template = {"text": "[${nothing.here}] ok ${!err}", "obj": {"$data": "${who}", "name": "${$data.name}"},
                "gone": {"$data": "${nobody}", "x": 1}, "kept": {"$when": "${yes}", "y": [1, [2, "${n}"]]},
                "none": "${missing}"}
    assert bind(template, {"who": {"name": "W"}, "yes": True, "n": 5, "err": ""}) == {
        "text": "[] ok true", "obj": {"name": "W"}, "kept": {"y": [1, [2, 5]]}, "none": ""}


def test_every_card_renders_from_its_compiled_form_exactly_as_bind_does():
    import sys

    sys.path.insert(0, str(CARDS.parent / "scripts"))
    from card_samples import samples

    library = CardLibrary(CARDS)
    for name, data in samples().items():
        assert library.render(name, data) == bind(library.template(name), data), name


def test_a_deep_copy_of_a_rendered_card_is_a_new_card_that_changes_alone():
    import copy

    from imr_bot.teams.card_templates import CardContent, bind

    card = bind({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "${t}"}]},
                {"t": "DDSCP/1"})
    copied = copy.deepcopy(card)
    assert type(copied) is CardContent and copied == card and copied is not card
    copied["body"][0]["text"] = "changed"
    assert card["body"][0]["text"] == "DDSCP/1"
