"""secbot as a Slack app: slack-bolt listeners that hand every payload to the core.

The listeners acknowledge at once and do the work in tracked background tasks (Slack wants an
answer within 3 seconds; the server awaits the tasks on shutdown). The one exception is a
modal submission: its validation errors (and "couldn't save, try again") have to travel in the
acknowledgement itself, so it gets a bounded time to finish before the acknowledgement; past
that, or while many submissions are in progress, the modal is closed and the result follows in
the reporter's DM. A submission's delivery claim is released when nothing was filed, so the
reporter's identical retry is handled rather than dropped as a duplicate.

Replies go back where the message came from: DMs and @mentions (in the thread) get messages;
slash commands, private replies and click acknowledgements are ephemeral; a submitted modal's
result goes to the reporter's DM; notifications go to the private security channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import ClientOSError, ServerConnectionError, ServerDisconnectedError
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest as BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.backpressure import Slot, WorkLimit
from adapters.delivery import DeliveryPolicy
from adapters.slack import blocks, convert
from adapters.slack.convert import Origin
from bot.engine import Bot
from bot.messages import say
from bot.models import Form, IncomingMessage, Notification, Reply, ReplyKind, Response
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Work done inside a modal submission's acknowledgement, of the 3 s Slack allows in all (bolt
# answers 404 after 3 s); the rest is for the request's way in and out under load.
SUBMIT_BUDGET_SECONDS = 1.0
# More submissions than this in progress (a burst): acknowledge at once, finish in the background.
BUSY_SUBMISSIONS = 8
SLOT_KEY = "secbot_slot"  # in bolt's request context: the in-flight slot the request holds


class ServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """slack_sdk's handler retries 500 and 503 only; a 502 or 504 from a proxy is as transient."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        return response is not None and 500 <= response.status_code < 600


def retry_handlers() -> list[AsyncRetryHandler]:
    """Connection errors, timeouts, 429 (honouring Retry-After) and 5xx are retried with backoff."""
    return [
        # slack_sdk's list leaves out the client's own timeout (a bare TimeoutError): without it one
        # slow answer from Slack silently drops a reply.
        AsyncConnectionErrorRetryHandler(max_retry_count=2, error_types=[
            ServerConnectionError, ServerDisconnectedError, ClientOSError, TimeoutError]),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=3),
    ]


def api_url(settings: Settings) -> str:
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


def missing_settings(settings: Settings, *, socket_mode: bool = False) -> list[str]:
    """The environment variables `secbot serve slack` cannot start without, by their names."""
    needed = {
        "SLACK_BOT_TOKEN": bool(settings.slack_bot_token),
        "SLACK_SIGNING_SECRET": socket_mode or bool(settings.slack_signing_secret),
        "SLACK_APP_TOKEN": not socket_mode or bool(settings.slack_app_token),
        # Incidents are posted there: a triage bot that silently drops them is worse than none.
        "SECBOT_SECURITY_CHANNEL": bool(settings.security_channel),
    }
    return [name for name, present in needed.items() if not present]


