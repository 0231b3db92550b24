"""The bot's own words (not guidance): prompts, errors, button labels, in ja and en."""

from __future__ import annotations

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
    "error": {
        "ja": "内部エラーが発生しました。お手数ですがもう一度お試しください。",
        "en": "Something went wrong on my side. Please try again.",
    },
}


def say(key: str, lang: str, **params: Any) -> str:
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text
