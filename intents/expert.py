""""Ask the security team" (the FAQ Plus "ask an expert" pattern).

From "none of these" or "I don't know", a user forwards the question to the security
team's private channel. A responder answers with `/answer Q-12 ...`; the answer goes back
to the asker privately. Admins can turn the pair into a knowledge entry with
`secbot kb new-intent --from-question Q-12`.
"""

from __future__ import annotations

from bot.messages import say
from bot.models import Notification, Reply, ReplyKind, Response
from bot.skills import Turn


class ExpertQuestions:
    name = "expert"
    commands = ("/answer",)

    async def on_action(self, turn: Turn, action: str) -> Response:
        if action != "expert:ask":
            return _reply(turn, say("unknown_action", turn.lang), ReplyKind.ERROR)
        question = turn.state.pop("last_question_raw", None)
        turn.state.pop("last_question_until", None)
        if not question:
            return _reply(turn, say("expert_nothing", turn.lang), ReplyKind.ERROR)
        message = turn.message
        record = await turn.store.create_expert_question(
            platform=message.platform, user_id=message.user_id, conversation_id=message.conversation_id,
            lang=turn.lang, question=question)
        who = message.user_name or message.user_id
        note = Notification(
            kind="expert_question", lang=turn.lang,
            text=say("expert_forwarded_team", turn.lang, id=record.id, who=who, platform=message.platform,
                     question=question),
            data={"question_id": record.id, "user_id": message.user_id, "platform": message.platform})
        return Response((Reply(text=say("expert_forwarded_user", turn.lang, id=record.id), kind=ReplyKind.NOTICE,
                               lang=turn.lang, private=True),), (note,))

    async def start(self, turn: Turn, args: str) -> Response:
        """`/answer Q-12 text`: a responder answers a forwarded question."""
        question_id, _, answer = args.partition(" ")
        allowed = turn.access.is_responder(turn.message)
        await turn.store.append_audit(actor=f"{turn.message.platform}:{turn.message.user_id}", action="expert.answer",
                                      target=question_id or None, details={"allowed": allowed})
        if not allowed:
            return _reply(turn, say("responder_only", turn.lang), ReplyKind.ERROR)
        if not question_id or not answer.strip():
            return _reply(turn, say("expert_answer_usage", turn.lang), ReplyKind.ERROR)
        record = await turn.store.get_expert_question(question_id)
        if record is None:
            return _reply(turn, say("expert_unknown", turn.lang, id=question_id), ReplyKind.ERROR)
        record = await turn.store.answer_expert_question(record.id, answer=answer.strip(),
                                                         answered_by=f"{turn.message.platform}:{turn.message.user_id}")
        assert record is not None
        to_user = Notification(
            kind="expert_answer", lang=record.lang, audience="user", platform=record.platform,
            user_id=record.user_id, conversation_id=record.conversation_id,
            text=say("expert_answer_to_user", record.lang, question=record.question, answer=record.answer),
            data={"question_id": record.id})
        return Response((Reply(text=say("expert_answer_sent", turn.lang, id=record.id), kind=ReplyKind.NOTICE,
                               lang=turn.lang, private=True),), (to_user,))


def _reply(turn: Turn, text: str, kind: ReplyKind) -> Response:
    return Response((Reply(text=text, kind=kind, lang=turn.lang, private=True),))
