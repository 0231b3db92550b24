"""Q&A over real HTTP: DMs, @mentions in threads, suggestion and feedback buttons, signatures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.adapters.slack.conftest import SECURITY_CHANNEL, payload, sign


@pytest.fixture
async def slack(make_harness, mini_knowledge: Path):
    return await make_harness(mini_knowledge)


# -- signatures and the handshake ------------------------------------------------------------
async def test_url_verification_echoes_the_challenge(slack) -> None:
    status, text, _ = await slack.post_json(payload("url_verification"))
    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


@pytest.mark.parametrize("how", ["missing", "wrong_secret", "stale", "tampered"])
async def test_unsigned_or_badly_signed_requests_get_401(slack, how: str) -> None:
    body = json.dumps(slack.event_body("dm", "JC-STARとは"), ensure_ascii=False)
    if how == "missing":
        result = await slack.post(body, "application/json", signed=False)
    elif how == "wrong_secret":
        result = await slack.post(body, "application/json", secret="not-the-secret")
    elif how == "stale":
        result = await slack.post(body, "application/json", timestamp=int(time.time()) - 10 * 60)
    else:
        headers = sign(body)
        result = await slack.post(body.replace("JC-STAR", "JC-STAT"), "application/json", signed=False,
                                  headers=headers)
    assert result[0] == 401
    await slack.settle()
    assert [c.method for c in slack.fake.calls if c.method.startswith("chat.")] == []


async def test_healthz_answers_and_the_operator_endpoints_are_not_public(slack) -> None:
    async with slack.session.get(slack.base_url + "/healthz") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ok"
    for path in ("/readyz", "/metrics"):  # on the operator port only (SECBOT_OPS_PORT)
        async with slack.session.get(slack.base_url + path) as response:
            assert response.status == 404


# -- questions -------------------------------------------------------------------------------
async def test_dm_question_gets_the_answer_with_source_and_feedback_buttons(slack) -> None:
    status, _, elapsed = await slack.dm("JC-STARとは")
    assert status == 200 and elapsed < 3
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert post["channel"] == "D0ALICE"
    assert post.authorization == "Bearer xoxb-test-token-not-a-real-one"
    shown = post.rendered()
    assert "JC-STARはIPAが運営するIoT製品のラベリング制度です。" in shown
    assert "*JC-STARとは*" in shown  # the title
    context = [b for b in post.blocks if b["type"] == "context"]
    assert "<https://www.ipa.go.jp/security/jc-star/index.html|IPA JC-STAR>" in json.dumps(context, ensure_ascii=False)
    assert "feedback:up:jc_star" in post.button_values()
    assert "feedback:down:jc_star" in post.button_values()
    assert "answer:asm" in post.button_values()  # the related topic


async def test_mention_is_answered_in_its_thread_without_the_mention(slack) -> None:
    await slack.mention("JC-STARとは", channel="C0GENERAL")
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert post["channel"] == "C0GENERAL"
    assert post["thread_ts"] == "1700001000.000001"
    assert "JC-STARはIPAが運営するIoT製品のラベリング制度です。" in post.rendered()
    questions = await slack.bot.store.list_questions()
    assert [q.text for q in questions] == ["JC-STARとは"]  # the "<@U0SECBOT>" was stripped


async def test_suggestion_buttons_answer_when_clicked(make_harness, cautious_knowledge) -> None:
    slack = await make_harness(cautious_knowledge)
    await slack.dm("ラベル制度")
    [post] = await slack.fake.wait_for("chat.postMessage")
    values = post.button_values()
    assert values[-1] == "none"
    assert any(v.startswith("answer:") for v in values)
    picked = next(v for v in values if v.startswith("answer:"))
    status, _, elapsed = await slack.click(picked)
    assert status == 200 and elapsed < 3
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    assert posts[1]["channel"] == "D0ALICE"
    assert f"feedback:up:{picked.removeprefix('answer:')}" in posts[1].button_values()


async def test_none_of_these_is_recorded_for_admins(slack) -> None:
    await slack.dm("ラベル制度")
    await slack.fake.wait_for("chat.postMessage")
    await slack.click("none")
    await slack.fake.wait_for("chat.postMessage", 2)
    [record] = await slack.bot.store.list_feedback()
    assert record.vote == "none_of_these" and record.question == "ラベル制度"


async def test_feedback_click_is_stored_and_thanked_quietly_in_a_channel(slack) -> None:
    await slack.mention("JC-STARとは", channel="C0GENERAL")
    [answer] = await slack.fake.wait_for("chat.postMessage")
    await slack.click("feedback:down:jc_star", channel="C0GENERAL", thread_ts=answer["thread_ts"],
                      action_id="secbot_feedback_down")
    [thanks] = await slack.fake.wait_for("response_url")
    assert thanks["response_type"] == "ephemeral"
    assert "フィードバックありがとうございます" in thanks.rendered()
    [record] = await slack.bot.store.list_feedback()
    assert (record.intent, record.vote, record.user_id, record.platform) == ("jc_star", "down", "U0ALICE", "slack")
    assert len(slack.fake.called("chat.postMessage")) == 1  # nothing more in the public thread


async def test_retry_storm_gets_one_reply(slack) -> None:
    body = slack.event_body("dm", "JC-STARとは", event_id="Ev0STORM000001")
    for attempt in range(3):
        headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"} if attempt else {}
        status, _, _ = await slack.post_json(body, headers=headers)
        assert status == 200
    await slack.settle()
    assert len(slack.fake.called("chat.postMessage")) == 1
    assert len(await slack.bot.store.list_questions()) == 1


async def test_bot_messages_and_edits_are_ignored(slack) -> None:
    own = slack.event_body("dm", "JC-STARとは")
    own["event"]["bot_id"] = "B0SECBOT"
    edited = slack.event_body("dm", "JC-STARとは")
    edited["event"]["subtype"] = "message_changed"
    for body in (own, edited):
        assert (await slack.post_json(body))[0] == 200
    await slack.settle()
    assert slack.fake.called("chat.postMessage") == []


async def test_rate_limited_api_is_retried_after_retry_after(slack) -> None:
    slack.fake.fail("chat.postMessage", status=429, body={"ok": False, "error": "ratelimited"},
                    headers={"Retry-After": "1"})
    await slack.dm("JC-STARとは")
    [post] = await slack.fake.wait_for("chat.postMessage", timeout=15)
    assert "JC-STAR" in post.rendered()
    first, second = slack.fake.attempts["chat.postMessage"]
    assert second - first >= 1.0  # Retry-After was honoured


async def test_server_errors_are_retried(slack) -> None:
    slack.fake.fail("chat.postMessage", status=503, body={"ok": False, "error": "service_unavailable"})
    await slack.dm("JC-STARとは")
    await slack.fake.wait_for("chat.postMessage", timeout=15)
    assert len(slack.fake.attempts["chat.postMessage"]) == 2


async def test_a_failed_post_is_logged_without_the_token(slack, caplog) -> None:
    slack.fake.fail("chat.postMessage", body={"ok": False, "error": "channel_not_found"})
    await slack.dm("JC-STARとは")
    await slack.settle()
    assert "channel_not_found" in caplog.text
    assert "xoxb-" not in caplog.text and "test-signing-secret" not in caplog.text
    assert SECURITY_CHANNEL not in [c.get("channel") for c in slack.fake.calls]


async def test_database_outage_gets_a_polite_reply_not_silence(slack, monkeypatch) -> None:
    from bot.store.base import StoreError

    async def down(_delivery_id: str) -> bool:
        raise StoreError("the PostgreSQL database at db:5432/secbot is unreachable (connection refused)")

    monkeypatch.setattr(slack.slack.bot.store, "claim_delivery", down)
    await slack.dm("JC-STARとは")
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert "保存に失敗" in post.rendered() and "5432" not in post.rendered()
