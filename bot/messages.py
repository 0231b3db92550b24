"""The one bilingual text catalog: the bot's own words (not guidance), in ja and en, one YAML
file per domain under bot/texts/ (core, walker, incident, checkup, stats, report, web)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_DIR = Path(__file__).resolve().parent / "texts"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def catalog() -> dict[str, dict[str, dict[str, Any]]]:
    """Every domain's texts (bot/texts/<domain>.yaml), loaded once: {domain: {key: {ja, en}}}."""
    return {path.stem: yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) for path in sorted(TEXTS_DIR.glob("*.yaml"))}


def table(domain: str) -> dict[str, dict[str, Any]]:
    return catalog()[domain]


MESSAGES = table("core")


def localize(table: Mapping[str, Mapping[str, str]], key: str, lang: str, **params: Any) -> str:
    """The text for `key` in `lang` (English if missing), with `params` filled in."""
    entry = table[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def say(key: str, lang: str, **params: Any) -> str:
    return localize(MESSAGES, key, lang, **params)


def as_of_text(as_of: str | None, lang: str) -> str:
    """"（2026年12月時点）" / " (as of 2026-12)" after a source checked in that month; "" if unknown."""
    if not as_of:
        return ""
    year, month = as_of.split("-")[:2]
    return say("as_of", lang, year=int(year), month=int(month))
