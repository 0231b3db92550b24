"""The chat page in a real browser: answers with sources, "did you mean" buttons, feedback, forms."""

from __future__ import annotations

import asyncio
import re

import pytest

from adapters.cli import main
from tests.adapters.web.conftest import (
    DESKTOP,
    PHONE,
    USER_HEADER,
    WebServer,
    screenshot,
    serious_accessibility_violations,
)


async def test_a_question_is_answered_and_a_did_you_mean_button_gives_its_answer(web_server: WebServer, browser) -> None:
    page = await (await browser.new_context(viewport=DESKTOP, locale="ja-JP")).new_page()
    await page.goto(f"{web_server.url}/chat")
    assert "質問への回答のみ" in await page.locator("main").inner_text()  # no identity: Q&A only, and it says so
    await page.get_by_label("質問を入力してください").fill("JC-STARとは何ですか")
    await page.get_by_role("button", name="質問する").click()
    reply = page.locator(".msg.bot").first
    assert "JC-STAR" in await reply.locator(".reply-title").inner_text()
    assert "出典" in await reply.inner_text() and await reply.get_by_role("link").count() >= 1
    await screenshot(page, "chat-answer-desktop")
    assert await serious_accessibility_violations(page) == []
    await reply.get_by_role("button", name="役に立った").click()
    assert "ありがとう" in await page.locator(".msg.bot").first.inner_text()
    [vote] = await web_server.bot.store.list_feedback()
    assert vote.vote == "up" and vote.intent == "jc_star" and vote.platform == "web"

    await page.get_by_label("質問を入力してください").fill("星")  # JC-STAR or the SCS rating: both have ★ levels
    await page.get_by_role("button", name="質問する").click()
    suggestions = page.locator(".reply-suggestions")
    assert "どれか" in await suggestions.inner_text()
    first = suggestions.get_by_role("button").first
    label = await first.inner_text()
    await screenshot(page, "chat-did-you-mean-desktop")
    await first.click()
    assert await page.locator(".msg.bot .reply-title").first.inner_text() == label
    bands = [q.band for q in await web_server.bot.store.list_questions()]
    assert sorted(bands) == ["answer", "suggest"]


async def test_a_script_in_a_question_is_shown_as_text(web_server: WebServer, browser) -> None:
    page = await (await browser.new_context(viewport=PHONE)).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.goto(f"{web_server.url}/chat")
    await page.get_by_label(re.compile("question|質問")).fill('<script>alert("x")</script><img src=x onerror=alert(2)>')
    await page.locator("form.ask button").click()
    assert await page.locator("#asked").inner_text() == '<script>alert("x")</script><img src=x onerror=alert(2)>'
    # Not signed in: no "ask the security team" or "/incident" button that would only be refused.
    labels = await page.locator("#conversation button").all_inner_texts()
    assert labels and not [b for b in labels if "security team" in b or "/incident" in b], labels
    assert await page.locator("#conversation script, #conversation img").count() == 0 and dialogs == []
    await screenshot(page, "chat-script-as-text-phone")
    assert await serious_accessibility_violations(page) == []


async def test_without_identity_forms_are_refused(web_server: WebServer, browser) -> None:
    page = await (await browser.new_context(viewport=PHONE, locale="en-US")).new_page()
    response = await page.goto(f"{web_server.url}/incident")
    assert response.status == 403 and "company sign-in" in await page.locator("main").inner_text()
    await page.get_by_label("Type your question").fill("/incident")
    await page.locator("form.ask button").click()
    assert "company sign-in" in await page.locator("#conversation").inner_text()
    assert await web_server.bot.store.list_incidents() == []


