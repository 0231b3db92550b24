"""Words for people: the triage result, the security team's notice, a record, a report draft.

Everything renders from the plain dict a result is stored as (`TriageResult.to_dict`), so an
incident shows the contacts exactly as the reporter was given them, even after the YAML changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.models import JST
from bot.store.incidents import IncidentRecord
from intents.incident.model import TYPE_FIELD, TriageModel
from intents.incident.texts import t


def fmt_time(at: float | None) -> str:
    return datetime.fromtimestamp(at, JST).strftime("%Y-%m-%d %H:%M JST") if at else "-"


def fmt_iso(value: str) -> str:
    """A stored ISO time (detected_at) in the same JST format."""
    try:
        return datetime.fromisoformat(value).astimezone(JST).strftime("%Y-%m-%d %H:%M JST")
    except ValueError:
        return value


def how_text(item: Mapping[str, Any], lang: str) -> str:
    text = f"{item['label']}: {item['value']}"
    if item.get("note"):
        text += t("how_note", lang, note=item["note"])
    return text


def answer_label(model: TriageModel | None, field_id: str, value: str, lang: str) -> tuple[str, str]:
    """(question, answer) in plain words; raw ids if the form no longer has the field."""
    item = model.field(field_id) if model else None
    if item is None:
        return field_id, value
    if item.kind == "choice":
        choice = item.choice(value)
        return item.label.get(lang), choice.label.get(lang) if choice else value
    if item.kind == "datetime":
        return item.label.get(lang), fmt_iso(value)
    return item.label.get(lang), value


def ordered_answers(model: TriageModel | None, answers: Mapping[str, str]) -> list[tuple[str, str]]:
    """Answers in the form's order (unknown fields last, as stored)."""
    order = {f.id: n for n, f in enumerate(model.fields)} if model else {}
    return sorted(answers.items(), key=lambda item: order.get(item[0], len(order)))


def type_label(model: TriageModel | None, answers: Mapping[str, str], lang: str) -> str:
    value = answers.get(TYPE_FIELD)
    return answer_label(model, TYPE_FIELD, value, lang)[1] if value else t("unanswered", lang)


def result_text(result: Mapping[str, Any], lang: str, incident_id: str | None) -> str:
    lines: list[str] = []
    if incident_id:
        lines += [t("recorded", lang, incident_id=incident_id), ""]
    lines.append(t("contacts_heading", lang))
    if result.get("principle"):
        lines.append(result["principle"])
    contacts = result.get("contacts", [])
    if not contacts:
        lines.append(t("no_contacts", lang))
    for number, contact in enumerate(contacts, 1):
        tier = contact.get("priority_label")
        lines.append(f"{number}. {contact['name']}" + (t("contact_tier", lang, tier=tier) if tier else ""))
        lines.append(f"   {t('why', lang)}: {contact['why']}")
        if contact.get("detail"):
            lines.append(f"   {t('ministry', lang)}: {contact['detail']}")
        if contact.get("deadline"):
            lines.append(f"   {t('deadline', lang)}: {contact['deadline']}")
        for item in contact.get("how", []):
            lines.append(f"   - {how_text(item, lang)}")
        if contact.get("does_not"):
            lines.append(f"   {t('does_not', lang)}: {contact['does_not']}")
    lines += ["", t("steps_heading", lang)]
    lines += [f"{number}. {step}" for number, step in enumerate(result.get("steps", []), 1)]
    guidance = result.get("guidance")
    if guidance:
        lines += ["", t("guidance_heading", lang), t("guidance_title", lang, title=guidance["title"]),
                  guidance["text"], guidance["url"]]
    return "\n".join(lines)


NOTIFY_DESCRIPTION_CHARS = 1000  # of the description in the team's notification (chat messages stay short)


def notification_text(record: IncidentRecord, model: TriageModel | None, lang: str) -> str:
    answers = record.answers
    ongoing = answer_label(model, "ongoing", answers["ongoing"], lang)[1] if answers.get("ongoing") else t("unanswered", lang)
    names = ", ".join(c["name"] for c in record.contacts) or "-"
    text = t("notify", lang, incident_id=record.id, type=type_label(model, answers, lang),
             reporter=record.reporter_name or record.reporter, platform=record.platform,
             channel=f" #{record.channel}" if record.channel else "", ongoing=ongoing, contacts=names)
    if description := answers.get("description"):
        if len(description) > NOTIFY_DESCRIPTION_CHARS:  # said, not cut silently: the record has it all
            description = description[:NOTIFY_DESCRIPTION_CHARS].rstrip() + "…\n" + t(
                "notify_cut", lang, chars=len(description), incident_id=record.id)
        text += "\n> " + description.replace("\n", "\n> ")
    return text


def timeline_lines(record: IncidentRecord, lang: str) -> list[tuple[str, str, str]]:
    """(time, actor, what) per timeline entry."""
    rows = []
    for entry in record.timeline:
        what = kind_label(entry.kind, lang)
        if entry.text:
            what = f"{what}: {entry.text}"
        rows.append((fmt_time(entry.at), entry.actor, what))
    return rows


_KINDS = {"tl_created", "tl_note", "tl_closed"}


def kind_label(kind: str, lang: str) -> str:
    """A timeline entry's kind in words ("note" -> "メモ"); unknown kinds as stored."""
    return t(f"tl_{kind}", lang) if f"tl_{kind}" in _KINDS else kind


def record_text(record: IncidentRecord, model: TriageModel | None, lang: str) -> str:
    """`/incident show` and `secbot incidents show`: the record, compact."""
    lines = [f"{record.id} — {type_label(model, record.answers, lang)}",
             f"{t('field_status', lang)}: {t('status_' + record.status, lang)}",
             f"{t('field_created', lang)}: {fmt_time(record.created_at)}",
             f"{t('field_reporter', lang)}: {record.reporter_name or record.reporter} ({record.reporter})",
             f"{t('field_where', lang)}: {record.platform}" + (f" #{record.channel}" if record.channel else "")]
    if record.closed_at:
        lines.append(f"{t('field_closed', lang)}: {fmt_time(record.closed_at)}")
    lines.append("")
    for field_id, value in ordered_answers(model, record.answers):
        question, answer = answer_label(model, field_id, value, lang)
        lines.append(f"- {question} {answer}")
    lines += ["", t("contacts_heading", lang)]
    lines += [f"{n}. {c['name']}" for n, c in enumerate(record.contacts, 1)]
    lines += ["", f"■ {t('timeline', lang)}"]
    lines += [f"- {when} {actor}: {what}" for when, actor, what in timeline_lines(record, lang)]
    return "\n".join(lines)


def list_text(records: Sequence[IncidentRecord], model: TriageModel | None, lang: str, status: str) -> str:
    if not records:
        return t("list_empty", lang)
    lines = [t("list_heading", lang, status=t(f"status_{status}", lang))]
    for r in records:
        lines.append(f"- {r.id}  {fmt_time(r.created_at)}  {type_label(model, r.answers, lang)}  "
                     f"[{t('status_' + r.status, lang)}]  {r.reporter_name or r.reporter}")
    return "\n".join(lines)
