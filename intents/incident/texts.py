"""The triage flow's own words (prompts, errors, headings) in ja and en.

Kept next to the flow rather than in bot/messages.py so the incident feature stays in one
place; the guidance itself (contacts, why, steps) lives in the knowledge YAML."""

from __future__ import annotations

from typing import Any

from bot.messages import localize
from intents.forms import WALKER_TEXTS

TEXTS: dict[str, dict[str, str]] = {
    **WALKER_TEXTS,
    "not_configured": {
        "ja": "インシデント対応のトリアージが設定されていません（knowledge/triage.yaml）。管理者に連絡してください。緊急時は110番、相談はIPA（cs-support@ipa.go.jp）へ。",
        "en": "Incident triage is not configured (knowledge/triage.yaml). Please tell your admin. In an emergency call 110; for advice write to IPA (cs-support@ipa.go.jp).",
    },
    "form_prompt": {
        "ja": "フォームに入力して送信してください。入力内容は報告者とセキュリティチームにだけ表示されます。",
        "en": "Fill in the form and submit it. Only you and the security team will see the details.",
    },
    "unfinished": {
        "ja": "報告途中のインシデントがあります。続けますか、キャンセルしますか？",
        "en": "You have an unfinished incident report: continue or cancel?",
    },
    "cancelled": {
        "ja": "インシデントの報告を中止しました。何も記録していません。もう一度始めるには /incident と入力してください。",
        "en": "Incident report cancelled; nothing was recorded. Type /incident to start again.",
    },
    "in_flow": {
        "ja": "インシデントの報告の途中です。質問に答えるか、「戻る」「キャンセル」と入力してください。",
        "en": "You are in the middle of an incident report. Answer the question, or type \"back\" or \"cancel\".",
    },
    "not_active": {
        "ja": "進行中のインシデント報告はありません。/incident で始めてください。",
        "en": "There is no incident report in progress. Type /incident to start one.",
    },
    # validation
    "err_unknown_field": {"ja": "この項目はフォームにありません。", "en": "This field is not in the form."},
    "err_unknown_value": {"ja": "「{value}」は選べません（選択肢: {choices}）。", "en": "\"{value}\" is not a valid choice (choices: {choices})."},
    "err_required": {"ja": "入力してください。", "en": "This field is required."},
    "err_datetime": {
        "ja": "日時として読めません。次のように入力してください：2026-11-27 09:30（日本時間）、今、今朝9時、今日 14:30、昨日 18時、2時間前。",
        "en": "That is not a date and time I can read. Type it like this: 2026-11-27 09:30 (Japan time), now, "
              "today 9am, today 14:30, yesterday 6pm, 2 hours ago.",
    },
    "err_future": {"ja": "未来の日時になっています。", "en": "That time is in the future."},
    "form_errors": {"ja": "入力内容を確認してください。", "en": "Please check the form."},
    # result
    "recorded": {
        "ja": "インシデント {incident_id} として記録し、セキュリティチームに通知しました。",
        "en": "Recorded as incident {incident_id} and the security team has been notified.",
    },
    # said instead of "recorded" where the front end knows the notification did not go out (the web page)
    "recorded_not_sent": {
        "ja": "インシデント {incident_id} として記録しました。ただし、セキュリティチームへの通知は送信されていません"
              "（通知先が設定されていないか、送信に失敗しました）。この番号を添えてセキュリティチームに直接連絡してください。",
        "en": "Recorded as incident {incident_id}, but the security team has NOT been notified (no notification "
              "channel is configured, or sending failed). Contact the security team directly and give this number.",
    },
    "contacts_heading": {"ja": "■ 連絡先（優先順）", "en": "■ Contacts, in priority order"},
    "no_contacts": {
        "ja": "特定の窓口はありません。迷ったらIPAの企業組織向け相談窓口（cs-support@ipa.go.jp）へ。",
        "en": "No specific contact applies. If unsure, write to IPA's corporate help desk (cs-support@ipa.go.jp).",
    },
    "why": {"ja": "理由", "en": "Why"},
    "deadline": {"ja": "期限", "en": "By when"},
    "ministry": {"ja": "所管省庁", "en": "Competent ministry"},
    "how": {"ja": "連絡方法", "en": "How"},
    "does_not": {"ja": "注意", "en": "Note"},
    "steps_heading": {"ja": "■ 最初にやること", "en": "■ First steps"},
    "guidance_heading": {"ja": "■ 情報の共有・公表", "en": "■ Sharing and publishing"},
    "result_title": {"ja": "トリアージの結果", "en": "Triage result"},
    "notify": {
        "ja": "新しいインシデント {incident_id}: {type}（報告者 {reporter}、{platform}{channel}）。継続中: {ongoing}。連絡先: {contacts}。",
        "en": "New incident {incident_id}: {type} (reported by {reporter} on {platform}{channel}). Ongoing: {ongoing}. Contacts: {contacts}.",
    },
    "unanswered": {"ja": "未回答", "en": "not answered"},
    # responder commands
    "not_responder": {
        "ja": "申し訳ありませんが、インシデントの一覧や詳細はセキュリティチームの担当者だけが見られます。新しいインシデントを報告するには /incident と入力してください。",
        "en": "Sorry, only the security team's responders can see incident lists and details. To report a new incident, type /incident.",
    },
    "usage": {
        "ja": "使い方: /incident（報告）、/incident list [all|closed]、/incident show ID、/incident note ID メモ、/incident close ID",
        "en": "Usage: /incident (report), /incident list [all|closed], /incident show ID, /incident note ID TEXT, /incident close ID",
    },
    "list_empty": {"ja": "該当するインシデントはありません。", "en": "No incidents found."},
    "list_heading": {"ja": "インシデント（{status}、新しい順）", "en": "Incidents ({status}, newest first)"},
    "not_found": {"ja": "インシデント「{incident_id}」は見つかりません。", "en": "There is no incident \"{incident_id}\"."},
    "note_added": {"ja": "{incident_id} にメモを追加しました。", "en": "Note added to {incident_id}."},
    "note_empty": {"ja": "メモの内容を入力してください: /incident note ID メモ", "en": "Give the note text: /incident note ID TEXT"},
    "closed": {"ja": "{incident_id} をクローズしました。", "en": "{incident_id} is now closed."},
    "already_closed": {"ja": "{incident_id} はすでにクローズされています。", "en": "{incident_id} was already closed."},
    "status_open": {"ja": "対応中", "en": "open"},
    "status_closed": {"ja": "クローズ", "en": "closed"},
    "status_all": {"ja": "すべて", "en": "all"},
    # record / report labels
    "field_status": {"ja": "状態", "en": "Status"},
    "field_created": {"ja": "記録日時", "en": "Recorded"},
    "field_closed": {"ja": "クローズ日時", "en": "Closed"},
    "field_reporter": {"ja": "報告者", "en": "Reporter"},
    "field_where": {"ja": "報告元", "en": "Reported via"},
    "timeline": {"ja": "経過", "en": "Timeline"},
    "tl_created": {"ja": "トリアージを完了し、記録", "en": "Triage completed and recorded"},
    "tl_note": {"ja": "メモ", "en": "Note"},
    "tl_closed": {"ja": "クローズ", "en": "Closed"},
}


def t(key: str, lang: str, **params: Any) -> str:
    return localize(TEXTS, key, lang, **params)
