"""Load, memory and cold start: real `secbot serve slack` and `secbot serve teams` processes on loopback,
side by side with a bare aiohttp endpoint on the same machine.

    .venv/bin/python benchmarks/load.py                       # 200 requests/s for 20 s per target, SQLite
    .venv/bin/python benchmarks/load.py --rate 100 --duration 10 --database postgres

For each target (baseline, Slack, Teams) the script sends requests open-loop at `--rate` (each one on
its own schedule, so a slow server cannot slow the sender down and hide its own latency), at most
`--concurrency` in flight, and measures the acknowledgement latency from the scheduled send time.
Slack gets signed event_callback `message.im` questions and complete `/incident` view_submissions;
Teams gets personal-chat questions and incident card submits, their serviceUrl pointing at a fake
connector. A share of both is delivered twice (a platform retry). Afterwards: every reply delivered
exactly once, every incident in the database exactly once (zero lost, zero doubled), the servers
exit 0 on SIGTERM. Then RSS of the serving processes and cold starts, each next to its baseline.

Bounded (rate x duration requests per target, timeouts everywhere), loopback only, stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
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
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from knowledge import SHIPPED_DIR  # noqa: E402
from tests.adapters.slack.conftest import SECURITY_CHANNEL, sign  # noqa: E402
from tests.adapters.slack.fake_slack import FakeSlack  # noqa: E402
from tests.adapters.teams.fake_connector import FakeConnector  # noqa: E402
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

    def pct(self, q: float) -> float:
        return _pct(self.latencies, q)

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall else 0.0


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _headers(request: Request) -> dict[str, str]:
    headers = {"Content-Type": request.content_type}
    if request.slack_signed:
        headers |= sign(request.body.decode())  # signed at send time: the timestamp is fresh
        if request.retry:
            headers |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    return headers


def _accepted(request: Request, status: int, text: str) -> str | None:
    """None when the server acknowledged the request as it should, else a short error label."""
    if status != 200:
        return f"HTTP {status}"
    if request.kind == "incident" and request.slack_signed and text.strip() not in ("", "{}"):
        return "modal errors"  # the submission was refused: the answers were incomplete
    return None


async def drive(session: aiohttp.ClientSession, target: str, requests: Sequence[Request], *, rate: float,
                concurrency: int, sample_rss: Callable[[], int] | None = None) -> PhaseResult:
    """Open-loop: request i is due at start + i / rate; latency counts from when it was due."""
    result = PhaseResult(target)
    gate = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()
    rss: list[int] = []

    async def one(request: Request, due: float) -> None:
        async with gate:
            result.send_lag_max = max(result.send_lag_max, loop.time() - due)
            try:
                async with session.post(request.url, data=request.body, headers=_headers(request)) as response:
                    text = await response.text()
                    problem = _accepted(request, response.status, text)
            except (TimeoutError, aiohttp.ClientError) as exc:
                problem = type(exc).__name__
            elapsed = loop.time() - due
        result.latencies.append(elapsed)
        result.by_kind.setdefault(request.kind, []).append(elapsed)
        if problem:
            result.errors[problem] += 1
        else:
            result.ok += 1

    async def sampler() -> None:
        while sample_rss is not None:
            rss.append(sample_rss())
            await asyncio.sleep(0.25)

    sampling = asyncio.create_task(sampler())
    start = loop.time()
    tasks = []
    for index, request in enumerate(requests):
        due = start + index / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(request, due)))
        result.sent += 1
    await asyncio.gather(*tasks)
    result.wall = loop.time() - start
    sampling.cancel()
    if rss:
        result.rss_peak_kib = max(rss)
    return result


def with_retries(requests: list[Request], share: float, rng: random.Random, *, gap: int = 40) -> list[Request]:
    """Deliver `share` of the non-baseline requests a second time, `gap` requests later."""
    out = list(requests)
    picked = [i for i, r in enumerate(requests) if rng.random() < share]
    for shift, index in enumerate(picked):
        original = requests[index]
        copy = Request(original.kind, original.url, original.body, original.content_type, original.slack_signed,
                       retry=True)
        out.insert(min(len(out), index + shift + 1 + gap), copy)
    return out


# -- the workloads -------------------------------------------------------------------------------
@dataclass
class Workload:
    requests: list[Request]
    markers: list[str]  # one per incident submitted (not counting retries)
    reply_targets: Counter[str]  # channel/conversation -> replies expected there


def slack_workload(url: str, count: int, incident_share: float, retry_share: float, run: str,
                   rng: random.Random, knowledge: str) -> Workload:
    form = triage_form("ja", knowledge)
    requests: list[Request] = []
    markers: list[str] = []
    expected: Counter[str] = Counter()
    for n in range(count):
        if rng.random() < incident_share:
            marker = f"load-{run}-s{n:06d}"
            user = f"U0L{n:06d}"
            answers = complete_answers(form, marker, choices={"incident_type": rng.choice(
                [c.value for c in form.fields[0].choices])})
            body = slack_view_submission(form, answers, user=user, view_id=f"V0L{n:06d}")
            requests.append(Request("incident", url, slack_form_body(body).encode(),
                                    "application/x-www-form-urlencoded", slack_signed=True))
            markers.append(marker)
            expected[user] += 1  # the result, in the reporter's DM
            expected[SECURITY_CHANNEL] += 1  # the summary, in the security channel
        else:
            channel = f"D0Q{n:06d}"
            event = slack_dm_event(rng.choice(QUESTIONS), user=f"U0Q{n:06d}", channel=channel,
                                   event_id=f"Ev0L{run}{n:06d}", ts=f"1700002000.{n:06d}")
            requests.append(Request("question", url, json.dumps(event, ensure_ascii=False).encode(),
                                    "application/json", slack_signed=True))
            expected[channel] += 1
    return Workload(with_retries(requests, retry_share, rng), markers, expected)


def teams_workload(url: str, service_url: str, count: int, incident_share: float, retry_share: float, run: str,
                   rng: random.Random, knowledge: str) -> Workload:
    form = triage_form("en", knowledge)
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
        requests.append(Request(kind, url, json.dumps(activity, ensure_ascii=False).encode(), "application/json"))
    return Workload(with_retries(requests, retry_share, rng), markers, expected)


def baseline_workload(url: str, count: int) -> list[Request]:
    body = json.dumps({"type": "event_callback", "event": {"type": "message", "text": "x" * 200}}).encode()
    return [Request("baseline", url, body, "application/json") for _ in range(count)]


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


async def start_baseline(workdir: Path) -> ServeProcess:
    log_path = workdir / "baseline.log"
    log = log_path.open("wb")
    process = subprocess.Popen(BASELINE_CMD, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                               env=clean_env())
    served = ServeProcess("baseline", process, log_path, _log=log)
    deadline = time.monotonic() + 30
    while "listening on" not in served.output():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the baseline server did not start: {served.output()}")
        await asyncio.sleep(0.02)
    served.url = served.output().split("listening on ", 1)[1].split("/slack/events", 1)[0]
    return served


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
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def print_table(results: Sequence[PhaseResult], args: argparse.Namespace) -> None:
    print(f"\nLoad: {args.rate:g} requests/s for {args.duration:g} s per target, at most {args.concurrency} in "
          f"flight, {args.incident_share:.0%} incident submissions, {args.retry_share:.0%} delivered twice, "
          f"store {args.database}; {os.cpu_count()} CPUs\n")
    header = ("target", "sent", "ok", "errors", "req/s", "p50 ms", "p99 ms", "max ms", "server CPU",
              "RSS idle MiB", "RSS peak MiB")
    rows = [header]
    for r in results:
        errors = ", ".join(f"{k}: {v}" for k, v in r.errors.items()) or "0"
        rows.append((r.target, str(r.sent), str(r.ok), errors, f"{r.throughput:.0f}", ms(r.pct(50)), ms(r.pct(99)),
                     ms(max(r.latencies, default=0)), f"{r.cpu_seconds / r.wall:.0%}" if r.wall else "-",
                     mib(r.rss_idle_kib), mib(r.rss_peak_kib)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()
    for r in results:
        if len(r.by_kind) > 1:
            kinds = "; ".join(f"{kind} p50 {ms(_pct(v, 50))} ms, p99 {ms(_pct(v, 99))} ms ({len(v)})"
                              for kind, v in sorted(r.by_kind.items()))
            print(f"- {r.target}: {kinds}")
        for check in r.checks:
            print(f"- {r.target}: {check}")


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    run_id = uuid.uuid4().hex[:8]
    count = int(args.rate * args.duration)
    workdir = Path(tempfile.mkdtemp(prefix="secbot-load-"))
    database_url = args.database_url or (
        f"sqlite:///{workdir / 'load.db'}" if args.database == "sqlite"
        else os.environ.get("SECBOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    knowledge = str(Path(args.knowledge).resolve()) if args.knowledge else str(SHIPPED_DIR)
    failures: list[str] = []
    results: list[PhaseResult] = []

    fake_slack = await FakeSlack().start()
    connector = FakeConnector()
    connector_runner = web.AppRunner(connector.app(), access_log=None)
    await connector_runner.setup()
    await web.TCPSite(connector_runner, "127.0.0.1", 0).start()
    connector.url = f"http://127.0.0.1:{connector_runner.addresses[0][1]}"

    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT)
    connector_limit = aiohttp.TCPConnector(limit=args.concurrency)
    session = aiohttp.ClientSession(timeout=timeout, connector=connector_limit)
    servers: list[ServeProcess] = []
    try:
        baseline = await start_baseline(workdir)
        servers.append(baseline)
        slack = await start_serve("slack", serve_env("slack", database_url=database_url, api_url=fake_slack.api_url,
                                            knowledge=knowledge),
                                  workdir)
        servers.append(slack)
        teams = await start_serve("teams", serve_env("teams", database_url=database_url, knowledge=knowledge),
                                  workdir)
        servers.append(teams)
        print(f"servers up: baseline {baseline.url}, slack {slack.url} (pid {slack.pid}), "
              f"teams {teams.url} (pid {teams.pid}); database {database_url.split('@')[-1]}", flush=True)

        for server in (baseline, slack, teams):
            async with session.get(f"{server.url}/healthz") as response:
                assert response.status == 200

        phases: list[tuple[str, ServeProcess, list[Request], Workload | None]] = [
            ("bare aiohttp (baseline)", baseline, baseline_workload(f"{baseline.url}/slack/events", count), None)]
        if "slack" in args.platforms:
            work = slack_workload(f"{slack.url}/slack/events", count, args.incident_share, args.retry_share, run_id, rng,
                                  knowledge)
            phases.append(("secbot serve slack", slack, work.requests, work))
        if "teams" in args.platforms:
            work = teams_workload(f"{teams.url}/api/messages", connector.url, count, args.incident_share,
                                  args.retry_share, run_id, rng, knowledge)
            phases.append(("secbot serve teams", teams, work.requests, work))

        for name, server, requests, work in phases:
            idle = server.rss_kib()
            cpu_before = server.cpu_seconds()
            print(f"running: {name} ({len(requests)} requests)...", flush=True)
            result = await drive(session, name, requests, rate=args.rate, concurrency=args.concurrency,
                                 sample_rss=lambda s=server: s.rss_kib())
            result.rss_idle_kib = idle
            result.cpu_seconds = server.cpu_seconds() - cpu_before
            result.rss_peak_kib = max(result.rss_peak_kib, server.rss_kib("VmHWM"))
            if result.send_lag_max > 0.05:
                result.checks.append(f"note: the sender fell behind its schedule by up to {ms(result.send_lag_max)} ms "
                                     "(counted in the latencies)")
            p99 = result.pct(99)
            if p99 >= ACK_LIMIT or result.errors:
                failures.append(f"{name}: p99 {ms(p99)} ms, errors {dict(result.errors)}")
            if work is not None:
                def got(slack_side: bool = server is slack) -> Counter[str]:
                    if slack_side:
                        return Counter(c.get("channel") for c in fake_slack.called("chat.postMessage"))
                    return Counter(c.conversation_id for c in connector.messages())

                total = sum(work.reply_targets.values())
                await wait_until(lambda got=got, total=total: sum(got().values()) >= total, 90)
                await asyncio.sleep(1.0)  # anything extra (a doubled reply) would arrive now
                missing, doubled, summary = delivery_check(work.reply_targets, got())
                result.checks.append(summary)
                if missing or doubled:
                    failures.append(f"{name}: {summary}")
            results.append(result)

        # Stop the servers (SIGTERM, as an orchestrator would), then read the database back.
        for server in (slack, teams):
            code = await server.terminate()
            if code != 0:
                failures.append(f"{server.platform} exited {code} on SIGTERM")
        slack_markers = phases[1][3].markers if "slack" in args.platforms else []
        teams_markers = phases[-1][3].markers if "teams" in args.platforms else []
        for result, markers in zip(results[1:], [m for m in (slack_markers, teams_markers) if m], strict=False):
            lost, doubled = await count_incidents(database_url, markers)
            result.checks.append(f"incidents: {len(markers)} submitted, {len(markers) - lost} in the database, "
                                 f"{lost} lost, {doubled} doubled")
            if lost or doubled:
                failures.append(f"{result.target}: {lost} incidents lost, {doubled} doubled")
    finally:
        await session.close()
        for server in servers:
            await server.terminate()
        await fake_slack.stop()
        await connector_runner.cleanup()

    print_table(results, args)
    if args.cold_runs:
        print(f"\nCold start (median of {args.cold_runs} runs):\n")
        print("| what | median ms | baseline | median ms |")
        print("|---|---|---|---|")
        for what, value, base, base_value in await cold_starts(args.cold_runs, workdir,
                                                                f"sqlite:///{workdir / 'cold.db'}", knowledge):
            print(f"| {what} | {ms(value)} | {base} | {ms(base_value)} |")
    print()
    if failures:
        print("FAILED:\n- " + "\n- ".join(failures))
        return 1
    print(f"OK: p99 acknowledgement under {ACK_LIMIT:g} s everywhere, no errors, every reply delivered once, "
          "every incident stored exactly once, clean exits on SIGTERM.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second per target (default 200)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per target (default 20)")
    parser.add_argument("--concurrency", type=int, default=500, help="most requests in flight (default 500)")
    parser.add_argument("--incident-share", type=float, default=0.3,
                        help="share of requests that are complete incident submissions (default 0.3)")
    parser.add_argument("--retry-share", type=float, default=0.05,
                        help="share delivered a second time, as a platform retry (default 0.05)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite",
                        help="sqlite: a fresh file; postgres: $SECBOT_TEST_DATABASE_URL or 127.0.0.1:5432/test")
    parser.add_argument("--database-url", help="use this database URL instead")
    parser.add_argument("--platforms", default="slack,teams", help="comma-separated: slack, teams (default both)")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold start runs per command (0 skips; default 5)")
    parser.add_argument("--knowledge", help="knowledge folder for the servers (default: the shipped one)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.platforms = {p.strip() for p in args.platforms.split(",") if p.strip()}
    if args.rate <= 0 or args.duration <= 0 or args.duration * args.rate > 100_000:
        parser.error("--rate and --duration must be positive, at most 100000 requests per target")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
