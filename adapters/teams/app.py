"""The Teams side of secbot: botbuilder's CloudAdapter around the platform-neutral core.

An Activity comes in, convert.py makes it an IncomingMessage, `Bot.handle` answers, cards.py
renders the replies; notifications go to the security channel as proactive messages through
conversation references kept in the store. The SDK's names come from adapters/teams/sdk/.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from adapters.backpressure import WorkLimit
from adapters.delivery import DeliveryPolicy, truthful
from adapters.teams import cards
from adapters.teams.convert import (
    CAPABILITIES,
    PLATFORM,
    base_conversation_id,
    conversation_type,
    teams_channel_id,
    tenant_id,
    to_incoming,
    user_id,
)
from adapters.teams.sdk import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ClientException,
    CloudAdapter,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    DeserializationError,
    InvokeResponse,
    SerializationError,
    TurnContext,
    build_cloud_adapter,
    close_cloud_adapter,
)
from bot.engine import Bot
from bot.lang import locale_language
from bot.messages import say
from bot.models import IncomingMessage, Notification, Reply, ReplyKind, Response
from bot.settings import Settings
from bot.store.base import StoreError
from bot.store.retention import personal_ref_key

log = logging.getLogger(__name__)

TEAMS_CHANNEL_ID = "msteams"


@dataclass(frozen=True)
class AdapterConfig:
    """What ConfigurationBotFrameworkAuthentication reads (BotBuilder-Samples' config.py), from Settings."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str

    @classmethod
    def from_settings(cls, settings: Settings) -> AdapterConfig:
        return cls(APP_ID=settings.microsoft_app_id, APP_PASSWORD=settings.microsoft_app_password.reveal(),
                   APP_TYPE=settings.microsoft_app_type, APP_TENANTID=settings.microsoft_app_tenant_id)

    def __repr__(self) -> str:  # the password never reaches a log line
        return f"AdapterConfig(APP_ID={self.APP_ID!r}, APP_TYPE={self.APP_TYPE!r}, APP_TENANTID={self.APP_TENANTID!r})"


def allowed_tenants(settings: Settings) -> frozenset[str]:
    """The tenants served: SECBOT_TEAMS_TENANTS, else a single-tenant app's own; empty means any."""
    if settings.teams_tenants:
        return settings.teams_tenants
    if settings.microsoft_app_type.lower() == "singletenant" and settings.microsoft_app_tenant_id:
        return frozenset({settings.microsoft_app_tenant_id})
    return frozenset()


def channel_ref_key(channel_id: str) -> str:
    return f"teams:channel:{base_conversation_id(channel_id)}"


def user_ref_key(user: str) -> str:
    return personal_ref_key(PLATFORM, user)  # removed by the retention purge


def card_activity(content: Mapping[str, Any], summary: str | None = None) -> Activity:
    activity = Activity(type=ActivityTypes.message, attachments=[
        Attachment(content_type=cards.CARD_CONTENT_TYPE, content=dict(content))])
    if summary:
        activity.summary = summary[:200]  # the text of the notification banner in Teams
    return activity


class TeamsHandler:
    """The botbuilder `Bot`: one turn per Activity. No business logic: that is `Bot.handle`."""

    def __init__(self, bot: Bot, settings: Settings, adapter: CloudAdapter):
        self.bot = bot
        self.settings = settings
        self.adapter = adapter
        self.tenants = allowed_tenants(settings)
        self.limit = WorkLimit(settings.max_in_flight, platform="teams")
        # The Bot Connector's refusals, transport failures and activities msrest cannot (de)serialise
        # (odd fields from the sender) are logged in one line; anything else (a bug) with its traceback.
        self.delivery = DeliveryPolicy(bot, "teams", reraise=True,
                                       expected=(ClientException, DeserializationError, SerializationError,
                                                 aiohttp.ClientError, TimeoutError),
                                       describe=lambda exc: f"{type(exc).__name__}: {exc}")

    @property
    def app_id(self) -> str:
        return self.settings.microsoft_app_id

    def tenant_allowed(self, activity: Activity) -> bool:
        return not self.tenants or tenant_id(activity) in self.tenants

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if not self.tenant_allowed(activity):
            # Authenticated by Bot Framework, but from an organisation this bot does not serve.
            log.warning("ignoring a %s activity from tenant %s (not in SECBOT_TEAMS_TENANTS)",
                        activity.type, tenant_id(activity))
            return
        if activity.type in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
            await self.remember_conversation(activity)
            await self._welcome(context)
        elif activity.type == ActivityTypes.message:
            await self.remember_conversation(activity)
            await self.on_message(context)
        elif activity.type == ActivityTypes.invoke:
            # We use no invoke features (message extensions, Action.Execute): say "OK" rather than
            # letting the adapter answer 501, so Teams shows no error to the user.
            log.info("ignoring invoke %r", activity.name)
            await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200)))
        else:
            log.debug("ignoring a %r activity", activity.type)

    # -- messages -----------------------------------------------------------------------------
    async def on_message(self, context: TurnContext) -> None:
        activity = context.activity
        message = to_incoming(activity)
        if message is None:
            return
        if not message.text and not message.action and not message.form_id:
            return  # e.g. only an @mention, or an image: nothing to answer
        # An incident card submit is never turned away; a question past SECBOT_MAX_IN_FLIGHT is
        # told to come back (adapters/backpressure.py), unclaimed, so that a re-send is answered.
        slot = None if message.form_id else self.limit.admit()
        if slot is None and not message.form_id:
            await self._busy(context, message)
            return
        try:
            response = await self.delivery.process(message)
            if response is not None:
                await self.deliver(context, message, response)
        finally:
            if slot is not None:
                slot.release()

    async def _busy(self, context: TurnContext, message: IncomingMessage) -> None:
        """Too much in flight: say so, unless this is a re-sent activity already answered."""
        try:
            if not await self.delivery.claim(message.delivery_id):
                return
        except StoreError:
            pass  # cannot tell: saying "busy" once too often is harmless
        else:
            await self.delivery.release(message.delivery_id)  # the person's re-send must be answered
        lang = locale_language(context.activity.locale) or self.bot.default_lang
        await context.send_activity(Activity(type=ActivityTypes.message, text=say("busy", lang)))

    async def deliver(self, context: TurnContext, message: IncomingMessage, response: Response) -> None:
        """Notifications, then the replies to the asker (private ones in a personal chat), each on its own."""
        in_personal = conversation_type(context.activity) == "personal"
        sent_privately = False

        async def send_reply(reply: Reply) -> None:
            nonlocal sent_privately
            activity = card_activity(cards.reply_card(reply), summary=reply.title or reply.text)
            if reply.private and not in_personal:
                if await self.send_private(context, activity):
                    sent_privately = True
                    return
                await context.send_activity(Activity(type=ActivityTypes.message,
                                                     text=say("teams_private_failed", reply.lang)))
                return
            await context.send_activity(activity)

        # Notifications first: the reply says "the security team has been notified" only if it was.
        accepted = await self.delivery.send_notifications(response.notifications, lambda note: self.notify(context, note))
        replies = truthful(response.replies, response.notifications, accepted)
        await self.delivery.send_replies(replies, send_reply, to=message.user_id)
        if sent_privately:  # tell the channel where the answer went
            lang = response.replies[0].lang if response.replies else self.bot.default_lang
            note = Reply(say("teams_sent_privately", lang), ReplyKind.NOTICE, lang)
            await self.delivery.send_replies((note,), lambda _: context.send_activity(
                Activity(type=ActivityTypes.message, text=note.text)), to=message.user_id)

    async def send_private(self, context: TurnContext, activity: Activity) -> bool:
        """Send to the asker's personal chat with the bot (creating it if needed)."""
        incoming = context.activity
        stored = await self.bot.store.get_conversation_ref(user_ref_key(user_id(incoming)))
        try:
            if stored is not None:
                await self.send_proactive(ConversationReference().deserialize(stored), activity)
                return True
            tenant = tenant_id(incoming)
            params = ConversationParameters(
                is_group=False, bot=incoming.recipient, tenant_id=tenant,
                members=[ChannelAccount(id=incoming.from_property.id)],
                channel_data={"tenant": {"id": tenant}} if tenant else None)

            async def send(new_context: TurnContext) -> None:
                reference = ConversationReference(
                    bot=incoming.recipient, user=incoming.from_property, channel_id=TEAMS_CHANNEL_ID,
                    service_url=incoming.service_url,
                    conversation=ConversationAccount(id=new_context.activity.conversation.id,
                                                     conversation_type="personal", tenant_id=tenant))
                await self.bot.store.save_conversation_ref(user_ref_key(user_id(incoming)), reference.serialize(), platform=PLATFORM)
                await self._post(new_context, reference, activity)

            await self.adapter.create_conversation(self.app_id, send, params, TEAMS_CHANNEL_ID,
                                                   incoming.service_url, None)
            return True
        except Exception:
            log.warning("could not open a personal chat with %s", user_id(incoming), exc_info=True)
            return False

    # -- proactive messages -------------------------------------------------------------------
    async def notify(self, context: TurnContext | None, notification: Notification) -> bool:
        """Deliver a notification to the security channel (or, for audience "user", to one person)."""
        activity = card_activity(cards.notification_card(notification), summary=notification.text)
        if notification.audience == "user":
            if notification.platform not in (None, "teams") or not notification.user_id:
                log.warning("notification %s is for a user on %s: not deliverable from Teams",
                            notification.kind, notification.platform)
                return False
            stored = await self.bot.store.get_conversation_ref(user_ref_key(notification.user_id))
            if stored is not None:
                reference = ConversationReference().deserialize(stored)
            elif notification.conversation_id and context is not None and context.activity.service_url:
                # Where the person asked (a channel thread keeps its ";messageid=", so it is a reply there).
                reference = ConversationReference(
                    bot=context.activity.recipient, channel_id=TEAMS_CHANNEL_ID,
                    service_url=context.activity.service_url,
                    conversation=ConversationAccount(id=notification.conversation_id, tenant_id=tenant_id(context.activity)))
            else:
                log.error("no personal chat known for Teams user %s: notification %s not delivered",
                          notification.user_id, notification.kind)
                return False
        else:
            reference = await self.security_channel_reference(context)
            if reference is None:
                log.error("notification %s not delivered: no Teams security channel (set "
                          "SECBOT_TEAMS_SECURITY_CHANNEL and add the app to that channel's team)", notification.kind)
                return False
        try:
            await self.send_proactive(reference, activity)
            return True
        except Exception:
            log.exception("posting notification %s to %s failed", notification.kind, reference.conversation.id)
            return False

    async def security_channel_reference(self, context: TurnContext | None) -> ConversationReference | None:
        """The stored reference of SECBOT_TEAMS_SECURITY_CHANNEL (see remember_conversation), or one
        built from the channel id and the serviceUrl/tenant of the current activity (Teams accepts
        posts to a channel id), used for this post and not stored."""
        channel = self.settings.teams_security_channel
        if not channel:
            return None
        stored = await self.bot.store.get_conversation_ref(channel_ref_key(channel))
        if stored is not None:
            return ConversationReference().deserialize(stored)
        if context is None or not context.activity.service_url:
            return None
        incoming = context.activity
        reference = ConversationReference(
            bot=incoming.recipient, channel_id=TEAMS_CHANNEL_ID, service_url=incoming.service_url,
            conversation=ConversationAccount(id=base_conversation_id(channel), is_group=True,
                                             conversation_type="channel", tenant_id=tenant_id(incoming)))
        # For this post only: the stored reference comes only from a message in that channel.
        return reference

    def trusted(self, activity: Activity) -> bool:
        """Authenticated by Bot Framework (not local mode) and from a tenant we serve: its
        serviceUrl and conversation may be stored for later."""
        return bool(self.app_id) and self.tenant_allowed(activity)

    async def send_proactive(self, reference: ConversationReference, activity: Activity) -> None:
        """Raises when the Bot Connector did not accept the post (the adapter would otherwise
        hand the error to on_turn_error and return as if it had been sent)."""
        failures: list[Exception] = []

        async def send(new_context: TurnContext) -> None:
            try:
                await self._post(new_context, reference, activity)
            except Exception as exc:  # noqa: BLE001 - re-raised below, outside the adapter's turn
                failures.append(exc)

        await self.adapter.continue_conversation(reference, send, self.app_id)
        if failures:
            raise failures[0]

    async def _post(self, context: TurnContext, reference: ConversationReference, activity: Activity) -> None:
        """A new message (never a reply to an old activity id): a new thread in a channel."""
        outgoing = TurnContext.apply_conversation_reference(activity, reference)
        outgoing.reply_to_id = None
        client = context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
        await client.conversations.send_to_conversation(outgoing.conversation.id, outgoing)

    # -- conversation references ----------------------------------------------------------------
    async def remember_conversation(self, activity: Activity) -> None:
        """Keep where to reach a channel or a person later (proactive messages)."""
        if not activity.service_url or activity.conversation is None:
            return
        reference = TurnContext.get_conversation_reference(activity)
        reference.activity_id = None
        reference.conversation = ConversationAccount(
            id=activity.conversation.id, conversation_type=conversation_type(activity),
            tenant_id=tenant_id(activity), is_group=activity.conversation.is_group)
        kind = conversation_type(activity)
        try:
            if kind == "personal":
                await self.bot.store.save_conversation_ref(user_ref_key(user_id(activity)), reference.serialize(), platform=PLATFORM)
            channel = teams_channel_id(activity)
            # The security channel's reference: only from a message posted there (not an install
            # or membership event), authenticated, from a tenant we serve.
            security = self.settings.teams_security_channel
            if (kind == "channel" and channel and security and activity.type == ActivityTypes.message
                    and base_conversation_id(channel) == base_conversation_id(security) and self.trusted(activity)):
                reference.conversation.id = base_conversation_id(channel)
                reference.conversation.is_group = True
                reference.user = None
                await self.bot.store.save_conversation_ref(channel_ref_key(channel), reference.serialize(), platform=PLATFORM)
        except Exception:
            log.warning("could not store the conversation reference", exc_info=True)

    async def _welcome(self, context: TurnContext) -> None:
        """Say hello once when the app is added to a personal chat."""
        activity = context.activity
        added = [m.id for m in (activity.members_added or [])]
        if activity.recipient is None or activity.recipient.id not in added:
            return
        if conversation_type(activity) != "personal" or "help" not in self.bot.knowledge.current.kb.intents:
            return
        message = IncomingMessage(user_id=user_id(activity), conversation_id=activity.conversation.id,
                                  action="answer:help", platform=PLATFORM, capabilities=CAPABILITIES,
                                  locale=activity.locale)
        await self.deliver(context, message, await self.bot.handle(message))


