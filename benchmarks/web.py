"""Server time per page of `secbot serve web` (median, p95, p99), not a timed test.

Runs the real app on loopback with the shipped knowledge and a SQLite store holding 1,000
supplier checkups and 2,000 questions, and times each handler inside the server (a middleware
around everything, so the CSRF check and the headers count; the client and the network do not).
`/healthz` is the baseline: what aiohttp alone costs. Target (issue 15): p95 <= 50 ms per page.
/admin counts every figure at each request (GROUP BY over the summary rows the store writes
with each result: bot/store/checkups.py), so it is never stale; the CSV is streamed.

    .venv/bin/python benchmarks/web.py [--requests 200] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import re

from adapters.web.app import create_app
from adapters.web.context import WebConfig
from bot.http_limits import start_server
from bot.settings import Settings
from bot.store.web_tokens import WebTokens
from intents.assemble import create_bot
from intents.checkup.scoring import score
from knowledge import SHIPPED_DIR

ADMIN = "admin@example.co.jp"
QUESTIONS = ["JC-STARとは", "ランサムウェアに感染したら", "what is ASM", "お助け隊サービスとは", "ラベル", "社内wifiのパスワード"]


async def seed(bot, checkups: int) -> str:
    checkup = bot.knowledge.current.components["checkup"].sets["supplier"]
    rng = random.Random(15)
    for index in range(checkups):
        answers = {q.id: rng.choice(q.choices).value for q in checkup.questions}
        await bot.store.save_checkup(respondent=f"invite:{index}", platform="web", organization=f"取引先{index:04d}",
                                     set_id="supplier", lang="ja", answers=answers,
                                     scores=score(checkup, answers).to_dict())
    for index in range(2000):
        await bot.store.record_question(platform="web", lang="ja", text=f"{rng.choice(QUESTIONS)} {index % 50}",
                                        band=rng.choice(("answer", "suggest", "unknown")), intent=None, score=0.5)
    token, invite = await WebTokens(bot.store).create_invite(organization="ACME部品", set_id="supplier", lang="ja",
                                                             expires_in=3600)
    done, done_invite = await WebTokens(bot.store).create_invite(organization="Done", set_id="supplier", lang="ja",
                                                                 expires_in=3600)
    answers = {q.id: q.choices[0].value for q in checkup.questions}
    record = await bot.store.save_checkup(respondent=f"invite:{done_invite.id}", platform="web", organization="Done",
                                          set_id="supplier", lang="ja", answers=answers,
                                          scores=score(checkup, answers).to_dict())
    await WebTokens(bot.store).claim_invite(done_invite.id)
    await WebTokens(bot.store).set_result(done_invite.id, record.id)
    return f"{token} {done}"


@contextlib.asynccontextmanager
async def database(postgres: str | None) -> AsyncIterator[str]:
    """A new SQLite file, or a new database on the PostgreSQL server of `postgres` (dropped afterwards)."""
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    import asyncpg

    name = f"secbot_bench_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(postgres)
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(postgres)._replace(path=f"/{name}"))
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def main(requests: int, checkups: int, postgres: str | None) -> None:
    async with database(postgres) as url:
        settings = Settings.from_env({"SECBOT_ADMINS": ADMIN}, knowledge_dir=SHIPPED_DIR, database_url=url)
        bot = await create_bot(settings)
        try:
            started = time.perf_counter()
            token, done = (await seed(bot, checkups)).split()
            print(f"seeded {checkups} checkups and 2000 questions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            timings: dict[str, list[float]] = defaultdict(list)

            @web.middleware
            async def timer(request: web.Request, handler):
                began = time.perf_counter()
                try:
                    return await handler(request)
                finally:
                    timings[request["page"] if "page" in request else request.path].append(time.perf_counter() - began)

            app = create_app(bot, WebConfig(user_header="X-User", knowledge_dir=SHIPPED_DIR))
            app.middlewares.insert(0, timer)
            runner = await start_server(app, "127.0.0.1", 0)
            base = f"http://127.0.0.1:{runner.addresses[0][1]}"
            pages = {
                "GET /healthz (baseline)": ("GET", "/healthz", None),
                "GET supplier intro": ("GET", f"/checkup/i/{token}", None),
                "GET supplier step": ("GET", f"/checkup/i/{token}/step/2", None),
                "GET supplier result": ("GET", f"/checkup/i/{done}/result", None),
                "GET /chat": ("GET", "/chat", None),
                "POST /chat (a question)": ("POST", "/chat", "question"),
                "GET /incident (form)": ("GET", "/incident", None),
                f"GET /admin ({checkups} checkups, 2000 questions)": ("GET", "/admin", None),
                f"GET /admin/checkups.csv ({checkups} organisations)": ("GET", "/admin/checkups.csv", None),
            }
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar, headers={"X-User": ADMIN}) as session:
                async with session.get(base + "/chat") as response:  # the form's token, bound to the cookie
                    csrf = re.search(r'name="csrf" value="([^"]+)"', await response.text()).group(1)
                rows = []
                for name, (method, path, body) in pages.items():
                    timings.clear()
                    for index in range(requests):
                        data = {"csrf": csrf, "text": QUESTIONS[index % len(QUESTIONS)]} if body == "question" else None
                        async with session.request(method, base + path, data=data) as response:
                            await response.read()
                            assert response.status == 200, (name, response.status)
                    samples = sorted(t * 1000 for values in timings.values() for t in values)
                    p95 = samples[int(len(samples) * 0.95) - 1]
                    p99 = samples[int(len(samples) * 0.99) - 1]
                    rows.append((name, statistics.median(samples), p95, p99))
            await runner.cleanup()
        finally:  # a failed request must not leave the store's thread behind (the process would hang)
            await bot.store.close()
    print(f"| page | median ms | p95 ms | p99 ms | p95 <= 50 ms |   ({requests} requests each)")
    print("|---|---:|---:|---:|---|")
    for name, median, p95, p99 in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} | {p99:.1f} | {'yes' if p95 <= 50 else 'NO'} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--checkups", type=int, default=1000)
    parser.add_argument("--postgres", metavar="URL", help="run on a new database of this PostgreSQL server "
                        "(e.g. postgresql://postgres@127.0.0.1:5432/test) instead of SQLite")
    options = parser.parse_args()
    asyncio.run(main(options.requests, options.checkups, options.postgres))
