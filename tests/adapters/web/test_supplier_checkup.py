"""A supplier completes a checkup from an invitation link in a real browser, on a phone."""

from __future__ import annotations

import re
import time

import aiohttp

from bot.store.web_tokens import WebTokens
from tests.adapters.web.conftest import (
    DESKTOP,
    PHONE,
    WebServer,
    form_csrf,
    screenshot,
    serious_accessibility_violations,
)


async def _invite(server: WebServer, **options: object) -> tuple[str, int]:
    token, invite = await WebTokens(server.bot.store).create_invite(
        organization=str(options.get("organization", "ACME部品")), set_id=str(options.get("set_id", "supplier")), lang=str(options.get("lang", "ja")),
        expires_in=float(options.get("expires_in", 3600)), now=options.get("now"))  # type: ignore[arg-type]
    return f"{server.url}/checkup/i/{token}", invite.id


async def test_a_supplier_completes_the_checkup_on_a_phone_and_sees_the_result(web_server: WebServer, browser) -> None:
    link, invite_id = await _invite(web_server)
    context = await browser.new_context(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(link)
    assert await page.locator("h1").inner_text() == "取引先セキュリティ診断"
    assert "ACME部品" in await page.locator("main").inner_text()
    await screenshot(page, "supplier-intro-phone")
    assert await serious_accessibility_violations(page) == []
    await page.get_by_role("link", name="はじめる").click()

    areas = len(web_server.bot.knowledge.current.components["checkup"].sets["supplier"].areas)
    for step in range(1, areas + 1):
        assert f"{step} / {areas}" in await page.locator(".progress").inner_text()
        groups = page.locator("fieldset")
        for index in range(await groups.count()):
            group = groups.nth(index)
            # The first question of the first area "not sure", the rest the best answer.
            name = "わからない" if (step, index) == (1, 0) else "はい"
            choice = group.get_by_role("radio", name=name)
            if await choice.count() == 0:
                choice = group.get_by_role("radio").first
            await choice.check()
        if step == 1:
            await screenshot(page, "supplier-step-phone")
            assert await serious_accessibility_violations(page) == []
        await page.locator("form button[type=submit]").click()
        if step == 1:  # each step is saved: after a reload, "back" shows the answers given
            await page.wait_for_url("**/step/2")
            await page.reload()
            await page.get_by_role("link", name="戻る").click()
            assert await page.locator("fieldset").first.get_by_role("radio", name="わからない").is_checked()
            await page.locator("form button[type=submit]").click()

    await page.wait_for_url("**/result")
    text = await page.locator("main").inner_text()
    assert "診断結果" in text and "総合スコア" in text
    overall = int(await page.locator("#overall").inner_text())
    assert 0 < overall < 100
    # The "not sure" answer is the first gap, with its risk, next step and related knowledge.
    first_gap = page.locator(".gap").first
    assert "更新" in await first_gap.locator("h3").inner_text()
    assert "リスク" in await first_gap.inner_text() and "次の一歩" in await first_gap.inner_text()
    summaries = await page.locator("details summary").all_inner_texts()
    assert any("お助け隊" in s for s in summaries)
    # The chart's numbers are in a table beside it; the weakest area comes first.
    rows = await page.locator("#area-table tbody tr").all_inner_texts()
    scores = [int(r.split("\t")[-1]) for r in rows if r.split("\t")[-1].isdigit()]
    assert scores == sorted(scores) and scores[0] < 100
    await screenshot(page, "supplier-result-phone")
    await page.set_viewport_size(DESKTOP)
    await screenshot(page, "supplier-result-desktop")

    # The result is in the same store as /checkup's, and the invitation is completed.
    [record] = await web_server.bot.store.list_checkups(set_id="supplier")
    assert record.organization == "ACME部品" and record.platform == "web" and record.overall == overall
    [invite] = await WebTokens(web_server.bot.store).list_invites()
    assert invite.id == invite_id and invite.state() == "completed" and invite.result_id == record.id

    # The same link cannot answer again (a later round needs a new invitation): a step leads to the result.
    await page.goto(link + "/step/1")
    assert page.url.endswith("/result") and "診断結果" in await page.locator("main").inner_text()
    await context.close()


async def test_expired_revoked_unknown_and_reused_links_are_refused(web_server: WebServer, browser) -> None:
    expired, _ = await _invite(web_server, expires_in=60, now=time.time() - 120)
    revoked, revoked_id = await _invite(web_server, lang="en")
    await WebTokens(web_server.bot.store).revoke_invite(revoked_id)
    page = await (await browser.new_context(viewport=PHONE)).new_page()
    response = await page.goto(expired)
    assert response.status == 410 and "有効期限" in await page.locator("main").inner_text()
    response = await page.goto(revoked)
    assert response.status == 410 and "expired or was revoked" in await page.locator("main").inner_text()
    await screenshot(page, "supplier-refused-phone")
    response = await page.goto(f"{web_server.url}/checkup/i/not-a-real-token")
    assert response.status == 404


async def test_a_used_link_cannot_submit_again_even_with_a_form_kept_open(web_server: WebServer) -> None:
    link, invite_id = await _invite(web_server)
    tokens = WebTokens(web_server.bot.store)
    checkup = web_server.bot.knowledge.current.components["checkup"].sets["supplier"]
    await tokens.save_draft(invite_id, {q.id: q.choices[0].value for q in checkup.questions})
    last = len(checkup.areas)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{link}/step/{last}") as response:
            csrf = form_csrf(await response.text())
        form = {"csrf": csrf, **{q.id: q.choices[0].value for q in checkup.areas[-1].questions}}
        async with session.post(f"{link}/step/{last}", data=form, allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"].endswith("/result")
        async with session.post(f"{link}/step/{last}", data=form, allow_redirects=False) as response:
            assert response.status == 409 and "すでに送信" in await response.text()
        async with session.get(f"{link}/step/1", allow_redirects=False) as response:  # a bookmarked step
            assert response.status == 303 and response.headers["Location"].endswith("/result")
        # A form without the CSRF token is refused before anything is read.
        async with session.post(f"{link}/step/{last}", data={k: v for k, v in form.items() if k != "csrf"}) as response:
            assert response.status == 403
    assert len(await web_server.bot.store.list_checkups(set_id="supplier")) == 1


async def test_guessing_tokens_is_rate_limited(web_server: WebServer) -> None:
    link, _ = await _invite(web_server)
    async with aiohttp.ClientSession() as session:
        statuses = []
        for attempt in range(12):
            async with session.get(f"{web_server.url}/checkup/i/guess-{attempt}") as response:
                statuses.append(response.status)
        assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]
        async with session.get(link) as response:  # even the right token waits out the limit
            assert response.status == 429


async def test_the_scs_star3_result_speaks_to_a_supplier_and_labels_unofficial_sources(web_server: WebServer) -> None:
    link, invite_id = await _invite(web_server, set_id="scs_star3")
    checkup = web_server.bot.knowledge.current.components["checkup"].sets["scs_star3"]
    worst = {q.id: q.choices[-2].value for q in checkup.questions}  # "no" everywhere: every gap is shown
    await WebTokens(web_server.bot.store).save_draft(invite_id, worst)
    last = len(checkup.areas)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{link}/step/{last}") as response:
            csrf = form_csrf(await response.text())
        form = {"csrf": csrf, **{q.id: worst[q.id] for q in checkup.areas[-1].questions}}
        async with session.post(f"{link}/step/{last}", data=form) as response:
            page = await response.text()
    assert "/incident" not in page  # a supplier has no /incident
    assert "非公式・要求事項案の確認が必要）" not in page  # not inside the titles any more...
    assert "· 非公式の解説・要求事項案で確認が必要" in page and "hspace173「" in page  # ...but a label beside them
    # Where the knowledge has an official source on the gap's topic, it comes first; the write-up is further reading.
    gaps = re.findall(r'<section class="gap">(.*?)</section>', page, re.S)
    unofficial = [g for g in gaps if "source-label" in g]
    with_official = [g for g in unofficial if 'class="official-source"' in g]
    assert len(with_official) >= len(unofficial) - 2, "the shipped intents cite METI, IPA or the police for most"
    for gap in with_official:
        official = re.search(r'class="official-source"><a href="([^"]+)"', gap).group(1)
        assert re.match(r"https://[^/]*(\.go\.jp|\.lg\.jp|jpcert\.or\.jp|pref\.[a-z]+\.jp)/", official), official
        assert gap.index("official-source") < gap.index("gap-source") and "参考（非公式）" in gap
