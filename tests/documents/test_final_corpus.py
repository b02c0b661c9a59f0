"""An independent measurement of the document check on the final corpus (tests/documents/
final_corpus): per code precision and recall over items, and the share of pairs exactly right.

How an actual finding is matched to an expected one, decided before the check was first run:
- report.section_missing, report.section_empty: the item's `section` (its `problem` when it has
  none), lower-cased with curly quotes made straight, is matched to the pack's section by the
  first of these keywords it contains (SECTION_KEYWORDS); an item matching none is an extra.
- report.signed, report.dated, chronology.table, chronology.key: one finding per pair at most; the
  check failing (with any number of items) is the finding. chronology.table is also found when
  the check is listed in not_checked.
- chronology.dates_unreadable, chronology.dates_ambiguous, chronology.dates_order,
  chronology.outside_tor: the item's `row`; items on the same row count once. For dates_order the
  expected row is the one whose date is earlier than a date above it.
- report.initials, chronology.initials: the item's `initials`, letters only, upper-cased; the same
  initials count once per code.
- report.abbreviations, chronology.abbreviations: the item's `term`, letters and digits only,
  upper-cased; the same term counts once per code.
A pair is exactly right when it has no missed and no extra item, and nothing is in not_checked
except what a missing table or key explains (the chronology's checks when the table is missing;
report.initials and chronology.initials when the key is missing).

Run `python -m tests.documents.test_final_corpus` for the table.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache

import pytest

from imr_bot.documents import jobs
from imr_bot.documents.safety import ArchiveLimits
from tests.documents.final_corpus.build import build_chronology, build_report
from tests.documents.final_corpus.pairs import PAIRS, Pair

CODES = ("report.section_missing", "report.section_empty", "report.signed", "report.dated",
         "report.initials", "report.abbreviations", "chronology.table",
         "chronology.dates_unreadable", "chronology.dates_ambiguous", "chronology.dates_order",
         "chronology.outside_tor", "chronology.key", "chronology.initials",
         "chronology.abbreviations")
SECTION_CODES = ("report.section_missing", "report.section_empty")
ONCE_CODES = ("report.signed", "report.dated", "chronology.table", "chronology.key")
ROW_CODES = ("chronology.dates_unreadable", "chronology.dates_ambiguous",
             "chronology.dates_order", "chronology.outside_tor")
INITIALS_CODES = ("report.initials", "chronology.initials")
TERM_CODES = ("report.abbreviations", "chronology.abbreviations")
SECTION_KEYWORDS = {
    "derbyshire": (("intro", "introduction"), ("tor", "terms of reference"), ("method", "method"),
                   ("summary", "summary"), ("analysis", "analysis"),
                   ("effective", "effective practice"), ("effective", "lessons"),
                   ("recs", "recommendation")),
    "bradford": (("intro", "introduction"), ("method", "method"), ("journey", "journey"),
                 ("chron", "chronology"), ("analysis", "analysis"), ("learn", "learn"),
                 ("recs", "recommendation")),
}
TARGET = 0.95
PAIRS_TARGET = 0.90


def _straight(text: str) -> str:
    return (text.lower().replace("\u2019", "'").replace("\u2018", "'")
            .replace("\u201c", '"').replace("\u201d", '"'))


def _section_key(pack: str, item: dict) -> str:
    where = _straight(item.get("section") or item.get("problem") or "")
    for key, keyword in SECTION_KEYWORDS[pack]:
        if keyword in where:
            return key
    return f"?{where}"


def _item_key(pair: Pair, code: str, item: dict):
    if code in SECTION_CODES:
        return _section_key(pair.pack, item)
    if code in ROW_CODES:
        return item.get("row", f"?{item.get('written', item.get('problem'))}")
    if code in INITIALS_CODES:
        return re.sub(r"[^A-Za-z]", "", item.get("initials", "")).upper() or f"?{item}"
    if code in TERM_CODES:
        return re.sub(r"[^A-Za-z0-9]", "", item.get("term", "")).upper() or f"?{item}"
    return None


@cache
def result_of(name: str) -> dict:
    pair = next(p for p in PAIRS if p.name == name)
    report = build_report(pair.report, pair.tor)
    chronology = build_chronology(pair.chronology)
    result = jobs.check(ArchiveLimits(), report, chronology, pair.pack, pair.tor)
    return json.loads(result.to_json())


def actual_items(pair: Pair, result: dict) -> set:
    found = set()
    for check in result["checks"]:
        code = check["code"]
        if check["ok"]:
            continue
        if code in ONCE_CODES or not check["items"]:
            found.add((code, None) if code in ONCE_CODES else (code, "?failed without items"))
            continue
        for item in check["items"]:
            found.add((code, _item_key(pair, code, item)))
    for skipped in result.get("not_checked", []):
        if skipped["code"] == "chronology.table":
            found.add(("chronology.table", None))
    return found


def unexplained_skips(pair: Pair, result: dict) -> list[str]:
    expected = {code for code, _ in pair.expected}
    allowed = set()
    if "chronology.table" in expected:
        allowed |= {c for c in CODES if c.startswith("chronology.")}
    if "chronology.key" in expected:
        allowed |= {"report.initials", "chronology.initials"}
    return [f"{s['code']}: {s['reason']}" for s in result.get("not_checked", [])
            if s["code"] not in allowed]


def measure() -> dict:
    counts = {code: {"tp": 0, "fp": 0, "fn": 0, "expected": 0} for code in CODES}
    misses, exact = [], 0
    for pair in PAIRS:
        result = result_of(pair.name)
        expected = set(pair.expected)
        actual = actual_items(pair, result)
        skips = unexplained_skips(pair, result)
        for code in CODES:
            e = {k for c, k in expected if c == code}
            a = {k for c, k in actual if c == code}
            counts[code]["tp"] += len(e & a)
            counts[code]["fp"] += len(a - e)
            counts[code]["fn"] += len(e - a)
            counts[code]["expected"] += len(e)
        missed, extra = sorted(expected - actual, key=str), sorted(actual - expected, key=str)
        if missed or extra or skips:
            misses.append((pair.name, missed, extra, skips, result))
        else:
            exact += 1
    return {"counts": counts, "misses": misses, "exact": exact, "pairs": len(PAIRS)}


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def failing_targets(measured: dict) -> list[str]:
    failing = []
    for code, c in measured["counts"].items():
        if c["expected"] < 3:
            continue
        precision = _ratio(c["tp"], c["tp"] + c["fp"])
        recall = _ratio(c["tp"], c["tp"] + c["fn"])
        if precision < TARGET or recall < TARGET:
            failing.append(f"{code} P={precision:.0%} R={recall:.0%}")
    share = measured["exact"] / measured["pairs"]
    if share < PAIRS_TARGET:
        failing.append(f"pairs exactly right {measured['exact']}/{measured['pairs']} = {share:.0%}")
    return failing


def table(measured: dict) -> str:
    lines = [f"{'code':<30} {'exp':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}"]
    total = defaultdict(int)
    for code, c in measured["counts"].items():
        precision = _ratio(c["tp"], c["tp"] + c["fp"])
        recall = _ratio(c["tp"], c["tp"] + c["fn"])
        lines.append(f"{code:<30} {c['expected']:>4} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} "
                     f"{precision:>6.0%} {recall:>6.0%}")
        for k in ("tp", "fp", "fn", "expected"):
            total[k] += c[k]
    lines.append(f"{'all':<30} {total['expected']:>4} {total['tp']:>4} {total['fp']:>4} "
                 f"{total['fn']:>4} {_ratio(total['tp'], total['tp'] + total['fp']):>6.0%} "
                 f"{_ratio(total['tp'], total['tp'] + total['fn']):>6.0%}")
    lines.append(f"pairs exactly right: {measured['exact']}/{measured['pairs']} "
                 f"({measured['exact'] / measured['pairs']:.0%})")
    for name, missed, extra, skips, result in measured["misses"]:
        lines.append(f"- {name}")
        for code, key in missed:
            lines.append(f"    missed {code} {key!r}")
        for code, key in extra:
            items = next((c["items"] for c in result["checks"] if c["code"] == code), [])
            lines.append(f"    extra  {code} {key!r}: {json.dumps(items, ensure_ascii=False)}")
        for skip in skips:
            lines.append(f"    not checked {skip}")
    return "\n".join(lines)



@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_every_expected_code_is_documented(pair: Pair) -> None:
    assert {code for code, _ in pair.expected} <= set(CODES)


# First measured (docs/document-check.md): 48/49 pairs exactly right; "Summer 2025" (d08 row 6)
# was read as an ambiguous date, not as no date. Fixed as a class since, so the target holds.
def test_final_corpus_meets_the_targets() -> None:
    measured = measure()
    failing = failing_targets(measured)
    assert not failing, "\n".join(failing) + "\n" + table(measured)


if __name__ == "__main__":
    print(table(measure()))
