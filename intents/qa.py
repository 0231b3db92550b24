"""Questions and answers: the engine's fallback skill. What no command or flow claims is a
question; it is normalised, matched against the knowledge and answered, suggested or declined.
Its buttons: `answer:<intent>`, `none` (none of these) and `feedback:<up|down>:<intent>`."""

from __future__ import annotations

import time

from bot.messages import say
from bot.metrics import FEEDBACK, QUESTIONS
from bot.models import Button, Reply, ReplyKind, Response
from bot.privacy import mask
from bot.skills import Turn
from bot.store.retention import OFFER_SECONDS, RAW_QUESTION_KEYS
from intents.answers import answer_reply, suggestions_reply, unknown_reply
from intents.matcher import Band, Match, Matcher
from intents.normalize import normalize

_OFFER_ACTIONS = ("none", "expert:ask")  # the clicks that keep a question for forwarding


def matcher_of(turn: Turn) -> Matcher:
    matcher: Matcher = turn.snapshot.matcher
    return matcher


class QuestionAnswering:
    """`ask_team`: offer "ask the security team" (the expert skill is registered)."""

    actions = ("answer", "none", "feedback")

    def __init__(self, *, record_questions: bool = True, ask_team: bool = True):
        self.record_questions = record_questions
        self.ask_team = ask_team

    def before_turn(self, turn: Turn) -> None:
        """Forget the question as typed unless this turn can still forward it (see OFFER_SECONDS)."""
        state = turn.state
        if "last_question_raw" not in state:
            return
        until = state.get("last_question_until")
        if turn.message.action not in _OFFER_ACTIONS or not isinstance(until, int | float) or time.time() > until:
            for key in RAW_QUESTION_KEYS:
                state.pop(key, None)

    def match(self, turn: Turn, text: str) -> Match:
        return matcher_of(turn).match(text)

    async def answer(self, turn: Turn, text: str) -> Response:
        words = normalize(text)
        if not words:
            return turn.reply(say("no_text", turn.lang), ReplyKind.ERROR)
        kb = turn.snapshot.kb
        if words.replace(" ", "").isdigit():  # "9", "１", "3-1": no topic is named, none is guessed
            return Response((unknown_reply(kb, turn.lang, reason="number_only"),))
        match = self.match(turn, text)
        best = match.best
        if self.record_questions:
            turn.write_later(turn.store.record_question(
                platform=turn.message.platform, lang=turn.lang, text=mask(text), band=match.band.value,
                intent=best.intent if best and match.band is Band.ANSWER else None,
                score=best.score if best else None))
        QUESTIONS.labels(match.band.value, turn.message.platform).inc()
        turn.state["last_question"] = mask(text)
        if match.band is not Band.ANSWER and self.ask_team:  # forwarded as typed if the user asks
            turn.state["last_question_raw"] = text
            turn.state["last_question_until"] = time.time() + OFFER_SECONDS
        if match.band is Band.ANSWER and best is not None:
            turn.state["last_intent"] = best.intent
            return Response((answer_reply(kb, kb.intents[best.intent], turn.lang, best.score),))
        if match.band is Band.SUGGEST:
            limit = matcher_of(turn).thresholds.max_suggestions
            reply = suggestions_reply(kb, match.candidates, turn.lang, limit)
            turn.state["suggested"] = [s["intent"] for s in reply.data["suggestions"]]
            return Response((reply,))
        return Response((unknown_reply(kb, turn.lang, best.score if best else None, ask_team=self.ask_team),))

    async def answer_intent(self, turn: Turn, intent_id: str) -> Response:
        kb = turn.snapshot.kb
        intent = kb.intents.get(intent_id)
        if intent is None:
            return turn.reply(say("unknown_action", turn.lang), ReplyKind.ERROR)
        turn.state["last_intent"] = intent_id
        return Response((answer_reply(kb, intent, turn.lang),))

    async def help(self, turn: Turn) -> Response:
        return await self.answer_intent(turn, "help")

    async def on_action(self, turn: Turn, action: str) -> Response:
        kind, _, rest = action.partition(":")
        if kind == "answer":
            return await self.answer_intent(turn, rest)
        if kind == "none":
            FEEDBACK.labels("none_of_these").inc()
            await turn.store.record_feedback(platform=turn.message.platform, user_id=turn.message.user_id,
                                             intent=None, vote="none_of_these", question=voted_question(turn))
            buttons = (Button(say("ask_team", turn.lang), "expert:ask", style="primary"),) \
                if self.ask_team and turn.state.get("last_question_raw") else ()
            return Response((Reply(text=say("none_reply", turn.lang), kind=ReplyKind.NOTICE, lang=turn.lang,
                                   buttons=buttons),))
        vote, _, intent = rest.partition(":")
        if kind == "feedback" and vote in ("up", "down") and intent in turn.snapshot.kb.intents:
            FEEDBACK.labels(vote).inc()
            await turn.store.record_feedback(platform=turn.message.platform, user_id=turn.message.user_id,
                                             intent=intent, vote=vote, question=voted_question(turn))
            return turn.reply(say(f"feedback_thanks_{vote}", turn.lang), ReplyKind.NOTICE)
        return turn.reply(say("unknown_action", turn.lang), ReplyKind.ERROR)


def voted_question(turn: Turn) -> str | None:
    """The question a 👍/👎/"none of these" belongs to: the one its button carried (a page can be
    old: the Back button, a second tab), else the conversation's latest."""
    carried = str((turn.message.form_values or {}).get("question") or "").strip()
    return mask(carried[:2000]) if carried and turn.message.action else turn.state.get("last_question")
