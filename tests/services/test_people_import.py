import subprocess
import sys

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.domain.roles import Role
from imr_bot.services.people import export_people, import_people, parse_people_csv

CSV = """email,name,roles,line_manager_email,service,active,max_concurrent,aad_object_id,leave
ann.author@c.test,Ann Author,author,lee.manager@c.test,Early Help,yes,2,,2026-12-21..2027-01-01
not-an-email,Bad Email,author,,,yes,2,,
bob.qa@c.test,Bob QA,qa senior lead;Admin,,Safeguarding,yes,3,,
cy@c.test,,author,,,yes,2,,
dee@c.test,Dee,astronaut,,,yes,2,,
eve@c.test,Eve,author,,,maybe,2,,
fay@c.test,Fay,author,,,yes,two,,
gus@c.test,Gus,author,,,yes,1,,2027-01-05..2027-01-01
ann.author@c.test,Ann Again,author,,,yes,2,,
lee.manager@c.test,Lee Manager,line_manager,,Early Help,no,0,,
"""


def test_bad_lines_are_reported_with_their_numbers_and_reasons():
    people, rejected = parse_people_csv(CSV)
    assert [p.email for _, p in people] == ["ann.author@c.test", "bob.qa@c.test",
                                            "lee.manager@c.test"]
    assert dict(rejected) == {
        3: "'not-an-email' is not an email address",
        5: "the name is empty",
        6: "unknown role 'astronaut' (known: business_services, head_of_cp, author, "
           "line_manager, qa_lead, sd_ehs, sd_qpp, administrator)",
        7: "active must be yes or no, not 'maybe'",
        8: "max_concurrent must be a whole number from 0 to 1000",
        9: "leave '2027-01-05..2027-01-01' ends before it starts",
        10: "ann.author@c.test already appears on line 2",
    }
    bob = dict((p.email, p) for _, p in people)["bob.qa@c.test"]
    assert bob.roles == {Role.QA_LEAD, Role.ADMINISTRATOR}


def test_a_header_without_the_required_columns_is_refused():
    assert parse_people_csv("mail,who\nx@y.z,X\n") == (
        [], [(1, "the header lacks the columns email, name, roles")])


async def test_import_is_an_idempotent_upsert_and_export_round_trips(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
    first = await import_people(app.ctx, CSV, by="test")
    second = await import_people(app.ctx, CSV, by="test")
    assert (first.created, first.updated, len(first.rejected)) == (3, 0, 7)
    assert (second.created, second.updated) == (0, 3)
    exported = await export_people(app.ctx)
    again, rejected = parse_people_csv(exported)
    assert not rejected and len(again) == 3
    ann = dict((p.email, p) for _, p in again)["ann.author@c.test"]
    assert ann.leave[0].starts.isoformat() == "2026-12-21"


def test_the_cli_imports_and_reports_rejected_lines(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(CSV, encoding="utf-8")
    env = {"IMR_DATABASE_URL": f"sqlite:///{tmp_path / 'imr.db'}", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "imr_bot.cli", "migrate"], env=env, check=True,
                   capture_output=True)
    result = subprocess.run([sys.executable, "-m", "imr_bot.cli", "people", "import",
                             str(people)], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "3 added, 0 updated, 7 rejected." in result.stdout
    assert "line 6: unknown role 'astronaut'" in result.stdout
    exported = subprocess.run([sys.executable, "-m", "imr_bot.cli", "people", "export"], env=env,
                              capture_output=True, text=True, check=True)
    assert exported.stdout.splitlines()[0].startswith("email,name,roles")


def test_a_load_limit_beyond_the_databases_integers_is_a_rejected_line_not_a_crash():
    header = CSV.splitlines()[0]
    for value in ("99999999999999999999999", str(2**31), "-1", "1e3"):
        _, rejected = parse_people_csv(f"{header}\nzed@c.test,Zed,author,,,yes,{value},,\n")
        assert dict(rejected) == {2: "max_concurrent must be a whole number from 0 to 1000"}
