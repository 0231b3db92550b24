"""Bot Framework's signing keys, fetched without blocking the server.

botframework's `_OpenIdMetadata` fetches the OpenID metadata and keys with `requests` on the
event loop and no timeout: while Microsoft's endpoint (or one a token points at) is slow, every
request of the process waits, /healthz included. Here the fetch runs in a thread with a time
limit, a failed fetch is remembered for a short while (forged tokens cannot trigger a fetch per
request), and an unknown key is "no key" instead of an IndexError.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any

import requests
from botframework.connector.auth import jwt_token_extractor

log = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 10.0
FAILURE_MEMORY_SECONDS = 30.0


class MetadataUnavailable(PermissionError):
    """The signing keys cannot be fetched now: the token cannot be verified (a 401)."""


class OffLoopOpenIdMetadata(jwt_token_extractor._OpenIdMetadata):
    def __init__(self, url: str):
        super().__init__(url)
        self.failed_at: float | None = None

    async def _refresh(self) -> None:
        if self.failed_at is not None and time.monotonic() - self.failed_at < FAILURE_MEMORY_SECONDS:
            raise MetadataUnavailable("the Bot Framework signing keys are unavailable (failed recently)")
        try:
            keys = await asyncio.wait_for(asyncio.to_thread(self._fetch), FETCH_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - slow, unreachable, an error page, bad JSON
            self.failed_at = time.monotonic()
            log.warning("cannot fetch the Bot Framework signing keys from %s: %s", self.url, type(exc).__name__)
            raise MetadataUnavailable("the Bot Framework signing keys are unavailable") from None
        self.keys, self.last_updated, self.failed_at = keys, datetime.now(), None

    def _fetch(self) -> list[dict[str, Any]]:
        response = requests.get(self.url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        keys = requests.get(response.json()["jwks_uri"], timeout=FETCH_TIMEOUT_SECONDS)
        keys.raise_for_status()
        return list(keys.json()["keys"])

    def _find(self, key_id: str) -> Any:
        if not any(isinstance(key, dict) and key.get("kid") == key_id for key in self.keys or ()):
            return None
        return super()._find(key_id)


def install() -> None:
    """Make botframework's token validation use OffLoopOpenIdMetadata (idempotent)."""
    jwt_token_extractor._OpenIdMetadata = OffLoopOpenIdMetadata
    cache = jwt_token_extractor.JwtTokenExtractor.metadataCache
    for url, metadata in list(cache.items()):
        if not isinstance(metadata, OffLoopOpenIdMetadata):
            cache[url] = OffLoopOpenIdMetadata(url)
