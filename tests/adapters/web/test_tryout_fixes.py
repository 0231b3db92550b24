"""Issue tryout (new user, web front end): what a visitor, a supplier and an admin read (plain HTTP)."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from adapters.web.app import create_app
from adapters.web.context import WebConfig
from bot.http_limits import start_server
from bot.messages import as_of_text
from bot.models import Notification
from bot.settings import Settings
from bot.store.web_tokens import WebTokens
from intents.assemble import create_bot
from knowledge import SHIPPED_DIR
from tests.adapters.web.conftest import ADMIN, DESKTOP, PHONE, USER_HEADER, WebServer, form_csrf, screenshot
from tests.adapters.web.test_chat_truth import _post, _session

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _bot_replies(page: str) -> list[str]:
    conversation = page.split('id="conversation"')[1].split("</section>")[0]
    return conversation.split('<div class="msg bot')[1:]


async def test_an_english_answer_on_a_japanese_page_has_no_japanese_note_and_no_slash_incident(
        web_server: WebServer) -> None:
    async with await _session(web_server, user=None, lang="ja") as session:
        page = await _post(session, web_server, text="what is the weather tomorrow")
    [reply] = _bot_replies(page)
    assert "have information to answer that" in reply and "contact the security team now" in reply
    assert not JAPANESE.search(reply), reply  # no 「※ /incident は…」 in an English answer
    assert "/incident" not in reply  # a visitor cannot use it here


async def test_a_note_about_slash_incident_follows_the_buttons_in_the_answers_language(web_server: WebServer) -> None:
    """A knowledge answer that says "Type /incident", to a visitor: the note that it needs the
    sign-in is in the answer's language (English on a Japanese page), after the answer's buttons."""
    async with await _session(web_server, user=None, lang="ja") as session:
        page = await _post(session, web_server, text="ransomware encrypted all our files")
    [reply] = _bot_replies(page)
    note = re.search(r'<p class="notice reply-note">(.*?)</p>', reply)
    assert note and "needs the company sign-in" in note.group(1) and not JAPANESE.search(note.group(1))
    assert reply.index("reply-note") > reply.rfind('name="action"') > 0  # after the buttons, not in the text


async def test_a_message_of_only_spaces_is_answered_in_the_pages_language(web_server: WebServer) -> None:
    async with await _session(web_server, user=None, lang="ja") as session:
        await _post(session, web_server, text="what is JC-STAR")  # the conversation was in English so far
        page = await _post(session, web_server, text="   ")
    assert "メッセージが空" in page or "空です" in page, _bot_replies(page)
    assert "Your message was empty" not in page


async def test_admin_without_a_session_says_how_to_sign_in(web_server: WebServer) -> None:
    async with aiohttp.ClientSession(headers={"Accept-Language": "ja"}) as session:
        async with session.get(f"{web_server.url}/admin") as response:
            assert response.status == 403
            page = await response.text()
    assert "認証プロキシ" in page and "secbot web login-link" in page


async def test_a_login_link_session_counts_as_signed_in_on_the_chat_page(web_server: WebServer) -> None:
    link = await WebTokens(web_server.bot.store).create_login(ADMIN)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     headers={"Accept-Language": "ja"}) as session:
        async with session.get(f"{web_server.url}/login/{link}") as response:
            csrf = form_csrf(await response.text())
        async with session.post(f"{web_server.url}/login/{link}", data={"csrf": csrf}) as response:
            assert response.status == 200 and response.url.path == "/admin"
        async with session.get(f"{web_server.url}/chat") as response:
            page = await response.text()
        assert "ログインしていないため" not in page and f"{ADMIN} としてログイン中" in page
        async with session.get(f"{web_server.url}/incident") as response:  # the forms work too
            assert response.status == 200 and 'name="form_id"' in await response.text()


async def test_a_japanese_answers_source_date_reads_as_the_terminal_says_it(web_server: WebServer) -> None:
    async with await _session(web_server, user=None, lang="ja") as session:
        page = await _post(session, web_server, text="JC-STARとは何ですか")
    sources = re.findall(r'<p class="muted">出典: <a [^>]*>[^<]*</a>([^<]*)</p>', page)
    dated = [d for d in sources if d]
    assert dated and all(re.fullmatch(r"（\d{4}年\d{1,2}月時点）", d) for d in dated), sources
    assert as_of_text("2026-11", "ja") == "（2026年11月時点）"  # the terminal's words, from the one catalog


async def test_an_unknown_choice_lists_the_choices_by_their_labels(web_server: WebServer) -> None:
    async with await _session(web_server, lang="ja") as session:
        page = await _post(session, web_server, form_id="incident_form", incident_type="nonsense")
    error = re.search(r"「nonsense」は選べません（選択肢: (.*?)）", page)
    assert error, page
    assert "ランサムウェア" in error.group(1) and "ransomware" not in error.group(1)


async def test_an_invalid_link_says_so_once_and_what_to_do(web_server: WebServer) -> None:
    async with aiohttp.ClientSession(headers={"Accept-Language": "ja"}) as session:
        async with session.get(f"{web_server.url}/checkup/i/made-up") as response:
            assert response.status == 404
            page = await response.text()
    assert page.count("このリンクは無効です。") == 2  # the <title> and the heading, not a third time below
    assert "新しい招待リンクをお願いしてください" in page


async def test_the_site_has_a_favicon(web_server: WebServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{web_server.url}/chat") as response:
            icon = re.search(r'<link rel="icon" href="([^"]+)"', await response.text())
        assert icon
        for path in (icon.group(1), "/favicon.ico"):
            async with session.get(web_server.url + path) as response:
                assert response.status == 200 and response.content_type == "image/svg+xml"
                assert (await response.text()).startswith("<svg")


async def test_a_long_description_keeps_the_question_column_readable(web_server: WebServer, browser) -> None:
    record = await web_server.bot.store.create_incident(
        reporter="taro@example.co.jp", platform="cli", lang="ja", result={"contacts": []},
        answers={"incident_type": "ransomware", "description": "暗号化" * 6700})  # 20,100 characters, no spaces
    context = await browser.new_context(viewport=DESKTOP, extra_http_headers={USER_HEADER: ADMIN})
    page = await context.new_page()
    await page.goto(f"{web_server.url}/admin/incidents/{record.id}")
    question = await page.locator("#answers th").last.bounding_box()
    assert question and question["width"] > 150  # not one character wide
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def test_the_team_notification_says_when_the_description_was_shortened(tmp_path: Path) -> None:
    sent: list[Notification] = []

    async def notify(note: Notification) -> bool:
        sent.append(note)
        return True

    settings = Settings.from_env({}, knowledge_dir=SHIPPED_DIR, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    bot = await create_bot(settings)
    runner = await start_server(create_app(bot, WebConfig(user_header=USER_HEADER), notify=notify), "127.0.0.1", 0)
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    form = bot.knowledge.current.components["triage"].form("ja")
    values = {f.id: (f.choices[0].value if f.kind == "choice" else "2026-11-01T09:30" if f.kind == "datetime" else "PC")
              for f in form.fields if f.required and not f.show_if}
    description = "".join(f"{i:04d}行目の状況。" for i in range(200))[:2000]
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                         headers={USER_HEADER: "taro@example.co.jp"}) as session:
            async with session.get(base + "/incident") as response:
                csrf = form_csrf(await response.text())
            async with session.post(base + "/chat", data={"csrf": csrf, "form_id": form.id, **values,
                                                          "description": description}) as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
        await bot.store.close()
    [note] = [n for n in sent if n.kind == "incident_created"]
    assert description[:500] in note.text and description not in note.text  # shortened, and it says so:
    assert "…" in note.text and "2000" in note.text and "省略" in note.text


async def test_chart_labels_are_whole_and_as_big_as_the_text_on_a_desktop_and_readable_on_a_phone(
        web_server: WebServer, browser) -> None:
    from tests.adapters.web.test_admin_page import _seed

    await _seed(web_server)
    checkup = web_server.bot.knowledge.current.components["checkup"].sets["supplier"]
    titles = [area.title.get("en") for area in checkup.areas]
    for viewport in (DESKTOP, PHONE):
        context = await browser.new_context(viewport=viewport, locale="en-US", extra_http_headers={USER_HEADER: ADMIN})
        page = await context.new_page()
        await page.goto(f"{web_server.url}/admin?lang=en")
        labels = await page.locator(".bars").first.locator(".barlabel").all_inner_texts()
        assert sorted(label.rsplit(" ", 1)[0] for label in labels) == sorted(titles)  # whole, nothing cut
        body = await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        label_size = await page.locator(".bars .barlabel").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert label_size == body
        axis = await page.locator("svg.chart text.axis").first.bounding_box()  # drawn size, after the SVG scales
        assert axis is not None
        if viewport is DESKTOP:
            assert axis["height"] <= body * 1.5
        else:
            assert axis["height"] >= 11
        await context.close()


async def test_the_incident_result_is_a_page_with_links_and_a_warning_when_nobody_was_notified(
        web_server: WebServer, browser) -> None:
    context = await browser.new_context(viewport=PHONE, locale="ja-JP", extra_http_headers={USER_HEADER: ADMIN})
    page = await context.new_page()
    await page.goto(f"{web_server.url}/incident")
    form = page.locator("form.bot-form")
    await form.locator("select#f-incident_type").select_option("ransomware")
    for select in await form.locator("select[required]").all():
        if not await select.input_value():
            await select.select_option(index=1)
    for field in await form.locator("input[type=text][required], textarea[required]").all():
        await field.fill("<b>経理のPC</b>")
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    result = page.locator(".incident-result")
    warning = result.locator("#incident-status")
    assert await warning.get_attribute("role") == "alert" and "warning" in (await warning.get_attribute("class") or "")
    assert "通知は送信されていません" in await warning.inner_text()  # no security channel in this server
    assert await result.locator("h3").count() >= 2 and await result.locator("ol.steps li").count() >= 1
    assert "■" not in await result.inner_text()
    links = await result.locator("a[href^='https://']").all()
    assert links and all("noopener" in rel for rel in [await link.get_attribute("rel") or "" for link in links])
    assert await result.locator("a[href^='mailto:']").count() >= 1
    assert await page.locator("b", has_text="経理のPC").count() == 0  # what the user typed stays text
    await screenshot(page, "incident-result-phone")
