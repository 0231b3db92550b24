"""The checkup flow's own words in ja and en (the questions and feedback live in the YAML)."""

from __future__ import annotations

from typing import Any

from bot.messages import localize
from intents.forms import WALKER_TEXTS

TEXTS: dict[str, dict[str, str]] = {
    **WALKER_TEXTS,
    "not_configured": {
        "ja": "セキュリティ診断が設定されていません（knowledge/checkup/）。管理者に連絡してください。",
        "en": "The security checkup is not configured (knowledge/checkup/). Please tell your admin.",
    },
    "unknown_set": {
        "ja": "診断「{name}」はありません。使える診断: {sets}",
        "en": "There is no checkup called \"{name}\". Available: {sets}",
    },
    "form_prompt": {
        "ja": "フォームに回答して送信してください。結果はあなたにだけ表示されます。",
        "en": "Answer the form and submit it. Only you will see the result.",
    },
    "cancelled": {
        "ja": "診断を中止しました。何も記録していません。もう一度始めるには /checkup と入力してください。",
        "en": "Checkup cancelled; nothing was recorded. Type /checkup to start again.",
    },
    "in_flow": {
        "ja": "セキュリティ診断の途中です。質問に答えるか、「戻る」「キャンセル」と入力してください。",
        "en": "You are in the middle of the security checkup. Answer the question, or type \"back\" or \"cancel\".",
    },
    "not_active": {
        "ja": "進行中の診断はありません。/checkup で始めてください。",
        "en": "There is no checkup in progress. Type /checkup to start one.",
    },
    # validation
    "err_unknown_field": {"ja": "この診断にない項目です。", "en": "This is not a question of this checkup."},
    "err_unknown_value": {"ja": "「{value}」は選べません（選択肢: {choices}）。", "en": "\"{value}\" is not a valid answer (choices: {choices})."},
    "err_required": {"ja": "回答してください。", "en": "Please answer this question."},
    "form_errors": {"ja": "回答を確認してください。", "en": "Please check your answers."},
    # result
    "result_title": {"ja": "{title}の結果", "en": "{title}: your result"},
    "result_for": {"ja": "{organization} の結果（記録番号 #{result_id}）", "en": "Result for {organization} (record #{result_id})"},
    "result_for_dry": {"ja": "{organization} の結果（記録なし）", "en": "Result for {organization} (not recorded)"},
    "overall": {"ja": "総合: {score}点 / 100", "en": "Overall: {score} / 100"},
    "areas_heading": {"ja": "■ 分野別（弱い順）", "en": "■ By area, weakest first"},
    "area_line": {"ja": "{title}: {score}点", "en": "{title}: {score}"},
    "not_scored": {"ja": "対象外", "en": "n/a"},
    "gaps_heading": {"ja": "■ 改善のポイント", "en": "■ What to improve"},
    "no_gaps": {
        "ja": "すべての項目で最良の回答でした。年1回はこの診断をくり返して、状態を確かめましょう。",
        "en": "You gave the best answer to every question. Repeat this checkup once a year to make sure it stays that way.",
    },
    "your_answer": {"ja": "回答", "en": "Your answer"},
    "risk": {"ja": "リスク", "en": "Risk"},
    "next_step": {"ja": "次の一歩", "en": "Next step"},
    "source": {"ja": "出典", "en": "Source"},
    "unofficial_source": {"ja": "非公式の解説・要求事項案で確認が必要", "en": "unofficial summary; check the draft requirements"},
    "more_gaps": {"ja": "ほか{count}項目", "en": "{count} more"},
    "buttons_hint": {"ja": "下のボタンで関連する解説を表示します。", "en": "The buttons below open the related guidance."},
    # history and summaries
    "history_empty": {"ja": "まだ診断の記録はありません。/checkup で始めてください。", "en": "You have no checkup results yet. Type /checkup to start one."},
    "history_heading": {"ja": "あなたの診断結果（新しい順）", "en": "Your checkup results, newest first"},
    "history_line": {"ja": "#{id} {date} {organization}（{set}）総合 {overall}点", "en": "#{id} {date} {organization} ({set}) overall {overall}"},
    "not_responder": {
        "ja": "診断結果の集計はセキュリティチームの担当者だけが見られます。ご自分の結果は /checkup history で確認できます。",
        "en": "Only the security team's responders can see summaries across respondents. Your own results: /checkup history.",
    },
    "usage": {
        "ja": "使い方: /checkup（標準の診断）、/checkup 診断ID（例: /checkup supplier）、/checkup history（自分の結果）、/checkup report [診断ID]（担当者向け集計）。使える診断: {sets}",
        "en": "Usage: /checkup (the standard checkup), /checkup SET (e.g. /checkup supplier), /checkup history (your results), /checkup report [SET] (summary for responders). Available: {sets}",
    },
    # report
    "report_title": {"ja": "セキュリティ診断の集計: {title}", "en": "Security checkup summary: {title}"},
    "report_counts": {
        "ja": "回答組織: {organizations}（各組織の最新の結果で集計） / 回答数: {results}",
        "en": "Organisations: {organizations} (latest result of each) / results: {results}",
    },
    "report_overall": {"ja": "総合点の平均: {score}", "en": "Average overall score: {score}"},
    "report_areas": {"ja": "分野別の平均（低い順）", "en": "Average by area, lowest first"},
    "report_gaps": {"ja": "多い改善ポイント", "en": "Most common gaps"},
    "report_orgs": {"ja": "組織別（総合点の低い順）", "en": "By organisation, lowest overall first"},
    "report_empty": {"ja": "この条件の診断結果はありません。", "en": "No checkup results match."},
    "col_area": {"ja": "分野", "en": "Area"},
    "col_average": {"ja": "平均", "en": "Average"},
    "col_lowest": {"ja": "最低", "en": "Lowest"},
    "col_question": {"ja": "質問", "en": "Question"},
    "col_count": {"ja": "該当組織", "en": "Organisations"},
    "col_share": {"ja": "割合", "en": "Share"},
    "col_next": {"ja": "関連する解説", "en": "Related guidance"},
    "col_org": {"ja": "組織", "en": "Organisation"},
    "col_overall": {"ja": "総合", "en": "Overall"},
    "col_weakest": {"ja": "最も弱い分野", "en": "Weakest area"},
    "col_date": {"ja": "回答日", "en": "Answered"},
}


def t(key: str, lang: str, **params: Any) -> str:
    return localize(TEXTS, key, lang, **params)
