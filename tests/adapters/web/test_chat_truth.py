"""Issue #15 tryout: what the chat page says and stores is true (plain HTTP against a real server)."""

from __future__ import annotations

import re

import aiohttp

from tests.adapters.web.conftest import USER_HEADER, WebServer, form_csrf

UNKNOWN = "量子暗号の社内導入ロードマップを教えてください"


async def _session(server: WebServer, user: str | None = "taro@example.co.jp", lang: str = "ja") -> aiohttp.ClientSession:
    headers = {"Accept-Language": lang, **({USER_HEADER: user} if user else {})}
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers=headers)


async def _post(session: aiohttp.ClientSession, server: WebServer, **data: str) -> str:
    async with session.get(f"{server.url}/chat") as response:
        csrf = form_csrf(await response.text())
    async with session.post(f"{server.url}/chat", data={"csrf": csrf, **data}) as response:
        assert response.status in (200, 403)
        return await response.text()


def _buttons(page: str) -> list[str]:
    return re.findall(r'name="action" value="([^"]+)"', page)


async def test_a_question_for_the_team_that_nobody_was_told_about_says_so(web_server: WebServer) -> None:
    """No security channel configured: the question is recorded, and the page does not claim it was forwarded."""
    async with await _session(web_server) as session:
        page = await _post(session, web_server, text=UNKNOWN)
        assert "expert:ask" in _buttons(page)
        page = await _post(session, web_server, action="expert:ask")
        assert "通知は送信されていません" in page and "回答はこちらにお届けします" not in page
    [asked] = await web_server.bot.store.list_expert_questions()
    assert asked.platform == "web" and asked.user_id == "taro@example.co.jp" and asked.question == UNKNOWN


def _form_of(page: str, action_prefix: str) -> dict[str, str]:
    """The hidden fields of the first button form whose action starts with `action_prefix`."""
    for form in re.findall(r"<form[^>]*>(.*?)</form>", page, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        if fields.get("action", "").startswith(action_prefix):
            return {k: v.replace("&amp;", "&") for k, v in fields.items()}
    raise AssertionError(f"no {action_prefix} button on the page")


async def test_a_vote_from_an_older_page_counts_for_that_pages_question(web_server: WebServer) -> None:
    async with await _session(web_server) as session:
        first = await _post(session, web_server, text="JC-STARとは何ですか")
        await _post(session, web_server, text="VPNの証明書を更新したい")  # a later question (another tab)
        async with session.post(f"{web_server.url}/chat", data=_form_of(first, "feedback:down:")) as response:
            assert response.status == 200
    [vote] = await web_server.bot.store.list_feedback()
    assert vote.vote == "down" and vote.intent == "jc_star" and vote.question == "JC-STARとは何ですか"


async def test_a_japanese_page_answers_an_abbreviation_in_japanese_and_without_incident_for_visitors(
        web_server: WebServer) -> None:
    async with await _session(web_server, user=None, lang="ja") as session:
        page = await _post(session, web_server, text="SCS")
        answer = re.search(r'<p class="answer-text">(.*?)</p>', page, re.S).group(1)
        assert re.search(r"[\u3040-\u30ff]", answer), answer  # kana: the answer is in Japanese
        unknown = await _post(session, web_server, text=UNKNOWN)
    # A visitor cannot use /incident here: no reply tells them to type it without saying it needs the sign-in.
    for shown in (page, unknown):
        text = re.sub(r"<[^>]+>", "", shown)
        assert "/incident で" not in text and "緊急の場合は /incident" not in text
    assert "セキュリティチームに連絡してください" in unknown


async def test_the_detection_time_picker_starts_at_now_and_its_help_does_not_say_type_now(web_server: WebServer) -> None:
    async with await _session(web_server) as session, session.get(f"{web_server.url}/incident") as response:
        page = await response.text()
    picker = re.search(r'<input type="datetime-local" id="f-detected_at" name="detected_at" value="([^"]*)"', page)
    assert picker and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", picker.group(1))
    assert "「今」" not in page and "初期値は今の時刻" in page


async def test_the_unanswered_reply_points_at_what_the_page_offers_not_at_typing_a_command(web_server: WebServer) -> None:
    async with await _session(web_server) as session:
        page = await _post(session, web_server, text=UNKNOWN)
    conversation = page[page.index('id="conversation"'):]
    assert "/incident で" not in conversation and "/incident をご利用" not in conversation
    assert "「インシデントを報告」" in conversation and 'href="/incident"' in page  # the words name the page's link
