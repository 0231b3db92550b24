"""Admins keep the knowledge current without a restart; operators get metrics and health."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.models import IncomingMessage, ReplyKind
from bot.ops_http import add_ops_routes
from bot.reload import Reloader
from tests.conftest import MINI_INTENTS, write_knowledge


def msg(text: str = "", user: str = "U1", **kw: object) -> IncomingMessage:
    return IncomingMessage(user_id=user, conversation_id=f"C-{user}", text=text, platform="slack", **kw)


def edit_answer(kb: Path, new: str) -> None:
    path = kb / "intents" / "mini.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("JC-STAR is IPA's IoT security labelling scheme.", new),
                    encoding="utf-8")


async def test_reload_under_concurrent_questions_never_mixes_versions(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge, admins="ADMIN")
    old = "JC-STAR is IPA's IoT security labelling scheme."
    edit_answer(mini_knowledge, "JC-STAR (edited) is the labelling scheme run by IPA.")

    async def ask(i: int) -> str:
        [reply] = (await bot.handle(msg("what is jc-star", user=f"U{i}"))).replies
        return reply.text

    results = await asyncio.gather(*(ask(i) for i in range(60)), bot.reloader.reload(), *(ask(i) for i in range(60, 120)))
    texts = [r for r in results if isinstance(r, str)]
    assert set(texts) <= {old, "JC-STAR (edited) is the labelling scheme run by IPA."}
    assert await ask(999) == "JC-STAR (edited) is the labelling scheme run by IPA."
    assert bot.knowledge.current.version == 2


async def test_broken_edit_keeps_serving_and_tells_the_admin_file_and_line(make_bot, mini_knowledge: Path):
    from bot.settings import Settings  # noqa: F401

    bot = await make_bot(mini_knowledge)
    bot.access = bot.access.__class__(admins=frozenset({"ADMIN"}))
    (mini_knowledge / "intents" / "mini.yaml").write_text(MINI_INTENTS + "  - id: [broken\n", encoding="utf-8")
    [reply] = (await bot.handle(msg("/secbot reload", user="ADMIN"))).replies
    assert reply.kind is ReplyKind.ERROR and reply.private
    assert "not reloaded" in reply.text and "mini.yaml:" in reply.text and "invalid YAML" in reply.text
    [answer] = (await bot.handle(msg("what is jc-star"))).replies
    assert answer.intent == "jc_star"  # the previous knowledge still answers


async def test_non_admin_is_refused_politely_and_audited(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    bot.access = bot.access.__class__(admins=frozenset({"ADMIN"}))
    for command in ("/secbot reload", "/secbot stats", "/secbot gaps"):
        [reply] = (await bot.handle(msg(command, user="MALLORY", locale="en"))).replies
        assert reply.kind is ReplyKind.ERROR and "only secbot admins" in reply.text
    [ok] = (await bot.handle(msg("/secbot stats", user="ADMIN", locale="en"))).replies
    assert ok.kind is ReplyKind.RESULT and "Questions in the last 30 days" in ok.text
    audit = await bot.store.list_audit()
    assert [(a.actor, a.action, a.details.get("allowed")) for a in audit][-4:] == [
        ("slack:MALLORY", "admin.reload", False), ("slack:MALLORY", "admin.stats", False),
        ("slack:MALLORY", "admin.gaps", False), ("slack:ADMIN", "admin.stats", True)]


async def test_gaps_group_similar_unanswered_questions_with_personal_data_masked(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    bot.access = bot.access.__class__(admins=frozenset({"ADMIN"}))
    for i, text in enumerate(["how do I rotate the VPN certificate", "How do I rotate the VPN certificate?",
                              "how to rotate vpn certificates, call me on 090-1234-5678",
                              "best ramen near the office"]):
        await bot.handle(msg(text, user=f"U{i}"))
    [reply] = (await bot.handle(msg("/gaps", user="ADMIN"))).replies
    lines = reply.text.splitlines()
    assert lines[0].split()[0] == "3" and "vpn" in lines[0].lower()
    assert "090-1234-5678" not in reply.text
    assert any("ramen" in line for line in lines)
    stored = [q.text for q in await bot.store.list_questions()]
    assert any("[phone]" in t for t in stored) and not any("090-1234" in t for t in stored)


async def test_file_watcher_reloads_an_edit(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    reloads: list[object] = []
    reloader = Reloader(bot.knowledge, on_reload=lambda snapshot, problems: reloads.append(snapshot))
    stop = asyncio.Event()
    watcher = asyncio.create_task(reloader.watch(debounce_ms=50, stop_event=stop))
    await asyncio.sleep(0.5)
    edit_answer(mini_knowledge, "Edited on disk.")
    for _ in range(100):
        if reloads:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(watcher, 10)
    assert reloads and reloads[-1] is not None
    [reply] = (await bot.handle(msg("what is jc-star"))).replies
    assert reply.text == "Edited on disk."


async def test_metrics_health_and_readiness_over_http(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    await bot.handle(msg("what is jc-star"))
    await bot.handle(msg("what's for lunch"))
    app = web.Application()
    add_ops_routes(app, bot)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json())["intents"] == 2
        body = await (await client.get("/metrics")).text()
    assert 'secbot_questions_total{band="answer",platform="slack"}' in body
    assert 'secbot_questions_total{band="unknown",platform="slack"}' in body
    assert "secbot_turn_seconds_bucket" in body
    await bot.store.close()
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        ready = await client.get("/readyz")
        assert ready.status == 503 and "store" in (await ready.json())["problems"][0]


async def test_ask_the_security_team_round_trip(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge, responders="RESP")
    [unknown] = (await bot.handle(msg("Can I use my personal USB stick at work?", user="EMP", locale="en"))).replies
    assert "expert:ask" in [b.value for b in unknown.buttons]
    forwarded = await bot.handle(msg(action="expert:ask", user="EMP"))
    [note] = forwarded.notifications
    assert note.audience == "security_team" and "personal USB stick" in note.text and "/answer Q-1" in note.text
    assert "Q-1" in forwarded.replies[0].text and forwarded.replies[0].private

    [refused] = (await bot.handle(msg("/answer Q-1 sure", user="EMP", locale="en"))).replies
    assert "only security responders" in refused.text
    answered = await bot.handle(msg("/answer Q-1 No: use the company-issued encrypted drives.", user="RESP"))
    [to_user] = answered.notifications
    assert (to_user.audience, to_user.platform, to_user.user_id, to_user.conversation_id) == ("user", "slack", "EMP", "C-EMP")
    assert "company-issued encrypted drives" in to_user.text and "personal USB stick" in to_user.text
    assert (await bot.store.get_expert_question("Q-1")).status == "answered"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], capture_output=True, text=True, timeout=60)


def test_new_intent_scaffold_is_refused_until_filled_in(mini_knowledge: Path):
    result = run_cli("kb", "new-intent", "vpn_certificates", "--knowledge", str(mini_knowledge))
    assert result.returncode == 0, result.stderr
    check = run_cli("kb", "validate", str(mini_knowledge))
    assert check.returncode == 1 and "'vpn_certificates' still has TODO placeholders" in check.stdout
    again = run_cli("kb", "new-intent", "vpn_certificates", "--knowledge", str(mini_knowledge))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_kb_test_reports_failing_utterances_with_file_and_line(mini_knowledge: Path):
    write_knowledge(mini_knowledge, {"tests/t.yaml": "version: 1\ntests:\n  - {text: what is jc-star, intent: jc_star}\n"
                                                     "  - {text: what is jc-star, intent: asm}\n"})
    result = run_cli("kb", "test", "--knowledge", str(mini_knowledge))
    assert result.returncode == 1
    assert "t.yaml:4: 'what is jc-star' expected asm, got jc_star" in result.stdout and "1/2" in result.stdout


@pytest.mark.skipif(shutil.which("hadolint") is None and not Path(sys.executable).with_name("hadolint").exists(),
                    reason="hadolint wheel is only published for Linux x86_64")
def test_dockerfile_passes_hadolint():
    binary = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([binary, str(root / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_incident_commands_are_audited_and_counted_in_metrics(make_bot):
    from bot.metrics import exposition

    bot = await make_bot(responders="RESP")
    await bot.handle(msg("/incident list", user="MALLORY"))
    await bot.handle(msg("/incident list", user="RESP"))
    actions = [(a.actor, a.action) for a in await bot.store.list_audit()]
    assert ("slack:MALLORY", "incident.list.refused") in actions and ("slack:RESP", "incident.listed") in actions
    values = {"incident_type": "ddos", "state_sponsored": "no", "personal_data": "no", "financial_damage": "no",
              "critical_infrastructure": "no", "sme": "no", "ongoing": "yes", "description": "site down",
              "detected_at": "2026-11-27 09:00", "affected_systems": "web", "reporter_contact": "-"}
    before = exposition()[0].decode()
    response = await bot.handle(msg(form_id="incident_form", form_values=values, user="EMP"))
    assert response.replies[0].data.get("incident_id"), response.replies[0].text
    after = exposition()[0].decode()

    def count(text: str) -> float:
        line = next((x for x in text.splitlines() if x.startswith('secbot_incidents_total{incident_type="ddos"}')), None)
        return float(line.split()[-1]) if line else 0.0

    assert count(after) == count(before) + 1


def test_the_operator_endpoints_listen_on_loopback_unless_configured() -> None:
    from bot.settings import Settings

    default = Settings.from_env({})
    assert (default.ops_host, default.ops_port) == ("127.0.0.1", 9464)
    chosen = Settings.from_env({"SECBOT_OPS_HOST": "10.0.0.5", "SECBOT_OPS_PORT": "9100"})
    assert (chosen.ops_host, chosen.ops_port) == ("10.0.0.5", 9100)
