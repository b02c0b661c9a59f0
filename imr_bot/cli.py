"""imr-bot: run the bot, migrate the database, and manage the people directory."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from imr_bot.config import Settings


def _context(settings: Settings):
    from imr_bot.clock import SystemClock
    from imr_bot.domain.calendar import WorkingCalendar
    from imr_bot.services.context import ServiceContext
    from imr_bot.store.database import Database
    from imr_bot.store.unit_of_work import UnitOfWorkFactory

    database = Database(settings.database_url)
    return database, ServiceContext(UnitOfWorkFactory(database), WorkingCalendar.for_england(),
                                    SystemClock())


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from imr_bot.app import build
    from imr_bot.config import RefusedToStart

    try:
        app = build(settings)
    except RefusedToStart as refusal:
        print(f"imr-bot: refusing to start: {refusal}", file=sys.stderr)
        return 2
    app.web.on_startup.append(_freeze_startup_heap)
    print(f"IMR bot listening on http://{settings.host}:{settings.port}/api/messages", flush=True)
    web.run_app(app.web, host=settings.host, port=settings.port, print=None,
                handle_signals=True)
    return 0


async def _freeze_startup_heap(_web_app) -> None:
    """What startup built (modules, compiled statements and cards, the calendar) lives as long as
    the process; frozen, the cyclic collector stops walking it in every full collection, a pause
    that otherwise lands inside somebody's turn. (The process's own, not `build`'s: tests build
    many apps in one process and must be able to collect them.)"""
    import gc

    gc.collect()
    gc.freeze()


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from imr_bot.store.database import upgrade

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def cmd_people_import(settings: Settings, args: argparse.Namespace) -> int:
    from imr_bot.services.people import import_people

    text = Path(args.file).read_text(encoding="utf-8-sig")

    async def run():
        database, ctx = _context(settings)
        try:
            return await import_people(ctx, text, by=args.by)
        finally:
            await database.dispose()

    report = asyncio.run(run())
    print(report.summary())
    return 1 if report.rejected else 0


def cmd_people_export(settings: Settings, args: argparse.Namespace) -> int:
    from imr_bot.services.people import export_people

    async def run():
        database, ctx = _context(settings)
        try:
            return await export_people(ctx)
        finally:
            await database.dispose()

    sys.stdout.write(asyncio.run(run()))
    return 0


def cmd_playground_config(settings: Settings, args: argparse.Namespace) -> int:
    from imr_bot.playground import playground_config
    from imr_bot.services.people import parse_people_csv

    parsed, rejected = parse_people_csv(Path(args.people).read_text(encoding="utf-8-sig"))
    try:
        text = playground_config([p for _, p in parsed], args.as_email or None, settings.bot_name)
    except ValueError as error:
        print(f"imr-bot: {error}", file=sys.stderr)
        return 2
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0


def cmd_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from imr_bot.services.records import verify_audit

    async def run():
        database, ctx = _context(settings)
        try:
            return await verify_audit(ctx)
        finally:
            await database.dispose()

    result = asyncio.run(run())
    if result.first_broken is None:
        print(f"audit trail intact: {result.entries} entries, every link holds")
        return 0
    print(f"audit trail BROKEN at entry {result.first_broken}: {result.reason} "
          f"({result.entries} entries checked)")
    return 1


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import date

    from imr_bot.services.records import purge

    async def run():
        database, ctx = _context(settings)
        try:
            return await purge(ctx, date.fromisoformat(args.closed_before), by=args.by)
        finally:
            await database.dispose()

    result = asyncio.run(run())
    print(f"purged {result.reviews} closed review(s) and {result.documents} document(s); "
          "each left an audit stub")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="imr-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the bot (IMR_HOST, IMR_PORT, IMR_DATABASE_URL)").set_defaults(
        func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations (Alembic upgrade head)").set_defaults(
        func=cmd_migrate)
    people = sub.add_parser("people", help="the people directory").add_subparsers(
        dest="people_command", required=True)
    importer = people.add_parser("import", help="add or update people from a CSV file")
    importer.add_argument("file")
    importer.add_argument("--by", default="cli", help="who is importing, for the audit log")
    importer.set_defaults(func=cmd_people_import)
    people.add_parser("export", help="write the directory as CSV to standard output").set_defaults(
        func=cmd_people_export)
    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command",
                                                                          required=True)
    audit.add_parser("verify", help="check the hash chain; report the first broken link"
                     ).set_defaults(func=cmd_audit_verify)
    purge = sub.add_parser("purge", help="remove closed reviews' documents and personal data")
    purge.add_argument("--closed-before", required=True, help="a date, YYYY-MM-DD")
    purge.add_argument("--by", default="cli", help="who is purging, for the audit log")
    purge.set_defaults(func=cmd_purge)
    playground = sub.add_parser("playground-config",
                                help="write an Agents Playground config from a people CSV")
    playground.add_argument("--people", default="deploy/demo/people.csv")
    playground.add_argument("--as", dest="as_email", default="",
                            help="the demo person the Playground starts as")
    playground.add_argument("--out", required=True)
    playground.set_defaults(func=cmd_playground_config)
    args = parser.parse_args(argv)
    settings = Settings()
    from imr_bot.observability import configure_logging

    configure_logging(settings.log_level, json_lines=args.command == "serve" and settings.log_json)
    return args.func(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
