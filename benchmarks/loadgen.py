"""The load generator of benchmarks/load.py, kept cheap so that the server under test saturates first.

Two child processes, each on its own event loop:
- the **sender** gets a rung's requests already built and signed (raw HTTP/1.1 bytes) and writes
  them open-loop on keep-alive connections (asyncio protocols, no HTTP client library), each at
  its own due time; it parses only the status line, the length and (for Slack submissions) the
  body of each answer;
- the **fakes** host the fake Slack Web API and the fake Bot Connector and append one line per
  reply that reaches them ("destination<TAB>CLOCK_MONOTONIC seconds") to a file the parent reads.
time.monotonic() is CLOCK_MONOTONIC on Linux, one clock for every process on the machine, so the
due times (parent), the acknowledgements (sender) and the arrivals (fakes) compare directly.
Each child reports the CPU it used, so that a rung where the generator itself was the limit is
marked and not counted.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

CONTEXT = multiprocessing.get_context("spawn")  # a clean child: no copy of the parent's event loop


# -- the sender --------------------------------------------------------------------------------
@dataclass
class Rung:
    """What the sender needs for one rung: request i is due at `start + i / rate` (CLOCK_MONOTONIC)."""

    host: str
    port: int
    raw: list[bytes]  # complete HTTP/1.1 requests
    modal: list[bool]  # True: a Slack view_submission, whose acknowledgement must have an empty body
    start: float
    rate: float
    connections: int  # most connections open at once (a request waits for a free one beyond that)
    timeout: float
    warm: int = 32  # connections opened before the start


@dataclass
class RungResult:
    acks: list[tuple[float, str | None]]  # per request: due -> answer complete, and an error label or None
    sched_lag: list[float]  # per request: how late the sender's loop got to it (the generator's own lag)
    wait_max: float  # the longest a due request waited for a free connection
    cpu_seconds: float  # the sender's CPU over the rung
    wall: float  # from the start to the last answer (or the timeout)
    send_wall: float  # from the start to the last request written
    ready: float  # how long before the start the sender had its connections open (negative: late)


def _problem(status: int, body: bytes, modal: bool) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if modal and body.strip() not in (b"", b"{}"):
        return "modal errors"  # the submission was refused: the answers were incomplete
    return None


class _Client:
    """Keep-alive connections to one server; one request at a time on each (no pipelining)."""

    def __init__(self, rung: Rung, done: asyncio.Event) -> None:
        self.rung = rung
        self.loop = asyncio.get_running_loop()
        self.idle: list[_Conn] = []
        self.queue: deque[int] = deque()
        self.opened = 0
        self.acks: list[tuple[float, str | None] | None] = [None] * len(rung.raw)
        self.finished = 0
        self.wait_max = 0.0
        self.done = done

    def due(self, index: int) -> float:
        return self.rung.start + index / self.rung.rate

    async def open(self) -> None:
        try:
            _, conn = await self.loop.create_connection(lambda: _Conn(self), self.rung.host, self.rung.port)
        except OSError:
            self.opened -= 1
            if self.queue:
                self.finish(self.queue.popleft(), "ClientConnectorError")
            return
        self.release(conn)

    def submit(self, index: int) -> None:
        if self.idle:
            self.idle.pop().send(index)
            return
        self.queue.append(index)
        if self.opened < self.rung.connections:
            self.opened += 1
            self.loop.create_task(self.open())

    def release(self, conn: _Conn) -> None:
        if self.queue:
            index = self.queue.popleft()
            self.wait_max = max(self.wait_max, time.monotonic() - self.due(index))
            conn.send(index)
        else:
            self.idle.append(conn)

    def finish(self, index: int, problem: str | None) -> None:
        self.acks[index] = (time.monotonic() - self.due(index), problem)
        self.finished += 1
        if self.finished == len(self.acks):
            self.done.set()

    def lost(self, conn: _Conn) -> None:
        self.opened -= 1
        if conn in self.idle:
            self.idle.remove(conn)
        if self.queue and self.opened < self.rung.connections:
            self.opened += 1
            self.loop.create_task(self.open())


class _Conn(asyncio.Protocol):
    def __init__(self, client: _Client) -> None:
        self.client = client
        self.buffer = bytearray()
        self.current: int | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, index: int) -> None:
        self.current = index
        assert self.transport is not None
        self.transport.write(self.client.rung.raw[index])

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        parsed = _parse_response(self.buffer)
        if parsed is None or self.current is None:
            return
        status, body, used, close = parsed
        del self.buffer[:used]
        index, self.current = self.current, None
        self.client.finish(index, _problem(status, body, self.client.rung.modal[index]))
        if close:
            assert self.transport is not None
            self.transport.close()  # connection_lost does the bookkeeping
        else:
            self.client.release(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.current is not None:
            self.client.finish(self.current, "ServerDisconnectedError")
            self.current = None
        self.client.lost(self)


def _parse_response(buffer: bytearray) -> tuple[int, bytes, int, bool] | None:
    """(status, body, bytes used, server closes) of the first complete response in `buffer`, or None."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buffer[:head_end]).lower()
    status = int(head[9:12])
    close = b"\r\nconnection: close" in head
    start = head_end + 4
    at = head.find(b"\r\ncontent-length:")
    if at >= 0:
        line_end = head.find(b"\r\n", at + 2)
        length = int(head[at + 17:line_end if line_end > 0 else len(head)])
        if len(buffer) < start + length:
            return None
        return status, bytes(buffer[start:start + length]), start + length, close
    if b"\r\ntransfer-encoding: chunked" in head:
        body = bytearray()
        at = start
        while True:
            line_end = buffer.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
            if len(buffer) < line_end + 2 + size + 2:
                return None
            body += buffer[line_end + 2:line_end + 2 + size]
            at = line_end + 2 + size + 2
            if size == 0:
                return status, bytes(body), at, close
    return status, b"", start, close  # no body (e.g. 204)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _run_rung(rung: Rung) -> RungResult:
    done = asyncio.Event()
    client = _Client(rung, done)
    count = len(rung.raw)
    warm = min(rung.warm, rung.connections, count)
    client.opened = warm
    await asyncio.gather(*(client.open() for _ in range(warm)))
    sched_lag = [0.0] * count
    ready = rung.start - time.monotonic()
    await asyncio.sleep(max(0.0, rung.start - time.monotonic()))
    cpu_start = _cpu()
    index = 0
    while index < count:
        now = time.monotonic()
        while index < count and client.due(index) <= now:
            sched_lag[index] = now - client.due(index)
            client.submit(index)
            index += 1
        if index < count:
            await asyncio.sleep(max(0.0, client.due(index) - time.monotonic()))
    send_wall = time.monotonic() - rung.start
    try:
        await asyncio.wait_for(done.wait(), timeout=max(0.1, client.due(count - 1) + rung.timeout - time.monotonic()))
    except TimeoutError:
        pass
    wall = time.monotonic() - rung.start
    cpu = _cpu() - cpu_start
    for conn in client.idle:
        assert conn.transport is not None
        conn.transport.close()
    acks = [ack if ack is not None else (rung.timeout, "TimeoutError") for ack in client.acks]
    return RungResult(acks, sched_lag, client.wait_max, cpu, wall, send_wall, ready)


