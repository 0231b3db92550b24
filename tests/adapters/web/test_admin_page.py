"""The admin dashboard in a real browser: charts with tables, the CSV, gaps, incidents, access."""

from __future__ import annotations

import csv
import io
import time

import aiohttp

from bot.store.web_tokens import WebTokens
from intents.checkup.scoring import score
from tests.adapters.web.conftest import ADMIN, DESKTOP, PHONE, RESPONDER, USER_HEADER, WebServer, screenshot


async def _seed(server: WebServer) -> None:
    store = server.bot.store
    checkup = server.bot.knowledge.current.components["checkup"].sets["supplier"]
    for index, org in enumerate(("ACME部品", "Beta工業", "Gamma精機")):
        answers = {q.id: q.choices[min(index, len(q.choices) - 1)].value for q in checkup.questions}
        await store.save_checkup(respondent=f"invite:{index}", platform="web", organization=org, set_id="supplier",
                                 lang="ja", answers=answers, scores=score(checkup, answers).to_dict())
    for text, band in (("JC-STARとは", "answer"), ("社内wifiのパスワードは", "unknown"),
                       ("社内wifiのパスワードを教えて", "unknown"), ("ラベル", "suggest")):
        await store.record_question(platform="web", lang="ja", text=text, band=band,
                                    intent="jc_star" if band == "answer" else None, score=0.9)
    await store.create_incident(reporter="taro@example.co.jp", platform="web", lang="ja",
                                answers={"incident_type": "ransomware", "description": "<b>暗号化</b>された"},
                                result={"contacts": []})


async def _download(context, page, selector: str, content_type: str) -> bytes:
    """The file behind a download link, fetched with the browser's own identity and cookies.
    (Debian's headless Chromium cancels downloads under Playwright, so the link is followed here.)"""
    href = await page.locator(selector).first.get_attribute("href")
    response = await context.request.get(page.url.split("/admin")[0] + href)
    assert response.status == 200 and response.headers["content-type"].startswith(content_type)
    assert response.headers["content-disposition"].startswith("attachment")
    return await response.body()


async def test_an_admin_sees_the_charts_with_tables_and_downloads_the_csv(web_server: WebServer, browser) -> None:
    await _seed(web_server)
    context = await browser.new_context(viewport=DESKTOP, locale="ja-JP", accept_downloads=True,
                                        extra_http_headers={USER_HEADER: ADMIN})
    page = await context.new_page()
    await page.goto(f"{web_server.url}/admin")
    assert await page.locator("h1").inner_text() == "管理ダッシュボード"
    assert await page.locator(".chart").count() == 3
    for chart in await page.locator(".chart").all():  # every chart is named and has its numbers in a table
        assert await chart.get_attribute("role") == "img" and await chart.get_attribute("aria-label")
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))
    row = page.locator("#questions-table tr", has_text=today)
    assert await row.locator("td").all_text_contents() == [today, "1", "1", "2"]  # in a <details> under the chart
    assert await page.locator("#distribution tbody tr").count() == 5
    gaps = await page.locator("#gaps-table tbody tr").all_inner_texts()
    assert any("wifi" in g and "\t2\t" in g for g in gaps)  # two wordings grouped
    await screenshot(page, "admin-desktop")

    csv_file = await _download(context, page, "#csv-link", "text/csv")
    rows = list(csv.reader(io.StringIO(csv_file.decode("utf-8-sig"))))
    assert any("ACME部品" in r for r in rows) and any("Gamma精機" in r for r in rows)

    scaffold = (await _download(context, page, "#gaps-table a", "application/yaml")).decode()
    assert scaffold.startswith("version: 1\nintents:\n") and "wifi" in scaffold

    await page.locator("#incidents-table a").first.click()
    assert "<b>暗号化</b>" in await page.locator("main").inner_text()  # shown as text
    await page.get_by_label("メモ", exact=True).fill("端末を隔離済み")
    await page.get_by_role("button", name="メモを追加").click()
    assert "端末を隔離済み" in await page.locator("#timeline").inner_text()
    await screenshot(page, "admin-incident-desktop")
    assert (await _download(context, page, "#md-link", "text/markdown")).decode().startswith("# ")
    await page.set_viewport_size(PHONE)
    await page.goto(f"{web_server.url}/admin")
    await screenshot(page, "admin-phone")


