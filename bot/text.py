"""Character facts the core needs before any skill sees a message (cleaning, language detection).

The Q&A normaliser (intents/normalize.py) builds on these; they live here so that the core
never imports a skill.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def strip_control(text: str) -> str:
    """Remove control and zero-width characters (they break display and matching)."""
    return _CONTROL.sub(" ", text)


_FIRST_WORD = re.compile(r"(\S+)\s*(.*)", re.S)


def command_form(text: str) -> str:
    """`text` with its first word in NFKC when that makes it a command: a Japanese IME types
    `／ｉｎｃｉｄｅｎｔ　ランサム`, which is `/incident ランサム`; a lone `ｉｎｃｉｄｅｎｔ` is `incident`.
    Anything else is returned as typed (the matcher does its own normalisation)."""
    found = _FIRST_WORD.fullmatch(text)
    if found is None:
        return text
    head, rest = unicodedata.normalize("NFKC", found[1]), found[2]
    if head.startswith("/") or (not rest and head.isascii() and head.isalpha()):
        return f"{head} {rest}" if rest else head
    return text


def is_cjk(ch: str) -> bool:
    """True for kana, kanji and the other characters that Japanese writes without spaces."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or ch in "ー々ゝゞ"
    )
