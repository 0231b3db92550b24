"""Wiring: settings -> knowledge, store, flows -> a ready Bot. Adapters and the CLI start here."""

from __future__ import annotations

from bot.access import AccessPolicy
from bot.engine import Bot
from bot.flows import Flow
from bot.settings import Settings
from bot.snapshot import KnowledgeHolder
from bot.store.base import Store, open_store


def default_flows() -> list[Flow]:
    """The guided flows and command handlers every front end offers."""
    from intents.admin import AdminCommands  # noqa: PLC0415
    from intents.checkup.flow import CheckupFlow  # noqa: PLC0415
    from intents.expert import ExpertQuestions  # noqa: PLC0415
    from intents.incident.flow import IncidentFlow  # noqa: PLC0415

    return [AdminCommands(), ExpertQuestions(), IncidentFlow(), CheckupFlow()]


def access_policy(settings: Settings, *, local: bool = False) -> AccessPolicy:
    channels = frozenset(c for c in (settings.security_channel, settings.teams_security_channel) if c)
    return AccessPolicy(admins=settings.admins, responders=settings.responders, responder_channels=channels, local=local)


async def create_bot(settings: Settings, *, store: Store | None = None, record_questions: bool = True,
                     local: bool = False) -> Bot:
    """Load the knowledge (raises KnowledgeError) and open the store (raises StoreError).

    `local` is for the terminal and CLI, whose user is the operator (admin and responder)."""
    holder = KnowledgeHolder.load(settings.knowledge_dir)
    store = store or open_store(settings.database_url)
    await store.open()
    return Bot(holder, store, flows=default_flows(), default_lang=settings.default_lang,
               record_questions=record_questions, access=access_policy(settings, local=local),
               form_expiry_seconds=settings.form_expiry_hours * 3600)
