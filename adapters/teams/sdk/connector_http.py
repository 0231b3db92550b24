"""Bot Connector calls over one shared aiohttp session.

botbuilder's connector client sends every request with `requests` in a thread pool (msrest's
AsyncRequestsHTTPSender): under load that thread hop and a session per client cost a third of
the CPU of a turn. This sender keeps msrest's pipeline (user agent, the same bearer token,
deserialisation, logging) and only replaces the transport, with retries on 429 and 5xx.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline, Request, Response
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 3
TIMEOUT = aiohttp.ClientTimeout(total=30)
TOKEN_TIMEOUT_SECONDS = 30.0


class BearerToken(AsyncHTTPPolicy):
    """The Authorization header exactly as botframework's AppCredentials.signed_session sets it.

    The token comes from MSAL, which fetches it with blocking HTTP calls when it is not cached:
    that runs in a thread, with a time limit, so the server keeps answering meanwhile."""

    def __init__(self, credentials: Any):
        super().__init__()
        self._credentials = credentials

    async def send(self, request: Request, **kwargs: Any) -> Response:
        credentials = self._credentials
        if credentials is not None and credentials._should_set_token(None):
            try:
                token = await asyncio.wait_for(asyncio.to_thread(credentials.get_access_token), TOKEN_TIMEOUT_SECONDS)
            except TimeoutError:
                raise ClientRequestError("no Bot Framework token from Azure AD in time") from None
            request.http_request.headers["Authorization"] = f"Bearer {token}"
        return await self.next.send(request, **kwargs)  # type: ignore[union-attr]


class _Answer(AsyncClientResponse):
    def __init__(self, request: ClientRequest, status: int, headers: Any, reason: str | None, body: bytes):
        super().__init__(request, None)
        self.status_code = status
        self.headers = headers
        self.reason = reason
        self._body = body

    def body(self) -> bytes:
        return self._body


class AiohttpSender(AsyncHTTPSender):
    def __init__(self, session: aiohttp.ClientSession):
        self._session = session

    async def __aenter__(self) -> AiohttpSender:
        return self

    async def __aexit__(self, *exc_details: Any) -> None:
        return None  # the session belongs to the app, not to one client

    async def send(self, request: Request, **config: Any) -> Response:
        http = request.http_request
        # aiohttp measures the body itself; msrest's Content-Length counts characters, not bytes.
        headers = {k: v for k, v in http.headers.items() if k.lower() != "content-length"}
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self._session.request(http.method, http.url, headers=headers, data=http.data,
                                                 timeout=TIMEOUT) as answer:
                    body = await answer.read()
                    status, answer_headers, reason = answer.status, answer.headers.copy(), answer.reason
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt == ATTEMPTS:
                    raise ClientRequestError(f"cannot reach the Bot Connector: {type(exc).__name__}") from exc
                await asyncio.sleep(0.5 * attempt)
                continue
            if status in RETRY_STATUSES and attempt < ATTEMPTS:
                delay = _retry_after(answer_headers.get("Retry-After")) or 0.5 * attempt
                log.warning("Bot Connector answered %s; retrying in %.1f s", status, delay)
                await asyncio.sleep(delay)
                continue
            return Response(request, _Answer(http, status, answer_headers, reason, body))
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float | None:
    try:
        return min(float(value), 30.0) if value else None
    except ValueError:
        return None


def use_aiohttp(client: Any, session: aiohttp.ClientSession) -> Any:
    """Send a ConnectorClient's requests through `session`; returns the client."""
    config = client.config
    policies = [config.user_agent_policy, BearerToken(config.credentials), RawDeserializer(), config.http_logger_policy]
    config.pipeline = AsyncPipeline(policies, AiohttpSender(session))
    return client
