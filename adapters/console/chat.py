"""Terminal chat: read a line, hand it to the core, print the replies.

A number picks a button of the previous reply ("1" clicks the first suggestion), so every
button-driven path of Slack and Teams is reachable from the terminal too.
"""

from __future__ import annotations

import asyncio
import getpass
import io
import os
import sys
import unicodedata
from collections.abc import Mapping
from typing import Any, TextIO

from adapters.cli.common import knowledge_failure, output_lang, store_failure
from bot.engine import Bot, conversation_key
from bot.knowledge_base import KnowledgeError
from bot.messages import say
from bot.models import Button, Capabilities, IncomingMessage, Notification, Reply, ReplyKind, Response
from bot.reload import start_watching
from bot.render_text import render_reply
from bot.settings import Settings
from bot.snapshot import Snapshot
from bot.store.base import StoreError
from bot.yaml_source import Problem
from intents.assemble import create_bot

BANNER = (
    "secbot: サイバーセキュリティの質問にお答えします / Ask me about cybersecurity guidance.\n"
    "/incident でインシデント対応 (incident triage), /checkup でセキュリティ自己診断 (self-assessment),\n"
    "/help で使い方, /quit で終了 (exit).\n"
)
QUIT = {"/quit", "/exit", "quit", "exit", ":q"}
# No forms: a flow asks one field after another; buttons are numbered, and a number clicks one.
CAPABILITIES = Capabilities(forms=False, buttons=True)


def terminal_locale(env: Mapping[str, str]) -> str:
    """The language every `secbot` command speaks (`output_lang`: SECBOT_DEFAULT_LANG, else the
    locale, else Japanese), as the platform locale: the user's own messages still decide first."""
    return {"ja": "ja-JP", "en": "en-US"}[output_lang(env=env)]


class ConsoleSession:
    """One terminal conversation; separated from I/O so tests can drive it."""

    def __init__(self, bot: Bot, user: str, out: TextIO, locale: str | None = None):
        self.bot = bot
        self.user = user
        self.out = out
        self.locale = locale
        self.buttons: list[Button] = []
        self.lang = bot.default_lang  # of the last reply: the language to speak in the terminal's own words
        self.in_form = False  # the last reply was a step of a form, which reads numbers itself

    def to_message(self, line: str) -> IncomingMessage:
        text = line.strip()
        base: dict[str, Any] = {"user_id": self.user, "conversation_id": f"console-{self.user}", "platform": "console",
                                "capabilities": CAPABILITIES, "user_name": self.user, "channel_id": "console", "locale": self.locale}
        if text.isdigit() and self.buttons and 1 <= int(text) <= len(self.buttons):
            return IncomingMessage(action=self.buttons[int(text) - 1].value, **base)
        return IncomingMessage(text=line, **base)

    def no_such_option(self, line: str) -> Reply | None:
        """A bare number that is none of the previous reply's buttons: say so rather than take
        "9" as a question. Inside a form the number goes to the form, which explains its own choices."""
        text = line.strip()
        if not (text.isdigit() and self.buttons and not self.in_form) or 1 <= int(text) <= len(self.buttons):
            return None
        return Reply(text=say("no_such_option", self.lang, number=int(text), count=len(self.buttons)),
                     kind=ReplyKind.ERROR, lang=self.lang)

    async def start(self) -> Response:
        """An unfinished report from an earlier session is offered back before anything else."""
        response = await self.bot.session_start(self.to_message(""))
        self.show(response)
        return response

    async def quit(self) -> None:
        """Leaving in the middle of a form: say that the draft is kept and will be offered next time
        (only when something was answered: an empty walk is dropped at the next start)."""
        try:
            state = await self.bot.store.get_state(conversation_key(self.to_message("")))
        except StoreError:
            return
        walk = state.get(state.get("flow") or "")
        if isinstance(walk, dict) and walk.get("answers"):
            lang = walk.get("lang") if walk.get("lang") in ("ja", "en") else state.get("lang", "ja")
            self.out.write(say("draft_kept", str(lang)) + "\n")
            self.out.flush()

    async def send(self, line: str) -> Response:
        missing = self.no_such_option(line)
        if missing is not None:  # the buttons stay as they were: the user can still pick one
            self.out.write(render_reply(missing) + "\n\n")
            self.out.flush()
            return Response((missing,))
        response = await self.bot.handle(self.to_message(line))
        self.show(response)
        return response

    def show(self, response: Response) -> None:
        if response.replies:
            self.lang = response.replies[-1].lang
            self.in_form = any(r.kind in (ReplyKind.QUESTION, ReplyKind.FORM) for r in response.replies)
        buttons: list[Button] = []
        for reply in response.replies:
            self.out.write(render_reply(reply, numbered_buttons=False) if not reply.buttons else self._with_numbers(reply, len(buttons)))
            self.out.write("\n\n")
            buttons += [b for b in reply.buttons if not b.value.startswith("feedback:")]
        for note in response.notifications:
            self.out.write(self.notification_text(note) + "\n\n")
        self.buttons = buttons
        self.out.flush()

    @staticmethod
    def _with_numbers(reply: Reply, offset: int) -> str:
        text = render_reply(reply, numbered_buttons=True)
        if offset:
            for index in range(len(reply.buttons), 0, -1):
                text = text.replace(f"  {index}. ", f"  {index + offset}. ")
        return text

    @staticmethod
    def notification_text(note: Notification) -> str:
        header = "[セキュリティチーム宛て通知 / to the security team's private channel]"
        return f"{header}\n{note.text}"


async def _chat(settings: Settings, user: str, stdin: TextIO, stdout: TextIO) -> int:
    try:
        bot = await create_bot(settings, local=True)
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    except StoreError as exc:
        raise store_failure(exc) from None
    session = ConsoleSession(bot, user, stdout, terminal_locale(os.environ))
    interactive = stdin.isatty()
    stdout.write(BANNER + "\n")
    await session.start()
    loop = asyncio.get_running_loop()

    def reloaded(snapshot: Snapshot | None, problems: list[Problem]) -> None:
        if snapshot is not None:
            stdout.write(f"[knowledge reloaded: version {snapshot.version}, {len(snapshot.kb.intents)} topics]\n")
        else:
            stdout.write("[knowledge NOT reloaded, still serving the previous version:]\n")
            stdout.writelines(f"  {p}\n" for p in problems)
        stdout.flush()

    bot.reloader.on_reload = reloaded
    watcher = start_watching(bot.reloader)
    try:
        while True:
            if interactive:
                stdout.write("you> ")
                stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            if unicodedata.normalize("NFKC", line).strip().lower() in QUIT:  # "／quit" from an IME too
                await session.quit()
                break
            stdout.write("secbot>\n") if interactive else None
            await session.send(line.rstrip("\n"))
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await bot.store.close()
    return 0


def run_chat(settings: Settings, *, user: str | None = None, stdin: TextIO | None = None,
             stdout: TextIO | None = None) -> int:
    name = user or _login_name()
    if stdin is None and isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")  # a mis-encoded line is read with U+FFFD, not a traceback
    try:
        return asyncio.run(_chat(settings, name, stdin or sys.stdin, stdout or sys.stdout))
    except KeyboardInterrupt:
        return 130


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "console-user"
