"""Which language to answer in: the user's message decides, then the conversation's history."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.text import is_cjk

SUPPORTED = ("ja", "en")
_LATIN_WORD = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]{2,}")


def detect_language(text: str) -> str | None:
    """'ja', 'en', or None when the text has nothing to judge by (digits, emoji, only abbreviations)."""
    cjk = sum(1 for ch in text if is_cjk(ch))
    latin = _LATIN_WORD.findall(text)
    words = len(latin)
    if cjk == 0:
        # "SCS", "VPN", "JC-STAR": abbreviations both languages write in Latin letters say nothing.
        return "en" if words and not all(w.isupper() for w in latin) else None
    # "what is お助け隊 service?": mostly English around a Japanese term.
    if words >= 3 and words * 2 > cjk:
        return "en"
    return "ja"


def environment_locale(env: Mapping[str, str]) -> str | None:
    """The terminal's locale as POSIX decides it: LC_ALL, then LC_MESSAGES, then LANG."""
    return next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), None)


def locale_language(locale: str | None) -> str | None:
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in SUPPORTED else None
