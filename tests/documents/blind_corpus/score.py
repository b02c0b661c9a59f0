"""Scores the check on the blind pairs from its JSON (the contract in the README), not from the
checker's own comparison keys, so the corpus does not lean on how the checker names things."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from imr_bot.documents.checker import check
from tests.documents.blind_corpus.writer import BRADFORD, DERBYSHIRE

SECTION_CODES = {"report.section_missing", "report.section_empty"}
ROW_CODES = {"chronology.dates_unreadable", "chronology.dates_ambiguous",
             "chronology.dates_order", "chronology.outside_tor"}


def _plain(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower().replace("&", "and").replace("’", "'"))


def _section(reported: str, pack: str) -> str:
    """The seed's name for the section the check named (its wording may differ)."""
    seen = _plain(reported)
    for name in DERBYSHIRE if pack == "derbyshire" else BRADFORD:
        plain = _plain(name)
        if seen == plain or seen.startswith(plain) or plain.startswith(seen) and seen:
            return name
    return reported


def findings(result: dict, pack: str) -> set[tuple[str, str]]:
    out = set()
    for c in result["checks"]:
        if c["ok"]:
            continue
        for item in c["items"] or [{}]:
            code = c["code"]
            if code in SECTION_CODES:
                key = _section(item.get("section", ""), pack)
            elif code in ROW_CODES:
                key = str(item.get("row", ""))
            elif code.endswith(".initials"):
                key = item.get("initials", "")
            elif code.endswith(".abbreviations"):
                key = item.get("term", "")
            else:
                key = ""
            out.add((code, key))
    out |= {(n["code"], "not checked") for n in result["not_checked"]}
    return out


@dataclass
class Score:
    correct: Counter = field(default_factory=Counter)
    reported: Counter = field(default_factory=Counter)
    expected: Counter = field(default_factory=Counter)
    exact: int = 0
    pairs: int = 0
    wrong: list[str] = field(default_factory=list)

    def precision(self, code: str) -> float:
        return self.correct[code] / self.reported[code] if self.reported[code] else 1.0

    def recall(self, code: str) -> float:
        return self.correct[code] / self.expected[code] if self.expected[code] else 1.0


def score(pairs) -> Score:
    s = Score()
    for pair in pairs:
        found = findings(check(pair.report, pair.chronology, pair.pack, pair.tor).to_dict(),
                         pair.pack)
        s.pairs += 1
        for code, _ in found:
            s.reported[code] += 1
        for code, _ in pair.expected:
            s.expected[code] += 1
        for code, _ in found & pair.expected:
            s.correct[code] += 1
        if found == pair.expected:
            s.exact += 1
        else:
            s.wrong.append(f"- {pair.name}: missed {sorted(pair.expected - found)}, "
                           f"extra {sorted(found - pair.expected)}")
    return s
