"""Measure the document check on the corpus: precision and recall per kind of finding, and the
share of pairs reported exactly right, for the pairs it was tuned on, the held-out pairs and the
blind pairs (tests/documents/blind_corpus, scored from the check's JSON).

    .venv/bin/python scripts/check_corpus.py            # a Markdown table per set
    .venv/bin/python scripts/check_corpus.py --wrong    # and each pair's misses and extras

A finding is (check code, item): the section, the row, the initials, the term, or "not checked"
for a check that could not run. A true positive is a finding the pair expects and the check
reports; precision = TP / reported, recall = TP / expected, per check code.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imr_bot.documents.checker import DEFINITIONS, check  # noqa: E402
from tests.documents.blind_corpus import blind  # noqa: E402
from tests.documents.blind_corpus.score import score  # noqa: E402
from tests.documents.corpus import held_out, seen  # noqa: E402


def measure(pairs, *, by_json: bool = False) -> tuple[list[str], list[str]]:
    true_positive, reported, expected = Counter(), Counter(), Counter()
    exact = 0
    wrong = []
    if by_json:
        scored = score(pairs)
        true_positive, reported, expected = scored.correct, scored.reported, scored.expected
        exact, wrong = scored.exact, scored.wrong
        pairs = []
    for pair in pairs:
        found = check(pair.report, pair.chronology, pair.pack, pair.tor).findings()
        for code, _item in found:
            reported[code] += 1
        for code, _item in pair.expected:
            expected[code] += 1
        for code, _item in found & pair.expected:
            true_positive[code] += 1
        if found == pair.expected:
            exact += 1
        else:
            wrong.append(f"- {pair.name}: missed {sorted(pair.expected - found)}, "
                         f"extra {sorted(found - pair.expected)}")

    def share(part, whole):
        return f"{100 * part / whole:.1f} %" if whole else "—"

    lines = ["| finding | expected | reported | correct | precision | recall |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for definition in DEFINITIONS:
        code = definition.code
        lines.append(f"| `{code}` | {expected[code]} | {reported[code]} | {true_positive[code]} "
                     f"| {share(true_positive[code], reported[code])} "
                     f"| {share(true_positive[code], expected[code])} |")
    tp, rep, exp = (sum(c.values()) for c in (true_positive, reported, expected))
    lines.append(f"| **all** | {exp} | {rep} | {tp} | {share(tp, rep)} | {share(tp, exp)} |")
    lines.append("")
    total = scored.pairs if by_json else len(pairs)
    lines.append(f"Pairs reported exactly right: {exact} of {total} ({share(exact, total)}).")
    return lines, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", action="store_true", help="list the pairs not exactly right")
    args = parser.parse_args()
    for title, pairs, by_json in (("Tuned on", seen(), False), ("Held out", held_out(), False),
                                  ("Blind", list(blind()), True)):
        lines, wrong = measure(pairs, by_json=by_json)
        print(f"### {title} ({len(pairs)} pairs)\n")
        print("\n".join(lines))
        if args.wrong and wrong:
            print("\n" + "\n".join(wrong))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