async def test_an_incident_reported_on_the_web_is_listed_by_the_cli(web_server: WebServer, browser, monkeypatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    context = await browser.new_context(viewport=PHONE, locale="ja-JP",
                                        extra_http_headers={USER_HEADER: "taro@example.co.jp"})
    page = await context.new_page()
    await page.goto(f"{web_server.url}/incident")
    form = page.locator("form.bot-form")
    assert await form.count() == 1
    for select in await form.locator("select[required]").all():
        await select.select_option(index=1)
    await form.locator("input[type=datetime-local]").fill("2026-11-01T09:30")
    await form.locator("input[type=text][required]").fill("経理部のPC 1台")
    await form.locator("textarea").fill("不審なメールの添付ファイルを開いた")
    await screenshot(page, "incident-form-phone")
    await form.locator("button[type=submit]").click()
    text = await page.locator("#conversation").inner_text()
    found = re.search(r"INC-\d{8}-\d{4}", text)
    assert found, text
    await screenshot(page, "incident-created-phone")
    [record] = await web_server.bot.store.list_incidents()
    assert record.id == found.group(0) and record.reporter == "taro@example.co.jp" and record.platform == "web"
    monkeypatch.setenv("SECBOT_DATABASE_URL", web_server.database_url)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["incidents", "show", record.id]) == 0  # the CLI runs its own loop
    assert record.id in capsys.readouterr().out


async def test_the_checkup_form_on_the_chat_page_scores_and_stores_the_result(web_server: WebServer, browser) -> None:
    context = await browser.new_context(viewport=DESKTOP, locale="en-US",
                                        extra_http_headers={USER_HEADER: "hanako@example.co.jp"})
    page = await context.new_page()
    await page.goto(f"{web_server.url}/checkup")
    form = page.locator("form.bot-form")
    checkup = web_server.bot.knowledge.current.components["checkup"].default
    assert await form.locator("select").count() == len(checkup.questions)  # the set's own questions
    await form.get_by_label("Organisation name").fill("Sales dept.")
    for select in await form.locator("select").all():
        await select.select_option(index=1)
    await form.locator("button[type=submit]").click()
    text = await page.locator("#conversation").inner_text()
    assert "Sales dept." in text and "100" in text, text
    [record] = await web_server.bot.store.list_checkups()
    assert record.platform == "web" and record.respondent == "hanako@example.co.jp" and record.overall == 100


async def test_a_responders_answer_reaches_the_web_user_on_the_chat_page(web_server: WebServer, browser) -> None:
    """Ask the security team on the web; a responder answers with /answer in Slack; the asker sees it on /chat."""
    from adapters.web.app import create_app
    from adapters.web.context import WebConfig
    from bot.http_limits import start_server
    from bot.models import IncomingMessage
    from knowledge import SHIPPED_DIR

    sent = []

    async def notify(note) -> bool:  # the security channel accepted the question
        sent.append(note)
        return True

    runner = await start_server(create_app(web_server.bot, WebConfig(user_header=USER_HEADER, knowledge_dir=SHIPPED_DIR),
                                           notify=notify), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        context = await browser.new_context(viewport=PHONE, locale="ja-JP",
                                            extra_http_headers={USER_HEADER: "hanako@example.co.jp"})
        page = await context.new_page()
        await page.goto(f"{url}/chat")
        await page.get_by_label("質問を入力してください").fill("量子暗号の社内導入ロードマップを教えてください")
        await page.get_by_role("button", name="質問する").click()
        await page.get_by_role("button", name=re.compile("セキュリティチームに質問")).click()
        assert "回答はこちらにお届けします" in await page.locator("#conversation").inner_text()
        assert "回答待ち" in await page.locator("#answers").inner_text()
        [note] = sent
        question_id = note.data["question_id"]

        answered = await web_server.bot.handle(IncomingMessage(
            user_id="resp@example.co.jp", conversation_id="C0SECURITY", platform="slack",
            text=f"/answer {question_id} 2030年までの移行計画はCRYPTRECの資料を参照してください"))
        assert question_id in answered.replies[0].text

        await page.get_by_role("button", name=re.compile("新しい回答を確認")).click()
        answers = await page.locator("#answers").inner_text()
        assert "CRYPTRECの資料を参照してください" in answers and "回答待ち" not in answers
        await screenshot(page, "chat-team-answer-phone")
        assert await serious_accessibility_violations(page) == []
        # Another user never sees it.
        other = await (await browser.new_context(extra_http_headers={USER_HEADER: "jiro@example.co.jp"})).new_page()
        await other.goto(f"{url}/chat")
        assert await other.locator("#answers").count() == 0
    finally:
        await runner.cleanup()
