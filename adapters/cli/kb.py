"""`secbot kb ...`: tools for the admins who edit the knowledge base."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    CliError,
    common_options,
    knowledge_failure,
    output_lang,
    run_with_store,
    settings_from,
)

if TYPE_CHECKING:
    from bot.store.base import Store


def register(subparsers: argparse._SubParsersAction) -> None:
    kb = subparsers.add_parser("kb", help="knowledge base tools (validate, eval, ...)",
                               description="Tools for the admins who edit the knowledge YAML.")
    commands = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    commands.required = True

    validate = commands.add_parser("validate", parents=[common_options()],
                                   help="check every knowledge file (schema, references, duplicates, confusions)")
    validate.add_argument("directory", nargs="?", type=Path, help="knowledge folder (default: the one in use)")
    validate.add_argument("--today", type=_iso_day, default=None, metavar="YYYY-MM-DD",
                          help="check review dates as of this day (default: today)")
    validate.set_defaults(handler=run_validate)

    evaluate = commands.add_parser("eval", parents=[common_options()],
                                   help="accuracy on a labelled question set")
    evaluate.add_argument("--questions", type=Path, default=None,
                          help="labelled questions YAML: {questions: [{text, intent}]} or a list of "
                               "{q, lang, expect, facts} (default: the shipped set, intents/eval/questions.yaml)")
    evaluate.add_argument("--min-accuracy", type=float, default=None, help="exit 1 if top-1 accuracy is lower (0-1)")
    evaluate.add_argument("--min-rejection", type=float, default=None, help="exit 1 if off-topic rejection is lower (0-1)")
    evaluate.add_argument("--verbose", "-v", action="store_true", help="list every missed question")
    evaluate.add_argument("--json", action="store_true", help="print the summary as JSON")
    evaluate.set_defaults(handler=run_eval)

    test = commands.add_parser("test", parents=[common_options()],
                               help="run the admin-written test utterances kept beside the knowledge (tests/*.yaml)")
    test.set_defaults(handler=run_test)

    gaps = commands.add_parser("gaps", parents=[common_options()],
                               help="unanswered and low-confidence questions, 'none of these' and 👎, grouped")
    gaps.add_argument("--days", type=int, default=30, help="look back this many days (default 30)")
    gaps.add_argument("--limit", type=int, default=30)
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--lang", choices=("ja", "en"), default=None, help="default: SECBOT_DEFAULT_LANG, else the locale")
    gaps.set_defaults(handler=run_gaps)

    stats = commands.add_parser("stats", parents=[common_options()], help="usage statistics")
    stats.add_argument("--days", type=int, default=30)
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--lang", choices=("ja", "en"), default=None, help="default: SECBOT_DEFAULT_LANG, else the locale")
    stats.set_defaults(handler=run_stats)

    init = commands.add_parser("init", help="start your own knowledge folder: a copy of the shipped knowledge",
                               description="Copy the knowledge shipped with secbot into DIR, a folder you own and "
                                           "edit; then serve it with --knowledge DIR or SECBOT_KNOWLEDGE=DIR.")
    init.add_argument("directory", type=Path, help="the new knowledge folder (must not exist, or be empty)")
    init.set_defaults(handler=run_init)

    new = commands.add_parser("new-intent", parents=[common_options()], help="scaffold a new intent entry")
    new.add_argument("intent_id", help="snake_case id, e.g. vpn_patching")
    new.add_argument("--file", default="intents/custom.yaml",
                     help="file under the knowledge folder to append to (default intents/custom.yaml)")
    new.add_argument("--from-question", metavar="Q-ID",
                     help="start from a question answered via 'ask the security team'")
    new.set_defaults(handler=run_new_intent)


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run_validate(args: argparse.Namespace) -> int:
    from intents.kb_checks import check_knowledge

    directory = args.directory or settings_from(args).knowledge_dir
    snapshot_log = logging.getLogger("bot.snapshot")
    level = snapshot_log.level
    snapshot_log.setLevel(logging.ERROR)  # its "not served until its TODOs are filled in" is a problem below
    try:
        problems, warnings = check_knowledge(directory, args.today)
    finally:
        snapshot_log.setLevel(level)
    for warning in warnings:
        print(f"  warning: {warning}")
    if problems:
        print(f"{directory}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  {problem}")
        return EXIT_PROBLEMS
    print(f"{directory}: OK" + (f" ({len(warnings)} warning(s): due for review)" if warnings else ""))
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from bot.knowledge_base import KnowledgeError
    from bot.yaml_source import YamlError
    from intents.assemble import build_snapshot
    from intents.evaluation import (
        DEFAULT_EVAL_FILE,
        evaluate,
        format_report,
        load_questions,
        reply_text,
    )

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
    unknown = sorted({q.intent for q in questions if q.intent and q.intent not in snapshot.kb.intents})
    if unknown:
        print(f"secbot: warning: {path} expects intents this knowledge does not have (counted as missed): "
              f"{', '.join(unknown)}", file=sys.stderr)
    report = evaluate(snapshot.matcher, questions, reply_text(snapshot.kb))
    if args.json:
        print(json.dumps({"in_scope": report.in_scope, "top1_accuracy": round(report.accuracy, 4),
                          "out_of_scope": report.out_of_scope, "rejection": round(report.rejection, 4),
                          "in_suggestions": report.in_suggestions,
                          "languages": {lang: dict(c) for lang, c in report.by_lang.items()},
                          "must_not_answer": {lang: dict(c) for lang, c in report.off_by_lang.items()}},
                         ensure_ascii=False))
    else:
        print(format_report(report, verbose=args.verbose))
    failed = (args.min_accuracy is not None and report.accuracy < args.min_accuracy) or (
        args.min_rejection is not None and report.rejection < args.min_rejection)
    return EXIT_PROBLEMS if failed else 0


def run_test(args: argparse.Namespace) -> int:
    from bot.knowledge_base import KnowledgeError
    from intents.assemble import build_snapshot
    from intents.evaluation import LabelledQuestion, evaluate

    try:
        snapshot = build_snapshot(settings_from(args).knowledge_dir)
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    docs = snapshot.kb.docs("tests")
    cases = [(doc, i, LabelledQuestion(t["text"], t["intent"])) for doc in docs for i, t in enumerate(doc.data["tests"])]
    if not cases:
        print(f"no test utterances in {snapshot.kb.directory}/tests/*.yaml")
        return 0
    failures = 0
    for doc, index, case in cases:
        if case.intent is not None and case.intent not in snapshot.kb.intents:
            print(f"FAIL {doc.problem(('tests', index), f'unknown intent {case.intent!r}')}")
            failures += 1
            continue
        report = evaluate(snapshot.matcher, [case])
        ok = report.top1_correct == 1 if case.intent else report.rejected == 1
        if not ok:
            failures += 1
            got = report.misses[0][2] if report.misses else report.false_answers[0][1]
            where = doc.problem(("tests", index), "")
            print(f"FAIL {where.file}:{where.line}: {case.text!r} expected {case.intent or 'no answer'}, got {got}")
    print(f"{len(cases) - failures}/{len(cases)} test utterances passed")
    return EXIT_PROBLEMS if failures else 0


def run_gaps(args: argparse.Namespace) -> int:
    import time

    from intents.gaps import collect, format_gaps, group

    retention_days = settings_from(args).question_retention_days

    async def go(store: Store) -> list:
        now = time.time()
        await store.purge_questions(older_than=now - retention_days * 86_400)
        since = now - args.days * 86_400
        return group(collect(await store.list_questions(since=since), await store.list_feedback(since=since)))

    gaps = run_with_store(args, go)
    if args.json:
        print(json.dumps([{"text": g.text, "count": g.count, "reasons": dict(g.reasons),
                           "wordings": dict(g.wordings), "answered_with": dict(g.intents)} for g in gaps[: args.limit]],
                         ensure_ascii=False, indent=2))
    else:
        print(format_gaps(gaps, limit=args.limit, lang=output_lang(args)))
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from bot.knowledge_base import KnowledgeError, load_knowledge
    from bot.review import format_reviews, review_rows
    from intents.stats import collect_stats, format_stats

    stats = run_with_store(args, lambda store: collect_stats(store, days=args.days))
    try:
        stats["reviews"] = review_rows(load_knowledge(settings_from(args).knowledge_dir), date.today())
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats, output_lang(args)) + "\n\n" + format_reviews(stats["reviews"]))
    return 0


def run_new_intent(args: argparse.Namespace) -> int:
    import re

    from intents.scaffold import scaffold_intent

    if not re.fullmatch(r"[a-z][a-z0-9_]*", args.intent_id):
        raise CliError(f"intent id {args.intent_id!r} must be snake_case (a-z, 0-9, _), starting with a letter",
                       EXIT_USAGE)
    settings = settings_from(args)
    refuse_shipped_knowledge(args, settings.knowledge_dir)
    refuse_non_knowledge(settings.knowledge_dir)
    question = answer = None
    if args.from_question:
        record = run_with_store(args, lambda store: store.get_expert_question(args.from_question))
        if record is None:
            raise CliError(f"no forwarded question {args.from_question}", EXIT_USAGE)
        question, answer = record.question, record.answer
    target = settings.knowledge_dir / args.file
    try:
        scaffold_intent(settings.knowledge_dir, target, args.intent_id, question=question, answer=answer)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    print(f"added '{args.intent_id}' to {target}: fill in the TODOs, then run `secbot kb validate` and `secbot kb test`")
    return 0


def run_init(args: argparse.Namespace) -> int:
    import shutil

    from knowledge import SHIPPED_DIR

    target: Path = args.directory
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CliError(f"{target} already exists and is not an empty folder: nothing was copied "
                       "(choose a new folder)", EXIT_USAGE)
    try:
        shutil.copytree(SHIPPED_DIR, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "schema"))
    except OSError as exc:
        raise CliError(f"cannot copy the knowledge into {target}: {exc.strerror or exc}", EXIT_USAGE) from None
    print(f"copied the shipped knowledge ({SHIPPED_DIR}) to {target}\n"
          f"serve it with --knowledge {target} (or SECBOT_KNOWLEDGE={target}); add a topic with "
          f"`secbot kb new-intent ID --knowledge {target}`, check with `secbot kb validate {target}`")
    return 0


def refuse_non_knowledge(knowledge_dir: Path) -> None:
    """A scaffold goes beside real knowledge: into a missing or empty folder it would make a
    "knowledge base" of one unfinished entry, which nothing can serve."""
    from bot.knowledge_base import knowledge_files

    if knowledge_dir.is_dir() and knowledge_files(knowledge_dir):
        return
    state = "does not exist" if not knowledge_dir.exists() else "is not a knowledge folder (no *.yaml files)"
    raise CliError(f"{knowledge_dir} {state}: start one with `secbot kb init {knowledge_dir}` (a copy of the "
                   "shipped knowledge), then add intents to it", EXIT_USAGE)


def refuse_shipped_knowledge(args: argparse.Namespace, knowledge_dir: Path) -> None:
    """New intents go to a knowledge folder the admin owns, never into the installed package
    (a package upgrade would silently drop them, and site-packages is not theirs to edit)."""
    import os

    from knowledge import SHIPPED_DIR

    if not knowledge_dir.resolve().is_relative_to(SHIPPED_DIR.resolve()):
        return
    chosen = bool(getattr(args, "knowledge", None) or os.environ.get("SECBOT_KNOWLEDGE"))
    source_checkout = (SHIPPED_DIR.parent / "pyproject.toml").exists()  # a developer's own clone
    if chosen and source_checkout:
        return
    raise CliError(
        f"the knowledge in use is the copy shipped with secbot ({SHIPPED_DIR}); new intents go into a "
        "folder you own: copy it once (secbot kb init ~/secbot-knowledge), then pass "
        "--knowledge ~/secbot-knowledge (or set SECBOT_KNOWLEDGE to it)", EXIT_USAGE)
