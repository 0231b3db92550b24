"""The one place that assembles a bot from the skills: settings -> knowledge (with the parts the
skills build from it), store, skills -> a ready Bot. The front ends and the CLI start here."""

from __future__ import annotations

from pathlib import Path

from bot.access import AccessPolicy
from bot.engine import Bot
from bot.knowledge_base import KnowledgeBase
from bot.settings import Settings
from bot.skills import Command
from bot.snapshot import Builders, KnowledgeHolder, Snapshot
from bot.snapshot import build_snapshot as build_with
from bot.store.base import Store, open_store
from intents.admin import AdminCommands
from intents.checkup.flow import CheckupFlow
from intents.checkup.model import build_checkup
from intents.expert import ExpertQuestions
from intents.features import DEFAULT_ANALYZER, Analyzer
from intents.incident.flow import IncidentFlow
from intents.incident.model import build_triage
from intents.matcher import OFF_TOPIC, Matcher
from intents.matcher_cache import cached_matcher
from intents.qa import QuestionAnswering


def build_matcher(kb: KnowledgeBase, analyzer: Analyzer = DEFAULT_ANALYZER) -> Matcher:
    examples = [(intent.id, example) for intent in kb.intents.values() for _, example in intent.all_examples()]
    examples += [(OFF_TOPIC, example) for lang in ("ja", "en") for example in kb.off_topic.get(lang, ())]
    documents = [(intent.id, text) for intent in kb.intents.values()
                 for text in (intent.title.ja, intent.title.en, intent.answer.ja, intent.answer.en)]
    return cached_matcher(
        examples,
        documents=documents,
        synonyms=[(s.canonical, s.variants) for s in kb.synonyms],
        thresholds=kb.matching,
        analyzer=analyzer,
    )


# What the skills build from the knowledge, rebuilt together on every reload.
BUILDERS: Builders = {"matcher": build_matcher, "triage": build_triage, "checkup": build_checkup}


def build_snapshot(directory: Path | str, *, version: int = 1) -> Snapshot:
    """Load, check and index a knowledge folder; raise KnowledgeError on any problem."""
    return build_with(directory, BUILDERS, version=version)


def load_knowledge(directory: Path | str) -> KnowledgeHolder:
    return KnowledgeHolder.load(directory, BUILDERS)


def default_skills() -> list[Command]:
    """The commands and guided flows every front end offers."""
    return [AdminCommands(), ExpertQuestions(), IncidentFlow(), CheckupFlow()]


def access_policy(settings: Settings, *, local: bool = False) -> AccessPolicy:
    return AccessPolicy(admins=settings.admins, responders=settings.responders,
                        responder_channels=settings.security_channels, local=local)


async def create_bot(settings: Settings, *, store: Store | None = None, record_questions: bool = True,
                     local: bool = False) -> Bot:
    """Load the knowledge (raises KnowledgeError) and open the store (raises StoreError).

    `local` is for the terminal and CLI, whose user is the operator (admin and responder)."""
    holder = load_knowledge(settings.knowledge_dir)
    store = store or open_store(settings.database_url)
    await store.open()
    skills = default_skills()
    fallback = QuestionAnswering(record_questions=record_questions, ask_team=any(s.name == "expert" for s in skills))
    return Bot(holder, store, skills=skills, fallback=fallback, default_lang=settings.default_lang,
               access=access_policy(settings, local=local), form_expiry_seconds=settings.form_expiry_hours * 3600)
