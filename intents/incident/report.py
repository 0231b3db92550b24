"""`secbot incidents export ID --format md`: a report draft a responder can send to IPA or the police.

Plain words, not field ids; times in JST; what the triage said and what has happened since,
plus the items the authorities ask for that the triage could not know (left as blanks)."""

from __future__ import annotations

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

_WORDS = {
    "title": {"ja": "サイバーセキュリティインシデント報告書（下書き）", "en": "Cyber security incident report (draft)"},
    "draft_note": {
        "ja": "この文書は secbot のトリアージの記録から作成した下書きです。送付前に内容を確認し、空欄を埋めてください。",
        "en": "This draft was generated from secbot's triage record. Check it and fill in the blanks before sending.",
    },
    "summary": {"ja": "1. 概要", "en": "1. Summary"},
    "id": {"ja": "管理番号", "en": "Reference"},
    "type": {"ja": "インシデントの種類", "en": "Type of incident"},
    "detected": {"ja": "検知日時", "en": "Detected"},
    "systems": {"ja": "影響を受けたシステム", "en": "Affected systems"},
    "reporter_contact": {"ja": "連絡先", "en": "Contact"},
    "what_happened": {"ja": "2. 発生した事象（報告者の記述）", "en": "2. What happened (as reported)"},
    "answers": {"ja": "3. 状況の確認（トリアージの回答）", "en": "3. Situation (triage answers)"},
    "contacts": {"ja": "4. 連絡・報告先（優先順）", "en": "4. Contacts and reports, in priority order"},
    "reported": {"ja": "連絡・報告の状況：未 / 済（日時：　　　　）", "en": "Status: not yet / done (when:        )"},
    "steps": {"ja": "5. 初動対応", "en": "5. First response"},
    "timeline": {"ja": "6. 経過", "en": "6. Timeline"},
    "when": {"ja": "日時", "en": "Time"},
    "who": {"ja": "記録者", "en": "By"},
    "what": {"ja": "内容", "en": "What"},
    "to_fill": {"ja": "7. 追記が必要な項目", "en": "7. Still to fill in"},
    "sharing": {"ja": "8. 情報の共有・公表", "en": "8. Sharing and publishing"},
    "none": {"ja": "（記載なし）", "en": "(none given)"},
}

# What PPC's report asks for (Enforcement Rules Art. 8) and what IPA/police forms typically need.
_FILL_COMMON = {
    "ja": ["被害の範囲（台数、拠点、業務への影響）", "原因・侵入経路（判明していれば）", "現在の対応状況と復旧の見込み",
           "外部の調査会社などへの依頼の有無", "公表の有無・予定"],
    "en": ["Scope of damage (devices, sites, business impact)", "Cause and intrusion vector (if known)",
           "Current response and expected recovery", "Outside investigators engaged, if any", "Publication status or plans"],
}
_FILL_PPC = {
    "ja": ["（個人情報保護委員会への報告）漏えいしたデータの項目", "対象の人数", "二次被害のおそれ", "本人への対応（通知など）",
           "再発防止策"],
    "en": ["(PPC report) Data items involved", "Number of people", "Possible secondary damage",
           "Response to the individuals (notification)", "Measures to prevent recurrence"],
}
_FILL_RANSOM = {
    "ja": ["（統一報告様式）脅迫文の内容、暗号化されたファイルの拡張子、侵入経路、IoC"],
    "en": ["(Common report form) The ransom note, the encrypted-file extension, the intrusion vector, IoCs"],
}
_SHOWN_ABOVE = {"incident_type", "detected_at", "affected_systems", "description", "reporter_contact"}


def _w(key: str, lang: str) -> str:
    return _WORDS[key]["en" if lang == "en" else "ja"]


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
         + (f"（{fmt_time(record.closed_at)}）" if record.closed_at and lang == "ja"
            else f" ({fmt_time(record.closed_at)})" if record.closed_at else "")),
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
    out += [f"- {item}：" if lang == "ja" else f"- {item}:" for item in to_fill]

    guidance = record.result.get("guidance")
    if guidance:
        out += ["", f"## {_w('sharing', lang)}", "", f"[{guidance['title']}]({guidance['url']})", "", guidance["text"]]
    return "\n".join(out) + "\n"
