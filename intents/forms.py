"""The step-by-step form engine: walk a form one field at a time (the incident triage, the checkup).

A front end that renders forms (`Capabilities.forms`) gets the whole form at once
(`Reply.form`); for one that does not (the terminal), a flow built on `FormWalker` asks one field
after another: numbered choice buttons "<flow>:choice:<field>:<value>", `show_if` honoured,
"back" and "cancel" by word or button. A flow supplies the fields, the check of one value,
what happens when the last field is answered, and its texts. State lives in
state[<flow name>]: the answers so far, the ids asked in order (for back), the field being
asked, the language the walk started in, plus whatever the flow adds."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.knowledge_base import Localized
from bot.messages import table
from bot.models import Button, Reply, ReplyKind, Response
from bot.models import Choice as FormChoice
from bot.skills import Turn
from intents.normalize import is_cjk, normalize

BACK_WORDS = {"back", "戻る", "もどる", "前へ", "戻って"}
CANCEL_WORDS = {"cancel", "キャンセル", "中止", "やめる", "stop", "quit"}
CONTINUE_WORDS = {"continue", "resume", "続ける", "つづける", "続き", "再開"}
SKIP_WORDS = {"-", "skip", "スキップ", "なし", "none", "n/a"}
ALIASES = {"y": "yes", "n": "no", "?": "unknown"}
# The walker's own words, shared by every walking flow (a flow's table may override them).
WALKER_TEXTS = table("walker")
# Texts every walking flow provides through `t` (WALKER_TEXTS has most of them).
WALK_TEXTS = ("progress", "optional", "type_answer", "back", "cancel", "cancelled", "first_question", "pick_choice",
              "unfinished", "continue", "in_flow", "stale_button", "not_active", "err_required")


@dataclass(frozen=True)
class Choice:
    """One choice of a form field as the knowledge gives it: a triage field's (with `keywords`)
    or a checkup question's (with its `score`); `option` is how a rendered form shows it."""

    value: str
    label: Localized
    keywords: tuple[str, ...] = ()  # words a typed answer may use for this choice ("ランサム", "hacked")
    score: int | None = None  # a checkup answer's points
    not_applicable: bool = False  # a checkup answer left out of the score

    def option(self, lang: str) -> FormChoice:
        return FormChoice(self.value, self.label.get(lang))


def error_params(params: Mapping[str, Any], lang: str, *, ids: bool = False) -> dict[str, Any]:
    """A field error's params for its text: an unknown value's `choices` (a tuple of Choice) as
    their labels in `lang`, what a person picks from; `ids` for an answers file, which needs the ids."""
    found = dict(params)
    choices = found.get("choices")
    if isinstance(choices, tuple):
        found["choices"] = ", ".join(c.value for c in choices) if ids else " / ".join(c.label.get(lang) for c in choices)
    return found


