"""`secbot triage --json --answers FILE.json`: run the triage rules without a conversation.

Prints the contacts in priority order (id, name, why, how) and the first steps, and records
the incident unless `--dry-run`. Bad answers (unknown field or value) exit 2, nothing recorded."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from adapters.cli.common import (
    EXIT_USAGE,
    CliError,
    common_options,
    knowledge_failure,
    output_lang,
    settings_from,
    using_store,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "triage", parents=[common_options()], help="run the incident triage rules on an answers file",
        description="Run the /incident triage on answers given as a JSON object ({\"incident_type\": \"ransomware\", ...}). "
                    "Only incident_type is required here. The incident is recorded unless --dry-run.")
    parser.add_argument("--answers", required=True, metavar="FILE.json", help="the answers as a JSON object; '-' reads stdin")
    parser.add_argument("--json", action="store_true", help="print JSON: {incident_id, contacts, steps, ...}")
    parser.add_argument("--dry-run", action="store_true", help="record nothing (incident_id is null)")
    parser.add_argument("--lang", choices=("ja", "en"), default=None, help="language of names, reasons and steps")
    parser.add_argument("--reporter", default=None, help="who reports (default: your login name)")
    parser.set_defaults(handler=run)


def read_answers(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"answers file not found: {source}", EXIT_USAGE) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {source}: {exc}", EXIT_USAGE) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{source} is not valid JSON: {exc.msg} (line {exc.lineno})", EXIT_USAGE) from None
    if not isinstance(data, dict):
        raise CliError(f"{source} must hold a JSON object of answers, like {{\"incident_type\": \"ransomware\"}}", EXIT_USAGE)
    return data


async def _record(database_url: str | None, **fields: Any) -> str:
    async def create(store: Any) -> str:
        return (await store.create_incident(**fields)).id

    return await using_store(database_url, create)


def run(args: argparse.Namespace) -> int:
    from bot.knowledge_base import KnowledgeError
    from intents.assemble import build_snapshot
    from intents.incident.render import result_text
    from intents.incident.rules import evaluate
    from intents.incident.validation import check_answers

    settings = settings_from(args)
    lang = output_lang(args)
    values = read_answers(args.answers)
    try:
        model = build_snapshot(settings.knowledge_dir).components.get("triage")
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    if model is None:
        raise CliError(f"{settings.knowledge_dir} has no triage (triage.yaml)")
    checked = check_answers(model, values, partial=True)
    if not checked.ok:
        lines = [f"invalid answers in {args.answers}; nothing was recorded:"]
        for error in checked.errors:
            lines.append(f"  {error.field}: {error.text('en', ids=True)}")
        raise CliError("\n".join(lines), EXIT_USAGE)
    for name in checked.ignored:
        print(f"secbot: note: '{name}' is ignored: the form asks it only when {_condition(model, name)}", file=sys.stderr)
    result = evaluate(model, checked.answers).to_dict(lang)
    incident_id = None
    if not args.dry_run:
        reporter = args.reporter or _login()
        incident_id = asyncio.run(_record(settings.database_url, reporter=reporter, reporter_name=reporter,
                                          platform="cli", channel=None, lang=lang, answers=checked.answers,
                                          result=result))
    if args.json:
        output = {
            "incident_id": incident_id,
            "principle": result["principle"],
            "contacts": [{"id": c["id"], "name": c["name"], "priority": c["priority"], "why": c["why"],
                          "deadline": c["deadline"], "detail": c["detail"], "how": c["how"]} for c in result["contacts"]],
            "steps": result["steps"],
            "guidance": result["guidance"],
            "rules": result["rules"],
            "answers": checked.answers,
            "lang": lang,
        }
        print(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        print(result_text(result, lang, incident_id))
    return 0


def _condition(model: Any, field_id: str) -> str:
    item = model.field(field_id)
    return " and ".join(f"{name} is {'/'.join(sorted(values))}" for name, values in item.show_if) if item else "?"


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"