def build_web_client(settings: Settings, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """With a `session`, Web API calls reuse its connections instead of opening one per call."""
    return AsyncWebClient(token=settings.slack_bot_token.reveal() or None, base_url=api_url(settings),
                          retry_handlers=retry_handlers(), session=session, logger=web_api_logger())


def web_api_logger() -> logging.Logger:
    """slack_sdk formats a debug line of every request and response (headers, body) whenever its
    logger's own level is NOTSET, which is the default, whatever the configured level: a sixth
    of the CPU of a reply under load. Its logger with the effective level set explicitly."""
    logger = logging.getLogger("slack_sdk.web.secbot")
    logger.setLevel(logging.getLogger("slack_sdk").getEffectiveLevel())
    return logger


def cached_authorization(client: AsyncWebClient) -> Callable[[], Awaitable[AuthorizeResult]]:
    """bolt's `authorize` for this one workspace: auth.test asked once, its answer kept.

    bolt's default single-team authorization caches auth.test only after the first answer, so a
    burst right after start sent one auth.test per request and waited for each before the
    acknowledgement. Concurrent callers share the call in flight; a failed one is asked again.
    (A plain function: bolt passes the arguments a callable names, and this one needs none.)"""
    answer: asyncio.Future[AuthorizeResult] | None = None

    async def ask() -> AuthorizeResult:
        response = await client.auth_test()
        return AuthorizeResult.from_auth_test_response(auth_test_response=response, bot_token=client.token)

    async def authorize() -> AuthorizeResult:
        nonlocal answer
        if answer is None or (answer.done() and (answer.cancelled() or answer.exception() is not None)):
            answer = asyncio.ensure_future(ask())
        return await asyncio.shield(answer)

    return authorize


class BackgroundTasks:
    """Work started after the acknowledgement; failures are logged, never lost silently."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(self._guard(work, name), name=f"secbot-slack-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guard(work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("slack: background task %s failed", name)


    async def drain(self, timeout: float | None = None) -> None:  # noqa: ASYNC109 - a bound the caller sets at start/shutdown
        """Wait until every task (including ones started meanwhile) is done."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            await asyncio.wait(set(self._tasks), timeout=remaining)
            if deadline is not None and loop.time() >= deadline:
                for task in self._tasks:
                    task.cancel()
                break

    def __len__(self) -> int:
        return len(self._tasks)


class SlackApp:
    """The bolt app plus what it needs: the core bot, the Web API client and the task set."""

    def __init__(self, bot: Bot, settings: Settings, client: AsyncWebClient, *, socket_mode: bool = False,
                 session: aiohttp.ClientSession | None = None):
        """`session`: the HTTP session behind `client`, if this app owns it (closed by `close`)."""
        self.bot = bot
        self.settings = settings
        self.client = client
        self.security_channel = settings.security_channel
        self.tasks = BackgroundTasks()
        self.limit = WorkLimit(settings.max_in_flight, platform="slack")
        self.delivery = DeliveryPolicy(bot, "slack", prefix="slack:",
                                       expected=(SlackApiError, aiohttp.ClientError, TimeoutError), describe=_why)
        self._own_session = session
        self._retry_handlers = retry_handlers()  # stateless: one list for every response_url post
        self._submitting: set[asyncio.Future[Response | None]] = set()
        # Submissions worked on at once: the store writes one at a time anyway, and under a burst
        # the waiting ones must leave the CPU to parsing and acknowledging the requests behind them.
        self._submission_slots = asyncio.Semaphore(BUSY_SUBMISSIONS)
        self.authorize = cached_authorization(client)
        # Forms by (form id, language), to rebuild a modal when a conditional field changes.
        self._forms: dict[tuple[str, str], Form] = {}
        bolt_logger = logging.getLogger("slack_bolt.secbot")
        with _quiet(bolt_logger):  # bolt reads SLACK_BOT_TOKEN itself and warns that `client` wins
            self.bolt = AsyncApp(
                client=client,
                signing_secret=settings.slack_signing_secret.reveal(),
                authorize=self.authorize,
                # Socket Mode connections are authenticated by the app token, not signed.
                request_verification_enabled=not socket_mode,
                # Each listener acknowledges itself, right away or within SUBMIT_BUDGET_SECONDS, and
                # starts its own tasks: bolt need not run it aside and poll for the ack every 10 ms
                # (300 pollers at once delayed every acknowledgement past Slack's 3 s).
                process_before_response=True,
                logger=bolt_logger,
            )
        self._register(self.bolt)

    def workspaces(self, context: Any) -> set[str]:
        """SECBOT_SLACK_TEAMS, else the workspace (and organisation) of the bot token (auth.test)."""
        if self.settings.slack_teams:
            return set(self.settings.slack_teams)
        result = context.authorize_result
        return {i for i in (result.team_id, result.enterprise_id) if i} if result is not None else set()
    async def warm_up(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - a bound the caller sets at start/shutdown
        """Ask auth.test before the first request, so a burst at start does not wait for it."""
        try:
            await asyncio.wait_for(self.authorize(), timeout)
        except Exception as exc:  # noqa: BLE001 - not fatal: bolt asks again on the first request
            log.warning("slack: auth.test at start failed (%s); will retry on the first request", _why(exc))

    async def drain(self, timeout: float | None = None) -> None:  # noqa: ASYNC109 - a bound the caller sets at start/shutdown
        await self.tasks.drain(timeout)

    async def close(self) -> None:
        """Close the HTTP session the app opened for itself (after `drain`)."""
        if self._own_session is not None:
            await self._own_session.close()

    async def dispatch(self, request: BoltRequest) -> BoltResponse:
        """bolt's dispatch, with the in-flight bound: questions, commands and clicks hold one of
        SECBOT_MAX_IN_FLIGHT slots until answered, and past the limit are turned away at once
        (adapters/backpressure.py). A modal submission never waits for a slot."""
        kind = work_kind(request.body)
        if kind is None:
            return await self.bolt.async_dispatch(request)
        slot = self.limit.admit()
        if slot is None:
            return self._busy(kind, request.body)
        request.context[SLOT_KEY] = slot
        try:
            return await self.bolt.async_dispatch(request)  # the listeners have run when it returns
        finally:
            if not slot.handed_over:  # no work started (a bot's own message, another workspace)
                slot.release()

    # -- listeners --------------------------------------------------------------------------
    def _register(self, app: AsyncApp) -> None:
        @app.middleware
        async def same_workspace(context: Any, next: Any) -> BoltResponse | None:
            """A signed request from a workspace or organisation we do not serve gets an empty 200."""
            asked = {i for i in (context.team_id, context.enterprise_id) if isinstance(i, str) and i}
            if asked and not asked & self.workspaces(context):
                log.warning("slack: ignoring a request from workspace %s (not in SECBOT_SLACK_TEAMS)",
                            "/".join(sorted(asked)))
                return BoltResponse(status=200, body="")
            return await next()

        @app.event("app_mention")
        async def mention(body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]) -> None:
            self._start_event(body, event, context)

        @app.event("message")
        async def message(body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]) -> None:
            self._start_event(body, event, context)

        @app.command(re.compile(r"^/"))
        async def command(ack: Any, body: dict[str, Any], context: dict[str, Any]) -> None:
            await ack()
            incoming, origin = convert.from_command(body)
            self._spawn_work(self.process(incoming, origin), "command", context)

        @app.action(re.compile(r".*"))
        async def action(ack: Any, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
            await ack()
            self._start_action(body, action, context)

        @app.view_submission(re.compile(r".*"))
        async def view_submission(ack: Any, body: dict[str, Any]) -> None:
            await self.submit_modal(ack, body)

        @app.view_closed(re.compile(r".*"))
        async def view_closed(ack: Any) -> None:
            await ack()

    def _start_event(self, body: Mapping[str, Any], event: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        converted = convert.from_event(event, event_id=body.get("event_id"), bot_user_id=context.get("bot_user_id"))
        if converted is not None:
            incoming, origin = converted
            self._spawn_work(self.process(incoming, origin), str(event.get("type")), context)

    def _spawn_work(self, work: Coroutine[Any, Any, None], name: str, context: Mapping[str, Any]) -> None:
        """Start the work after the ack; it keeps the request's in-flight slot until it is done."""
        slot = context.get(SLOT_KEY)
        if not isinstance(slot, Slot):
            self.tasks.spawn(work, name)
            return
        slot.handed_over = True
        self.tasks.spawn(_holding(slot, work), name)

    def _busy(self, kind: str, body: Mapping[str, Any]) -> BoltResponse:
        """Too much in flight: Slack retries an event answered 503 (and the delivery claim keeps
        the retry from being answered twice); a command or a click is not retried, so the person
        is told to send it again."""
        if kind == "event":
            return BoltResponse(status=503, body="busy")
        text = say("busy", self.bot.default_lang)
        if kind == "command":
            return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": text}),
                                headers={"content-type": "application/json"})
        url = body.get("response_url")
        if isinstance(url, str) and url:  # a click on a message button: say so next to it
            origin = Origin(user_id=str((body.get("user") or {}).get("id", "")), response_url=url)
            self.tasks.spawn(self.post_ephemeral(origin, {"text": text}), "busy")
        return BoltResponse(status=200, body="")

    def _start_action(self, body: Mapping[str, Any], action: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        if (body.get("container") or {}).get("type") == "view" or body.get("view"):
            self._spawn_work(self.update_modal(body), "views.update", context)
            return
        if action.get("type") != "button" or not action.get("value"):
            return
        incoming, origin = convert.from_action(body, action)
        if str(action.get("action_id", "")).startswith(blocks.OPEN_FORM_ACTION):
            incoming = replace(incoming, text=action["value"], action=None)
        self._spawn_work(self.process(incoming, origin, clicked=True), "action", context)

    # -- the work after the ack -------------------------------------------------------------
    async def process(self, incoming: IncomingMessage, origin: Origin, *, clicked: bool = False) -> None:
        response = await self.delivery.process(incoming)
        if response is not None:
            await self.deliver(response, origin, clicked=clicked)

    async def handle(self, incoming: IncomingMessage) -> Response:
        return await self.delivery.handle(incoming)

    async def deliver(self, response: Response, origin: Origin, *, clicked: bool = False) -> None:
        """Send every reply, then every notification; one failure does not stop the others."""
        await self.delivery.send_each(response, lambda reply: self.send_reply(reply, origin, clicked=clicked),
                                      self.notify, to=origin.user_id)

    async def send_reply(self, reply: Reply, origin: Origin, *, clicked: bool = False) -> None:
        if reply.form is not None and origin.trigger_id:
            try:
                await self.open_modal(reply, origin)
                return
            except SlackApiError as exc:  # the trigger expired: offer a button that opens it
                log.warning("slack: views.open failed (%s); sending an open-form button", _why(exc))
        open_value = origin.resend_text if reply.form is not None else None
        payload: dict[str, Any] = {"text": blocks.reply_text(reply), "blocks": blocks.reply_blocks(reply, open_form_value=open_value)}
        private = reply.private or reply.form is not None or (clicked and reply.kind in (ReplyKind.NOTICE, ReplyKind.ERROR))
        if origin.ephemeral or (private and not origin.is_dm):
            await self.post_ephemeral(origin, payload)
        else:
            await self.client.chat_postMessage(channel=origin.channel_id or origin.user_id,
                                               thread_ts=origin.thread_ts, **payload)

    async def post_ephemeral(self, origin: Origin, payload: Mapping[str, Any]) -> None:
        """Via the response_url when there is one: it works even where the bot is not a member."""
        if origin.response_url:
            webhook = AsyncWebhookClient(origin.response_url, retry_handlers=self._retry_handlers,
                                         session=self._own_session, logger=self.client.logger)
            result = await webhook.send(response_type="ephemeral", replace_original=False, **payload)
            if result.status_code == 200:
                return
            log.warning("slack: response_url answered %s; trying chat.postEphemeral", result.status_code)
        if origin.channel_id and origin.channel_id != origin.user_id:
            await self.client.chat_postEphemeral(channel=origin.channel_id, user=origin.user_id,
                                                 thread_ts=origin.thread_ts, **payload)
        else:
            await self.client.chat_postMessage(channel=origin.user_id, **payload)

    async def notify(self, note: Notification) -> bool:
        """True once Slack accepted the message (chat.postMessage raises when it did not)."""
        audience = getattr(note, "audience", "security_team")
        if audience == "user":
            user_id = getattr(note, "user_id", None)
            if getattr(note, "platform", None) not in (None, convert.PLATFORM) or not user_id:
                return False  # for another front end
            channel = user_id  # the person's DM with the bot
        else:
            if not self.security_channel:
                log.warning("slack: SECBOT_SECURITY_CHANNEL is not set: the %s notification was not posted", note.kind)
                return False
            channel = self.security_channel
        await self.client.chat_postMessage(channel=channel, text=blocks.notification_text(note),
                                           blocks=blocks.notification_blocks(note))
        return True

    # -- modals -----------------------------------------------------------------------------
    async def open_modal(self, reply: Reply, origin: Origin) -> None:
        form = reply.form
        assert form is not None
        self._forms[(form.id, reply.lang)] = form
        metadata = {"channel_id": origin.channel_id, "lang": reply.lang, "open": origin.resend_text,
                    "conversation_id": convert.conversation_id(origin.channel_id or origin.user_id, origin.thread_ts)}
        view = blocks.form_view(form, metadata=metadata, lang=reply.lang)
        await self.client.views_open(trigger_id=origin.trigger_id, view=view)

    async def update_modal(self, body: Mapping[str, Any]) -> None:
        """A controlling select changed: show or hide the fields that depend on it."""
        view = body.get("view") or {}
        metadata = convert.view_metadata(view)
        form = self._forms.get((view.get("callback_id", ""), metadata.get("lang", "")))
        if form is None:
            form = await self._form_again(body, metadata)
        if form is None:
            log.warning("slack: cannot rebuild modal %s", view.get("callback_id"))
            return
        values = convert.view_state_values(view)
        try:
            await self.client.views_update(view_id=view.get("id"), hash=view.get("hash"),
                                           view=blocks.form_view(form, values, metadata=metadata,
                                                                  lang=metadata.get("lang", "ja")))
        except SlackApiError as exc:
            # hash_conflict: a newer update already went out; the user's next change redoes it.
            log.info("slack: views.update skipped: %s", _why(exc))

    async def _form_again(self, body: Mapping[str, Any], metadata: Mapping[str, Any]) -> Form | None:
        """After a restart the form is not cached: ask the core for it again."""
        text = metadata.get("open")
        if not text:
            return None
        incoming = IncomingMessage(user_id=body["user"]["id"], conversation_id=metadata.get("conversation_id") or "",
                                   text=text, platform=convert.PLATFORM, capabilities=convert.CAPABILITIES,
                                   channel_id=metadata.get("channel_id"))
        response = await self.handle(incoming)
        form = next((r.form for r in response.replies if r.form is not None), None)
        if form is not None:
            self._forms[(form.id, metadata.get("lang", ""))] = form
        return form

    async def submit_modal(self, ack: Any, body: Mapping[str, Any]) -> None:
        incoming, origin = convert.from_view_submission(body)
        view = body["view"]
        fields = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input" and b.get("block_id")]
        work = asyncio.ensure_future(self.file_submission(incoming))
        self._submitting.add(work)
        work.add_done_callback(self._submitting.discard)
        if len(self._submitting) <= BUSY_SUBMISSIONS:
            await asyncio.wait({work}, timeout=SUBMIT_BUDGET_SECONDS)
        # else a burst: acknowledge without yielding to the loop, or this answer waits its turn
        # behind the parsing of every request that arrived with it.
        if not work.done():
            await ack()  # close the modal in time; the result (or what went wrong) follows in the DM
            self.tasks.spawn(self._deliver_when_filed(work, origin), "submission")
            return
        response = work.result()
        if response is None:
            await ack()  # the first delivery has it; just close the modal
            return
        errors = next((r for r in response.replies if r.kind is ReplyKind.ERROR), None)
        if errors is not None:
            problems = dict(errors.data.get("errors") or {})
            await ack(response_action="errors", errors=blocks.view_errors(problems, fields, fallback=errors.text))
            self._spawn_delivery(Response(notifications=response.notifications), origin)
            return
        form = next((r for r in response.replies if r.form is not None), None)
        if form is not None and form.form is not None:
            metadata = convert.view_metadata(view)
            self._forms[(form.form.id, form.lang)] = form.form
            next_view = blocks.form_view(form.form, metadata=metadata, lang=form.lang)
            await ack(response_action="update", view=next_view)
            rest = tuple(r for r in response.replies if r is not form)
            self._spawn_delivery(Response(rest, response.notifications), origin)
            return
        await ack()
        self._spawn_delivery(response, origin)

    async def file_submission(self, incoming: IncomingMessage) -> Response | None:
        """The core's answer to a submitted modal; None if this delivery was handled before."""
        async with self._submission_slots:
            return await self.delivery.process(incoming)  # released on an error: the same Submit must work again

    async def _deliver_when_filed(self, work: asyncio.Future[Response | None], origin: Origin) -> None:
        response = await work
        if response is not None:
            await self.deliver(response, origin)

    def _spawn_delivery(self, response: Response, origin: Origin) -> None:
        if response.replies or response.notifications:
            self.tasks.spawn(self.deliver(response, origin), "deliver")


def work_kind(body: Mapping[str, Any]) -> str | None:
    """What a request asks of the core: "event", "command", "action" (a click), or None (a modal
    submitted or closed, url_verification: never held back)."""
    if body.get("type") == "event_callback":
        return "event"
    if "command" in body:
        return "command"
    if body.get("type") == "block_actions":
        return "action"
    return None


async def _holding(slot: Slot, work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    finally:
        slot.release()


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _why(exc: Exception) -> str:
    """A short reason for the log: Slack's error code, never the request (it may hold a token)."""
    if isinstance(exc, SlackApiError):
        data = getattr(exc.response, "data", None)
        code = data.get("error") if isinstance(data, dict) else None
        return f"{code or 'error'} (HTTP {getattr(exc.response, 'status_code', '?')})"
    return f"{type(exc).__name__}: {exc}"


def build_slack_app(bot: Bot, settings: Settings, client: AsyncWebClient | None = None, *,
                    socket_mode: bool = False) -> SlackApp:
    """The Slack app for `bot`. Pass `client` to talk to a fake Web API in tests."""
    if client is not None:
        return SlackApp(bot, settings, client, socket_mode=socket_mode)
    session = aiohttp.ClientSession()  # kept open for the app's life: keep-alive to the Web API
    return SlackApp(bot, settings, build_web_client(settings, session), socket_mode=socket_mode, session=session)
