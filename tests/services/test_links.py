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
