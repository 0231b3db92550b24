"""The aiohttp web app: `/slack/events` (events, slash commands, interactivity) and `/healthz`.

Two conversions, as in bolt-python's aiohttp adapter: aiohttp request -> bolt request, bolt
response -> aiohttp response; url_verification and ssl_check are bolt's. The signature is
checked first (bolt parses the body before it checks), so an unsigned request gets a 401 before
anything in it is read as JSON or explained in a 400.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackApp
from adapters.slack.shape import body_problem
from bot.http_limits import BodyTimeout, body_timeout_response, read_body
from bot.ops_http import add_health_route

EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger early
SHUTDOWN_GRACE_SECONDS = 20.0

SLACK_APP_KEY: web.AppKey[SlackApp] = web.AppKey("secbot_slack_app", SlackApp)
VERIFIER_KEY: web.AppKey[SignatureVerifier] = web.AppKey("secbot_slack_verifier", SignatureVerifier)


def build_server(slack: SlackApp, *, events_path: str = EVENTS_PATH, socket_mode: bool = False) -> web.Application:
    """In Socket Mode only /healthz is served (/readyz and /metrics are on the operator port)."""
    web_app = web.Application(client_max_size=MAX_BODY)
    add_health_route(web_app, info={"service": "secbot-slack", "mode": "socket" if socket_mode else "http"})
    if not socket_mode:
        web_app[SLACK_APP_KEY] = slack
        web_app[VERIFIER_KEY] = SignatureVerifier(slack.settings.slack_signing_secret.reveal())
        web_app.router.add_post(events_path, events)
        web_app.on_shutdown.append(_drain)
    return web_app


async def events(request: web.Request) -> web.Response:
    slack = request.app[SLACK_APP_KEY]
    try:
        raw = await read_body(request)
    except BodyTimeout:
        return body_timeout_response()
    if not signed(request.app[VERIFIER_KEY], raw, request.headers):
        return web.json_response({"error": "invalid request signature"}, status=401)
    try:
        content_type = request.headers.get("Content-Type")  # split as bolt does: "application/json; charset=x"
        problem = body_problem(raw.decode(request.charset or "utf-8"), content_type.split(";")[0] if content_type else None)
    except (UnicodeDecodeError, LookupError):  # not text in the declared (or an unknown) charset
        problem = "the body is not valid text"
    if problem:
        return web.json_response({"error": problem}, status=400)
    bolt_response = await slack.dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)


def signed(verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, str]) -> bool:
    """Slack's v0 signature over the raw body, with a timestamp under five minutes old."""
    try:
        return verifier.is_valid(raw, headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", ""))
    except ValueError:  # a timestamp that is not a number
        return False


async def _drain(web_app: web.Application) -> None:
    """Deliver what was acknowledged before stopping."""
    await web_app[SLACK_APP_KEY].drain(timeout=SHUTDOWN_GRACE_SECONDS)
