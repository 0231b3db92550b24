"""Load and saturation: real `secbot serve slack` and `secbot serve teams` processes on loopback,
side by side with a bare-and-post Slack server (benchmarks/bare_slack.py) on the same machine.

    .venv/bin/python benchmarks/load.py                                   # the ladder 100..800 req/s, 5 s a rung
    .venv/bin/python benchmarks/load.py --rates 100,200,300 --duration 4 --repeat 3
    .venv/bin/python benchmarks/load.py --rate 200 --duration 15 --incident-share 0.3   # one rung, with incidents

For each rung of the ladder and each target in turn the script sends requests open-loop at the
rung's rate (each one on its own schedule, so a slow server cannot slow the sender down and hide
its own latency) and measures, from the time each request was due:
- the acknowledgement (the HTTP answer), and
- the reply: when the answer reached the fake Slack Web API (chat.postMessage) or the fake Bot
  Connector, which is what the user waits for.
Slack gets signed event_callback `message.im` questions (and, with --incident-share, complete
`/incident` view_submissions); Teams gets personal-chat questions (and incident card submits). A
share of both is delivered twice (a platform retry). A target passes a rung when the reply p99 is
under 1 s, nothing failed, every reply arrived exactly once and every incident is in the database
exactly once; its saturation rate is the highest rung it passed before its first failure. The
bare-and-post baseline does what any Slack Q&A bot must: signature check, the same matcher, one
chat.postMessage. The servers must exit 0 on SIGTERM.

The load generator (benchmarks/loadgen.py) is kept out of the way: each rung's requests are built
and signed before it starts, a sender process writes them on keep-alive connections, and the fake
platform APIs run in a process of their own that stamps every reply on CLOCK_MONOTONIC (one clock
for the whole machine). Each rung reports the generator's CPU; a rung where the sender or the fakes
used more than 70% of a core, or the sender fell behind schedule, is marked "gen" and not counted.
Server, sender and fakes share the machine's cores: the CPU per request (server CPU over the rung /
requests) is the comparison that does not depend on the generator.

Bounded (rate x duration requests per rung, timeouts everywhere), loopback only, stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from loadgen import Generator, Rung, RungResult  # noqa: E402  (benchmarks/loadgen.py)

from bot.models import Form  # noqa: E402
from knowledge import SHIPPED_DIR  # noqa: E402
from tests.adapters.slack.conftest import SECURITY_CHANNEL, sign  # noqa: E402
from tests.faults.payloads import (  # noqa: E402
    complete_answers,
    marker_in,
    slack_dm_event,
    slack_form_body,
    slack_view_submission,
    teams_activity,
    teams_incident_value,
    triage_form,
)
from tests.faults.serve_process import (  # noqa: E402
    SECBOT,
    TEAMS_SECURITY_CHANNEL,
    ServeProcess,
    clean_env,
    cpu_seconds,
    serve_env,
    start_serve,
)

QUESTIONS = ("JC-STARとは", "フィッシングメールを開いてしまった", "パスワードの使い回しは危険？", "what is ASM",
             "ランサムウェアに感染したらどうする", "how do I report a lost laptop", "多要素認証とは", "SBOMって何")
CLIENT_TIMEOUT = 15.0
ACK_LIMIT = 3.0  # Slack's deadline for an acknowledgement


# -- requests and measurements -----------------------------------------------------------------
@dataclass
class Request:
    kind: str  # "question" | "incident" | "baseline"
    url: str
    body: bytes
    content_type: str
    slack_signed: bool = False
    retry: bool = False  # a second delivery of the same payload
    reply_to: str | None = None  # where the user sees the answer (channel / conversation): end-to-end timing


@dataclass
class PhaseResult:
    target: str
    sent: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    send_lag_max: float = 0.0
    rss_idle_kib: int = 0
    rss_peak_kib: int = 0
    cpu_seconds: float = 0.0  # the serving process's CPU time during the phase
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    due: dict[str, float] = field(default_factory=dict)  # reply_to -> when its first delivery was due
    replies: list[float] = field(default_factory=list)  # due -> the reply reached the fake platform API
    replies_ok: int = 0
    missing: int = 0
    doubled: int = 0
    incidents_bad: int = 0
    rate: float = 0.0
    sender_cpu: float = 0.0  # the generator's CPU over the rung, as a share of one core: the sender...
    fakes_cpu: float = 0.0  # ...and the fake platform APIs
    sched_lag_p99: float = 0.0  # how late the sender's loop got to a request (p99: hiccups of a shared machine)
    sched_lag_p90: float = 0.0  # (p90: the generator falling behind for good)
    sender_ready: float = 0.0  # how long before the start the sender was ready (negative: it started late)
    generator_bound: str = ""  # why the generator, not the server, may have been the limit ("" when it was not)

    def pct(self, q: float) -> float:
        return _pct(self.latencies, q)

    def pct_reply(self, q: float) -> float:
        """Of the time from due to the reply at the platform API; replies never delivered count as infinitely late."""
        return _pct(self.replies + [float("inf")] * self.missing, q)

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall else 0.0


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def raw_request(request: Request, stamp: int) -> bytes:
    """The complete HTTP/1.1 request, built (and signed with `stamp`) before the rung starts."""
    url = urlsplit(request.url)
    lines = [f"POST {url.path} HTTP/1.1", f"Host: {url.netloc}", f"Content-Type: {request.content_type}",
             f"Content-Length: {len(request.body)}"]
    if request.slack_signed:
        lines += [f"{k}: {v}" for k, v in sign(request.body.decode(), timestamp=stamp).items()]
        if request.retry:
            lines += ["X-Slack-Retry-Num: 1", "X-Slack-Retry-Reason: http_timeout"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + request.body


def absorb(result: PhaseResult, requests: Sequence[Request], sent: RungResult) -> None:
    """The sender's per-request acknowledgements into `result`, and its own load."""
    for request, (elapsed, problem) in zip(requests, sent.acks, strict=True):
        result.latencies.append(elapsed)
        result.by_kind.setdefault(request.kind, []).append(elapsed)
        if problem:
            result.errors[problem] += 1
        else:
            result.ok += 1
    result.sent = len(requests)
    result.wall = sent.send_wall
    result.send_lag_max = sent.wait_max
    result.sched_lag_p99 = _pct(sent.sched_lag, 99)
    result.sender_cpu = sent.cpu_seconds / sent.wall if sent.wall else 0.0
    result.sched_lag_p90 = _pct(sent.sched_lag, 90)
    result.sender_ready = sent.ready


