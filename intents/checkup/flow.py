"""CheckupFlow: /checkup as one form where the front end renders forms, else step by step.

`/checkup` runs the default set, `/checkup <set>` another one; the organisation's name is
asked first. `/checkup history` lists the asker's own results only; `/checkup report [set]`
summarises every respondent's results for responders and admins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.lang import locale_language
from bot.messages import say
from bot.models import Reply, ReplyKind, Response
from bot.skills import Turn
from intents.checkup.model import ORG_FIELD, CheckupModel, CheckupSet, set_id_for
from intents.checkup.render import gap_buttons, history_text, result_dict, result_text
from intents.checkup.report import markdown, summarize
from intents.checkup.scoring import check_answers, check_value, clean_organization, score
from intents.checkup.texts import t
from intents.forms import FormWalker, WalkField, fold, private_reply

HELP_WORDS = {"help", "ヘルプ", "?", "使い方"}


class CheckupFlow(FormWalker):
    name = "checkup"
    commands = ("/checkup", "checkup")

    # -- entry points (bot.skills.Flow) ------------------------------------------------------------
    async def start(self, turn: Turn, args: str) -> Response:
        # "/checkup supplier" says nothing about the user's language: keep the conversation's.
        turn.lang = turn.state.get("lang") or locale_language(turn.message.locale) or turn.default_lang
        sub, _, rest = args.strip().partition(" ")
        word = fold(sub)
        model = self._model(turn)
        if model is None:
            return private_reply(turn, t("not_configured", turn.lang), ReplyKind.ERROR)
        if word in HELP_WORDS:
            return private_reply(turn, t("usage", turn.lang, sets=self._set_names(model)))
        if word == "history":
            return await self._history(turn, model)
        if word == "report":
            return await self._report(turn, model, fold(rest) or None)
        return self._begin(turn, model, word or None)

    async def on_text(self, turn: Turn, text: str) -> Response:
        return await self.walk_text(turn, text)

    async def on_action(self, turn: Turn, action: str) -> Response:
        parts = action.split(":")
        if parts[1:2] == ["start"]:
            model = self._model(turn)
            if model is None:
                return private_reply(turn, t("not_configured", turn.lang), ReplyKind.ERROR)
            return self._begin(turn, model, parts[2] if len(parts) > 2 else None)
        return await self.walk_action(turn, action)

    async def on_submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        if set_id_for(form_id) is None:
            return private_reply(turn, say("unknown_action", turn.lang), ReplyKind.ERROR)
        model = self._model(turn)
        if model is None:
            return private_reply(turn, t("not_configured", turn.lang), ReplyKind.ERROR)
        checkup = model.sets.get(set_id_for(form_id) or "")
        if checkup is None:
            return private_reply(turn, t("unknown_set", turn.lang, name=(set_id_for(form_id) or form_id)[:40],
                                         sets=self._set_names(model)), ReplyKind.ERROR)
        checked = check_answers(checkup, values)
        if not checked.ok:
            errors = checked.messages(turn.lang)
            labels = {f.id: f.label.get(turn.lang) for f in checkup.walk_fields()}
            lines = [t("form_errors", turn.lang)] + [f"- {labels.get(fid, fid)}: {msg}" for fid, msg in errors.items()]
            return private_reply(turn, "\n".join(lines), ReplyKind.ERROR, data={"errors": errors, "labels": labels})
        self.clear(turn)
        return await self._finish(turn, checkup, checked.organization, checked.answers)

    # -- the walk (intents/forms.py FormWalker hooks) -----------------------------------------------
    @staticmethod
    def _model(turn: Turn) -> CheckupModel | None:
        return turn.snapshot.components.get("checkup")

    def _set(self, turn: Turn) -> CheckupSet | None:
        model, walk = self._model(turn), self.walk(turn)
        return model.sets.get(walk.get("set", "")) if model is not None and walk is not None else None

    def t(self, key: str, lang: str, **params: Any) -> str:
        return t(key, lang, **params)

    def walk_fields(self, turn: Turn) -> Sequence[WalkField] | None:
        checkup = self._set(turn)
        return checkup.walk_fields() if checkup is not None else None

    def check_step(self, turn: Turn, item: Any, raw: str) -> tuple[str | None, str | None]:
        value, error = clean_organization(raw) if item.id == ORG_FIELD else check_value(item, raw)
        return value, error.text(turn.lang) if error is not None else None

    async def finish_walk(self, turn: Turn, answers: dict[str, str], walk: Mapping[str, Any]) -> Response:
        model = self._model(turn)
        checkup = model.sets.get(walk.get("set", "")) if model is not None else None
        if checkup is None:  # the set was removed by a reload in the middle of the walk
            return private_reply(turn, t("not_active", turn.lang), ReplyKind.ERROR)
        organization = answers.pop(ORG_FIELD, "")
        return await self._finish(turn, checkup, organization, answers)

    def _begin(self, turn: Turn, model: CheckupModel, set_id: str | None) -> Response:
        checkup = model.get(set_id)
        if checkup is None:
            return private_reply(turn, t("unknown_set", turn.lang, name=(set_id or "")[:40], sets=self._set_names(model)),
                                 ReplyKind.ERROR)
        lang = turn.lang
        if turn.message.capabilities.forms:
            self.clear(turn)
            return private_reply(turn, t("form_prompt", lang), ReplyKind.FORM, form=checkup.form(lang),
                                 title=checkup.title.get(lang))
        intro = (checkup.intro.get(lang) + "\n" if checkup.intro else "") + t("console_intro", lang)
        return self.begin_walk(turn, checkup.walk_fields(), intro, set=checkup.id)

    @staticmethod
    def _set_names(model: CheckupModel) -> str:
        return ", ".join(model.sets)

    # -- the result --------------------------------------------------------------------------------
    async def _finish(self, turn: Turn, checkup: CheckupSet, organization: str, answers: Mapping[str, str]) -> Response:
        """Store the result first (committed), then answer."""
        lang = turn.lang
        result = score(checkup, answers)
        message = turn.message
        record = await turn.store.save_checkup(
            respondent=message.user_id, respondent_name=message.user_name, platform=message.platform,
            organization=organization, set_id=checkup.id, lang=lang, answers=dict(answers), scores=result.to_dict())
        data = result_dict(checkup, result, lang)
        reply = Reply(text=result_text(checkup, result, lang, organization, record.id), kind=ReplyKind.RESULT,
                      lang=lang, private=True, title=t("result_title", lang, title=checkup.title.get(lang)),
                      buttons=gap_buttons(turn.snapshot.kb, checkup, result, lang),
                      data={"result_id": record.id, "organization": organization, **data})
        return Response((reply,))

    # -- history and summaries ------------------------------------------------------------------------
    async def _history(self, turn: Turn, model: CheckupModel) -> Response:
        """The asker's own results, never anyone else's (same platform and user id)."""
        records = await turn.store.list_checkups(respondent=turn.message.user_id, platform=turn.message.platform,
                                                 limit=20)
        titles = {s.id: s.title.get(turn.lang) for s in model.sets.values()}
        return private_reply(turn, history_text(records, titles, turn.lang), data={"results": [r.id for r in records]})

    async def _report(self, turn: Turn, model: CheckupModel, set_id: str | None) -> Response:
        if not turn.access.is_responder(turn.message):
            return private_reply(turn, t("not_responder", turn.lang))
        checkup = model.get(set_id)
        if checkup is None:
            return private_reply(turn, t("unknown_set", turn.lang, name=(set_id or "")[:40], sets=self._set_names(model)),
                                 ReplyKind.ERROR)
        records = await turn.store.list_checkups(set_id=checkup.id)
        summary = summarize(checkup, records, turn.lang)
        await turn.store.append_audit(f"{turn.message.platform}:{turn.message.user_id}", "checkup.report_viewed",
                                      checkup.id, {"results": summary.results})
        return private_reply(turn, markdown(summary, turn.lang),
                             data={"set": checkup.id, "organizations": len(summary.organizations),
                                   "results": summary.results})
