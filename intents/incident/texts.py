"""The triage flow's own words (prompts, errors, headings) in ja and en.

Kept next to the flow rather than in bot/messages.py so the incident feature stays in one
place; the guidance itself (contacts, why, steps) lives in the knowledge YAML."""

from __future__ import annotations

from typing import Any

from bot.messages import localize, table
from intents.forms import WALKER_TEXTS

TEXTS = {**WALKER_TEXTS, **table("incident")}


def t(key: str, lang: str, **params: Any) -> str:
    return localize(TEXTS, key, lang, **params)