def with_retries(requests: list[Request], share: float, rng: random.Random, *, gap: int = 40) -> list[Request]:
    """Deliver `share` of the non-baseline requests a second time, `gap` requests later."""
    out = list(requests)
    picked = [i for i, r in enumerate(requests) if rng.random() < share]
    for shift, index in enumerate(picked):
        original = requests[index]
        copy = replace(original, retry=True)
        out.insert(min(len(out), index + shift + 1 + gap), copy)
    return out


# -- the workloads -------------------------------------------------------------------------------
@dataclass
class Workload:
    requests: list[Request]
    markers: list[str]  # one per incident submitted (not counting retries)
    reply_targets: Counter[str]  # channel/conversation -> replies expected there


@functools.lru_cache
def cached_form(lang: str, knowledge: str) -> Form:
    """The incident form, loaded once (it loads the whole knowledge folder)."""
    return triage_form(lang, knowledge)


def slack_workload(url: str, count: int, incident_share: float, retry_share: float, run: str,
                   rng: random.Random, knowledge: str) -> Workload:
    form = cached_form("ja", knowledge)
    requests: list[Request] = []
    markers: list[str] = []
    expected: Counter[str] = Counter()
    for n in range(count):
        if rng.random() < incident_share:
            marker = f"load-{run}-s{n:06d}"
            user = f"U0L{run}{n:06d}"
            answers = complete_answers(form, marker, choices={"incident_type": rng.choice(
                [c.value for c in form.fields[0].choices])})
            body = slack_view_submission(form, answers, user=user, view_id=f"V0L{n:06d}")
            requests.append(Request("incident", url, slack_form_body(body).encode(),
                                    "application/x-www-form-urlencoded", slack_signed=True, reply_to=user))
            markers.append(marker)
            expected[user] += 1  # the result, in the reporter's DM
            expected[SECURITY_CHANNEL] += 1  # the summary, in the security channel
        else:
            channel = f"D0Q{run}{n:06d}"
            event = slack_dm_event(rng.choice(QUESTIONS), user=f"U0Q{run}{n:06d}", channel=channel,
                                   event_id=f"Ev0L{run}{n:06d}", ts=f"1700002000.{n:06d}")
            requests.append(Request("question", url, json.dumps(event, ensure_ascii=False).encode(),
                                    "application/json", slack_signed=True, reply_to=channel))
            expected[channel] += 1
    return Workload(with_retries(requests, retry_share, rng), markers, expected)


