"""A corpus written blind: from the seeds and the check's contract (docs/document-check.md), before
the checker's code was read. Scored by tests/documents/test_blind_corpus.py."""

from tests.documents.blind_corpus.cases import Pair, blind

__all__ = ["Pair", "blind"]
