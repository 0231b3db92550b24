"""One delivery policy for the chat platforms (Slack and Teams), so that the two cannot drift.

A platform may deliver the same event twice (Slack retries an event it thinks was missed, Teams
re-sends an Activity, a user double-clicks Submit). Each delivery is therefore:

1. claimed in the store under its id: a delivery claimed before is ignored;
2. handed to the core; a crash there becomes the polite error reply, with the traceback logged
   (Teams: its turn error handler says so);
3. released again when nothing was done (the core answered with an error or crashed: a
   validation error, a failed write), so that the sender's identical retry is processed rather than swallowed;
4. answered notification by notification, then reply by reply, each on its own: one that cannot
   be sent is logged with its traceback and does not stop the others. The notifications go
   first so that a reply saying "the security team has been notified" is true: when the platform
   did not accept the incident's notification, the reply says it was not sent and is in the record.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence

from bot.engine import Bot
from bot.messages import say
from bot.models import IncomingMessage, Notification, Reply, ReplyKind, Response
from bot.store.base import StoreError
from intents.incident.texts import t as incident_text

log = logging.getLogger(__name__)


class DeliveryPolicy:
    """`prefix` namespaces the platform's delivery ids in the store (e.g. "slack:"). `expected`:
    the platform API's own refusals (e.g. SlackApiError), logged in one line by `describe`;
    anything else is a bug and is logged with its traceback. `reraise`: a crash in the core goes
    on to the platform's own error handler (Teams' on_turn_error) after the claim is released."""

    def __init__(self, bot: Bot, platform: str, *, prefix: str = "",
                 expected: tuple[type[Exception], ...] = (), describe: Callable[[Exception], str] = str,
                 reraise: bool = False):
        self.bot = bot
        self.reraise = reraise
        self.platform = platform
        self.prefix = prefix
        self.expected = expected
        self.describe = describe

    async def claim(self, delivery_id: str | None) -> bool:
        """False if this delivery was handled before. Raises StoreError when the store is down."""
        if not delivery_id:
            return True
        if await self.bot.store.claim_delivery(f"{self.prefix}{delivery_id}"):
            return True
        log.info("%s: duplicate delivery %s ignored", self.platform, delivery_id)
        return False

    async def release(self, delivery_id: str | None) -> None:
        """Nothing was done for this delivery: let the sender's identical retry through."""
        if not delivery_id:
            return
        try:
            await self.bot.store.release_delivery(f"{self.prefix}{delivery_id}")
        except StoreError:
            log.exception("%s: cannot release delivery %s", self.platform, delivery_id)

    async def handle(self, incoming: IncomingMessage) -> Response:
        """The core's answer; a crash is the error reply, logged with its traceback (or re-raised)."""
        try:
            return await self.bot.handle(incoming)
        except Exception:
            if self.reraise:
                raise
            log.exception("%s: the core failed on a message from %s", self.platform, incoming.user_id)
            return self.error("error")

    async def process(self, incoming: IncomingMessage) -> Response | None:
        """Claim, handle, release if nothing was done. None for a duplicate delivery; the store
        error reply when the claim itself cannot be checked (the user is told, not ignored)."""
        try:
            if not await self.claim(incoming.delivery_id):
                return None
        except StoreError:
            log.exception("%s: cannot check delivery %s", self.platform, incoming.delivery_id)
            return self.error("store_error")
        try:
            response = await self.handle(incoming)
        except Exception:
            await self.release(incoming.delivery_id)
            raise
        if failed(response):
            await self.release(incoming.delivery_id)
        return response

    def error(self, key: str) -> Response:
        lang = self.bot.default_lang
        return Response((Reply(say(key, lang), ReplyKind.ERROR, lang, private=True),))

    async def send_each(self, response: Response, send_reply: Callable[[Reply], Awaitable[object]],
                        notify: Callable[[Notification], Awaitable[object]], *, to: str = "") -> None:
        """Every notification, then every reply (saying truly whether the team was notified);
        one failure is logged and the rest still go."""
        accepted = await self.send_notifications(response.notifications, notify)
        await self.send_replies(truthful(response.replies, response.notifications, accepted), send_reply, to=to)

    async def send_replies(self, replies: Iterable[Reply], send: Callable[[Reply], Awaitable[object]], *,
                           to: str = "") -> None:
        for reply in replies:
            try:
                await send(reply)
            except Exception as exc:  # noqa: BLE001 - isolated: logged, and the rest still go
                self._failed(exc, "could not deliver a %s reply to %s", reply.kind, to)

    async def send_notifications(self, notes: Iterable[Notification],
                                 notify: Callable[[Notification], Awaitable[object]]) -> list[bool]:
        """Whether the platform accepted each: `notify` returned without raising, and not False
        (a notifier returns False when it had nowhere to send, e.g. no security channel)."""
        accepted = []
        for note in notes:
            try:
                accepted.append(await notify(note) is not False)
            except Exception as exc:  # noqa: BLE001 - isolated: logged, and the rest still go
                self._failed(exc, "could not post the %s notification", note.kind)
                accepted.append(False)
        return accepted

    def _failed(self, exc: Exception, what: str, *args: object) -> None:
        if isinstance(exc, self.expected):
            log.error(f"%s: {what}: %s", self.platform, *args, self.describe(exc))
        else:
            log.error(f"%s: {what}", self.platform, *args, exc_info=exc)


def truthful(replies: Iterable[Reply], notes: Sequence[Notification], accepted: Sequence[bool]) -> tuple[Reply, ...]:
    """The replies, with "recorded and the security team notified" ("forwarded" for a question to
    the team) changed to "recorded, NOT notified" for every notification the platform did not accept."""
    shown = tuple(replies)
    for note, ok in zip(notes, accepted, strict=True):
        if ok:
            continue
        if note.kind == "incident_created" and (incident_id := note.data.get("incident_id")):
            shown = tuple(_replaced(r, incident_text("recorded", r.lang, incident_id=incident_id),
                                    incident_text("recorded_not_sent", r.lang, incident_id=incident_id)) for r in shown)
        elif note.kind == "expert_question" and (question_id := note.data.get("question_id")):
            shown = tuple(_replaced(r, say("expert_forwarded_user", r.lang, id=question_id),
                                    say("expert_not_sent", r.lang, id=question_id)) for r in shown)
    return shown


def _replaced(reply: Reply, said: str, instead: str) -> Reply:
    """`said` changed to `instead`, and the reply's data saying so (`notified: False`), so that a
    front end that renders from the data (the web) need not read it back from the text."""
    if said not in reply.text:
        return reply
    return dataclasses.replace(reply, text=reply.text.replace(said, instead), data={**reply.data, "notified": False})


def failed(response: Response) -> bool:
    """The core answered with an error: nothing was filed or changed for this delivery."""
    return any(reply.kind is ReplyKind.ERROR for reply in response.replies)