async def test_anyone_else_gets_403_and_no_incident_detail(web_server: WebServer, browser) -> None:
    await _seed(web_server)
    [incident] = await web_server.bot.store.list_incidents()
    for headers in ({}, {USER_HEADER: "someone@example.co.jp"}):
        page = await (await browser.new_context(extra_http_headers=headers)).new_page()
        for path in ("/admin", f"/admin/incidents/{incident.id}", f"/admin/incidents/{incident.id}/report.md",
                     "/admin/checkups.csv"):
            response = await page.goto(web_server.url + path)
            assert response.status == 403, path
            assert "暗号化" not in await response.text() and "ACME" not in await response.text()
    page = await (await browser.new_context(extra_http_headers={USER_HEADER: RESPONDER})).new_page()
    assert (await page.goto(f"{web_server.url}/admin")).status == 200  # responders are let in


async def test_a_one_time_login_link_signs_in_once(web_server: WebServer, browser) -> None:
    link = await WebTokens(web_server.bot.store).create_login(ADMIN)
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{web_server.url}/login/{link}")
    await page.locator("form button").click()
    await page.wait_for_url("**/admin")
    assert await page.locator("h1").inner_text() in ("管理ダッシュボード", "Admin dashboard")
    [cookie] = [c for c in await context.cookies() if c["name"] == "secbot_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    other = await (await browser.new_context()).new_page()
    for used_or_made_up in (link, "xyz"):  # refused on the page itself: no button that would only fail
        response = await other.goto(f"{web_server.url}/login/{used_or_made_up}")
        assert response.status == 403 and await other.locator("form button").count() == 0
        text = await other.locator("main").inner_text()
        assert "使用済み" in text or "already used" in text


async def test_the_security_headers_are_on_every_page(web_server: WebServer) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/chat", "/admin", "/checkup/i/nope"):
            async with session.get(web_server.url + path) as response:
                csp = response.headers["Content-Security-Policy"]
                assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
                assert response.headers["X-Frame-Options"] == "DENY"
                cookie = response.headers.get("Set-Cookie", "")
                assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        async with session.get(web_server.url + "/chat", headers={"X-Forwarded-Proto": "https"}) as response:
            assert "Secure" in response.headers["Set-Cookie"]


async def test_the_language_follows_the_browser_and_the_switch_is_remembered(web_server: WebServer) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(web_server.url + "/chat", headers={"Accept-Language": "en-US,en;q=0.9"}) as response:
            assert '<html lang="en">' in await response.text()
        async with session.get(web_server.url + "/chat", headers={"Accept-Language": "ja"}) as response:
            assert "セキュリティ相談" in await response.text()
        async with session.get(web_server.url + "/chat?lang=en", headers={"Accept-Language": "ja"}) as response:
            assert "Security help" in await response.text()
        async with session.get(web_server.url + "/chat", headers={"Accept-Language": "ja"}) as response:
            assert "Security help" in await response.text()  # the switch wins from then on


async def test_the_unanswered_table_lists_only_unanswered_and_thumbs_down_questions(web_server: WebServer) -> None:
    store = web_server.bot.store
    await store.record_question(platform="web", lang="ja", text="VPNの証明書の更新手順", band="answer", intent="vpn", score=0.5)
    await store.record_question(platform="web", lang="ja", text="量子暗号の導入ロードマップ", band="unknown", intent=None, score=0.1)
    await store.record_question(platform="web", lang="ja", text="SCSの星の取り方", band="answer", intent="scs", score=0.9)
    await store.record_feedback(platform="web", user_id="u", intent="scs", vote="down", question="SCSの星の取り方")
    async with aiohttp.ClientSession(headers={USER_HEADER: ADMIN}) as session:
        async with session.get(f"{web_server.url}/admin") as response:
            page = await response.text()
    table = page[page.index('id="gaps-table"'):page.index("</table>", page.index('id="gaps-table"'))]
    assert "量子暗号の導入ロードマップ" in table and "SCSの星の取り方" in table  # unknown, and answered but 👎
    assert "VPNの証明書の更新手順" not in table  # answered (if with a low score) and nobody said it was wrong


async def test_the_dashboard_links_every_checkup_set_that_has_results(web_server: WebServer) -> None:
    store = web_server.bot.store
    scs = web_server.bot.knowledge.current.components["checkup"].sets["scs_star3"]
    answers = {q.id: q.choices[0].value for q in scs.questions}
    await store.save_checkup(respondent="invite:9", platform="web", organization="Delta電機", set_id="scs_star3",
                             lang="ja", answers=answers, scores=score(scs, answers).to_dict())
    async with aiohttp.ClientSession(headers={USER_HEADER: ADMIN}) as session:
        async with session.get(f"{web_server.url}/admin") as response:  # the supplier set: no results yet
            page = await response.text()
        assert 'href="/admin?set=scs_star3"' in page and "(1)" in page
        async with session.get(f"{web_server.url}/admin?set=scs_star3") as response:
            shown = await response.text()
        assert f"取引先診断の集計: {scs.title.get('ja')}</h2>" in shown and "組織: 1 " in shown


async def test_the_incident_page_uses_the_words_of_incidents_show_not_stored_keys(web_server: WebServer) -> None:
    record = await web_server.bot.store.create_incident(
        reporter="taro@example.co.jp", platform="web", lang="ja", result={"contacts": []},
        answers={"incident_type": "ransomware", "personal_data": "unknown", "affected_systems": "経理のPC"})
    async with aiohttp.ClientSession(headers={USER_HEADER: ADMIN}) as session:
        async with session.get(f"{web_server.url}/admin/incidents/{record.id}") as response:
            page = await response.text()
        async with session.get(f"{web_server.url}/admin") as response:
            dashboard = await response.text()
    for key in ("affected_systems", ">ransomware<", ">unknown<", ">open<", "personal_data"):
        assert key not in page, key
    assert "ランサムウェア" in page and "対応中" in page and "経理のPC" in page and page.count("メモを追加") == 1
    assert "ランサムウェア" in dashboard and ">ransomware<" not in dashboard


async def test_the_dashboard_counts_a_result_saved_a_moment_ago_and_the_csv_matches_the_report(
        web_server: WebServer, monkeypatch) -> None:
    """No cached figures: an admin who reloads after a supplier submits sees them counted."""
    from adapters.web import admin
    from intents.checkup.report import summarize, to_csv

    monkeypatch.setattr(admin, "CSV_PAGE", 3)  # 4 organisations: the CSV is streamed in two pages

    await _seed(web_server)
    store = web_server.bot.store
    checkup = web_server.bot.knowledge.current.components["checkup"].sets["supplier"]
    async with aiohttp.ClientSession(headers={USER_HEADER: ADMIN}) as session:
        async with session.get(f"{web_server.url}/admin") as response:
            assert "組織: 3 " in await response.text()
        answers = {q.id: q.choices[-1].value for q in checkup.questions}
        await store.save_checkup(respondent="invite:7", platform="web", organization="Ｄｅｌｔａ電機", set_id="supplier",
                                 lang="ja", answers=answers, scores=score(checkup, answers).to_dict())
        await store.record_question(platform="web", lang="ja", text="量子暗号の導入ロードマップ", band="unknown",
                                    intent=None, score=0.1)
        async with session.get(f"{web_server.url}/admin") as response:
            page = await response.text()
        assert "組織: 4 " in page and "量子暗号の導入ロードマップ" in page
        async with session.get(f"{web_server.url}/admin/checkups.csv") as response:
            streamed = (await response.read()).decode("utf-8-sig")
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    # The same file as `secbot checkup report --format csv` computes from the whole records.
    assert streamed == to_csv(summarize(checkup, await store.list_checkups(), "ja"))
    assert "Ｄｅｌｔａ電機" in streamed


async def test_a_new_install_says_there_are_no_questions_yet_instead_of_an_empty_chart(web_server: WebServer) -> None:
    async with aiohttp.ClientSession(headers={USER_HEADER: ADMIN}) as session:
        async with session.get(f"{web_server.url}/admin") as response:
            page = await response.text()
        assert 'id="no-questions"' in page and 'id="questions-table"' in page  # the table (all zeros) stays
        charts = page.count('<svg class="chart"')
        await web_server.bot.store.record_question(platform="web", lang="ja", text="JC-STARとは", band="answer",
                                                   intent="jc_star", score=0.9)
        async with session.get(f"{web_server.url}/admin") as response:
            page = await response.text()
        assert 'id="no-questions"' not in page and page.count('<svg class="chart"') == charts + 1
