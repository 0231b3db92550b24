"""The aiohttp server for Teams: POST /api/messages (Bot Framework) and GET /healthz.

Like BotBuilder-Samples' 02.echo-bot, but the request is checked before the adapter sees it,
so malformed JSON, a missing serviceUrl or a huge body is a clean 4xx instead of a 500.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from aiohttp import web

from adapters.teams.app import TeamsApp, build_teams_app
from adapters.teams.sdk import Activity
from bot.engine import Bot
from bot.http_limits import BodyTimeout, body_timeout_response, read_body, start_server
from bot.ops_http import add_health_route
from bot.service import FrontEnd
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PORT = 3978
SHUTDOWN_GRACE_SECONDS = 20.0
MAX_BODY_BYTES = 256 * 1024  # Teams activities are a few KB; a card submit with long text well under this


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def make_web_app(teams: TeamsApp, *, max_body: int = MAX_BODY_BYTES) -> web.Application:
    async def messages(request: web.Request) -> web.StreamResponse:
        auth_header = request.headers.get("Authorization", "")
        activity = await _read_activity(request, teams, auth_header, max_body)
        if isinstance(activity, web.Response):
            return activity
        try:
            invoke_response = await teams.adapter.process_activity(auth_header, activity, teams.handler.on_turn)
        except (PermissionError, jwt.PyJWTError):
            return _error(401, "a valid Bot Framework token is required")
        except Exception:
            log.exception("processing a %s activity failed", activity.type)
            return _error(500, "internal error")
        if invoke_response:
            return web.json_response(invoke_response.body, status=invoke_response.status)
        return web.Response(status=200)

    # Local mode answers unauthenticated requests, so it must only ever answer this machine: a web
    # page whose host name was rebound to 127.0.0.1 still sends its own name in Host.
    middlewares = [_loopback_host_only] if teams.local_mode else []
    app = web.Application(client_max_size=max_body, middlewares=middlewares)
    app.router.add_post("/api/messages", messages)
    add_health_route(app, info={"service": "secbot-teams", "mode": "local" if teams.local_mode else "authenticated"})
    return app


async def _read_activity(request: web.Request, teams: TeamsApp, auth_header: str, max_body: int,
                         ) -> Activity | web.Response:
    """The request's Activity, or the 4xx that refuses it before the adapter sees it."""
    if not teams.local_mode and not auth_header.startswith("Bearer "):
        return _error(401, "a valid Bot Framework token is required")
    if request.content_type != "application/json":
        return _error(415, "expected Content-Type: application/json")
    if request.content_length is not None and request.content_length > max_body:
        return _error(413, f"request body larger than {max_body} bytes")
    try:
        raw = await read_body(request)
    except web.HTTPRequestEntityTooLarge:
        return _error(413, f"request body larger than {max_body} bytes")
    except BodyTimeout:
        return body_timeout_response()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[... nested too deeply
        body = None
    problem = "the body is not valid JSON" if body is None else _check_activity(body)
    if problem:
        # The details help a developer in local mode; before the token is checked, say less.
        return _error(400, problem if teams.local_mode else "the body is not a valid Bot Framework Activity")
    try:
        return Activity().deserialize(body)
    except Exception:  # noqa: BLE001 - msrest raises several kinds for wrong field types
        return _error(400, "the body is not a valid Bot Framework Activity")


def _check_activity(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the body must be a JSON object (an Activity)"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the Activity has no type"
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"].startswith(("https://", "http://")):
        return "the Activity has no serviceUrl"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "the Activity has no conversation id"
    for key in ("from", "recipient"):
        if key in body and not isinstance(body[key], dict):
            return f"the Activity's {key!r} must be an object"
    for key in ("value", "channelData"):
        if key in body and body[key] is not None and not isinstance(body[key], dict | list | str):
            return f"the Activity's {key!r} has the wrong type"
    if "entities" in body and not isinstance(body["entities"], list):
        return "the Activity's entities must be a list"
    return None


@web.middleware
async def _loopback_host_only(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                              ) -> web.StreamResponse:
    if not is_loopback(_host_name(request.headers.get("Host", ""))):
        return _error(403, "local mode answers only requests for localhost")
    return await handler(request)


def _host_name(host: str) -> str:
    """The name in a Host header: 'localhost:3978' -> 'localhost', '[::1]:3978' -> '[::1]'."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def teams_problems(settings: Settings, host: str) -> list[str]:
    """What prevents `secbot serve teams` from starting, in words an operator can act on."""
    local = not settings.microsoft_app_id
    problems = []
    if local and not is_loopback(host):
        problems.append(f"refusing to listen on {host}: MicrosoftAppId is not set, so Bot Framework authentication "
                        "is off (local mode); use --host 127.0.0.1, or set MicrosoftAppId and MicrosoftAppPassword")
    if not local and not settings.microsoft_app_password and settings.microsoft_app_type.lower() != "userassignedmsi":
        problems.append("MicrosoftAppId is set but MicrosoftAppPassword is not (see docs/teams.md)")
    if local and (settings.database_url or "").startswith(("postgresql:", "postgres:")):
        problems.append("refusing local mode (no MicrosoftAppId, no authentication) on a PostgreSQL database: "
                        "it may be shared with an authenticated deployment; use a SQLite file for local tests")
    if settings.microsoft_app_type.lower() == "singletenant" and not settings.microsoft_app_tenant_id:
        problems.append("MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId")
    return problems


def teams_front_end(bot: Bot, settings: Settings, *, host: str, port: int) -> FrontEnd:
    async def serve(stop: asyncio.Event) -> None:
        if not settings.teams_security_channel:
            log.warning("SECBOT_TEAMS_SECURITY_CHANNEL is not set: incident notifications cannot be delivered")
        await run(build_teams_app(bot, settings), host, port, stop=stop)

    return serve


async def run(teams: TeamsApp, host: str, port: int, *, ready: asyncio.Event | None = None,
              stop: asyncio.Event | None = None) -> None:
    """Serve until `stop` is set (or cancelled). Without an app id only a loopback address is allowed."""
    if teams.local_mode and not is_loopback(host):
        raise ValueError(f"refusing to listen on {host}: without MicrosoftAppId authentication is off, "
                         "so only a loopback address (127.0.0.1, ::1, localhost) is allowed")
    runner = await start_server(make_web_app(teams), host, port, access_log=None,
                                shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    where = ", ".join(f"{a[0]}:{a[1]}" for a in runner.addresses if isinstance(a, tuple)) or f"{host}:{port}"
    if teams.local_mode:
        log.warning("Teams adapter in LOCAL MODE (no MicrosoftAppId: requests are not authenticated) on %s", where)
    else:
        log.warning("Teams adapter listening on %s (Bot Framework authentication on)", where)
    print(f"secbot teams: listening on http://{where}/api/messages"
          f"{' (local mode: no authentication)' if teams.local_mode else ''}", flush=True)
    if ready is not None:
        ready.set()
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await runner.cleanup()  # stops accepting, lets in-flight requests finish
        await teams.close()
