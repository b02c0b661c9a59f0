from datetime import UTC, datetime, timedelta

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.services import links


async def test_a_signed_link_names_its_subject_until_it_expires(database, clock):
    ctx = build(Settings(database_url=database.url, scheduler=False), clock=clock,
                database=database).ctx
    token = await links.sign(ctx, "calendar", "12:34", clock.now() + timedelta(days=1))
    assert await links.verify(ctx, "calendar", token) == "12:34"
    assert await links.verify(ctx, "download", token) is None  # another purpose
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert await links.verify(ctx, "calendar", tampered) is None
    assert await links.verify(ctx, "calendar", "not.a-token") is None
    clock.set(datetime(2026, 11, 25, tzinfo=UTC))
    assert await links.verify(ctx, "calendar", token) is None  # expired


async def test_a_checked_link_says_why_it_is_refused_never_with_the_token(database, clock):
    ctx = build(Settings(database_url=database.url, scheduler=False), clock=clock,
                database=database).ctx
    token = await links.sign(ctx, "document", "1:2:3", clock.now() + timedelta(minutes=15))
    body, mac = token.split(".")
    assert (await links.check(ctx, "document", token)) == links.Checked("1:2:3")
    assert (await links.check(ctx, "calendar", token)).refused == links.WRONG_PURPOSE
    assert (await links.check(ctx, "document", f"{body[:-2]}AA.{mac}")).refused == links.TAMPERED
    for junk in ("", "nodot", "a.b.c!", "é.é", "x" * 600, f"{body}.{mac}" * 20):
        assert (await links.check(ctx, "document", junk)).refused in links.UNSIGNED
    clock.set(clock.now() + timedelta(minutes=16))
    assert (await links.check(ctx, "document", token)).refused == links.EXPIRED


def test_a_signed_subject_of_another_shape_names_nothing():
    assert links.whole_numbers("1:2:3", 3) == (1, 2, 3)
    for subject in ("1:2", "1:2:3:4", "1:-2:3", "1:٢:3", "1: 2:3", "a:b:c"):
        assert links.whole_numbers(subject, 3) is None


async def test_refusals_of_forged_links_are_audited_within_a_budget(database, clock):
    from imr_bot.store.unit_of_work import UnitOfWork

    ctx = build(Settings(database_url=database.url, scheduler=False), clock=clock,
                database=database).ctx
    for _ in range(links.UNSIGNED_AUDITS_PER_MINUTE + 10):
        await links.refused(ctx, "document", links.TAMPERED, client="203.0.113.9")
    await links.refused(ctx, "file", links.NOT_FOUND, client="203.0.113.9")  # over budget too
    await links.refused(ctx, "document", links.INACTIVE, client="203.0.113.9", actor="a@b.test")
    clock.set(clock.now() + timedelta(minutes=1))
    await links.refused(ctx, "document", links.MALFORMED, client="203.0.113.9")
    async with UnitOfWork(database) as uow:
        reasons = [e.detail["reason"] for e in await uow.audit.all() if e.action == "link.refused"]
    assert reasons == ([links.TAMPERED] * links.UNSIGNED_AUDITS_PER_MINUTE
                       + [links.INACTIVE, links.MALFORMED])


def test_who_may_see_a_reviews_documents():
    from types import SimpleNamespace

    from imr_bot.domain.people import Person
    from imr_bot.domain.policy import may_read_documents
    from imr_bot.domain.roles import Role

    def entitled(someone, review, delegates):
        return may_read_documents(
            someone, named_on_review=someone is not None and someone.id in review.people.values(),
            delegate=someone is not None and someone.id in delegates,
            review_has_own_sd=Role.SD_EHS in review.people)

    def person(pid, *roles, active=True):
        return Person(f"p{pid}@c.test", f"P {pid}", frozenset(roles), id=pid, active=active)

    review = SimpleNamespace(people={Role.AUTHOR: 1, Role.LINE_MANAGER: 2, Role.QA_LEAD: 3})
    assert all(entitled(person(p, Role.AUTHOR), review, set()) for p in (1, 2, 3))
    assert not entitled(person(3, Role.QA_LEAD, active=False), review, set())
    assert not entitled(person(4, Role.QA_LEAD), review, set())  # a QA lead of other reviews
    assert entitled(person(4, Role.QA_LEAD), review, {4})  # named a delegate on this one
    assert entitled(person(5, Role.SD_EHS), review, set())  # every SD signs off when none is named
    assert entitled(person(6, Role.BUSINESS_SERVICES), review, set())
    assert entitled(person(7, Role.HEAD_OF_CP), review, set())
    assert not entitled(person(7, Role.HEAD_OF_CP, active=False), review, set())
    for outsider in (person(8, Role.SD_QPP), person(9, Role.ADMINISTRATOR), person(10), None):
        assert not entitled(outsider, review, set())
    review.people[Role.SD_EHS] = 11
    assert entitled(person(11, Role.SD_EHS), review, set())
    assert not entitled(person(5, Role.SD_EHS), review, set())  # the review has its own SD


def _same_bytes_other_text(token: str) -> list[str]:
    """Edits of a token that a lenient base64 reader decodes to the very same bytes."""
    body, mac = token.split(".")
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spare = last[last.index(mac[-1]) ^ 1]  # 20 bytes leave the last character's low bits unused
    return [f"{body}.{mac}=", f"{body}=.{mac}", f"{body}.{mac}==", f"{body[:3]}!{body[3:]}.{mac}",
            f"{body}.{mac[:5]}*{mac[5:]}", f"{body}.{mac}~", f"{body}.{mac[:-1]}{spare}",
            f"{body[:4]}\n{body[4:]}.{mac}", f"{body}.+{mac}", f"{body[:2]}$${body[2:]}.{mac}"]


async def test_a_link_is_read_only_as_it_was_written_not_as_a_lenient_decoder_reads_it(
        database, clock):
    ctx = build(Settings(database_url=database.url, scheduler=False), clock=clock,
                database=database).ctx
    token = await links.sign(ctx, "document", "1:2:3", clock.now() + timedelta(minutes=15))
    assert await links.verify(ctx, "document", token) == "1:2:3"
    for edited in _same_bytes_other_text(token):
        assert edited != token
        assert (await links.check(ctx, "document", edited)).refused in links.UNSIGNED, edited
