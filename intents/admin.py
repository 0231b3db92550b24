"""Admin commands in chat: reload the knowledge, usage stats, unanswered questions.

`/secbot reload|stats|gaps` (one slash command for all, where commands are registered
one by one) or `/reload`, `/stats`,
`/gaps`. Only configured admins may run them; everyone else gets a polite refusal, and
every attempt is written to the audit log.
"""

from __future__ import annotations

import time

from bot.messages import say
from bot.models import Reply, ReplyKind, Response
from bot.skills import Turn
from intents.gaps import collect, format_gaps, group
from intents.stats import DAY, collect_stats, format_stats

SUBCOMMANDS = ("reload", "stats", "gaps")


class AdminCommands:
    name = "admin"
    commands = ("/secbot", "/reload", "/stats", "/gaps")

    async def start(self, turn: Turn, args: str) -> Response:
        command = turn.message.text.strip().split()[0].lower().lstrip("/")
        if command == "secbot":
            command, _, args = args.partition(" ")
            command = command.lower()
        if command not in SUBCOMMANDS:
            return _reply(turn, say("admin_usage", turn.lang), ReplyKind.NOTICE)
        allowed = turn.access.is_admin(turn.message)
        await turn.store.append_audit(actor=_actor(turn), action=f"admin.{command}", target=None,
                                      details={"allowed": allowed, "platform": turn.message.platform})
        if not allowed:
            return _reply(turn, say("admin_only", turn.lang), ReplyKind.ERROR)
        if command == "reload":
            return await self._reload(turn)
        if command == "stats":
            stats = await collect_stats(turn.store)
            return _reply(turn, format_stats(stats, turn.lang), ReplyKind.RESULT, private=True)
        since = time.time() - 30 * DAY
        gaps = group(collect(await turn.store.list_questions(since=since), await turn.store.list_feedback(since=since)))
        return _reply(turn, format_gaps(gaps, limit=10, lang=turn.lang), ReplyKind.RESULT, private=True)

    async def _reload(self, turn: Turn) -> Response:
        if turn.reloader is None:
            return _reply(turn, say("unknown_action", turn.lang), ReplyKind.ERROR)
        snapshot, problems = await turn.reloader.reload()
        if snapshot is None:
            lines = [say("reload_failed", turn.lang, count=len(problems), version=turn.reloader.holder.current.version)]
            lines += [f"- {p}" for p in problems[:20]]
            return _reply(turn, "\n".join(lines), ReplyKind.ERROR, private=True)
        return _reply(turn, say("reload_ok", turn.lang, version=snapshot.version, intents=len(snapshot.kb.intents)),
                      ReplyKind.RESULT, private=True)


def _actor(turn: Turn) -> str:
    return f"{turn.message.platform}:{turn.message.user_id}"


def _reply(turn: Turn, text: str, kind: ReplyKind, *, private: bool = False) -> Response:
    return Response((Reply(text=text, kind=kind, lang=turn.lang, private=private),))