def sender_main(pipe: Connection) -> None:
    """The sender process: runs each Rung it receives, answers its RungResult; None stops it."""
    while (rung := pipe.recv()) is not None:
        pipe.send(asyncio.run(_run_rung(rung)))


# -- the fakes ---------------------------------------------------------------------------------
def fakes_main(pipe: Connection, arrivals_path: str) -> None:
    """The fakes process: the fake Slack Web API and Bot Connector; sends their URLs, then serves until killed."""
    asyncio.run(_fakes(pipe, Path(arrivals_path)))


async def _fakes(pipe: Connection, arrivals_path: Path) -> None:
    from aiohttp import web

    from tests.adapters.slack.fake_slack import FakeSlack
    from tests.adapters.teams.fake_connector import FakeConnector

    out = arrivals_path.open("a", buffering=1, encoding="utf-8")  # a line at a time: the parent tails it

    class Stamped(list[Any]):
        """A call list that keeps nothing: it writes where each reply went and when it arrived."""

        def __init__(self, key: Any) -> None:
            super().__init__()
            self.key = key

        def append(self, call: Any) -> None:
            where = self.key(call)
            if where is not None:
                out.write(f"{where}\t{time.monotonic()!r}\n")

    slack = await FakeSlack().start()
    slack.calls = Stamped(lambda c: c.body.get("channel") if c.method == "chat.postMessage" else None)
    connector = FakeConnector()
    connector.calls = Stamped(lambda c: c.conversation_id)
    runner = web.AppRunner(connector.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    connector.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    pipe.send((slack.api_url, connector.url))
    await asyncio.Event().wait()


# -- the parent's handles ----------------------------------------------------------------------
@dataclass
class Arrivals:
    """When each reply reached a fake platform API, by destination, read from the fakes' file."""

    path: Path
    times: dict[str, list[float]] = field(default_factory=dict)
    _offset: int = 0

    def refresh(self) -> None:
        with self.path.open("rb") as handle:
            handle.seek(self._offset)
            data = handle.read()
        end = data.rfind(b"\n") + 1  # a line being written is read next time
        self._offset += end
        for line in data[:end].decode().splitlines():
            where, stamp = line.split("\t")
            self.times.setdefault(where, []).append(float(stamp))

    def count(self, where: str) -> int:
        return len(self.times.get(where, ()))


class Generator:
    """The sender and fakes processes, started and stopped by the parent."""

    def __init__(self, workdir: Path) -> None:
        self.arrivals = Arrivals(workdir / "arrivals.tsv")
        self.arrivals.path.touch()
        self._sender_pipe, sender_end = CONTEXT.Pipe()
        self.sender = CONTEXT.Process(target=sender_main, args=(sender_end,), name="load-sender", daemon=True)
        self._fakes_pipe, fakes_end = CONTEXT.Pipe()
        self.fakes = CONTEXT.Process(target=fakes_main, args=(fakes_end, str(self.arrivals.path)),
                                     name="load-fakes", daemon=True)
        self.slack_api_url = self.connector_url = ""

    async def start(self) -> Generator:
        self.sender.start()
        self.fakes.start()
        loop = asyncio.get_running_loop()
        self.slack_api_url, self.connector_url = await loop.run_in_executor(None, self._fakes_pipe.recv)
        return self

    async def run(self, rung: Rung) -> RungResult:
        loop = asyncio.get_running_loop()
        self._sender_pipe.send(rung)
        result: RungResult = await loop.run_in_executor(None, self._sender_pipe.recv)
        return result

    def stop(self) -> None:
        if self.sender.is_alive():
            self._sender_pipe.send(None)
            self.sender.join(10)
        for process in (self.sender, self.fakes):
            if process.is_alive():
                process.terminate()
                process.join(10)