def build_adapter(settings: Settings) -> CloudAdapter:
    adapter = build_cloud_adapter(AdapterConfig.from_settings(settings))
    adapter.on_turn_error = turn_error_handler(settings)
    return adapter


def turn_error_handler(settings: Settings) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        # The traceback goes to our log only; the user gets a polite, translated line.
        log.error("error handling a Teams activity: %s", error, exc_info=(type(error), error, error.__traceback__))
        if context.activity.type != ActivityTypes.message:
            return
        lang = locale_language(context.activity.locale) or settings.default_lang
        try:
            await context.send_activity(Activity(type=ActivityTypes.message, text=say("error", lang)))
        except Exception:
            log.warning("could not tell the user about the error", exc_info=sys.exc_info())

    return on_turn_error


@dataclass
class TeamsApp:
    bot: Bot
    settings: Settings
    adapter: CloudAdapter
    handler: TeamsHandler

    async def close(self) -> None:
        """Close the HTTP session behind the Bot Connector calls."""
        await close_cloud_adapter(self.adapter)

    @property
    def local_mode(self) -> bool:
        """No app id: Bot Framework authentication is off (development on loopback only)."""
        return not self.settings.microsoft_app_id


def build_teams_app(bot: Bot, settings: Settings, *, adapter: CloudAdapter | None = None) -> TeamsApp:
    adapter = adapter or build_adapter(settings)
    return TeamsApp(bot=bot, settings=settings, adapter=adapter, handler=TeamsHandler(bot, settings, adapter))
