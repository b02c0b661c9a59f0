"""The check over the corpus: on every pair, exactly the findings expected beside it (figures
per kind of finding: scripts/check_corpus.py, docs/document-check.md)."""

from collections import Counter

import pytest

from imr_bot.documents.checker import check
from tests.documents.corpus import held_out, seen

PAIRS = [*seen(), *held_out()]


@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_the_check_reports_exactly_the_expected_findings(pair):
    found = check(pair.report, pair.chronology, pair.pack, pair.tor).findings()
    assert (sorted(pair.expected - found), sorted(found - pair.expected)) == ([], [])


def test_the_corpus_covers_both_packs_clean_pairs_and_every_kind_of_finding():
    tuned = seen()
    assert len(tuned) >= 40 and len(held_out()) >= 10
    assert Counter(p.pack for p in tuned).keys() == {"derbyshire", "bradford"}
    assert sum(1 for p in tuned if not p.expected) >= 10
    from imr_bot.documents.checker import DEFINITIONS

    kinds = {code for p in tuned for code, item in p.expected if item != "not checked"}
    assert kinds == {d.code for d in DEFINITIONS}
