"""The check on the blind corpus (pairs written from the seeds and the contract before the
checker's code was read): precision and recall per kind of finding at least 95 %, and at least
90 % of pairs reported exactly right. Figures: docs/document-check.md."""

from collections import Counter

import pytest

from imr_bot.documents.checker import DEFINITIONS
from tests.documents.blind_corpus import blind
from tests.documents.blind_corpus.score import score


@pytest.fixture(scope="module")
def scored():
    return score(blind())


def test_the_blind_corpus_has_both_packs_clean_pairs_and_every_kind_of_finding():
    pairs = blind()
    assert len(pairs) >= 50
    assert Counter(p.pack for p in pairs).keys() == {"derbyshire", "bradford"}
    assert sum(1 for p in pairs if not p.expected) >= 20
    kinds = {code for p in pairs for code, item in p.expected if item != "not checked"}
    assert kinds == {d.code for d in DEFINITIONS}


@pytest.mark.parametrize("code", [d.code for d in DEFINITIONS])
def test_each_kind_of_finding_is_reported_with_precision_and_recall_of_95_per_cent(scored, code):
    assert (scored.precision(code) >= 0.95, scored.recall(code) >= 0.95) == (True, True), \
        "\n".join(scored.wrong)


def test_nine_pairs_in_ten_are_reported_exactly_right(scored):
    assert scored.exact / scored.pairs >= 0.9, "\n".join(scored.wrong)
