"""imr-bot: run the bot, migrate the database, and manage the people directory."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from imr_bot.config import Settings, audit_key
from imr_bot.domain.words import plural


def _context(settings: Settings):
    from imr_bot.clock import SystemClock
    from imr_bot.domain.calendar import WorkingCalendar
    from imr_bot.services.context import ServiceContext
    from imr_bot.store.database import Database
    from imr_bot.store.unit_of_work import UnitOfWorkFactory

    database = Database(settings.database_url)
    database.audit_key = audit_key(settings)
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


def _audit_key_refusal(settings: Settings) -> str:
    """Why the audit commands cannot run with these settings (empty: they can)."""
    problems = settings.audit_key_problems()
    if not settings.audit_key and not settings.local_mode:
        problems.append("IMR_AUDIT_KEY is not set: the audit chain cannot be checked or its "
                        "head signed without the key it is written with")
    return "; ".join(problems)


def _read_head(value: str):
    """An exported head given as its JSON text, or as the file holding it."""
    from imr_bot.services.records import AuditHead

    text = value if value.lstrip().startswith("{") else Path(value).read_text(encoding="utf-8")
    return AuditHead.from_json(text)


def cmd_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from imr_bot.services.records import verify_audit

    refusal = _audit_key_refusal(settings)
    if refusal:
        print(f"imr-bot: {refusal}", file=sys.stderr)
        return 2
    try:
        head = _read_head(args.head) if args.head else None
    except (OSError, ValueError) as error:
        print(f"imr-bot: --head: {error}", file=sys.stderr)
        return 2

    async def run():
        database, ctx = _context(settings)
        try:
            return await verify_audit(ctx, head)
        finally:
            await database.dispose()

    result = asyncio.run(run())
    sealed = f", {result.legacy} of them from before it was keyed" if result.legacy else ""
    if result.first_broken is None and not result.reason:
        against = f"; the exported head ({plural(head.entries, 'entry')}) is intact" if head else ""
        print(f"audit trail intact: {plural(result.entries, 'entry')}, every link holds{sealed}{against}")
        return 0
    where = f" at entry {result.first_broken}" if result.first_broken is not None else ""
    print(f"audit trail BROKEN{where}: {result.reason} ({plural(result.entries, 'entry')} checked)")
    return 1


def cmd_audit_head(settings: Settings, args: argparse.Namespace) -> int:
    from imr_bot.services.records import audit_head

    refusal = _audit_key_refusal(settings)
    if refusal:
        print(f"imr-bot: {refusal}", file=sys.stderr)
        return 2

    async def run():
        database, ctx = _context(settings)
        try:
            return await audit_head(ctx)
        finally:
            await database.dispose()

    text = asyncio.run(run()).to_json()
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


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
    print(f"purged {plural(result.reviews, 'closed review')} and "
          f"{plural(result.documents, 'document')}; "
          "each left an audit stub")
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """The document check on files outside Teams: 0 when every check passes, 1 otherwise."""
    from imr_bot.documents import jobs
    from imr_bot.documents.checker.dates import DATE, read_date
    from imr_bot.documents.worker import DocumentWorkers
    from imr_bot.domain.errors import DocumentRefused
    from imr_bot.domain.submissions import MAX_FILE_BYTES

    contents = []
    for name in (args.report, args.chronology):
        path = Path(name)
        if not path.is_file():
            print(f"imr-bot: {name}: no such file", file=sys.stderr)
            return 2
        if path.stat().st_size > MAX_FILE_BYTES:
            print(f"imr-bot: {name} is over {MAX_FILE_BYTES // (1024 * 1024)} MB", file=sys.stderr)
            return 2
        contents.append(path.read_bytes())
    period = []
    for label, written in (("--tor-from", args.tor_from), ("--tor-to", args.tor_to)):
        read = read_date(written) if written else None
        if read is not None and read.kind != DATE:
            print(f"imr-bot: {label} {written!r} is not a date that reads one way "
                  "(use YYYY-MM-DD or DD/MM/YYYY)", file=sys.stderr)
            return 2
        period.append(read.day if read else None)
    workers = DocumentWorkers.from_settings(settings)

    async def run():  # in a document worker, capped as the bot's own checks are
        try:
            return await workers.run(jobs.check, workers.limits, contents[0], contents[1],
                                     args.pack, (period[0], period[1]),
                                     unreadable="the documents could not be read")
        finally:
            await workers.close()

    try:
        result = asyncio.run(run())
    except DocumentRefused as refused:
        print(f"imr-bot: the documents were not checked: {refused.reason}", file=sys.stderr)
        return 2
    if args.json:
        print(result.to_json(indent=2))
    else:
        print(_check_text(result))
    return 0 if result.ok else 1


def _check_text(result) -> str:
    lines = []
    for found in result.checks:
        mark = "ok  " if found.ok else ("FAIL" if found.severity == "error" else "WARN")
        lines.append(f"{mark} {found.document:<10} {found.title}")
        for item in found.items:
            where = item.where()
            line = f"       - {where}: {item.problem}" if where else f"       - {item.problem}"
            if item.written and not item.row:
                line += f" (“{item.written}”)"
            lines.append(line + (f" — “{item.text}”" if item.text else ""))
    for skipped in result.not_checked:
        lines.append(f"SKIP {skipped.document:<10} {skipped.code}: {skipped.reason}")
    lines.append("")
    lines.append(result.summary())
    return "\n".join(lines)


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
    verify = audit.add_parser("verify", help="check the keyed hash chain (IMR_AUDIT_KEY); "
                              "report the first broken link")
    verify.add_argument("--head", default="", help="an exported head (its JSON, or the file "
                        "holding it): also check that no entry was cut from the end since")
    verify.set_defaults(func=cmd_audit_verify)
    head = audit.add_parser("head", help="print the chain's head (entries, last id and hash), "
                            "signed with IMR_AUDIT_KEY, to keep outside the database")
    head.add_argument("--out", default="", help="also write it to this file")
    head.set_defaults(func=cmd_audit_head)
    purge = sub.add_parser("purge", help="remove closed reviews' documents and personal data")
    purge.add_argument("--closed-before", required=True, help="a date, YYYY-MM-DD")
    purge.add_argument("--by", default="cli", help="who is purging, for the audit log")
    purge.set_defaults(func=cmd_purge)
    checker = sub.add_parser("check", help="check a report and chronology (.docx) as QA would; "
                             "exit 0 when every check passes, 1 otherwise")
    checker.add_argument("report", metavar="REPORT.docx")
    checker.add_argument("chronology", metavar="CHRONOLOGY.docx")
    checker.add_argument("--pack", choices=("derbyshire", "bradford"), default="derbyshire",
                         help="the partnership's template the report follows")
    checker.add_argument("--tor-from", default="", help="start of the terms of reference period")
    checker.add_argument("--tor-to", default="", help="end of the terms of reference period")
    checker.add_argument("--json", action="store_true", help="the result as JSON (README)")
    checker.set_defaults(func=cmd_check)
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
    try:
        return args.func(settings, args)
    except KeyboardInterrupt:  # Ctrl-C before the server took over its signals: a quiet stop
        print("imr-bot: stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
