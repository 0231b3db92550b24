"""`secbot incidents list | show ID | note ID TEXT | close ID | export ID --format md|json`.

For responders at the terminal: whoever can run this owns the database file anyway. Every
view and change is written to the append-only audit log."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from adapters.cli.common import (
    EXIT_USAGE,
    CliError,
    common_options,
    output_lang,
    run_with_store,
    settings_from,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("incidents", aliases=["incident"], help="list, show, annotate, close and export incidents",
                                   description="Incident records created by /incident and `secbot triage`.")
    commands = parser.add_subparsers(dest="incidents_command", metavar="INCIDENTS_COMMAND")
    commands.required = True
    common = common_options()

    listing = commands.add_parser("list", parents=[common], help="list incidents, newest first")
    listing.add_argument("--status", choices=("open", "closed", "all"), default="all")
    listing.add_argument("--json", action="store_true", help="print JSON lines")
    listing.add_argument("--lang", choices=("ja", "en"), default=None)
    listing.set_defaults(handler=run_list)

    show = commands.add_parser("show", parents=[common], help="show one incident with its timeline")
    show.add_argument("incident_id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.add_argument("--lang", choices=("ja", "en"), default=None)
    show.set_defaults(handler=run_show)

    note = commands.add_parser("note", parents=[common], help="add a note to the timeline")
    note.add_argument("incident_id", metavar="ID")
    note.add_argument("text", nargs="+", help="the note")
    note.set_defaults(handler=run_note)

    close = commands.add_parser("close", parents=[common], help="close an incident")
    close.add_argument("incident_id", metavar="ID")
    close.add_argument("--note", default=None, help="a closing note")
    close.set_defaults(handler=run_close)

    export = commands.add_parser("export", parents=[common], help="export a report draft (Markdown) or the record (JSON)")
    export.add_argument("incident_id", metavar="ID")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("--lang", choices=("ja", "en"), default=None, help="default: the reporter's language")
    export.add_argument("--output", "-o", type=Path, default=None, help="write to this file instead of stdout")
    export.set_defaults(handler=run_export)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def _model(args: argparse.Namespace) -> Any:
    """The triage model for labels, or None: broken knowledge must not hide the records."""
    from bot.knowledge_base import KnowledgeError
    from intents.assemble import build_snapshot

    try:
        return build_snapshot(settings_from(args).knowledge_dir).components.get("triage")
    except KnowledgeError as exc:
        print(f"secbot: note: the knowledge base has problems ({len(exc.problems)}); showing raw answers", file=sys.stderr)
        return None


async def _get(store: Any, raw_id: str) -> Any:
    from bot.store.incidents import normalize_incident_id

    record = await store.get_incident(normalize_incident_id(raw_id))
    if record is None:
        raise CliError(f"no incident {raw_id!r} (see `secbot incidents list`)")
    return record


def _lang(args: argparse.Namespace, fallback: str) -> str:
    return args.lang or fallback


def run_list(args: argparse.Namespace) -> int:
    from intents.incident.render import list_text

    model = _model(args)
    lang = output_lang(args)

    async def work(store: Any) -> int:
        records = await store.list_incidents(None if args.status == "all" else args.status)
        if args.json:
            for r in records:
                print(json.dumps({"id": r.id, "created_at": r.created_at, "status": r.status, "reporter": r.reporter,
                                  "platform": r.platform, "incident_type": r.incident_type}, ensure_ascii=False))
        else:
            print(list_text(records, model, lang, args.status))
        return 0

    return run_with_store(args, work)


def run_show(args: argparse.Namespace) -> int:
    from intents.incident.render import record_text

    model = _model(args)

    async def work(store: Any) -> int:
        record = await _get(store, args.incident_id)
        await store.append_audit(_actor(), "incident.viewed", record.id, {"via": "cli"})
        if args.json:
            print(json.dumps(asdict(record), ensure_ascii=False, indent=2))
        else:
            print(record_text(record, model, output_lang(args)))
        return 0

    return run_with_store(args, work)


def run_note(args: argparse.Namespace) -> int:
    text = " ".join(args.text).strip()
    if not text:
        raise CliError("the note is empty", EXIT_USAGE)

    async def work(store: Any) -> int:
        record = await _get(store, args.incident_id)
        await store.add_note(record.id, actor=_actor(), text=text)
        print(f"note added to {record.id}")
        return 0

    return run_with_store(args, work)


def run_close(args: argparse.Namespace) -> int:
    async def work(store: Any) -> int:
        record = await _get(store, args.incident_id)
        if record.status == "closed":
            print(f"{record.id} was already closed")
            return 0
        await store.close_incident(record.id, actor=_actor(), note=args.note)
        print(f"{record.id} closed")
        return 0

    return run_with_store(args, work)


def run_export(args: argparse.Namespace) -> int:
    from intents.incident.report import markdown_report

    model = _model(args)

    async def work(store: Any) -> int:
        record = await _get(store, args.incident_id)
        await store.append_audit(_actor(), "incident.exported", record.id, {"format": args.format})
        if args.format == "json":
            text = json.dumps(asdict(record), ensure_ascii=False, indent=2) + "\n"
        else:
            text = markdown_report(record, model, _lang(args, record.lang))
        if args.output:
            try:
                args.output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CliError(f"cannot write {args.output}: {exc.strerror}", EXIT_USAGE) from None
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0

    return run_with_store(args, work)
