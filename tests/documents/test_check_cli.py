"""`imr-bot check`: the document check on files, for authors, QA leads and automated runs."""

import json

from imr_bot.cli import main
from tests.documents.test_checker import BRADFORD, ROWS, chronology, report


def files(tmp_path, rows=ROWS):
    (tmp_path / "report.docx").write_bytes(report(BRADFORD))
    (tmp_path / "chronology.docx").write_bytes(chronology(rows))
    return [str(tmp_path / "report.docx"), str(tmp_path / "chronology.docx")]


def test_a_clean_pair_exits_zero(tmp_path, capsys):
    assert main(["check", *files(tmp_path), "--pack", "bradford", "--tor-from", "2025-01-01",
                 "--tor-to", "31/12/2025"]) == 0
    assert "all 14 checks passed" in capsys.readouterr().out


def test_findings_exit_one_and_the_json_lists_every_item(tmp_path, capsys):
    rows = [(f"{d:02d}/06/2024", "Police", "AB at the address.", "Advice") for d in range(1, 8)]
    assert main(["check", *files(tmp_path, rows + ROWS), "--pack", "bradford", "--tor-from",
                 "2025-01-01", "--tor-to", "2025-12-31", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    outside = next(c for c in data["checks"] if c["code"] == "chronology.outside_tor")
    assert (outside["ok"], outside["document"], outside["severity"]) == (False, "chronology",
                                                                         "warning")
    assert [i["row"] for i in outside["items"]] == [1, 2, 3, 4, 5, 6, 7]
    assert outside["items"][0] == {"problem": "outside Wed 1 Jan 2025 to Wed 31 Dec 2025", "row": 1,
                                   "date": "2024-06-01", "written": "01/06/2024",
                                   "text": "Police | AB at the address. | Advice"}
    assert data["ok"] is False and data["not_checked"] == []


def test_without_a_period_the_period_check_is_not_checked_and_the_run_fails(tmp_path, capsys):
    assert main(["check", *files(tmp_path), "--pack", "bradford", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["not_checked"] == [{"code": "chronology.outside_tor", "document": "chronology",
                                    "reason": "no terms of reference period was given"}]


def test_an_ambiguous_period_date_or_a_missing_file_is_refused(tmp_path, capsys):
    assert main(["check", *files(tmp_path), "--tor-from", "3/4/25"]) == 2
    assert main(["check", str(tmp_path / "nope.docx"), str(tmp_path / "nope.docx")]) == 2
    assert "no such file" in capsys.readouterr().err
