"""`secbot kb ...`: tools for the admins who edit the knowledge base."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.cli.common import EXIT_PROBLEMS, EXIT_USAGE, CliError, common_options, knowledge_failure, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    kb = subparsers.add_parser("kb", help="knowledge base tools (validate, eval, ...)",
                               description="Tools for the admins who edit the knowledge YAML.")
    commands = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    commands.required = True

    validate = commands.add_parser("validate", parents=[common_options()],
                                   help="check every knowledge file (schema, references, duplicates, confusions)")
    validate.add_argument("directory", nargs="?", type=Path, help="knowledge folder (default: the one in use)")
    validate.set_defaults(handler=run_validate)

    evaluate = commands.add_parser("eval", parents=[common_options()],
                                   help="accuracy on a labelled question set")
    evaluate.add_argument("--questions", type=Path, default=None,
                          help="labelled questions YAML (default: tests/eval/questions.yaml)")
    evaluate.add_argument("--min-accuracy", type=float, default=None, help="exit 1 if top-1 accuracy is lower (0-1)")
    evaluate.add_argument("--min-rejection", type=float, default=None, help="exit 1 if off-topic rejection is lower (0-1)")
    evaluate.add_argument("--verbose", "-v", action="store_true", help="list every missed question")
    evaluate.add_argument("--json", action="store_true", help="print the summary as JSON")
    evaluate.set_defaults(handler=run_eval)


def run_validate(args: argparse.Namespace) -> int:
    from bot.kb_checks import validate_knowledge  # noqa: PLC0415

    directory = args.directory or settings_from(args).knowledge_dir
    problems = validate_knowledge(directory)
    if problems:
        print(f"{directory}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  {problem}")
        return EXIT_PROBLEMS
    print(f"{directory}: OK")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import DEFAULT_EVAL_FILE, evaluate, format_report, load_questions  # noqa: PLC0415
    from bot.knowledge_base import KnowledgeError  # noqa: PLC0415
    from bot.snapshot import build_snapshot  # noqa: PLC0415
    from bot.yaml_source import YamlError  # noqa: PLC0415

    path = args.questions or DEFAULT_EVAL_FILE
    if not path.exists():
        raise CliError(f"question file not found: {path} (give one with --questions)", EXIT_USAGE)
    try:
        snapshot = build_snapshot(settings_from(args).knowledge_dir)
        questions = load_questions(path)
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    except YamlError as exc:
        raise CliError(str(exc.problem), EXIT_USAGE) from None
    report = evaluate(snapshot.matcher, questions)
    if args.json:
        print(json.dumps({"in_scope": report.in_scope, "top1_accuracy": round(report.accuracy, 4),
                          "out_of_scope": report.out_of_scope, "rejection": round(report.rejection, 4),
                          "in_suggestions": report.in_suggestions}))
    else:
        print(format_report(report, verbose=args.verbose))
    failed = (args.min_accuracy is not None and report.accuracy < args.min_accuracy) or (
        args.min_rejection is not None and report.rejection < args.min_rejection)
    return EXIT_PROBLEMS if failed else 0