def teams_workload(url: str, service_url: str, count: int, incident_share: float, retry_share: float, run: str,
                   rng: random.Random, knowledge: str) -> Workload:
    form = cached_form("en", knowledge)
    requests: list[Request] = []
    markers: list[str] = []
    expected: Counter[str] = Counter()
    for n in range(count):
        user = f"teams-user-{run}-{n:06d}"
        if rng.random() < incident_share:
            marker = f"load-{run}-t{n:06d}"
            answers = complete_answers(form, marker)
            activity = teams_activity(service_url, f"load-{run}-{n}", user=user,
                                      value=teams_incident_value(form, answers))
            markers.append(marker)
            expected[TEAMS_SECURITY_CHANNEL] += 1
            kind = "incident"
        else:
            activity = teams_activity(service_url, f"load-{run}-{n}", user=user, text=rng.choice(QUESTIONS))
            kind = "question"
        expected[f"a:{user}"] += 1
        requests.append(Request(kind, url, json.dumps(activity, ensure_ascii=False).encode(), "application/json",
                                reply_to=f"a:{user}"))
    return Workload(with_retries(requests, retry_share, rng), markers, expected)


def delivery_check(expected: Counter[str], got: Counter[str]) -> tuple[int, int, str]:
    """(missing, doubled, summary) of replies per destination."""
    missing = sum(max(0, n - got.get(dest, 0)) for dest, n in expected.items())
    doubled = sum(max(0, got.get(dest, 0) - n) for dest, n in expected.items())
    doubled += sum(n for dest, n in got.items() if dest not in expected)
    return missing, doubled, f"replies: {sum(expected.values())} expected, {sum(got.values())} delivered, " \
                             f"{missing} missing, {doubled} extra"


async def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def count_incidents(database_url: str, markers: Sequence[str]) -> tuple[int, int]:
    """(lost, doubled) among `markers`, read back from the store the servers wrote to."""
    from bot.store.base import open_store

    store = open_store(database_url)
    await store.open()
    try:
        records = await store.list_incidents(limit=10_000_000)
    finally:
        await store.close()
    wanted = set(markers)
    found: Counter[str] = Counter()
    for record in records:
        for value in record.answers.values():
            if isinstance(value, str) and value.startswith("load-"):
                marker = value.split(" ", 1)[0]
                if marker in wanted and marker_in(record.answers, marker):
                    found[marker] += 1
                    break
    lost = sum(1 for m in wanted if found[m] == 0)
    doubled = sum(n - 1 for n in found.values() if n > 1)
    return lost, doubled


# -- the baseline server -------------------------------------------------------------------------
# A bare aiohttp server with trivial handlers, run with `python -c` so that it imports aiohttp and
# nothing else: what HTTP on this machine costs by itself (time, memory, start-up).
BASELINE_SERVER = """
import asyncio, os, signal
from aiohttp import web

async def ok(request):
    await request.read()
    return web.Response(text="")

async def healthz(request):
    return web.json_response({"status": "ok"})

async def main():
    app = web.Application()
    app.router.add_post("/slack/events", ok)
    app.router.add_post("/api/messages", ok)
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ.get("BASELINE_PORT", "0"))).start()
    print(f"baseline listening on http://127.0.0.1:{runner.addresses[0][1]}/slack/events", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()

asyncio.run(main())
"""
BASELINE_CMD = [sys.executable, "-c", BASELINE_SERVER]


async def start_baseline(workdir: Path, command: Sequence[str] = tuple(BASELINE_CMD),
                         env: Mapping[str, str] | None = None, name: str = "baseline") -> ServeProcess:
    log_path = workdir / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                               env=dict(env) if env is not None else clean_env())
    served = ServeProcess(name, process, log_path, _log=log)
    deadline = time.monotonic() + 60
    while "listening on" not in served.output():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the {name} server did not start: {served.output()}")
        await asyncio.sleep(0.02)
    served.url = served.output().split("listening on ", 1)[1].split("/slack/events", 1)[0]
    return served


