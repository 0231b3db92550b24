"""botbuilder's CloudAdapter as secbot runs it: connector clients and user token clients reused
across turns, Bot Connector calls over one aiohttp session, forged tokens refused as a 401, and
the signing keys fetched without blocking the server. Built by `build_cloud_adapter`."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector import ConnectorClient
from botframework.connector.auth import AuthenticateRequestResult, ConnectorFactory
from msrest.universal_http.requests import ClientRetryPolicy

from adapters.teams.sdk import openid
from adapters.teams.sdk.connector_http import use_aiohttp

log = logging.getLogger(__name__)


def build_cloud_adapter(configuration: Any) -> CloudAdapter:
    """A CloudAdapter over `configuration` (APP_ID, APP_PASSWORD, APP_TYPE, APP_TENANTID)."""
    _cheap_connector_clients()
    openid.install()
    return CloudAdapter(_Authentication(configuration))


async def close_cloud_adapter(adapter: CloudAdapter) -> None:
    """Close the HTTP session behind the adapter's Bot Connector calls."""
    auth = getattr(adapter, "bot_framework_authentication", None)
    if isinstance(auth, _Authentication):
        await auth.close()


def _cheap_connector_clients() -> None:
    """botbuilder builds two msrest clients per turn, and each builds a retry policy by scanning a
    999-item range against a 500-item *list* (~4 ms of CPU, a third of a turn under load). The
    list is only used for `in`: a frozenset gives the same policy at no cost."""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        setattr(ClientRetryPolicy, "safe_codes", frozenset(ClientRetryPolicy.safe_codes))  # noqa: B010 - typed as a list


class _ReusedConnectors(ConnectorFactory):
    """Hands out one ConnectorClient per (service URL, audience) instead of one per turn.

    botbuilder builds a client, and so a fresh HTTP session and TCP connection, for every
    activity; ours are reused, and send through one aiohttp session (sdk/connector_http.py). The
    credentials object refreshes its own token, so a long-lived client stays valid."""

    def __init__(self, inner: ConnectorFactory, owner: _Authentication):
        self._inner = inner
        self._owner = owner

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience)
        client = self._owner.connectors.get(key)
        if client is None:
            client = use_aiohttp(await self._inner.create(service_url, audience), self._owner.http_session())
            self._owner.connectors[key] = client
        return client


class _Authentication(ConfigurationBotFrameworkAuthentication):
    """The platform's authentication, with connector clients reused across turns."""

    def __init__(self, configuration: Any):
        super().__init__(configuration)
        self.connectors: dict[tuple[str, str | None], ConnectorClient] = {}
        self.token_clients: dict[tuple[Any, Any, Any], Any] = {}
        self._session: aiohttp.ClientSession | None = None

    def http_session(self) -> aiohttp.ClientSession:
        """One aiohttp session for every Bot Connector call (created in the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        try:
            result = await super().authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except Exception as exc:  # noqa: BLE001 - botframework fails on forged tokens in many ways
            # A token that cannot be verified is a 401, never a 500 with a traceback.
            log.info("refused a Bot Framework token: %s", type(exc).__name__)
            raise PermissionError("the Bot Framework token could not be verified") from None
        if result.connector_factory is not None:
            result.connector_factory = _ReusedConnectors(result.connector_factory, self)
        return result

    def create_connector_factory(self, claims_identity: Any) -> ConnectorFactory:
        return _ReusedConnectors(super().create_connector_factory(claims_identity), self)

    async def create_user_token_client(self, claims_identity: Any) -> Any:
        """botbuilder builds a user token client (an msrest client with its own configuration,
        HTTP session and retry policy) for every turn: a tenth of a turn's CPU. It holds only the
        app id and its credentials (which refresh themselves), so one per app id serves."""
        claims = getattr(claims_identity, "claims", None) or {}
        key = (claims.get("appid"), claims.get("azp"), claims.get("ver"))  # how botframework finds the app id
        client = self.token_clients.get(key)
        if client is None:
            client = self.token_clients[key] = await super().create_user_token_client(claims_identity)
        return client
