from datetime import date

from imr_bot.domain.allocation import CaseContext, PoolEntry, suggest
from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.roles import Role

TODAY = date(2026, 11, 23)
CASE = CaseContext(plan_first=TODAY, plan_last=date(2027, 1, 13),
                   involved_emails=frozenset({"mo.manager@c.test"}),
                   conflicts={6: "knows the family"}, declined={7: "no capacity"})


def author(pid, name, **kw) -> Person:
    return Person(id=pid, email=f"{name.lower().replace(' ', '.')}@c.test", name=name,
                  roles=frozenset({Role.AUTHOR}), **kw)


def test_authors_are_left_out_with_the_reason_and_the_rest_ranked_by_load_then_wait():
    pool = [
        PoolEntry(author(1, "Busy Bee", max_concurrent=3), load=2, last_allocated=date(2026, 1, 1)),
        PoolEntry(author(2, "Fresh Face"), load=0, last_allocated=None),
        PoolEntry(author(3, "Recent Rita"), load=0, last_allocated=date(2026, 11, 1)),
        PoolEntry(author(4, "Full Fred", max_concurrent=1), load=1, last_allocated=None),
        PoolEntry(author(5, "Mo Manager"), load=0, last_allocated=None),
        PoolEntry(author(6, "Conflicted Con"), load=0, last_allocated=None),
        PoolEntry(author(7, "Declined Dee"), load=0, last_allocated=None),
        PoolEntry(author(8, "Away Ann", leave=(LeavePeriod(date(2026, 12, 21), date(2027, 1, 1)),)),
                  load=0, last_allocated=None),
        PoolEntry(author(9, "Reports To Mo", line_manager_email="mo.manager@c.test"), load=0,
                  last_allocated=None),
        PoolEntry(author(10, "Gone Gus", active=False), load=0, last_allocated=None),
        PoolEntry(Person(id=11, email="qa@c.test", name="Only QA", roles=frozenset({Role.QA_LEAD})),
                  load=0, last_allocated=None),
    ]
    suggested, excluded = suggest(pool, CASE, TODAY, role=Role.AUTHOR)
    assert [s.person.name for s in suggested] == ["Fresh Face", "Recent Rita", "Busy Bee"]
    assert suggested[0].why == "0 open IMRs (max 2); never allocated"
    assert suggested[1].why == "0 open IMRs (max 2); last allocated 22 days ago"
    reasons = {e.person.name: e.reason for e in excluded}
    assert reasons == {
        "Full Fred": "at their maximum of 1 IMR",
        "Mo Manager": "named as involved in this case's line management",
        "Conflicted Con": "declared a conflict: knows the family",
        "Declined Dee": "declined this review: no capacity",
        "Away Ann": "on leave Mon 21 Dec 2026 to Fri 1 Jan 2027",
        "Reports To Mo": "their line manager is involved in this case",
    }


def test_leave_outside_the_plan_does_not_exclude():
    away_later = author(1, "Later Leave", leave=(LeavePeriod(date(2027, 3, 1), date(2027, 3, 5)),))
    suggested, excluded = suggest([PoolEntry(away_later, 0, None)], CASE, TODAY, role=Role.AUTHOR)
    assert [s.person.name for s in suggested] == ["Later Leave"] and not excluded
