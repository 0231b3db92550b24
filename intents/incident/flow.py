"""IncidentFlow: /incident as one form where the front end renders forms, else step by step.

State while walking the form (state["incident"]): the answers so far, the ids asked in
order (for `back`), the field being asked, and the language the walk started in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.lang import detect_language, locale_language
from bot.messages import say
from bot.metrics import INCIDENTS
from bot.models import Notification, Reply, ReplyKind, Response, Source
from bot.skills import Turn
from bot.store.incidents import normalize_incident_id
from intents.forms import FormWalker, fold, private_reply
from intents.incident.model import FORM_ID, Field, TriageModel
from intents.incident.render import list_text, notification_text, record_text, result_text
from intents.incident.rules import evaluate
from intents.incident.texts import t
from intents.incident.validation import check_answers, check_value

RESPONDER_COMMANDS = {"list", "show", "note", "close"}
_reply = private_reply


class IncidentFlow(FormWalker):
    name = "incident"
    commands = ("/incident", "incident")

    # -- entry points (bot.skills.Flow) --------------------------------------------------------
    async def start(self, turn: Turn, args: str) -> Response:
        sub, _, rest = args.strip().partition(" ")
        turn.lang = self._command_lang(turn, sub, rest)
        if sub.lower() in RESPONDER_COMMANDS:
            return await self._responder(turn, sub.lower(), rest.strip())
        if sub.lower() in ("help", "ヘルプ", "?"):
            return _reply(turn, t("usage", turn.lang))
        return await self._begin(turn)

    async def on_text(self, turn: Turn, text: str) -> Response:
        return await self.walk_text(turn, text)

    async def on_action(self, turn: Turn, action: str) -> Response:
        if action.split(":", 2)[1:2] == ["start"]:
            return await self._begin(turn)
        return await self.walk_action(turn, action)

    async def on_submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        if form_id != FORM_ID:
            return _reply(turn, say("unknown_action", turn.lang), ReplyKind.ERROR)
        model = self._model(turn)
        if model is None:
            return _reply(turn, t("not_configured", turn.lang), ReplyKind.ERROR)
        checked = check_answers(model, values)
        if not checked.ok:
            errors = checked.messages(turn.lang)
            lines = [t("form_errors", turn.lang)] + [f"- {self._label(model, fid, turn.lang)}: {msg}" for fid, msg in errors.items()]
            return _reply(turn, "\n".join(lines), ReplyKind.ERROR, data={"errors": errors})
        self.clear(turn)
        return await self._finish(turn, model, checked.answers)

    @staticmethod
    def _command_lang(turn: Turn, sub: str, rest: str) -> str:
        """"/incident list" says nothing about the user's language: keep the conversation's."""
        words = rest.partition(" ")[2] if sub.lower() in RESPONDER_COMMANDS else f"{sub} {rest}"
        prior = turn.state.get("lang") or locale_language(turn.message.locale) or turn.default_lang
        return detect_language(words.strip()) or prior if words.strip() else prior

    # -- the walk (intents/forms.py FormWalker hooks) ---------------------------------------------
    @staticmethod
    def _model(turn: Turn) -> TriageModel | None:
        return turn.snapshot.components.get("triage")

    def t(self, key: str, lang: str, **params: Any) -> str:
        return t(key, lang, **params)

    def walk_fields(self, turn: Turn) -> Sequence[Field] | None:
        model = self._model(turn)
        return model.fields if model is not None else None

    def check_step(self, turn: Turn, item: Any, raw: str) -> tuple[str | None, str | None]:
        value, error = check_value(item, raw)
        return value, error.text(turn.lang) if error is not None else None

    async def finish_walk(self, turn: Turn, answers: dict[str, str], walk: Mapping[str, Any]) -> Response:
        model = self._model(turn)
        assert model is not None
        return await self._finish(turn, model, answers)

    async def _begin(self, turn: Turn) -> Response:
        model = self._model(turn)
        if model is None:
            return _reply(turn, t("not_configured", turn.lang), ReplyKind.ERROR)
        if turn.message.capabilities.forms:
            self.clear(turn)
            return _reply(turn, t("form_prompt", turn.lang), ReplyKind.FORM, form=model.form(turn.lang),
                          title=model.title.get(turn.lang))
        intro = (model.intro.get(turn.lang) + "\n" if model.intro else "") + t("console_intro", turn.lang)
        return self.begin_walk(turn, model.fields, intro)

    @staticmethod
    def _label(model: TriageModel, field_id: str, lang: str) -> str:
        item = model.field(field_id)
        return item.label.get(lang) if item else field_id

    # -- the result -----------------------------------------------------------------------------
    async def _finish(self, turn: Turn, model: TriageModel, answers: Mapping[str, str]) -> Response:
        """Write the incident first (committed), then answer: a crash after this loses nothing."""
        lang = turn.lang
        answers = model.with_implied(answers)
        result = evaluate(model, answers).to_dict(lang)
        message = turn.message
        record = await turn.store.create_incident(
            reporter=message.user_id, reporter_name=message.user_name, platform=message.platform,
            channel=message.channel_id, lang=lang, answers=dict(answers), result=result)
        INCIDENTS.labels(answers.get("incident_type", "unknown")).inc()
        guidance = result["guidance"]
        reply = Reply(
            text=result_text(result, lang, record.id), kind=ReplyKind.RESULT, lang=lang, private=True,
            title=t("result_title", lang), sources=(Source(guidance["title"], guidance["url"]),),
            data={"incident_id": record.id, "contacts": result["contacts"], "steps": result["steps"],
                  "guidance": guidance, "rules": result["rules"]})
        notice = Notification(
            kind="incident_created", text=notification_text(record, model, lang), lang=lang,
            data={"incident_id": record.id, "incident_type": answers.get("incident_type"),
                  "reporter": record.reporter, "reporter_name": record.reporter_name, "platform": record.platform,
                  "channel": record.channel, "ongoing": answers.get("ongoing"),
                  "contacts": [c["id"] for c in result["contacts"]]})
        return Response(replies=(reply,), notifications=(notice,))

    # -- responder commands ---------------------------------------------------------------------
    async def _responder(self, turn: Turn, command: str, rest: str) -> Response:
        actor = f"{turn.message.platform}:{turn.message.user_id}"
        store = turn.store
        if not turn.access.is_responder(turn.message):
            await store.append_audit(actor, f"incident.{command}.refused", None, {"platform": turn.message.platform})
            return _reply(turn, t("not_responder", turn.lang))
        model = self._model(turn)
        if command == "list":
            wanted = fold(rest) or "open"
            status = {"all": None, "closed": "closed"}.get(wanted, "open")
            await store.append_audit(actor, "incident.listed", None, {"status": status or "all"})
            records = await store.list_incidents(status)
            return _reply(turn, list_text(records, model, turn.lang, status or "all"),
                          data={"incidents": [r.id for r in records]})
        raw_id, _, text = rest.partition(" ")
        if not raw_id:
            return _reply(turn, t("usage", turn.lang), ReplyKind.ERROR)
        incident_id = normalize_incident_id(raw_id)
        record = await store.get_incident(incident_id)
        if record is None:
            return _reply(turn, t("not_found", turn.lang, incident_id=raw_id[:40]), ReplyKind.ERROR)
        if command == "show":
            await store.append_audit(actor, "incident.viewed", incident_id, {"platform": turn.message.platform})
            return _reply(turn, record_text(record, model, turn.lang), data={"incident_id": incident_id})
        if command == "note":
            if not text.strip():
                return _reply(turn, t("note_empty", turn.lang), ReplyKind.ERROR)
            await store.add_note(incident_id, actor=actor, text=text.strip()[:4000])
            return _reply(turn, t("note_added", turn.lang, incident_id=incident_id), data={"incident_id": incident_id})
        if record.status == "closed":
            return _reply(turn, t("already_closed", turn.lang, incident_id=incident_id), data={"incident_id": incident_id})
        await store.close_incident(incident_id, actor=actor, note=text.strip() or None)
        return _reply(turn, t("closed", turn.lang, incident_id=incident_id), data={"incident_id": incident_id})
