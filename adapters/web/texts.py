"""The web pages' own words in Japanese and English, and the page language."""

from __future__ import annotations

from aiohttp import web

from bot.messages import localize

LANGS = ("ja", "en")
LANG_COOKIE = "secbot_lang"

TEXTS: dict[str, dict[str, str]] = {
    "lang_switch": {"ja": "English", "en": "日本語"},
    "skip": {"ja": "本文へ移動", "en": "Skip to content"},
    "start": {"ja": "はじめる", "en": "Start"},
    "next": {"ja": "次へ", "en": "Next"},
    "back": {"ja": "戻る", "en": "Back"},
    "submit": {"ja": "送信して結果を見る", "en": "Submit and see the result"},
    "step": {"ja": "{step} / {total} 分野", "en": "Area {step} of {total}"},
    "for_org": {"ja": "対象: {org}", "en": "For: {org}"},
    "not_sure_hint": {"ja": "わからない場合は「わからない」を選んでください。回答は「次へ」を押すたびに保存され、ページを再読み込みしたり後で開き直したりしても残ります。",
                      "en": "If you don't know, choose \"Not sure\". Your answers are saved each time you press \"Next\" and kept if you reload or come back later."},
    "answer_all": {"ja": "この分野のすべての質問に答えてください。", "en": "Please answer every question in this area."},
    "link_invalid": {"ja": "このリンクは無効です。", "en": "This link is not valid."},
    "not_found_title": {"ja": "ページが見つかりません", "en": "Page not found"},
    "not_found": {"ja": "このアドレスのページはありません。相談は /chat からどうぞ。", "en": "There is no page at this address. For help, go to /chat."},
    "link_expired": {"ja": "このリンクは有効期限が切れているか、取り消されています。依頼元に新しいリンクをお願いしてください。",
                     "en": "This link has expired or was revoked. Please ask the sender for a new link."},
    "link_used": {"ja": "この診断はすでに送信されています。次回の診断には新しいリンクが必要です。",
                  "en": "This checkup has already been submitted. A later round needs a new link."},
    "too_many": {"ja": "試行が多すぎます。しばらくしてからもう一度お試しください。",
                 "en": "Too many attempts. Please wait a minute and try again."},
    "result_title": {"ja": "診断結果", "en": "Your result"},
    "overall": {"ja": "総合スコア", "en": "Overall score"},
    "areas": {"ja": "分野別スコア（弱い順）", "en": "Score per area (weakest first)"},
    "area": {"ja": "分野", "en": "Area"},
    "score": {"ja": "スコア", "en": "Score"},
    "gaps": {"ja": "改善点（優先度順）", "en": "What to improve (most important first)"},
    "no_gaps": {"ja": "改善点はありません。", "en": "No gaps found."},
    "your_answer": {"ja": "あなたの回答", "en": "Your answer"},
    "risk": {"ja": "リスク", "en": "Risk"},
    "next_step": {"ja": "次の一歩", "en": "Next step"},
    "source": {"ja": "出典", "en": "Source"},
    "further_reading": {"ja": "参考（非公式）", "en": "Further reading (unofficial)"},
    "related": {"ja": "役立つ情報", "en": "Helpful information"},
    "not_scored": {"ja": "対象外", "en": "n/a"},
    "saved_note": {"ja": "結果は依頼元のセキュリティ担当者にも共有されました。", "en": "The result was shared with the security team that invited you."},
    "chart_alt": {"ja": "分野別スコアのグラフ（数値は下の表にあります）", "en": "Chart of the score per area (the numbers are in the table below)"},
    # chat
    "chat_title": {"ja": "セキュリティ相談", "en": "Security help"},
    "ask_label": {"ja": "質問を入力してください", "en": "Type your question"},
    "ask": {"ja": "質問する", "en": "Ask"},
    "you": {"ja": "あなた", "en": "You"},
    "bot": {"ja": "secbot", "en": "secbot"},
    "signed_in": {"ja": "{user} としてログイン中", "en": "Signed in as {user}"},
    "qa_only": {"ja": "ログインしていないため、質問への回答のみ利用できます。インシデント報告と診断は社内ログイン（認証プロキシ）経由で使えます。",
                "en": "You are not signed in, so this page answers questions only. Reporting an incident and the checkup need the company sign-in (the auth proxy)."},
    "datetime_help": {"ja": "日本時間。初期値は今の時刻です（今なら、そのまま送信できます）。", "en": "Japan time. It starts at the current time (if it is now, leave it as it is)."},
    "need_identity": {"ja": "この機能には社内ログインが必要です。", "en": "This needs the company sign-in."},
    # what an anonymous visitor reads instead of "type /incident" (they cannot use it here)
    "emergency_hint_anon": {"ja": "サイバー攻撃の被害に遭った場合は、すぐにセキュリティチームに連絡してください（このページでのインシデント報告には社内ログインが必要です）。",
                            "en": "If you are dealing with a cyber attack, contact the security team now (reporting an incident on this page needs the company sign-in)."},
    "none_reply_anon": {"ja": "お役に立てずすみません。いただいた質問は管理者が回答を追加するために記録しました。別の言い方で質問するか、緊急の場合はセキュリティチームに直接連絡してください。",
                        "en": "Sorry I couldn't help. Your question has been recorded so the admins can add an answer. Try asking another way, or contact the security team directly in an emergency."},
    # what a signed-in user reads instead: the page has a link and a button, nothing to type
    "emergency_hint_web": {"ja": "サイバー攻撃の被害に遭った場合は、このページの「インシデントを報告」から対応の手順と連絡先をご案内します。",
                           "en": "If you are dealing with a cyber attack, use \"Report an incident\" on this page for guided triage and the right contacts."},
    "none_reply_web": {"ja": "お役に立てずすみません。いただいた質問は管理者が回答を追加するために記録しました。別の言い方で質問するか、緊急の場合はこのページの「インシデントを報告」をご利用ください。",
                       "en": "Sorry I couldn't help. Your question has been recorded so the admins can add an answer. Try asking another way, or use \"Report an incident\" on this page in an emergency."},
    "incident_needs_sign_in": {"ja": "※ /incident は社内ログインして使えます。ログインできない場合はセキュリティチームに直接連絡してください。",
                               "en": "Note: /incident needs the company sign-in. If you cannot sign in, contact the security team directly."},
    "team_answers": {"ja": "セキュリティチームへの質問と回答", "en": "Your questions to the security team"},
    "security_team": {"ja": "セキュリティチーム", "en": "Security team"},
    "waiting_answer": {"ja": "回答待ちです。回答が届くとここに表示されます。", "en": "Waiting for an answer; it will appear here."},
    "check_answers": {"ja": "新しい回答を確認する（再読み込み）", "en": "Check for new answers (reload)"},
    "report_incident": {"ja": "インシデントを報告", "en": "Report an incident"},
    "checkup": {"ja": "セキュリティ診断", "en": "Security checkup"},
    "feedback_up": {"ja": "役に立った", "en": "Helpful"},
    "feedback_down": {"ja": "役に立たなかった", "en": "Not helpful"},
    "optional": {"ja": "（任意）", "en": "(optional)"},
    "choose": {"ja": "選択してください", "en": "Choose"},
    # admin
    "admin_title": {"ja": "管理ダッシュボード", "en": "Admin dashboard"},
    "login_used": {"ja": "このログインリンクは使用済みか期限切れです。`secbot web login-link` で新しいリンクを作ってください。",
                   "en": "This sign-in link was already used or has expired. Make a new one with `secbot web login-link`."},
    "sign_in": {"ja": "管理ダッシュボードにログイン", "en": "Sign in to the admin dashboard"},
    "sign_in_note": {"ja": "このリンクは1回だけ使えます。", "en": "This link works once."},
    "forbidden": {"ja": "このページを見る権限がありません。", "en": "You are not allowed to see this page."},
    "questions_per_day": {"ja": "日別の質問数（結果別）", "en": "Questions per day by outcome"},
    "day": {"ja": "日付", "en": "Day"},
    "answered": {"ja": "回答", "en": "Answered"},
    "suggested": {"ja": "候補提示", "en": "Did you mean"},
    "unknown": {"ja": "回答なし", "en": "Unknown"},
    "gaps_title": {"ja": "答えられなかった質問・👎（言い回し別）", "en": "Unanswered and 👎 questions, grouped by wording"},
    "question": {"ja": "質問", "en": "Question"},
    "count": {"ja": "件数", "en": "Count"},
    "scaffold": {"ja": "インテントの雛形（YAML）", "en": "Turn into an intent (YAML)"},
    "incidents": {"ja": "インシデント", "en": "Incidents"},
    "status": {"ja": "状態", "en": "Status"},
    "created": {"ja": "作成日時", "en": "Created"},
    "markdown_export": {"ja": "Markdownで出力", "en": "Export as Markdown"},
    "add_note": {"ja": "メモを追加", "en": "Add a note"},
    "note": {"ja": "メモ", "en": "Note"},
    "timeline": {"ja": "タイムライン", "en": "Timeline"},
    "supplier_report": {"ja": "取引先診断の集計", "en": "Supplier checkup report"},
    "checkup_sets": {"ja": "結果のある診断", "en": "Checkups with results"},
    "area_averages": {"ja": "分野別の平均スコア", "en": "Average score per area"},
    "distribution": {"ja": "総合スコアの分布（組織数）", "en": "Overall score distribution (organisations)"},
    "range": {"ja": "範囲", "en": "Range"},
    "organizations": {"ja": "組織", "en": "Organisations"},
    "common_gaps": {"ja": "よくある改善点", "en": "Most common gaps"},
    "share": {"ja": "割合", "en": "Share"},
    "csv": {"ja": "CSVをダウンロード", "en": "Download CSV"},
    "as_of": {"ja": "集計 {at}（表示のたびに最新）", "en": "Figures as of {at} (counted at each view)"},
    "nothing": {"ja": "まだありません。", "en": "Nothing yet."},
    "average": {"ja": "平均", "en": "Average"},
}


def tr(key: str, lang: str, **params: object) -> str:
    return localize(TEXTS, key, lang, **params)


def page_lang(request: web.Request, default: str = "ja", *, accept_language: bool = True) -> str:
    """?lang= (the switch) wins, then the cookie it sets, then Accept-Language, then `default`."""
    chosen = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    for part in () if not accept_language else request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return default
