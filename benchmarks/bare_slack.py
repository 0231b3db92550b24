"""The bare-and-post baseline for benchmarks/load.py: what answering a Slack question costs without secbot.

A plain aiohttp server that does only what any Slack Q&A bot must do: check Slack's v0 signature
(slack_sdk's SignatureVerifier, as secbot does), acknowledge, match the question with the shipped
knowledge's matcher (built by intents.assemble, as secbot builds it) and post the best answer to
chat.postMessage through one aiohttp ClientSession. No store, no bolt, no retries.

    SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=... SECBOT_SLACK_API_URL=http://127.0.0.1:PORT/api/ \
        python benchmarks/bare_slack.py

It prints "baseline listening on http://127.0.0.1:PORT/slack/events" and stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from intents.assemble import load_knowledge  # noqa: E402
from knowledge import SHIPPED_DIR  # noqa: E402

SESSION_KEY: web.AppKey[aiohttp.ClientSession] = web.AppKey("session", aiohttp.ClientSession)


def main() -> None:
    holder = load_knowledge(os.environ.get("SECBOT_KNOWLEDGE") or SHIPPED_DIR)
    verifier = SignatureVerifier(os.environ["SLACK_SIGNING_SECRET"])
    api = os.environ["SECBOT_SLACK_API_URL"].rstrip("/") + "/chat.postMessage"
    auth = {"Authorization": f"Bearer {os.environ['SLACK_BOT_TOKEN']}"}
    tasks: set[asyncio.Task[None]] = set()

    async def answer(session: aiohttp.ClientSession, event: dict[str, Any]) -> None:
        snapshot = holder.current
        match = snapshot.matcher.match(event.get("text") or "")
        best = match.best
        intent = snapshot.kb.intents.get(best.intent) if best is not None else None
        text = intent.answer.ja if intent is not None else "?"
        async with session.post(api, json={"channel": event["channel"], "text": text}, headers=auth) as response:
            await response.read()

    async def events(request: web.Request) -> web.Response:
        raw = await request.read()
        headers = request.headers
        if not verifier.is_valid(raw, headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")):
            return web.Response(status=401)
        body = json.loads(raw)
        event = body.get("event") or {}
        if body.get("type") == "event_callback" and event.get("type") == "message" and not request.headers.get(
                "X-Slack-Retry-Num"):
            task = asyncio.create_task(answer(request.app[SESSION_KEY], event))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        return web.Response(text="")

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def serve() -> None:
        app = web.Application()
        app[SESSION_KEY] = aiohttp.ClientSession()
        app.router.add_post("/slack/events", events)
        app.router.add_get("/healthz", healthz)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(os.environ.get("BASELINE_PORT", "0"))).start()
        print(f"baseline listening on http://127.0.0.1:{runner.addresses[0][1]}/slack/events", flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        if tasks:
            await asyncio.wait(set(tasks), timeout=10)
        await app[SESSION_KEY].close()
        await runner.cleanup()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
