"""IncidentFlow: /incident as a modal or card (Slack, Teams) or step by step (terminal).

State while walking the form (state["incident"]): the answers so far, the ids asked in
order (for `back`), the field being asked, and the language the walk started in."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from bot.flows import Turn
from bot.lang import detect_language, locale_language
from bot.models import Button, Notification, Reply, ReplyKind, Response, Source
from bot.store.incidents import normalize_incident_id
from intents.incident.model import FORM_ID, Field, TriageModel
from intents.incident.render import list_text, notification_text, record_text, result_text
from intents.incident.rules import evaluate
from intents.incident.texts import t
from intents.incident.validation import check_answers, check_value

FORM_PLATFORMS = ("slack", "teams")  # they render Reply.form as a modal / Adaptive Card
BACK_WORDS = {"back", "戻る", "もどる", "前へ", "戻って"}
CANCEL_WORDS = {"cancel", "キャンセル", "中止", "やめる", "stop", "quit"}
SKIP_WORDS = {"-", "skip", "スキップ", "なし", "none", "n/a"}
ALIASES = {"y": "yes", "n": "no", "?": "unknown"}
RESPONDER_COMMANDS = {"list", "show", "note", "close"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _reply(turn: Turn, text: str, kind: ReplyKind = ReplyKind.NOTICE, **kw: Any) -> Response:
    return Response((Reply(text=text, kind=kind, lang=turn.lang, private=True, **kw),))


class IncidentFlow:
    name = "incident"
    commands = ("/incident", "incident")
    form_ids = (FORM_ID,)

    # -- entry points (bot.flows.Flow) --------------------------------------------------------
    async def start(self, turn: Turn, args: str) -> Response:
        sub, _, rest = args.strip().partition(" ")
        turn.lang = self._command_lang(turn, sub, rest)
        if sub.lower() in RESPONDER_COMMANDS:
            return await self._responder(turn, sub.lower(), rest.strip())
        if sub.lower() in ("help", "ヘルプ", "?"):
            return _reply(turn, t("usage", turn.lang))
        return await self._begin(turn)

    async def on_text(self, turn: Turn, text: str) -> Response:
        model = self._model(turn)
        walk = turn.state.get("incident")
        if model is None or not isinstance(walk, dict) or model.field(walk.get("field", "")) is None:
            self._clear(turn)
            return _reply(turn, t("not_active", turn.lang))
        word = _fold(text)
        if word in CANCEL_WORDS:
            return self._cancel(turn)
        if word in BACK_WORDS:
            return self._back(turn, model)
        item = model.field(walk["field"])
        assert item is not None
        if item.kind != "choice":
            turn.lang = walk.get("lang", turn.lang)  # free text says nothing about the user's language
        else:
            walk["lang"] = turn.lang  # "yes" / "はい" does
        if text.startswith("/"):
            return _reply(turn, t("in_flow", turn.lang), ReplyKind.ERROR) + self._ask(turn, model)
        if item.kind == "choice":
            value = self._choice_from_text(item, text, turn.lang)
            if value is None:
                return _reply(turn, t("pick_choice", turn.lang, text=text.strip()[:80]), ReplyKind.ERROR) + self._ask(turn, model)
            return await self._accept(turn, model, item, value)
        if not item.required and word in SKIP_WORDS:
            return await self._accept(turn, model, item, "")
        return await self._accept(turn, model, item, text)

    async def on_action(self, turn: Turn, action: str) -> Response:
        parts = action.split(":", 3)
        verb = parts[1] if len(parts) > 1 else ""
        if verb == "start":
            return await self._begin(turn)
        model = self._model(turn)
        walk = turn.state.get("incident")
        if model is None or not isinstance(walk, dict) or turn.state.get("flow") != self.name:
            return _reply(turn, t("not_active", turn.lang))
        if verb == "cancel":
            return self._cancel(turn)
        if verb == "back":
            return self._back(turn, model)
        if verb == "choice" and len(parts) == 4:
            item = model.field(parts[2])
            if item is None or parts[2] != walk.get("field"):
                return _reply(turn, t("stale_button", turn.lang), ReplyKind.ERROR) + self._ask(turn, model)
            return await self._accept(turn, model, item, parts[3])
        return _reply(turn, t("stale_button", turn.lang), ReplyKind.ERROR)

    async def on_submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        model = self._model(turn)
        if model is None:
            return _reply(turn, t("not_configured", turn.lang), ReplyKind.ERROR)
        checked = check_answers(model, values)
        if not checked.ok:
            errors = checked.messages(turn.lang)
            lines = [t("form_errors", turn.lang)] + [f"- {self._label(model, fid, turn.lang)}: {msg}" for fid, msg in errors.items()]
            return _reply(turn, "\n".join(lines), ReplyKind.ERROR, data={"errors": errors})
        self._clear(turn)
        return await self._finish(turn, model, checked.answers)

    @staticmethod
    def _command_lang(turn: Turn, sub: str, rest: str) -> str:
        """"/incident list" says nothing about the user's language: keep the conversation's."""
        words = rest.partition(" ")[2] if sub.lower() in RESPONDER_COMMANDS else f"{sub} {rest}"
        prior = turn.state.get("lang") or locale_language(turn.message.locale) or turn.bot.default_lang
        return detect_language(words.strip()) or prior if words.strip() else prior

    # -- the walk -----------------------------------------------------------------------------
    @staticmethod
    def _model(turn: Turn) -> TriageModel | None:
        return turn.snapshot.components.get("triage")

    async def _begin(self, turn: Turn) -> Response:
        model = self._model(turn)
        if model is None:
            return _reply(turn, t("not_configured", turn.lang), ReplyKind.ERROR)
        if turn.message.platform in FORM_PLATFORMS:
            self._clear(turn)
            return _reply(turn, t("form_prompt", turn.lang), ReplyKind.FORM, form=model.form(turn.lang),
                          title=model.title.get(turn.lang))
        turn.state["flow"] = self.name
        walk: dict[str, Any] = {"answers": {}, "asked": [], "field": None, "lang": turn.lang}
        walk["field"] = model.fields[0].id
        turn.state["incident"] = walk
        intro = (model.intro.get(turn.lang) + "\n" if model.intro else "") + t("console_intro", turn.lang)
        return _reply(turn, intro) + self._ask(turn, model)

    def _next_field(self, model: TriageModel, walk: Mapping[str, Any]) -> Field | None:
        asked = set(walk["asked"])
        return next((f for f in model.shown_fields(walk["answers"]) if f.id not in asked), None)

    def _ask(self, turn: Turn, model: TriageModel) -> Response:
        walk = turn.state["incident"]
        item = model.field(walk["field"]) if walk.get("field") else None
        if item is None:
            return Response()
        lang = turn.lang
        shown = model.shown_fields(walk["answers"])
        step = len([f for f in shown if f.id in walk["asked"]]) + 1
        lines = [f"{t('progress', lang, step=step, total=len(shown))} {item.label.get(lang)}"]
        if item.help:
            lines.append(item.help.get(lang))
        if not item.required:
            lines.append(t("optional", lang))
        elif item.kind != "choice":
            lines.append(t("type_answer", lang))
        buttons = [Button(c.label.get(lang), f"{self.name}:choice:{item.id}:{c.value}") for c in item.choices]
        if item.kind == "choice":  # on a free-text question a typed number is an answer, not a click
            buttons += [Button(t("back", lang), f"{self.name}:back"),
                        Button(t("cancel", lang), f"{self.name}:cancel", style="danger")]
        return Response((Reply(text="\n".join(lines), kind=ReplyKind.QUESTION, lang=lang, private=True,
                               buttons=tuple(buttons), data={"field": item.id, "kind": item.kind, "step": step,
                                                             "total": len(shown)}),))

    @staticmethod
    def _choice_from_text(item: Field, text: str, lang: str) -> str | None:
        word = _fold(text)
        if word.isdigit() and 1 <= int(word) <= len(item.choices):
            return item.choices[int(word) - 1].value
        word = ALIASES.get(word, word)
        for choice in item.choices:
            if word in (choice.value, _fold(choice.label.ja), _fold(choice.label.en)):
                return choice.value
        return None

    async def _accept(self, turn: Turn, model: TriageModel, item: Field, raw: str) -> Response:
        walk = turn.state["incident"]
        value, error = check_value(item, raw)
        if error is not None:
            return _reply(turn, error.text(turn.lang), ReplyKind.ERROR) + self._ask(turn, model)
        if value is None and item.required:
            return _reply(turn, t("err_required", turn.lang), ReplyKind.ERROR) + self._ask(turn, model)
        answers = dict(walk["answers"])
        if value is not None:
            answers[item.id] = value
        walk = {**walk, "answers": answers, "asked": [*walk["asked"], item.id]}
        following = self._next_field(model, walk)
        if following is None:
            self._clear(turn)
            return await self._finish(turn, model, answers)
        walk["field"] = following.id
        turn.state["incident"] = walk
        return self._ask(turn, model)

    def _back(self, turn: Turn, model: TriageModel) -> Response:
        walk = dict(turn.state["incident"])
        if not walk["asked"]:
            return _reply(turn, t("first_question", turn.lang)) + self._ask(turn, model)
        previous = walk["asked"][-1]
        walk["asked"] = walk["asked"][:-1]
        walk["answers"] = {k: v for k, v in walk["answers"].items() if k != previous}
        walk["field"] = previous
        turn.state["incident"] = walk
        return self._ask(turn, model)

    def _cancel(self, turn: Turn) -> Response:
        self._clear(turn)
        return _reply(turn, t("cancelled", turn.lang))

    def _clear(self, turn: Turn) -> None:
        if turn.state.get("flow") == self.name:
            turn.state.pop("flow", None)
        turn.state.pop("incident", None)

    @staticmethod
    def _label(model: TriageModel, field_id: str, lang: str) -> str:
        item = model.field(field_id)
        return item.label.get(lang) if item else field_id

    # -- the result -----------------------------------------------------------------------------
    async def _finish(self, turn: Turn, model: TriageModel, answers: Mapping[str, str]) -> Response:
        """Write the incident first (committed), then answer: a crash after this loses nothing."""
        lang = turn.lang
        result = evaluate(model, answers).to_dict(lang)
        message = turn.message
        record = await turn.store.create_incident(
            reporter=message.user_id, reporter_name=message.user_name, platform=message.platform,
            channel=message.channel_id, lang=lang, answers=dict(answers), result=result)
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
        if not turn.bot.access.is_responder(turn.message):
            return _reply(turn, t("not_responder", turn.lang))
        model = self._model(turn)
        actor = f"{turn.message.platform}:{turn.message.user_id}"
        store = turn.store
        if command == "list":
            wanted = _fold(rest) or "open"
            status = {"all": None, "closed": "closed"}.get(wanted, "open")
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
