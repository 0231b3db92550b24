"""The conversation engine: one IncomingMessage in, a Response (replies, notifications) out."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import replace
from typing import Any

from bot.access import AccessPolicy
from bot.lang import detect_language, locale_language
from bot.messages import say
from bot.metrics import ERRORS, LATENCY
from bot.models import IncomingMessage, Reply, ReplyKind, Response
from bot.reload import Reloader
from bot.skills import Command, Fallback, Flow, Turn, form_owner
from bot.snapshot import KnowledgeHolder
from bot.store.base import Store, StoreError
from bot.text import command_form, strip_control

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
DEFAULT_FORM_EXPIRY_SECONDS = 24 * 3600


def conversation_key(message: IncomingMessage) -> str:
    return f"{message.platform}:{message.conversation_id}:{message.user_id}"


class Bot:
    """Platform-neutral bot. Adapters call `handle` and render what comes back."""

    def __init__(
        self,
        knowledge: KnowledgeHolder,
        store: Store,
        *,
        skills: Iterable[Command] = (),
        fallback: Fallback | None = None,
        default_lang: str = "ja",
        access: AccessPolicy | None = None,
        form_expiry_seconds: float = DEFAULT_FORM_EXPIRY_SECONDS,
    ):
        self.knowledge = knowledge
        self.store = store
        self.default_lang = default_lang
        self.access = access or AccessPolicy()
        self.form_expiry_seconds = form_expiry_seconds
        self.reloader = Reloader(knowledge)
        self.skills: dict[str, Command] = {skill.name: skill for skill in skills}
        self.fallback = fallback

    # -- entry point ------------------------------------------------------------------------
    async def handle(self, message: IncomingMessage) -> Response:
        started = time.perf_counter()
        text = strip_control(message.text or "").strip()
        command = command_form(text)  # commands are recognised after NFKC, for every front end
        if command != text:
            text, message = command, replace(message, text=command)
        lang = self._language(text, message, {})
        try:
            key = conversation_key(message)
            state = await self.store.get_state(key)
            lang = self._language(text, message, state)
            before = copy.deepcopy(state)
            self._expire_walk(state)
            turn = self._turn(message, lang, state)
            if self.fallback is not None:
                self.fallback.before_turn(turn)
            try:
                response = await self._dispatch(turn, text)
            except BaseException:
                for write in turn.deferred:
                    write.close()
                raise
            turn.state["lang"] = turn.lang
            writes = list(turn.deferred)
            if turn.state != before:  # serialised once, by the store
                writes.append(self.store.put_state(key, turn.state))
            if writes:
                await _all(writes)
            return response
        except StoreError as exc:
            ERRORS.labels("store").inc()
            log.exception("storage failed while handling a message", extra={"error": str(exc), "platform": message.platform})
            return _error(say("store_error", lang), lang)
        except Exception:
            ERRORS.labels("engine").inc()
            log.exception("unexpected error while handling a message", extra={"platform": message.platform})
            return _error(say("error", lang), lang)
        finally:
            LATENCY.labels(message.platform).observe(time.perf_counter() - started)

    async def session_start(self, message: IncomingMessage) -> Response:
        """A new terminal session: an unfinished walk (a form answered step by step) asks
        "continue or cancel?" rather than taking the session's first line as an answer."""
        key = conversation_key(message)
        try:
            state = await self.store.get_state(key)
            before = copy.deepcopy(state)
            self._expire_walk(state)
            flow = self.skills.get(state.get("flow", ""))
            on_start = getattr(flow, "on_session_start", None)
            lang = state.get("lang") or locale_language(message.locale) or self.default_lang
            turn = self._turn(message, lang, state)
            response = on_start(turn) if on_start is not None else Response()
            if turn.state != before:  # a walk expired, paused, or dropped as empty
                await self.store.put_state(key, turn.state)
            return response
        except StoreError as exc:
            log.exception("storage failed at the start of a session", extra={"error": str(exc)})
            return Response()

    def _turn(self, message: IncomingMessage, lang: str, state: dict[str, Any]) -> Turn:
        return Turn(message=message, snapshot=self.knowledge.current, store=self.store, lang=lang, state=state,
                    access=self.access, default_lang=self.default_lang, reloader=self.reloader,
                    fallback=self.fallback.answer if self.fallback is not None else None)

    def _expire_walk(self, state: dict[str, Any]) -> bool:
        """Drop a walk left untouched longer than the form expiry (it would capture the next
        question as an answer, and it holds what the user typed). True if one was dropped."""
        name = state.get("flow")
        if not isinstance(name, str):
            return False
        walk = state.get(name)
        touched = walk.get("touched_at") if isinstance(walk, dict) else None
        if not isinstance(touched, int | float) or time.time() - touched <= self.form_expiry_seconds:
            return False
        state.pop("flow", None)
        state.pop(name, None)
        return True

    def _language(self, text: str, message: IncomingMessage, state: Mapping[str, Any]) -> str:
        """The message's own language; else what we know of the user (earlier messages, locale).

        A command word ("/incident", "/help") is English on every keyboard: it says nothing."""
        words = text.split(" ", 1)[1] if text.startswith("/") and " " in text else ("" if text.startswith("/") else text)
        return (detect_language(words) if words and not message.action else None) or state.get("lang") \
            or locale_language(message.locale) or self.default_lang

    async def _dispatch(self, turn: Turn, text: str) -> Response:
        message = turn.message
        if message.form_id:
            return await self._submit(turn, message.form_id, message.form_values or {})
        if message.action:
            return await self._action(turn, message.action)
        active = self._flow(turn.state.get("flow", ""))
        if not text:  # inside a form an empty line re-asks its question (the flow says so), on every front end
            return await active.on_text(turn, "") if active is not None else turn.reply(say("empty", turn.lang), ReplyKind.ERROR)
        if len(text) > MAX_MESSAGE_CHARS:
            return turn.reply(say("too_long", turn.lang, length=len(text), limit=MAX_MESSAGE_CHARS), ReplyKind.ERROR)
        command, _, args = text.partition(" ")
        skill = self._skill_for_command(command, whole=(text == command))
        if skill is not None:
            return await skill.start(turn, args.strip())
        if active is not None:
            return await active.on_text(turn, text)
        if command.startswith("/") and len(command) > 1 and not command[1:2].isspace():
            known = ", ".join(sorted({c for s in self.skills.values() for c in s.commands if c.startswith("/")} | {"/help"}))
            if command.lower() == "/help" and self.fallback is not None:
                return await self.fallback.help(turn)
            return turn.reply(say("unknown_command", turn.lang, command=command, commands=known), ReplyKind.ERROR)
        return await turn.ask(text)

    # -- buttons and forms --------------------------------------------------------------------
    async def _action(self, turn: Turn, action: str) -> Response:
        kind = action.partition(":")[0]
        if self.fallback is not None and kind in self.fallback.actions:
            return await self.fallback.on_action(turn, action)
        on_action = getattr(self.skills.get(kind), "on_action", None)
        if on_action is not None:
            return await on_action(turn, action)
        return turn.reply(say("unknown_action", turn.lang), ReplyKind.ERROR)

    async def _submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        flow = self._flow(form_owner(form_id))
        if flow is not None:
            return await flow.on_submit(turn, form_id, values)
        return turn.reply(say("unknown_action", turn.lang), ReplyKind.ERROR)

    def _flow(self, name: str) -> Flow | None:
        skill = self.skills.get(name)
        # isinstance against a runtime-checkable Protocol inspects every member: not for None (no
        # flow active, i.e. nearly every question), where it was ~2% of a Slack question's CPU.
        return skill if skill is not None and isinstance(skill, Flow) else None

    def _skill_for_command(self, command: str, *, whole: bool) -> Command | None:
        """A slash command starts its skill anywhere; a bare word ("incident") only on its own."""
        lowered = command.lower()
        for skill in self.skills.values():
            if lowered in skill.commands and (lowered.startswith("/") or whole):
                return skill
        return None


async def _all(writes: list[Coroutine[Any, Any, object]]) -> None:
    """Await the writes together (so the store can commit them at once); the first error is raised
    after all of them have finished."""
    results = await asyncio.gather(*writes, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


def _error(text: str, lang: str) -> Response:
    return Response((Reply(text=text, kind=ReplyKind.ERROR, lang=lang),))
