"""Forged Bot Framework tokens against a server with an app id (issue 13, point 8): a 401 without a
traceback, and the server keeps answering while botframework fetches its signing keys."""

from __future__ import annotations

import asyncio
import http.server
import logging
import threading
import time
from collections.abc import Iterator

import jwt
import pytest
from botframework.connector.auth import ChannelValidation

from bot.settings import Secret

from .conftest import TeamsServer

APP_ID = "00000000-0000-0000-0000-0000000000a1"
SLOW_SECONDS = 1.5


class SlowOpenId(http.server.BaseHTTPRequestHandler):
    """An OpenID metadata endpoint that answers late, and with an error."""

    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        time.sleep(SLOW_SECONDS)
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def slow_openid(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[SlowOpenId]]:
    # A thread of its own: a server on the test's event loop could not answer a blocked loop.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowOpenId)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SlowOpenId.hits = 0
    url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/openidconfiguration-{time.time_ns()}"
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", url)
    yield SlowOpenId
    server.shutdown()
    server.server_close()


def forged_token() -> str:
    """Right issuer and audience, signed with a key Microsoft never published."""
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": int(time.time()) + 600,
              "serviceurl": "https://smba.trafficmanager.net/jp/"}
    return jwt.encode(claims, "forger-key-" * 4, algorithm="HS256", headers={"kid": "forged-kid"})


async def test_a_forged_token_gets_a_401_while_healthz_keeps_answering(start_server, slow_openid, caplog) -> None:
    caplog.set_level(logging.INFO)
    server: TeamsServer = await start_server(microsoft_app_id=APP_ID, microsoft_app_password=Secret("not-a-real-one"))
    forged = asyncio.create_task(server.post(server.payload("message_personal"),
                                             headers={"Authorization": f"Bearer {forged_token()}"}))
    await asyncio.sleep(0.2)  # the server is now waiting for the signing keys
    health = await server.session.get(f"{server.url}/healthz")
    assert health.status == 200
    assert not forged.done()  # /healthz answered while the key fetch was still in progress
    response = await forged
    assert response.status == 401
    assert "Traceback" not in await response.text() and "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]
    assert not server.connector.calls

    # The failed fetch is remembered for a while: the next forged token is refused without one.
    again = await server.post(server.payload("message_personal"), headers={"Authorization": f"Bearer {forged_token()}"})
    assert again.status == 401
    assert slow_openid.hits == 1
