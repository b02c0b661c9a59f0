"""The document check on a fresh corpus it was never tuned on: precision and recall per finding
code, and the share of pairs it gets exactly right. `python -m tests.documents.test_fresh_corpus`
prints the table."""

from __future__ import annotations

from collections import Counter

import pytest

from imr_bot.documents import jobs
from imr_bot.documents.safety import ArchiveLimits
from tests.documents.fresh_corpus.pairs import PAIRS, TOR

TARGET = 0.9  # of pairs exactly right, and of each code's precision and recall


def _item_key(code: str, item) -> str:
    if code.endswith(("initials",)) and item.get("initials"):
        return item["initials"].upper().replace(".", "")
    if item.get("term"):
        return item["term"].upper()
    if item.get("row"):
        return str(item["row"])
    if item.get("section"):
        return item["section"].lower()
    return ""


def found(pack, report: bytes, chronology: bytes) -> set[tuple[str, str]]:
    result = jobs.check(ArchiveLimits(), report, chronology, pack, TOR).to_dict()
    out = set()
    for check in result["checks"]:
        if check["ok"]:
            continue
        items = check["items"] or [{}]
        for item in items:
            out.add((check["code"], _item_key(check["code"], item)))
    return out


def _matches(expected: tuple[str, str], actual: tuple[str, str]) -> bool:
    code, key = expected
    if code != actual[0]:
        return False
    if code.startswith("report.section"):
        return key in actual[1]
    if code in ("report.signed", "report.dated", "chronology.table", "chronology.key"):
        return True
    return str(key).upper() == actual[1].upper()


def score():
    tp, fp, fn = Counter(), Counter(), Counter()
    wrong = []
    for name, pack, report, chronology, expected in PAIRS:
        actual = found(pack, report(), chronology())
        missed = [e for e in expected if not any(_matches(e, a) for a in actual)]
        extra = [a for a in actual if not any(_matches(e, a) for e in expected)]
        for e in expected:
            (fn if e in missed else tp)[e[0]] += 1
        for a in extra:
            fp[a[0]] += 1
        if missed or extra:
            wrong.append((name, sorted(map(str, expected)), sorted(map(str, actual))))
    return tp, fp, fn, wrong


def table(tp, fp, fn, wrong) -> str:
    lines = [f"{'code':<28} {'tp':>3} {'fp':>3} {'fn':>3} {'precision':>9} {'recall':>7}"]
    for code in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[code] / (tp[code] + fp[code]) if tp[code] + fp[code] else 1.0
        r = tp[code] / (tp[code] + fn[code]) if tp[code] + fn[code] else 1.0
        lines.append(f"{code:<28} {tp[code]:>3} {fp[code]:>3} {fn[code]:>3} {p:>9.2f} {r:>7.2f}")
    right = len(PAIRS) - len(wrong)
    lines.append(f"pairs exactly right: {right}/{len(PAIRS)} ({right / len(PAIRS):.0%})")
    for name, expected, actual in wrong:
        lines.append(f"WRONG {name}\n   expected {expected}\n   found    {actual}")
    return "\n".join(lines)


_SCORE = None


def _scored():
    global _SCORE
    if _SCORE is None:
        _SCORE = score()
    return _SCORE


def test_every_pair_of_the_fresh_corpus_is_checked_without_an_error():
    tp, fp, fn, wrong = _scored()
    assert sum(tp.values()) + sum(fn.values()) > 0


@pytest.mark.xfail(strict=False, reason="measured on a corpus the check was not tuned on; the "
                   "figures and the wrong pairs are in docs/document-check.md")
def test_the_fresh_corpus_is_mostly_exactly_right():
    tp, fp, fn, wrong = _scored()
    assert (len(PAIRS) - len(wrong)) / len(PAIRS) >= TARGET


if __name__ == "__main__":
    print(table(*_scored()))