# The bare-and-post baseline: signature check, the same matcher, one chat.postMessage (bare_slack.py).
BARE_POST_CMD = [sys.executable, str(REPO / "benchmarks" / "bare_slack.py")]


# -- cold start ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def time_command(command: Sequence[str], env: Mapping[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=dict(env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True, timeout=120)
    return time.perf_counter() - started


async def time_to_healthz(command: Sequence[str], env: Mapping[str, str], cwd: Path, port: int) -> float:
    """From spawning the process to its first 200 on /healthz; then SIGTERM it."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=dict(env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                except (TimeoutError, aiohttp.ClientError):
                    pass
                if process.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError(f"{command} exited or never answered /healthz")
                await asyncio.sleep(0.005)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def cold_starts(runs: int, workdir: Path, database_url: str, knowledge: str) -> list[tuple[str, float, str, float]]:
    env = serve_env("slack", database_url=database_url, api_url="http://127.0.0.1:9/api/", knowledge=knowledge)
    py = [sys.executable]
    rows = []
    ask = [time_command([*SECBOT, "ask", "JC-STARとは"], env, workdir) for _ in range(runs)]
    bare = [time_command([*py, "-c", "pass"], env, workdir) for _ in range(runs)]
    rows.append(("secbot ask (one question)", statistics.median(ask), "python -c pass", statistics.median(bare)))
    serve, baseline = [], []
    for _ in range(runs):
        port = free_port()
        serve.append(await time_to_healthz([*SECBOT, "serve", "slack", "--host", "127.0.0.1", "--port", str(port)],
                                           env, workdir, port))
        port = free_port()
        baseline.append(await time_to_healthz(BASELINE_CMD, {**clean_env(), "BASELINE_PORT": str(port)}, workdir, port))
    rows.append(("secbot serve slack -> /healthz 200", statistics.median(serve),
                 "bare aiohttp server -> /healthz 200", statistics.median(baseline)))
    return rows


# -- the run -------------------------------------------------------------------------------------
REPLY_LIMIT = 1.0  # saturation: p99 from due to the reply at the platform API under this
GENERATOR_CPU_LIMIT = 0.7  # a generator process busier than this share of a core may have been the limit
GENERATOR_LAG_LIMIT = 0.02  # ... and so may a sender that got to a tenth of its requests later than this (p90)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


@dataclass
class Target:
    """One server under test and how to build its workload for `count` requests (ids tagged `run`)."""

    name: str
    server: ServeProcess
    workload: Callable[[int, str], Workload]
    markers: list[str] = field(default_factory=list)  # every incident submitted to it (for the final check)
    saturation: list[float] = field(default_factory=list)  # per repetition
    lower_bound: list[bool] = field(default_factory=list)  # per repetition: it never failed (top rung or generator)
    cpu_per_request: dict[tuple[int, float], float] = field(default_factory=dict)  # (repetition, rate) -> ms, passed
    rss_idle_kib: int = 0


def passed(result: PhaseResult) -> bool:
    return (not result.errors and not result.missing and not result.doubled and not result.incidents_bad
            and result.pct_reply(99) < REPLY_LIMIT)


def generator_bound(result: PhaseResult) -> str:
    """Why this rung says more about the load generator than about the server ("" when it does not)."""
    reasons = []
    if result.sender_cpu > GENERATOR_CPU_LIMIT:
        reasons.append(f"sender at {result.sender_cpu:.0%} of a core")
    if result.fakes_cpu > GENERATOR_CPU_LIMIT:
        reasons.append(f"fake APIs at {result.fakes_cpu:.0%} of a core")
    if result.sched_lag_p90 > GENERATOR_LAG_LIMIT:
        reasons.append(f"sender behind schedule (p90 {ms(result.sched_lag_p90)} ms)")
    if result.sender_ready < 0:
        reasons.append(f"sender ready {ms(-result.sender_ready)} ms after the start")
    return ", ".join(reasons)


async def step(generator: Generator, target: Target, rate: float, seconds: float, run: str,
               args: argparse.Namespace, database_url: str) -> PhaseResult:
    """One rung of the ladder: `rate` requests/s for `seconds`, then wait for every reply.

    The requests are built and signed here, before the rung (Slack accepts a timestamp up to
    5 minutes old); the sender process only writes them, each at its due time."""
    work = target.workload(max(1, int(rate * seconds)), run)
    arrivals = generator.arrivals
    arrivals.refresh()
    before = {where: arrivals.count(where) for where in work.reply_targets}
    stamp = int(time.time())
    raw = [raw_request(r, stamp) for r in work.requests]
    url = urlsplit(target.server.url)
    start = time.monotonic() + 0.3 + len(raw) * 20e-6  # time to hand the requests over and open the connections
    result = PhaseResult(target.name, rate=rate)
    for index, request in enumerate(work.requests):
        if request.reply_to is not None:
            result.due.setdefault(request.reply_to, start + index / rate)
    rss: list[int] = []

    async def sampler() -> None:
        while True:
            rss.append(target.server.rss_kib())
            await asyncio.sleep(0.25)

    cpu_before = target.server.cpu_seconds()
    fakes_before = cpu_seconds(generator.fakes.pid)  # type: ignore[arg-type]
    sampling = asyncio.create_task(sampler())
    try:
        sent = await generator.run(Rung(url.hostname or "127.0.0.1", int(url.port or 80), raw,
                                        [r.kind == "incident" and r.slack_signed for r in work.requests],
                                        start, rate, args.concurrency, CLIENT_TIMEOUT))
    finally:
        sampling.cancel()
    result.rss_peak_kib = max(rss, default=0)
    absorb(result, work.requests, sent)
    total = sum(work.reply_targets.values())

    def delivered() -> int:
        arrivals.refresh()
        return sum(arrivals.count(where) - before[where] for where in work.reply_targets)

    await wait_until(lambda: delivered() >= total, args.reply_wait)
    result.fakes_cpu = (cpu_seconds(generator.fakes.pid) - fakes_before) / (time.monotonic() - start)  # type: ignore[arg-type]
    await asyncio.sleep(0.5)  # a doubled reply would arrive now
    arrivals.refresh()
    result.cpu_seconds = target.server.cpu_seconds() - cpu_before
    got = Counter({where: arrivals.count(where) - before[where] for where in work.reply_targets})
    result.missing, result.doubled, summary = delivery_check(work.reply_targets, got)
    result.replies_ok = sum(min(n, got[where]) for where, n in work.reply_targets.items())
    for where, due in result.due.items():
        times = arrivals.times.get(where, ())
        first = times[before.get(where, 0)] if len(times) > before.get(where, 0) else None
        if first is not None:
            result.replies.append(first - due)
    if result.missing or result.doubled:
        result.checks.append(summary)
    if work.markers:
        target.markers += work.markers
        lost, doubled = await count_incidents(database_url, work.markers)
        result.incidents_bad = lost + doubled
        result.checks.append(f"incidents: {len(work.markers)} submitted, {lost} lost, {doubled} doubled")
    result.generator_bound = generator_bound(result)
    return result


def verdict(r: PhaseResult) -> str:
    return "gen" if r.generator_bound else "yes" if passed(r) else "no"


def row(r: PhaseResult) -> tuple[str, ...]:
    errors = sum(r.errors.values()) + r.missing + r.doubled + r.incidents_bad
    cpu = f"{r.cpu_seconds / r.wall:.0%}" if r.wall else "-"
    per = f"{r.cpu_seconds / r.sent * 1000:.2f}" if r.sent else "-"
    return (f"{r.rate:g}", r.target, str(r.sent), str(r.replies_ok), str(errors), ms(r.pct(50)), ms(r.pct(99)),
            ms(r.pct_reply(50)), ms(r.pct_reply(99)), cpu, per, f"{r.sender_cpu:.0%}/{r.fakes_cpu:.0%}",
            f"{r.sched_lag_p90 * 1000:.1f}/{r.sched_lag_p99 * 1000:.1f}", verdict(r))


HEADER = ("rate/s", "target", "sent", "replies ok", "errors", "ack p50 ms", "ack p99 ms", "reply p50 ms",
          "reply p99 ms", "server CPU", "CPU ms/req", "generator CPU sender/fakes", "sender lag p90/p99 ms", "pass")


def markdown(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(r)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


async def climb(generator: Generator, targets: Sequence[Target], args: argparse.Namespace, run_id: str,
                database_url: str, rows: list[tuple[str, ...]], notes: list[str]) -> None:
    """The ladder, `args.repeat` times: each target climbs until its first failing rung.

    A rung where the generator may have been the limit (`generator_bound`) counts neither way:
    the target stops there and its saturation is a lower bound."""
    for repetition in range(args.repeat):
        climbing = {t.name for t in targets}
        best: dict[str, float] = {t.name: 0.0 for t in targets}
        failed: set[str] = set()
        for index, rate in enumerate(args.rates):
            # Interleaved: each rung for every target in turn, so that the other work on a shared
            # machine falls on all of them alike.
            for target in [t for t in targets if t.name in climbing]:
                print(f"{time.strftime('%H:%M:%S')} rung {rate:g}/s: {target.name}...", flush=True)
                result = await step(generator, target, rate, args.duration, f"{run_id}{repetition}{index}", args,
                                    database_url)
                rows.append(row(result))
                notes += [f"{rate:g}/s {target.name}: {c}" for c in result.checks]
                if result.errors:
                    notes.append(f"{rate:g}/s {target.name}: " + ", ".join(f"{k}: {v}" for k, v in result.errors.items()))
                if result.generator_bound:
                    notes.append(f"{rate:g}/s {target.name}: generator-bound, not counted ({result.generator_bound})")
                    climbing.discard(target.name)
                elif passed(result):
                    best[target.name] = rate
                    target.cpu_per_request[(repetition, rate)] = result.cpu_seconds / result.sent * 1000
                else:
                    failed.add(target.name)
                    climbing.discard(target.name)
                await asyncio.sleep(args.pause)  # let the server settle before the next rung
            if not climbing:
                break
        for target in targets:
            target.saturation.append(best[target.name])
            target.lower_bound.append(target.name not in failed)


def ratio_text(value: float, base: float, value_low: bool, base_low: bool) -> str:
    """value / base, marked >= or <= when one of them is only a lower bound."""
    if not base:
        return "-"
    mark = "~" if value_low and base_low else ">=" if value_low else "<=" if base_low else ""
    return f"{mark}{value / base:.2f}"


def cpu_ratio(target: Target, base: Target) -> tuple[str, str]:
    """(the target's median CPU ms/req, its median ratio to the baseline's) over the rungs both passed."""
    common = sorted(set(target.cpu_per_request) & set(base.cpu_per_request))
    if not common:
        return "-", "-"
    own = statistics.median(target.cpu_per_request[k] for k in common)
    ratio = statistics.median(target.cpu_per_request[k] / base.cpu_per_request[k] for k in common)
    return f"{own:.2f}", f"{ratio:.2f}"


def report(targets: Sequence[Target], rows: Sequence[tuple[str, ...]], notes: Sequence[str],
           args: argparse.Namespace, failures: list[str]) -> None:
    """The ladder table, the saturation summary; a missed --targets ratio goes to `failures`."""
    print(f"\nLadder: {args.duration:g} s per rung, at most {args.concurrency} connections, "
          f"{args.incident_share:.0%} incident submissions (secbot targets), {args.retry_share:.0%} delivered twice, "
          f"store {args.database}, {args.repeat} repetition(s); {os.cpu_count()} CPUs shared by the server under "
          f"test, the sender and the fake APIs; "
          f"{'SECBOT_MAX_IN_FLIGHT=' + str(args.max_in_flight) if args.max_in_flight else 'default in-flight limit'}\n")
    print(markdown(rows))
    print()
    for note in notes:
        print(f"- {note}")
    base = targets[0]
    summary = [("target", "saturation req/s (each repetition)", "ratio to bare-and-post (each)",
                "CPU ms/req (rungs both passed)", "CPU ratio to bare-and-post", "RSS idle/peak MiB")]
    for target in targets:
        ratios = [ratio_text(t, b, tl, bl) for t, b, tl, bl in
                  zip(target.saturation, base.saturation, target.lower_bound, base.lower_bound, strict=True)]
        own, ratio = cpu_ratio(target, base)
        summary.append((target.name, ", ".join(f"{'>=' if low else ''}{v:g}" for v, low in
                                               zip(target.saturation, target.lower_bound, strict=True)),
                        ", ".join(ratios), own, ratio,
                        f"{mib(target.rss_idle_kib)}/{mib(getattr(target.server, 'rss_peak', 0))}"))
    print(f"\nSaturation: the highest rate with reply p99 < {REPLY_LIMIT:g} s, no errors, every reply and "
          "incident exactly once (>=: the target never failed, so its ceiling is higher); a rung where the "
          f"generator used more than {GENERATOR_CPU_LIMIT:.0%} of a core or sent a tenth of its requests more "
          f"than {ms(GENERATOR_LAG_LIMIT)} ms late is not counted:\n")
    print(markdown(summary))
    if args.targets:
        for target in targets[1:]:
            goal = {"secbot serve slack": args.slack_target, "secbot serve teams": args.teams_target}.get(target.name)
            if goal is None:
                continue
            worst = min((t / b if b else 0.0) for t, b in zip(target.saturation, base.saturation, strict=True))
            if worst < goal:
                failures.append(f"{target.name}: saturation ratio {worst:.2f} < {goal:g} of bare-and-post")


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    run_id = uuid.uuid4().hex[:6]
    workdir = Path(tempfile.mkdtemp(prefix="secbot-load-"))
    database_url = args.database_url or (
        f"sqlite:///{workdir / 'load.db'}" if args.database == "sqlite"
        else os.environ.get("SECBOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    knowledge = str(Path(args.knowledge).resolve()) if args.knowledge else str(SHIPPED_DIR)
    failures: list[str] = []
    rows: list[tuple[str, ...]] = [HEADER]
    notes: list[str] = []

    generator = await Generator(workdir).start()
    fake_slack_api, connector_url = generator.slack_api_url, generator.connector_url
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CLIENT_TIMEOUT))  # /healthz only
    servers: list[ServeProcess] = []
    targets: list[Target] = []
    try:
        slack_env = serve_env("slack", database_url=database_url, api_url=fake_slack_api, knowledge=knowledge)
        extra = {"SECBOT_MAX_IN_FLIGHT": str(args.max_in_flight)} if args.max_in_flight else {}
        bare = await start_baseline(workdir, BARE_POST_CMD, slack_env, name="bare-and-post")
        servers.append(bare)
        targets.append(Target("bare-and-post (baseline)", bare, lambda n, tag: slack_workload(
            f"{bare.url}/slack/events", n, 0.0, args.retry_share, f"b{tag}", rng, knowledge)))
        if "slack" in args.platforms:
            slack = await start_serve("slack", {**slack_env, **extra}, workdir)
            servers.append(slack)
            targets.append(Target("secbot serve slack", slack, lambda n, tag, s=slack: slack_workload(
                f"{s.url}/slack/events", n, args.incident_share, args.retry_share, f"s{tag}", rng, knowledge)))
        if args.slack_from:  # another checkout's secbot (e.g. before a change), side by side in this run
            other = await start_serve("slack", {**slack_env, **extra, "PYTHONPATH": str(Path(args.slack_from).resolve())},
                                      workdir)
            servers.append(other)
            targets.append(Target(f"slack from {Path(args.slack_from).name}", other, lambda n, tag, s=other: slack_workload(
                f"{s.url}/slack/events", n, args.incident_share, args.retry_share, f"o{tag}", rng, knowledge)))
        if "teams" in args.platforms:
            teams = await start_serve("teams", {**serve_env("teams", database_url=database_url, knowledge=knowledge),
                                                **extra}, workdir)
            servers.append(teams)
            targets.append(Target("secbot serve teams", teams, lambda n, tag, t=teams: teams_workload(
                f"{t.url}/api/messages", connector_url, n, args.incident_share, args.retry_share, f"t{tag}", rng, knowledge)))
        for target in targets:
            async with session.get(f"{target.server.url}/healthz") as response:
                assert response.status == 200
            target.rss_idle_kib = target.server.rss_kib()
        print(f"servers up: {', '.join(f'{t.name} {t.server.url} (pid {t.server.pid})' for t in targets)}; "
              f"database {database_url.split('@')[-1]}", flush=True)

        await climb(generator, targets, args, run_id, database_url, rows, notes)

        # Stop the servers (SIGTERM, as an orchestrator would), then read the database back.
        for target in targets:
            target.server.rss_peak = target.server.rss_kib("VmHWM")  # type: ignore[attr-defined]
            code = await target.server.terminate()
            if code != 0:
                failures.append(f"{target.name} exited {code} on SIGTERM")
        for target in targets:
            if target.markers:
                lost, doubled = await count_incidents(database_url, target.markers)
                notes.append(f"{target.name}: incidents: {len(target.markers)} submitted over the run, "
                             f"{len(target.markers) - lost} in the database, {lost} lost, {doubled} doubled")
                if lost or doubled:
                    failures.append(f"{target.name}: {lost} incidents lost, {doubled} doubled")
    finally:
        await session.close()
        for server in servers:
            await server.terminate()
        generator.stop()

    report(targets, rows, notes, args, failures)
    if args.cold_runs:
        print(f"\nCold start (median of {args.cold_runs} runs):\n")
        print("| what | median ms | baseline | median ms |")
        print("|---|---|---|---|")
        for what, value, base_name, base_value in await cold_starts(args.cold_runs, workdir,
                                                                     f"sqlite:///{workdir / 'cold.db'}", knowledge):
            print(f"| {what} | {ms(value)} | {base_name} | {ms(base_value)} |")
    print()
    if failures:
        print("FAILED:\n- " + "\n- ".join(failures))
        return 1
    print("OK: clean exits on SIGTERM, every incident submitted stored exactly once"
          + (", saturation targets met." if args.targets else "."))
    return 0


def parse_rates(text: str) -> list[float]:
    rates = sorted({float(part) for part in text.split(",") if part.strip()})
    if not rates or rates[0] <= 0:
        raise argparse.ArgumentTypeError("rates must be positive numbers, comma-separated")
    return rates


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=parse_rates, default=parse_rates("100,200,300,400,500,600,700,800"),
                        help="the ladder: requests per second per rung, comma-separated (default 100,...,800)")
    parser.add_argument("--rate", type=float, help="a single rung at this rate (instead of --rates)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per rung (default 5)")
    parser.add_argument("--repeat", type=int, default=1, help="climb the ladder this many times (default 1)")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds of rest between rungs (default 1)")
    parser.add_argument("--reply-wait", type=float, default=15.0,
                        help="seconds to wait for the replies after a rung (default 15)")
    parser.add_argument("--concurrency", type=int, default=1000, help="most requests in flight (default 1000)")
    parser.add_argument("--incident-share", type=float, default=0.0,
                        help="share of secbot requests that are complete incident submissions (default 0: Q&A)")
    parser.add_argument("--retry-share", type=float, default=0.05,
                        help="share delivered a second time, as a platform retry (default 0.05)")
    parser.add_argument("--max-in-flight", type=int, default=0, help="SECBOT_MAX_IN_FLIGHT for the servers")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite",
                        help="sqlite: a fresh file; postgres: $SECBOT_TEST_DATABASE_URL or 127.0.0.1:5432/test")
    parser.add_argument("--database-url", help="use this database URL instead")
    parser.add_argument("--platforms", default="slack,teams", help="comma-separated: slack, teams (default both)")
    parser.add_argument("--cold-runs", type=int, default=0, help="cold start runs per command (default 0: skipped)")
    parser.add_argument("--knowledge", help="knowledge folder for the servers (default: the shipped one)")
    parser.add_argument("--slack-from", metavar="CHECKOUT",
                        help="also run `secbot serve slack` from this other checkout (e.g. the code before a change)")
    parser.add_argument("--targets", action="store_true",
                        help="exit 1 unless the saturation ratios meet --slack-target and --teams-target")
    parser.add_argument("--slack-target", type=float, default=0.7)
    parser.add_argument("--teams-target", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.platforms = {p.strip() for p in args.platforms.split(",") if p.strip()}
    if args.rate is not None:
        args.rates = parse_rates(str(args.rate))
    if args.duration <= 0 or args.repeat < 1 or args.duration * args.rates[-1] > 100_000:
        parser.error("--duration and --repeat must be positive, at most 100000 requests per rung")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
