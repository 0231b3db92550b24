"""The Teams SDK surface: the only modules that import botbuilder, botframework or msrest
(tests/unit/test_architecture.py checks it). The rest of adapters/teams/ takes the SDK's names
from here, so that a move to the Microsoft 365 Agents SDK (the same Bot Framework protocol)
replaces this package and the code that uses these names, nothing else.

- `connector_http`: Bot Connector calls over one shared aiohttp session (msrest's pipeline).
- `openid`: the signing keys for token checks, fetched without blocking the server.
"""

from __future__ import annotations

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector import ConnectorClient
from botframework.connector.auth import AuthenticateRequestResult, ConnectorFactory
from msrest.exceptions import ClientException, DeserializationError, SerializationError
from msrest.universal_http.requests import ClientRetryPolicy

from adapters.teams.sdk import openid
from adapters.teams.sdk.connector_http import use_aiohttp

__all__ = [
    "Activity", "ActivityTypes", "Attachment", "AuthenticateRequestResult", "ChannelAccount", "ClientException",
    "ClientRetryPolicy", "CloudAdapter", "ConfigurationBotFrameworkAuthentication", "ConnectorClient",
    "ConnectorFactory", "ConversationAccount", "ConversationParameters", "ConversationReference",
    "DeserializationError", "InvokeResponse", "SerializationError", "TurnContext", "openid", "use_aiohttp",
]
