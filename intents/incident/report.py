"""`secbot incidents export ID --format md`: a report draft a responder can send to IPA or the police.

Plain words, not field ids; times in JST; what the triage said and what has happened since,
plus the items the authorities ask for that the triage could not know (left as blanks)."""

from __future__ import annotations

from bot.messages import localize, table
from bot.store.incidents import IncidentRecord
from intents.incident.model import TriageModel
from intents.incident.render import (
    answer_label,
    fmt_time,
    how_text,
    ordered_answers,
    timeline_lines,
    type_label,
)
from intents.incident.texts import t

_WORDS = table("report")

_FILL_COMMON = _WORDS["fill_common"]
_FILL_PPC = _WORDS["fill_ppc"]
_FILL_RANSOM = _WORDS["fill_ransom"]
_SHOWN_ABOVE = {"incident_type", "detected_at", "affected_systems", "description", "reporter_contact"}


def _w(key: str, lang: str) -> str:
    return localize(_WORDS, key, lang)


# HTML as entities (a Markdown viewer would run `<script>`), Markdown syntax backslash-escaped.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]|#!"}})


def _md(text: str) -> str:
    """Reporter text shown as the text it is: no HTML, no Markdown structure (links, emphasis, tables)."""
    return text.translate(_ESCAPES)


def markdown_report(record: IncidentRecord, model: TriageModel | None, lang: str) -> str:
    lang = "en" if lang == "en" else "ja"
    answers = record.answers
    out: list[str] = [f"# {_w('title', lang)}: {record.id}", "", f"> {_w('draft_note', lang)}", ""]

    out += [f"## {_w('summary', lang)}", ""]
    detected = answer_label(model, "detected_at", answers["detected_at"], lang)[1] if answers.get("detected_at") else "-"
    rows = [
        (_w("id", lang), record.id),
        (_w("type", lang), type_label(model, answers, lang)),
        (_w("detected", lang), detected),
        (t("field_created", lang), fmt_time(record.created_at)),
        (t("field_status", lang), t("status_" + record.status, lang)
         + (localize(_WORDS, "closed_at", lang, when=fmt_time(record.closed_at)) if record.closed_at else "")),
        (_w("systems", lang), _md(answers.get("affected_systems", "-")).replace("\n", " ")),
        (t("field_reporter", lang), _md(record.reporter_name or record.reporter)
         + (f" / {_w('reporter_contact', lang)}: {_md(answers['reporter_contact'])}" if answers.get("reporter_contact") else "")),
        (t("field_where", lang), record.platform + (f" #{record.channel}" if record.channel else "")),
    ]
    out += [f"- **{label}**: {value}" for label, value in rows]

    out += ["", f"## {_w('what_happened', lang)}", "", _md(answers.get("description") or _w("none", lang))]

    out += ["", f"## {_w('answers', lang)}", ""]
    for field_id, value in ordered_answers(model, answers):
        if field_id in _SHOWN_ABOVE:
            continue
        question, answer = answer_label(model, field_id, value, lang)
        out.append(f"- {question} **{_md(answer).replace(chr(10), ' ')}**")

    out += ["", f"## {_w('contacts', lang)}", ""]
    for number, contact in enumerate(record.contacts, 1):
        out += [f"### {number}. {contact['name']}", "", contact["why"], ""]
        if contact.get("detail"):
            out += [f"- {t('ministry', lang)}: {contact['detail']}"]
        if contact.get("deadline"):
            out += [f"- {t('deadline', lang)}: {contact['deadline']}"]
        out += [f"- {how_text(item, lang)}" for item in contact.get("how", [])]
        out += [f"- {_w('reported', lang)}", ""]

    out += [f"## {_w('steps', lang)}", ""]
    out += [f"- [ ] {step}" for step in record.result.get("steps", [])]

    out += ["", f"## {_w('timeline', lang)}", "", f"| {_w('when', lang)} | {_w('who', lang)} | {_w('what', lang)} |",
            "|---|---|---|"]
    out += [f"| {when} | {_md(actor)} | {_md(what).replace(chr(10), ' ')} |" for when, actor, what in timeline_lines(record, lang)]

    out += ["", f"## {_w('to_fill', lang)}", ""]
    to_fill = list(_FILL_COMMON[lang])
    if any(c.get("id") == "ppc" for c in record.contacts):
        to_fill += _FILL_PPC[lang]
    if answers.get("incident_type") == "ransomware":
        to_fill += _FILL_RANSOM[lang]
    out += [localize(_WORDS, "fill_item", lang, item=item) for item in to_fill]

    guidance = record.result.get("guidance")
    if guidance:
        out += ["", f"## {_w('sharing', lang)}", "", f"[{guidance['title']}]({guidance['url']})", "", guidance["text"]]
    return "\n".join(out) + "\n"
