"""Limits for every aiohttp server secbot runs, against slow and idle clients.

aiohttp waits an hour for a request's headers and for ever for its body, and accepts any number
of connections: 300 clients sending a byte now and then kept every socket open and a server
full of stalled 1 MB bodies. Here a connection must finish its headers within `header_seconds`
(aiohttp's keep-alive timer also runs until the first request is complete, and closes idle
keep-alive connections after the same time), a handler reads its body within `body_seconds`
(`read_body`), and connections beyond `max_connections` get a 503 and are closed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Limits:
    header_seconds: float = 10.0
    body_seconds: float = 10.0
    max_connections: int = 500  # well under the usual 1024 open files, with room for the store and clients


LIMITS_KEY: web.AppKey[Limits] = web.AppKey("secbot_limits", Limits)
_REFUSAL = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class BodyTimeout(Exception):
    """The client did not send its body in time."""


async def read_body(request: web.Request) -> bytes:
    """The request body, or BodyTimeout when it does not arrive within the app's `body_seconds`."""
    limits = request.app.get(LIMITS_KEY) or Limits()
    try:
        return await asyncio.wait_for(request.read(), limits.body_seconds)
    except TimeoutError:
        raise BodyTimeout from None


def body_timeout_response() -> web.Response:
    response = web.json_response({"error": "the request body did not arrive in time"}, status=408)
    response.force_close()
    return response


class _Refuse(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(_REFUSAL)  # type: ignore[attr-defined]
        transport.close()


class _Capped:
    """A protocol factory: aiohttp's handler while there is room, else a 503 and close."""

    def __init__(self, server: web.Server, max_connections: int):
        self._server = server
        self._max = max_connections

    def __call__(self) -> asyncio.BaseProtocol:
        if len(self._server.connections) >= self._max:
            return _Refuse()
        return self._server()


class LimitedSite(web.TCPSite):
    """aiohttp's TCPSite with a cap on simultaneous connections."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, *, max_connections: int):
        super().__init__(runner, host, port)
        self._max_connections = max_connections

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            _Capped(server, self._max_connections), self._host, self._port, ssl=self._ssl_context,
            backlog=self._backlog, reuse_address=self._reuse_address, reuse_port=self._reuse_port)
        if self._server.sockets:
            self._bound_port = self._server.sockets[0].getsockname()[1]


async def start_server(app: web.Application, host: str, port: int, *, limits: Limits | None = None,
                       **runner_options: Any) -> web.AppRunner:
    """Serve `app` on host:port with `limits`; returns the runner (call `cleanup()` to stop)."""
    limits = limits or Limits()
    app[LIMITS_KEY] = limits
    runner = web.AppRunner(app, keepalive_timeout=limits.header_seconds, lingering_time=1.0, **runner_options)
    await runner.setup()
    try:
        await LimitedSite(runner, host, port, max_connections=limits.max_connections).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
