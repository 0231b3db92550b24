"""Text normalisation shared by the knowledge index and incoming questions.

Both sides go through the same function, so width (ＡＢＣ/ｱｲｳ), case, katakana vs
hiragana and punctuation never decide a match.
"""

from __future__ import annotations

import re
import unicodedata

# Katakana (ァ..ヶ) is hiragana (ぁ..ゖ) + 0x60; ヽヾ map to ゝゞ the same way.
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATA_TO_HIRA.update({0x30FD: 0x309D, 0x30FE: 0x309E})

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")
# Anything but letters and digits (str.isalnum), the prolonged sound mark (ー) and the kana
# iteration marks, which are part of words. One regex pass instead of a test per character.
_NOT_WORD = re.compile(r"[^\w\u30fc\u309d\u309e\u3005]|_")


def strip_control(text: str) -> str:
    """Remove control and zero-width characters (they break display and matching)."""
    return _CONTROL.sub(" ", text)


def normalize(text: str) -> str:
    """NFKC, case fold, katakana -> hiragana, punctuation -> space, collapsed spaces."""
    text = unicodedata.normalize("NFKC", strip_control(text))
    text = text.casefold().translate(_KATA_TO_HIRA)
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


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
