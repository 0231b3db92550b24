"""`secbot checkup --answers FILE.json` (score without a conversation) and `secbot checkup report`.

Bad answers (unknown question or value, a missing answer, an unknown set) exit 2 with every
problem on stderr and nothing stored. The report summarises every respondent's latest
result per organisation (per-area averages, the most common gaps) as Markdown or CSV."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
import time
from collections import Counter
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
    common = common_options()
    parser = subparsers.add_parser(
        "checkup", parents=[common], help="score a security self-assessment, or report across respondents",
        description="Score a /checkup answers file ({\"organization\": \"ACME\", \"policy\": \"yes\", ...}) and store "
                    "the result unless --dry-run; or `secbot checkup report` for a summary across respondents.")
    parser.add_argument("--answers", metavar="FILE.json", help="the answers as a JSON object; '-' reads stdin")
    parser.add_argument("--set", dest="set_id", default=None, help="the checkup set (default: the `default` set)")
    parser.add_argument("--org", default=None, help="the organisation's name (overrides `organization` in the file)")
    parser.add_argument("--json", action="store_true", help="print JSON: {result_id, overall, areas, gaps, ...}")
    parser.add_argument("--dry-run", action="store_true", help="store nothing (result_id is null)")
    parser.add_argument("--lang", choices=("ja", "en"), default=None, help="language of titles, risks and next steps")
    parser.add_argument("--respondent", default=None, help="who answers (default: your login name)")
    parser.set_defaults(handler=run)
    commands = parser.add_subparsers(dest="checkup_command", metavar="CHECKUP_COMMAND")
    report = commands.add_parser("report", parents=[common], help="summary across respondents (Markdown or CSV)")
    report.add_argument("--set", dest="set_id", default=None, help="the checkup set (default: the `default` set)")
    report.add_argument("--format", choices=("md", "csv"), default="md")
    report.add_argument("--since", type=float, default=None, metavar="DAYS", help="only results of the last DAYS days")
    report.add_argument("--lang", choices=("ja", "en"), default=None)
    report.set_defaults(handler=run_report)


def _model(settings: Any) -> Any:
    from bot.knowledge_base import KnowledgeError
    from intents.assemble import build_snapshot

    try:
        model = build_snapshot(settings.knowledge_dir).components.get("checkup")
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    if model is None:
        raise CliError(f"{settings.knowledge_dir} has no checkup sets (knowledge/checkup/*.yaml)")
    return model


def _set(model: Any, set_id: str | None) -> Any:
    checkup = model.get(set_id)
    if checkup is None:
        raise CliError(f"unknown checkup set {set_id!r} (sets: {', '.join(model.sets)})", EXIT_USAGE)
    return checkup


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def run(args: argparse.Namespace) -> int:
    from adapters.cli.triage_cli import read_answers
    from intents.checkup.model import ORG_FIELD
    from intents.checkup.render import result_dict, result_text
    from intents.checkup.scoring import check_answers, score

    if not args.answers:
        raise CliError("give --answers FILE.json (or use `secbot checkup report`)", EXIT_USAGE)
    settings = settings_from(args)
    lang = output_lang(args)
    values = read_answers(args.answers)
    checkup = _set(_model(settings), args.set_id)
    if args.org is not None:
        values[ORG_FIELD] = args.org
    checked = check_answers(checkup, values)
    if not checked.ok:
        lines = [f"invalid answers in {args.answers} for checkup set '{checkup.id}'; nothing was stored:"]
        lines += [f"  {e.field}: {e.text('en', ids=True)}" for e in checked.errors if e.code != "required"]
        missing = [e.field for e in checked.errors if e.code == "required"]
        if missing:
            lines.append(f"  missing answers: {', '.join(missing)}")
        raise CliError("\n".join(lines), EXIT_USAGE)
    result = score(checkup, checked.answers)
    result_id = None
    if not args.dry_run:
        respondent = args.respondent or _login()
        record = asyncio.run(using_store(settings.database_url, lambda store: store.save_checkup(
            respondent=respondent, respondent_name=respondent, platform="cli", organization=checked.organization,
            set_id=checkup.id, lang=lang, answers=checked.answers, scores=result.to_dict())))
        result_id = record.id
    if args.json:
        output = {"result_id": result_id, "organization": checked.organization, **result_dict(checkup, result, lang),
                  "answers": checked.answers, "lang": lang}
        print(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        print(result_text(checkup, result, lang, checked.organization, result_id))
    return 0


def run_report(args: argparse.Namespace) -> int:
    from intents.checkup.report import markdown, summarize, to_csv

    settings = settings_from(args)
    lang = output_lang(args)
    checkup = _set(_model(settings), args.set_id)
    if args.since is not None and args.since <= 0:
        raise CliError("--since takes a positive number of days", EXIT_USAGE)
    since = time.time() - args.since * 86_400 if args.since else None
    every = asyncio.run(using_store(settings.database_url, lambda store: store.list_checkups(since=since)))
    records = [r for r in every if r.set_id == checkup.id]
    summary = summarize(checkup, records, lang)
    sys.stdout.write(to_csv(summary) if args.format == "csv" else markdown(summary, lang))
    if not records and (others := Counter(r.set_id for r in every)):  # "no results" while other sets have some
        print(f"no results in set {checkup.id!r}; results exist in: "
              + ", ".join(f"{set_id} ({count})" for set_id, count in sorted(others.items()))
              + " -- use `secbot checkup report --set NAME`", file=sys.stderr)
    return 0