class WalkField(Protocol):
    """What the walker needs of a field (intents/incident/model.py Field, a checkup Question)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...  # choice | text | multiline | datetime
    @property
    def required(self) -> bool: ...
    @property
    def label(self) -> Localized: ...
    @property
    def help(self) -> Localized | None: ...
    @property
    def choices(self) -> Sequence[Choice]: ...
    def shown(self, answers: Mapping[str, str]) -> bool: ...


def asks(item: WalkField, answers: Mapping[str, str]) -> bool:
    """Whether the walk asks this field: shown, and not already answered by an earlier answer."""
    implied = getattr(item, "implied_value", None)
    return item.shown(answers) and (implied is None or implied(answers) is None)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def private_reply(turn: Turn, text: str, kind: ReplyKind = ReplyKind.NOTICE, **kw: Any) -> Response:
    return Response((Reply(text=text, kind=kind, lang=turn.lang, private=True, **kw),))


def choice_from_text(item: WalkField, text: str) -> str | None:
    """A typed answer to a choice: its number, its value, its label in either language, or the
    one choice whose keywords it uses ("we got hit by ransomware", 「ランサム」); None if none or several."""
    matches = choice_matches(item, text)
    return matches[0] if len(matches) == 1 else None


def choice_matches(item: WalkField, text: str) -> list[str]:
    """The choices a typed answer can mean: an exact one, else every choice whose keywords it uses."""
    word = fold(text)
    if word.isdigit() and 1 <= int(word) <= len(item.choices):
        return [item.choices[int(word) - 1].value]
    word = ALIASES.get(word, word)
    for choice in item.choices:
        if word in (choice.value, fold(choice.label.ja), fold(choice.label.en)):
            return [choice.value]
    typed = f" {normalize(text)} "
    return [choice.value for choice in item.choices
            if any(_uses(typed, normalize(k)) for k in choice.keywords)]


def _uses(typed: str, keyword: str) -> bool:
    """A Japanese keyword anywhere; a Latin one as whole words ("bec" is not in "because")."""
    if not keyword:
        return False
    if any(is_cjk(ch) for ch in keyword):
        return keyword in typed
    return f" {keyword} " in typed


class FormWalker:
    """Base of a flow that walks a form step by step; subclasses fill in the hooks."""

    name: str

    # -- hooks ----------------------------------------------------------------------------------
    def t(self, key: str, lang: str, **params: Any) -> str:
        raise NotImplementedError

    def walk_fields(self, turn: Turn) -> Sequence[WalkField] | None:
        """The fields of the form being walked (None: the walk cannot go on)."""
        raise NotImplementedError

    def check_step(self, turn: Turn, item: WalkField, raw: str) -> tuple[str | None, str | None]:
        """(clean value or None when empty, error text or None)."""
        raise NotImplementedError

    async def finish_walk(self, turn: Turn, answers: dict[str, str], walk: Mapping[str, Any]) -> Response:
        """The last field was answered; the walk's state (`walk`) is already cleared."""
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------------------
    def walk(self, turn: Turn) -> dict[str, Any] | None:
        walk = turn.state.get(self.name)
        return walk if isinstance(walk, dict) else None

    def clear(self, turn: Turn) -> None:
        if turn.state.get("flow") == self.name:
            turn.state.pop("flow", None)
        turn.state.pop(self.name, None)

    @staticmethod
    def field(fields: Sequence[WalkField], field_id: str | None) -> WalkField | None:
        return next((f for f in fields if f.id == field_id), None)

    def begin_walk(self, turn: Turn, fields: Sequence[WalkField], intro: str, **extra: Any) -> Response:
        turn.state["flow"] = self.name
        self.save(turn, {"answers": {}, "asked": [], "field": fields[0].id, "lang": turn.lang, **extra})
        return private_reply(turn, intro) + self.ask(turn, fields)

    def save(self, turn: Turn, walk: dict[str, Any]) -> None:
        """Keep the walk, stamped with the time of this step: the engine drops walks left too long."""
        turn.state[self.name] = {**walk, "touched_at": time.time()}

    # -- a walk left unfinished (the terminal session ended in the middle) ----------------------
    def on_session_start(self, turn: Turn) -> Response:
        """A new session finds this walk unfinished: ask before taking any text as an answer."""
        walk = self.walk(turn)
        if walk is None:
            return Response()
        if not walk.get("answers"):  # left before answering anything: no draft worth offering
            self.clear(turn)
            return Response()
        turn.state[self.name] = {**walk, "paused": True}
        turn.lang = walk.get("lang", turn.lang)
        return self.unfinished(turn)

    def unfinished(self, turn: Turn) -> Response:
        lang = turn.lang
        return private_reply(turn, self.t("unfinished", lang), ReplyKind.QUESTION, buttons=(
            Button(self.t("continue", lang), f"{self.name}:resume", style="primary"),
            Button(self.t("cancel", lang), f"{self.name}:cancel", style="danger")))

    def resume(self, turn: Turn, fields: Sequence[WalkField]) -> Response:
        walk = {k: v for k, v in (self.walk(turn) or {}).items() if k != "paused"}
        self.save(turn, walk)
        return self.ask(turn, fields)

    # -- steps ----------------------------------------------------------------------------------
    async def walk_text(self, turn: Turn, text: str) -> Response:
        """A typed line while walking: an answer, "back", "cancel", or a mistake explained."""
        fields = self.walk_fields(turn)
        walk = self.walk(turn)
        item = self.field(fields, walk.get("field")) if fields and walk else None
        if item is None or fields is None or walk is None:
            self.clear(turn)
            return private_reply(turn, self.t("not_active", turn.lang))
        turn.lang = walk.get("lang", turn.lang)  # the walk keeps its language: "戻る", "1", "今" never switch it
        word = fold(text)
        if word in CANCEL_WORDS:
            return self.cancel(turn)
        if walk.get("paused"):  # nothing typed counts as an answer until the user says to go on
            return self.resume(turn, fields) if word in CONTINUE_WORDS else self.unfinished(turn)
        if word in BACK_WORDS:
            return self.back(turn, fields)
        if not word or text.startswith("/"):  # an empty line is no answer, not even "skip": ask again
            return private_reply(turn, self.t("in_flow", turn.lang), ReplyKind.ERROR) + self.ask(turn, fields)
        if item.kind == "choice":
            matches = choice_matches(item, text)
            if len(matches) != 1:
                labels = [c.label.get(turn.lang) for c in item.choices if c.value in matches]
                error = self.t("ambiguous_choice", turn.lang, text=text.strip()[:80], choices=" / ".join(labels)) \
                    if matches else self.t("pick_choice", turn.lang, text=text.strip()[:80])
                return private_reply(turn, error, ReplyKind.ERROR) + self.ask(turn, fields)
            value = matches[0]
            return await self.accept(turn, fields, item, value)
        if not item.required and word in SKIP_WORDS:
            return await self.accept(turn, fields, item, "")
        return await self.accept(turn, fields, item, text)

    async def walk_action(self, turn: Turn, action: str) -> Response:
        """"<flow>:back", "<flow>:cancel", "<flow>:choice:<field>:<value>"."""
        parts = action.split(":", 3)
        verb = parts[1] if len(parts) > 1 else ""
        fields = self.walk_fields(turn)
        if fields is None or self.walk(turn) is None or turn.state.get("flow") != self.name:
            return private_reply(turn, self.t("not_active", turn.lang))
        turn.lang = self.walk(turn).get("lang", turn.lang)  # type: ignore[union-attr]
        if verb == "cancel":
            return self.cancel(turn)
        if verb == "resume":
            return self.resume(turn, fields)
        if self.walk(turn).get("paused"):  # type: ignore[union-attr]
            return self.unfinished(turn)
        if verb == "back":
            return self.back(turn, fields)
        if verb == "choice" and len(parts) == 4:
            item = self.field(fields, parts[2])
            if item is None or parts[2] != self.walk(turn).get("field"):  # type: ignore[union-attr]
                return private_reply(turn, self.t("stale_button", turn.lang), ReplyKind.ERROR) + self.ask(turn, fields)
            return await self.accept(turn, fields, item, parts[3])
        return private_reply(turn, self.t("stale_button", turn.lang), ReplyKind.ERROR)

    def next_field(self, fields: Sequence[WalkField], walk: Mapping[str, Any]) -> WalkField | None:
        asked = set(walk["asked"])
        return next((f for f in fields if asks(f, walk["answers"]) and f.id not in asked), None)

    def ask(self, turn: Turn, fields: Sequence[WalkField]) -> Response:
        walk = self.walk(turn) or {}
        item = self.field(fields, walk.get("field"))
        if item is None:
            return Response()
        lang = turn.lang
        # (step/total) counts the questions an intro's "20 questions" counts: not an unnumbered
        # field such as the checkup's organisation name.
        shown = [f for f in fields if asks(f, walk["answers"]) and getattr(f, "numbered", True)]
        step = len([f for f in shown if f.id in walk["asked"]]) + 1
        progress = self.t("progress", lang, step=step, total=len(shown)) + " " if getattr(item, "numbered", True) else ""
        lines = [f"{progress}{item.label.get(lang)}"]
        if item.help:
            lines.append(item.help.get(lang))
        if not item.required:
            lines.append(self.t("optional", lang))
        elif item.kind != "choice":
            lines.append(self.t("type_answer", lang))
        buttons = [Button(c.label.get(lang), f"{self.name}:choice:{item.id}:{c.value}") for c in item.choices]
        if item.kind == "choice":  # on a free-text question a typed number is an answer, not a click
            buttons += [Button(self.t("back", lang), f"{self.name}:back"),
                        Button(self.t("cancel", lang), f"{self.name}:cancel", style="danger")]
        return Response((Reply(text="\n".join(lines), kind=ReplyKind.QUESTION, lang=lang, private=True,
                               buttons=tuple(buttons), data={"field": item.id, "kind": item.kind, "step": step,
                                                             "total": len(shown)}),))

    async def accept(self, turn: Turn, fields: Sequence[WalkField], item: WalkField, raw: str) -> Response:
        walk = self.walk(turn) or {}
        value, error = self.check_step(turn, item, raw)
        if error is not None:
            return private_reply(turn, error, ReplyKind.ERROR) + self.ask(turn, fields)
        if value is None and item.required:
            return private_reply(turn, self.t("err_required", turn.lang), ReplyKind.ERROR) + self.ask(turn, fields)
        answers = dict(walk["answers"])
        if value is not None:
            answers[item.id] = value
        walk = {**walk, "answers": answers, "asked": [*walk["asked"], item.id]}
        following = self.next_field(fields, walk)
        if following is None:
            self.clear(turn)
            return await self.finish_walk(turn, answers, walk)
        walk["field"] = following.id
        self.save(turn, walk)
        return self.ask(turn, fields)

    def back(self, turn: Turn, fields: Sequence[WalkField]) -> Response:
        walk = dict(self.walk(turn) or {})
        if not walk.get("asked"):
            return private_reply(turn, self.t("first_question", turn.lang)) + self.ask(turn, fields)
        previous = walk["asked"][-1]
        walk["asked"] = walk["asked"][:-1]
        walk["answers"] = {k: v for k, v in walk["answers"].items() if k != previous}
        walk["field"] = previous
        self.save(turn, walk)
        return self.ask(turn, fields)

    def cancel(self, turn: Turn) -> Response:
        self.clear(turn)
        return private_reply(turn, self.t("cancelled", turn.lang))
