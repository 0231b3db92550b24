"""Complete /incident submissions (Slack view_submission, Teams card submit) for the shipped triage form,
each carrying a unique marker so the database can be checked for "exactly once" afterwards."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from adapters.slack import blocks as slack_blocks
from adapters.teams.convert import ACTION_KEY, submit_action
from bot.models import Form
from bot.store.base import open_store
from bot.store.incidents import IncidentRecord
from intents.assemble import load_knowledge
from knowledge import SHIPPED_DIR
from tests.adapters.slack.conftest import opened_view, payload

__test__ = False

TEAMS_PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "teams"


@lru_cache(maxsize=4)
def triage_form(lang: str = "ja", knowledge_dir: str = str(SHIPPED_DIR)) -> Form:
    """The incident form exactly as the real flow shows it (from the shipped triage knowledge)."""
    return load_knowledge(Path(knowledge_dir)).current.components["triage"].form(lang)


def complete_answers(form: Form, marker: str, *, choices: Mapping[str, str] | None = None) -> dict[str, str]:
    """An answer to every field the form shows given the earlier answers; free text carries `marker`."""
    answers: dict[str, str] = {}
    for item in form.fields:
        if any(answers.get(name) not in values for name, values in item.show_if.items()):
            continue
        if item.kind == "choice":
            answers[item.id] = (choices or {}).get(item.id) or item.choices[0].value
        elif item.kind == "datetime":
            answers[item.id] = "now"
        else:
            answers[item.id] = f"{marker} サーバのファイルが暗号化された"[: item.max_length or 500]
    return answers


async def stored_incidents(database_url: str) -> list[IncidentRecord]:
    """Every incident in the database a served process wrote (opened after it stopped)."""
    store = open_store(database_url)
    await store.open()
    try:
        return await store.list_incidents(limit=1000)
    finally:
        await store.close()


def marker_in(answers: Mapping[str, Any], marker: str) -> bool:
    return any(isinstance(v, str) and v.startswith(marker + " ") for v in answers.values())


def slack_view_submission(form: Form, answers: Mapping[str, str], *, user: str, view_id: str,
                          channel: str = "C0GENERAL", lang: str = "ja") -> dict[str, Any]:
    """The view_submission body Slack sends when `user` submits the modal with `answers`."""
    metadata = {"channel_id": channel, "lang": lang, "open": "/incident", "conversation_id": channel}
    view = slack_blocks.form_view(form, answers, metadata=metadata, lang=lang)
    body = payload("view_submission")
    body["user"].update(id=user, username=user.lower(), name=user.lower())
    body["view"] = opened_view(view, view_id=view_id, values=answers)
    return body


def slack_form_body(body: Mapping[str, Any]) -> str:
    """The urlencoded form Slack posts for interactivity payloads."""
    from urllib.parse import urlencode

    return urlencode({"payload": json.dumps(body, ensure_ascii=False)})


def slack_dm_event(text: str, *, user: str, channel: str, event_id: str, ts: str) -> dict[str, Any]:
    body = payload("event_message_im")
    body["event_id"] = event_id
    event = body["event"]
    event.update(user=user, text=text, channel=channel, ts=ts, event_ts=ts)
    event.pop("blocks", None)
    event.pop("client_msg_id", None)
    return body


def teams_activity(service_url: str, activity_id: str, *, user: str, text: str | None = None,
                   value: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A personal-chat message (or card submit) from `user` whose serviceUrl is the fake connector."""
    name = "card_submit_personal" if value is not None else "message_personal"
    activity = json.loads((TEAMS_PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    activity["serviceUrl"] = service_url.rstrip("/") + "/"
    activity["id"] = activity_id
    activity["from"] = {"id": f"29:{user}", "name": user, "aadObjectId": user}
    activity["conversation"]["id"] = f"a:{user}"
    if value is not None:
        activity["value"] = dict(value)
        activity.pop("text", None)
    else:
        activity["text"] = text or ""
    return activity


def teams_incident_value(form: Form, answers: Mapping[str, str]) -> dict[str, Any]:
    return {ACTION_KEY: submit_action(form.id), **answers}
