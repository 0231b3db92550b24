"""`secbot ask`: answer questions without a conversation (one-shot, or a batch as JSON lines)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from adapters.cli.common import (
    EXIT_USAGE,
    CliError,
    common_options,
    knowledge_failure,
    read_lines,
    settings_from,
    store_failure,
)
from bot.engine import Bot
from bot.knowledge_base import KnowledgeError
from bot.models import IncomingMessage, ReplyKind, valid_text
from bot.render_text import render_replies
from bot.store.base import StoreError
from bot.store.sqlite import SqliteStore
from intents.assemble import create_bot


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ask", parents=[common_options()], help="answer one question, or a batch",
                                   description="Answer questions from the knowledge base. Nothing is recorded.")
    parser.add_argument("question", nargs="*", help="the question (quote it)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per question")
    parser.add_argument("--batch", metavar="FILE", help="one question per line; '-' reads standard input")
    parser.set_defaults(handler=run)


def result_record(question: str, response_replies: tuple, lang_hint: str) -> dict[str, Any]:
    replies = list(response_replies)
    first = replies[0] if replies else None
    intent = first.intent if first is not None and first.kind in (ReplyKind.ANSWER, ReplyKind.SMALLTALK) else None
    suggestions = []
    for reply in replies:
        suggestions += list(reply.data.get("suggestions", []))
    return {
        "question": question,
        "intent": intent,
        "score": first.score if first is not None else None,
        "answer": render_replies(replies),
        "suggestions": suggestions,
        "lang": first.lang if first is not None else lang_hint,
    }


async def answer_all(bot: Bot, questions: list[str]) -> list[dict[str, Any]]:
    results = []
    for number, question in enumerate(questions):
        message = IncomingMessage(user_id="cli", conversation_id=f"ask-{number}", text=question, platform="cli")
        response = await bot.handle(message)
        results.append(result_record(question, response.replies, bot.default_lang))
    return results


async def _run(args: argparse.Namespace, questions: list[str]) -> list[dict[str, Any]]:
    settings = settings_from(args)
    store = SqliteStore("sqlite:///:memory:")  # `ask` keeps no history
    try:
        bot = await create_bot(settings, store=store, record_questions=False)
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    except StoreError as exc:
        raise store_failure(exc) from None
    try:
        return await answer_all(bot, questions)
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    if args.batch and args.question:
        raise CliError("give either a QUESTION or --batch FILE, not both", EXIT_USAGE)
    if args.batch:
        if not args.json:
            raise CliError("--batch writes JSON lines: add --json", EXIT_USAGE)
        questions = read_lines(args.batch)
    elif args.question:
        questions = [valid_text(" ".join(args.question))]  # undecodable argv bytes arrive as surrogates
        if not questions[0].strip():
            raise CliError("the question is empty: secbot ask \"What is JC-STAR?\"", EXIT_USAGE)
    else:
        raise CliError("no question given: secbot ask \"What is JC-STAR?\" (or --json --batch FILE)", EXIT_USAGE)
    results = asyncio.run(_run(args, questions))
    out = sys.stdout
    for result in results:
        if args.json:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            out.write(result["answer"] + "\n")
    out.flush()
    return 0
