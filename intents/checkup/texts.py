"""The checkup flow's own words in ja and en (the questions and feedback live in the YAML)."""

from __future__ import annotations

from typing import Any

from bot.messages import localize, table
from intents.forms import WALKER_TEXTS

TEXTS = {**WALKER_TEXTS, **table("checkup")}


def t(key: str, lang: str, **params: Any) -> str:
    return localize(TEXTS, key, lang, **params)
