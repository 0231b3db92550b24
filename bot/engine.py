"""The conversation engine: one IncomingMessage in, a Response (replies, notifications) out."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from bot.access import AccessPolicy
from bot.flows import Flow, Turn
from bot.lang import detect_language, locale_language
from bot.messages import say
from bot.metrics import ERRORS, FEEDBACK, LATENCY, QUESTIONS
from bot.models import Button, IncomingMessage, Reply, ReplyKind, Response
from bot.privacy import mask
from bot.reload import Reloader
from bot.snapshot import KnowledgeHolder
from bot.store.base import Store, StoreError
from bot.store.retention import RAW_QUESTION_KEYS
from intents.answers import answer_reply, suggestions_reply, unknown_reply
from intents.matcher import Band, Match
from intents.normalize import command_form, normalize, strip_control

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
# How long a question is kept as typed so that the user can forward it to the security team
# ("ask the security team" under an unknown answer, or after "none of these"). Only the clicks
# that lead there keep it; anything else the user does drops it, and the retention purge removes
# it from conversations left idle longer than this.
OFFER_SECONDS = 3600
_OFFER_ACTIONS = ("none", "expert:ask")


def _drop_stale_offer(state: dict[str, Any], message: IncomingMessage) -> None:
    """Forget the question as typed unless this turn can still forward it (see OFFER_SECONDS)."""
    if "last_question_raw" not in state:
        return
    until = state.get("last_question_until")
    if message.action not in _OFFER_ACTIONS or not isinstance(until, int | float) or time.time() > until:
        for key in RAW_QUESTION_KEYS:
            state.pop(key, None)
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
        flows: Iterable[Flow] = (),
        default_lang: str = "ja",
        record_questions: bool = True,
        access: AccessPolicy | None = None,
        form_expiry_seconds: float = DEFAULT_FORM_EXPIRY_SECONDS,
    ):
        self.knowledge = knowledge
        self.store = store
        self.default_lang = default_lang
        self.record_questions = record_questions
        self.access = access or AccessPolicy()
        self.form_expiry_seconds = form_expiry_seconds
        self.reloader = Reloader(knowledge)
        self.flows: dict[str, Flow] = {flow.name: flow for flow in flows}

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
            before = json.dumps(state, sort_keys=True, default=str)
            _drop_stale_offer(state, message)
            self._expire_walk(state)
            turn = Turn(message=message, snapshot=self.knowledge.current, store=self.store, lang=lang, state=state,
                        bot=self)
            response = await self._dispatch(turn, text)
            turn.state["lang"] = turn.lang
            if json.dumps(turn.state, sort_keys=True, default=str) != before:
                await self.store.put_state(key, turn.state)
            return response
        except StoreError as exc:
            ERRORS.labels("store").inc()
            log.error("storage failed while handling a message", extra={"error": str(exc), "platform": message.platform})
            return Response((Reply(text=say("store_error", lang), kind=ReplyKind.ERROR, lang=lang),))
        except Exception:
            ERRORS.labels("engine").inc()
            log.exception("unexpected error while handling a message", extra={"platform": message.platform})
            return Response((Reply(text=say("error", lang), kind=ReplyKind.ERROR, lang=lang),))
        finally:
            LATENCY.labels(message.platform).observe(time.perf_counter() - started)

    async def session_start(self, message: IncomingMessage) -> Response:
        """A new terminal session: an unfinished walk (a form answered step by step) asks
        "continue or cancel?" rather than taking the session's first line as an answer."""
        key = conversation_key(message)
        try:
            state = await self.store.get_state(key)
            expired = self._expire_walk(state)
            flow = self.flows.get(state.get("flow", ""))
            on_start = getattr(flow, "on_session_start", None)
            lang = state.get("lang") or locale_language(message.locale) or self.default_lang
            turn = Turn(message=message, snapshot=self.knowledge.current, store=self.store, lang=lang, state=state,
                        bot=self)
            response = on_start(turn) if on_start is not None else Response()
            if expired or response.replies:
                await self.store.put_state(key, turn.state)
            return response
        except StoreError as exc:
            log.error("storage failed at the start of a session", extra={"error": str(exc)})
            return Response()

    def _expire_walk(self, state: dict[str, Any]) -> bool:
        """Drop a walk left untouched longer than the form expiry (it would capture the next
        question as an answer, and it holds what the user typed). True if one was dropped."""
        name = state.get("flow")
        walk = state.get(name) if isinstance(name, str) else None
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
        if not text:
            return self._reply(turn, say("empty", turn.lang), ReplyKind.ERROR)
        if len(text) > MAX_MESSAGE_CHARS:
            return self._reply(turn, say("too_long", turn.lang, length=len(text), limit=MAX_MESSAGE_CHARS), ReplyKind.ERROR)
        command, _, args = text.partition(" ")
        flow = self._flow_for_command(command, whole=(text == command))
        if flow is not None:
            return await flow.start(turn, args.strip())
        active = self.flows.get(turn.state.get("flow", ""))
        if active is not None:
            return await active.on_text(turn, text)
        if command.startswith("/") and len(command) > 1 and not command[1:2].isspace():
            known = ", ".join(sorted({c for f in self.flows.values() for c in f.commands if c.startswith("/")} | {"/help"}))
            if command.lower() == "/help":
                return await self.answer_text(turn, "help")
            return self._reply(turn, say("unknown_command", turn.lang, command=command, commands=known), ReplyKind.ERROR)
        words = normalize(text)
        if not words:
            return self._reply(turn, say("no_text", turn.lang), ReplyKind.ERROR)
        if words.replace(" ", "").isdigit():  # "9", "１", "3-1": no topic is named, none is guessed
            return Response((unknown_reply(turn.snapshot.kb, turn.lang, reason="number_only"),))
        return await self.ask(turn, text)

    # -- questions ----------------------------------------------------------------------------
    def match(self, turn: Turn, text: str) -> Match:
        return turn.snapshot.matcher.match(text)

    async def ask(self, turn: Turn, text: str) -> Response:
        kb = turn.snapshot.kb
        match = self.match(turn, text)
        best = match.best
        if self.record_questions:
            await self.store.record_question(
                platform=turn.message.platform, lang=turn.lang, text=mask(text), band=match.band.value,
                intent=best.intent if best and match.band is Band.ANSWER else None,
                score=best.score if best else None)
        QUESTIONS.labels(match.band.value, turn.message.platform).inc()
        turn.state["last_question"] = mask(text)
        if match.band is not Band.ANSWER and "expert" in self.flows:  # forwarded as typed if the user asks
            turn.state["last_question_raw"] = text
            turn.state["last_question_until"] = time.time() + OFFER_SECONDS
        if match.band is Band.ANSWER and best is not None:
            turn.state["last_intent"] = best.intent
            return Response((answer_reply(kb, kb.intents[best.intent], turn.lang, best.score),))
        if match.band is Band.SUGGEST:
            limit = turn.snapshot.matcher.thresholds.max_suggestions
            reply = suggestions_reply(kb, match.candidates, turn.lang, limit)
            turn.state["suggested"] = [s["intent"] for s in reply.data["suggestions"]]
            return Response((reply,))
        return Response((unknown_reply(kb, turn.lang, best.score if best else None, ask_team="expert" in self.flows),))

    async def answer_text(self, turn: Turn, intent_id: str) -> Response:
        kb = turn.snapshot.kb
        intent = kb.intents.get(intent_id)
        if intent is None:
            return self._reply(turn, say("unknown_action", turn.lang), ReplyKind.ERROR)
        turn.state["last_intent"] = intent_id
        return Response((answer_reply(kb, intent, turn.lang),))

    # -- buttons and forms --------------------------------------------------------------------
    async def _action(self, turn: Turn, action: str) -> Response:
        kind, _, rest = action.partition(":")
        if kind == "answer":
            return await self.answer_text(turn, rest)
        if kind == "none":
            FEEDBACK.labels("none_of_these").inc()
            await self.store.record_feedback(platform=turn.message.platform, user_id=turn.message.user_id,
                                             intent=None, vote="none_of_these", question=_voted_question(turn))
            buttons = (Button(say("ask_team", turn.lang), "expert:ask", style="primary"),) \
                if "expert" in self.flows and turn.state.get("last_question_raw") else ()
            return Response((Reply(text=say("none_reply", turn.lang), kind=ReplyKind.NOTICE, lang=turn.lang,
                                   buttons=buttons),))
        if kind == "feedback":
            vote, _, intent = rest.partition(":")
            if vote in ("up", "down") and intent in turn.snapshot.kb.intents:
                FEEDBACK.labels(vote).inc()
                await self.store.record_feedback(platform=turn.message.platform, user_id=turn.message.user_id,
                                                 intent=intent, vote=vote, question=_voted_question(turn))
                return self._reply(turn, say(f"feedback_thanks_{vote}", turn.lang), ReplyKind.NOTICE)
        flow = self.flows.get(kind)
        if flow is not None:
            return await flow.on_action(turn, action)
        return self._reply(turn, say("unknown_action", turn.lang), ReplyKind.ERROR)

    async def _submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        for flow in self.flows.values():
            if form_id in flow.form_ids:
                return await flow.on_submit(turn, form_id, values)
        return self._reply(turn, say("unknown_action", turn.lang), ReplyKind.ERROR)

    def _flow_for_command(self, command: str, *, whole: bool) -> Flow | None:
        """A flow's slash command starts it anywhere; a bare word ("incident") only on its own."""
        lowered = command.lower()
        for flow in self.flows.values():
            if lowered in flow.commands and (lowered.startswith("/") or whole):
                return flow
        return None

    @staticmethod
    def _reply(turn: Turn, text: str, kind: ReplyKind) -> Response:
        return Response((Reply(text=text, kind=kind, lang=turn.lang),))


def _voted_question(turn: Turn) -> str | None:
    """The question a 👍/👎/"none of these" belongs to: the one its button carried (a page can be
    old: the Back button, a second tab), else the conversation's latest."""
    carried = str((turn.message.form_values or {}).get("question") or "").strip()
    return mask(carried[:2000]) if carried and turn.message.action else turn.state.get("last_question")
