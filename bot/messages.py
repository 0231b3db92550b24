"""The bot's own words (not guidance): prompts, errors, button labels, in ja and en."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "empty": {
        "ja": "メッセージが空でした。セキュリティについての質問を入力してください（例:「JC-STARとは」）。",
        "en": "Your message was empty. Ask me a security question (for example: \"What is JC-STAR?\").",
    },
    "too_long": {
        "ja": "メッセージが長すぎます（{length}文字、上限は{limit}文字）。質問を短くして送ってください。",
        "en": "That message is too long ({length} characters; the limit is {limit}). Please send a shorter question.",
    },
    "no_text": {
        "ja": "文字が含まれていないようです。質問を文章で入力してください。",
        "en": "I couldn't find any words in that message. Please type your question.",
    },
    "number_only": {
        "ja": "数字だけでは、どの質問かわかりません。質問を文章で入力してください（例:「JC-STARとは」）。",
        "en": "A number on its own doesn't tell me what you want to know. Please type your question (for example: \"What is JC-STAR?\").",
    },
    "no_such_option": {
        "ja": "{number}番の選択肢はありません。質問を入力するか、1〜{count}の番号を選んでください。",
        "en": "There is no option {number}: type a question, or a number from 1 to {count}.",
    },
    "did_you_mean": {
        "ja": "ご質問はこちらのどれかでしょうか？",
        "en": "Did you mean one of these?",
    },
    "unknown": {
        "ja": "すみません、その質問にはお答えできる情報がありません。私がお答えできるのは、経済産業省のサイバーセキュリティ政策（セキュア・バイ・デザイン、サプライチェーン対策、被害時の情報共有）と相談窓口についてです。",
        "en": "Sorry, I don't have information to answer that. I can answer questions about METI's cybersecurity guidance (Secure by Design, supply-chain security, sharing information after an attack) and where to get help.",
    },
    "emergency_hint": {
        "ja": "サイバー攻撃の被害に遭った場合は /incident で対応の手順と連絡先をご案内します。",
        "en": "If you are dealing with a cyber attack, type /incident for guided triage and the right contacts.",
    },
    "try_topics": {
        "ja": "例えば次のような話題についてお答えできます:",
        "en": "For example, you can ask me about:",
    },
    "none_of_these": {"ja": "どれでもない", "en": "None of these"},
    "none_reply": {
        "ja": "お役に立てずすみません。いただいた質問は管理者が回答を追加するために記録しました。別の言い方で質問するか、緊急の場合は /incident をご利用ください。",
        "en": "Sorry I couldn't help. Your question has been recorded so the admins can add an answer. Try asking another way, or use /incident in an emergency.",
    },
    "feedback_thanks_up": {"ja": "フィードバックありがとうございます。", "en": "Thanks for your feedback."},
    "feedback_thanks_down": {
        "ja": "フィードバックありがとうございます。回答の改善に役立てます。",
        "en": "Thanks for your feedback. We'll use it to improve this answer.",
    },
    "source": {"ja": "出典", "en": "Source"},
    "as_of": {"ja": "（{year}年{month}月時点）", "en": " (as of {year}-{month:02d})"},
    "related": {"ja": "関連", "en": "Related"},
    "start_incident": {"ja": "インシデント対応を開始 (/incident)", "en": "Start incident triage (/incident)"},
    "unknown_action": {
        "ja": "このボタンは期限切れか、無効です。もう一度質問してください。",
        "en": "That button has expired or is not valid. Please ask again.",
    },
    "unknown_command": {
        "ja": "「{command}」というコマンドはありません。使えるコマンド: {commands}",
        "en": "There is no command \"{command}\". Available commands: {commands}",
    },
    "store_error": {
        "ja": "記録の保存に失敗しました（ストレージの障害）。もう一度お試しください。緊急の場合はセキュリティ担当者に直接連絡してください。",
        "en": "I couldn't save that (a storage failure). Please try again; in an emergency, contact your security team directly.",
    },
    "admin_usage": {
        "ja": "管理コマンド: /secbot reload（ナレッジの再読み込み）, /secbot stats（利用状況）, /secbot gaps（未回答の質問）",
        "en": "Admin commands: /secbot reload (reload the knowledge), /secbot stats (usage), /secbot gaps (unanswered questions)",
    },
    "admin_only": {
        "ja": "申し訳ありませんが、このコマンドは管理者のみ実行できます。",
        "en": "Sorry, only secbot admins can run this command.",
    },
    "reload_ok": {
        "ja": "ナレッジを再読み込みしました（バージョン {version}、{intents} 件のトピック）。",
        "en": "Knowledge reloaded (version {version}, {intents} topics).",
    },
    "reload_failed": {
        "ja": "ナレッジに {count} 件の問題があるため再読み込みしませんでした。引き続きバージョン {version} で応答しています:",
        "en": "The knowledge has {count} problem(s), so it was not reloaded; still serving version {version}:",
    },
    "ask_team": {"ja": "セキュリティチームに質問する", "en": "Ask the security team"},
    "expert_nothing": {
        "ja": "転送する質問が見つかりません。先に質問を入力してください。",
        "en": "There is no question to forward. Please type your question first.",
    },
    "expert_forwarded_user": {
        "ja": "ご質問をセキュリティチームに転送しました（{id}）。回答はこちらにお届けします。",
        "en": "Your question was forwarded to the security team ({id}). Their answer will come to you here.",
    },
    "expert_forwarded_team": {
        "ja": "❓ {who} さん（{platform}）からの質問 {id}:\n{question}\n\n回答するには: /answer {id} 回答内容",
        "en": "❓ Question {id} from {who} ({platform}):\n{question}\n\nTo answer: /answer {id} your answer",
    },
    "expert_answer_usage": {
        "ja": "使い方: /answer Q-番号 回答内容",
        "en": "Usage: /answer Q-NUMBER your answer",
    },
    "expert_unknown": {"ja": "質問 {id} は見つかりません。", "en": "There is no question {id}."},
    "expert_answer_sent": {"ja": "{id} の回答を質問者に送りました。", "en": "Your answer to {id} was sent to the asker."},
    "expert_answer_to_user": {
        "ja": "セキュリティチームからの回答です。\nご質問: {question}\n回答: {answer}",
        "en": "An answer from the security team.\nYour question: {question}\nAnswer: {answer}",
    },
    "responder_only": {
        "ja": "申し訳ありませんが、このコマンドはセキュリティ対応担当者のみ実行できます。",
        "en": "Sorry, only security responders can run this command.",
    },
    "error": {
        "ja": "内部エラーが発生しました。お手数ですがもう一度お試しください。",
        "en": "Something went wrong on my side. Please try again.",
    },
    # Teams cards (adapters/teams)
    "teams_feedback_prompt": {"ja": "この回答は役に立ちましたか？", "en": "Was this helpful?"},
    "teams_only_if": {"ja": "（{field}が「{values}」の場合のみ）", "en": "(only if {field} is {values})"},
    "teams_or": {"ja": "」または「", "en": " or "},
    "teams_time": {"ja": "時刻", "en": "Time"},
    "teams_required": {"ja": "「{field}」を入力してください。", "en": "Please fill in \"{field}\"."},
    "teams_sent_privately": {
        "ja": "個人チャットでお返事しました（このチャンネルには表示されません）。",
        "en": "I've replied to you in a personal chat (not shown in this channel).",
    },
    "teams_private_failed": {
        "ja": "個人チャットにメッセージを送れませんでした。Teamsで私との個人チャットを開き、「incident」と入力してください。",
        "en": "I couldn't message you privately. Open a personal chat with me in Teams and type \"incident\".",
    },
    "teams_security_notice": {"ja": "セキュリティ担当への通知", "en": "Security team notification"},
    # Slack Block Kit (adapters/slack)
    "slack_feedback_up": {"ja": "👍 役に立った", "en": "👍 Helpful"},
    "slack_feedback_down": {"ja": "👎 役に立たなかった", "en": "👎 Not helpful"},
    "slack_cancel": {"ja": "キャンセル", "en": "Cancel"},
}


def localize(table: Mapping[str, Mapping[str, str]], key: str, lang: str, **params: Any) -> str:
    """The text for `key` in `lang` (English if missing), with `params` filled in."""
    entry = table[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def say(key: str, lang: str, **params: Any) -> str:
    return localize(MESSAGES, key, lang, **params)


def as_of_text(as_of: str | None, lang: str) -> str:
    """"（2026年12月時点）" / " (as of 2026-12)" after a source checked in that month; "" if unknown."""
    if not as_of:
        return ""
    year, month = as_of.split("-")[:2]
    return say("as_of", lang, year=int(year), month=int(month))
