"""Text normalisation shared by the knowledge index and incoming questions.

Both sides go through the same function, so width (ＡＢＣ/ｱｲｳ), case, katakana vs
hiragana and punctuation never decide a match.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text import command_form, is_cjk, strip_control

__all__ = ["command_form", "is_cjk", "normalize", "strip_control"]

# Katakana (ァ..ヶ) is hiragana (ぁ..ゖ) + 0x60; ヽヾ map to ゝゞ the same way.
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATA_TO_HIRA.update({0x30FD: 0x309D, 0x30FE: 0x309E})

_SPACES = re.compile(r"\s+")
# Anything but letters and digits (str.isalnum), the prolonged sound mark (ー) and the kana
# iteration marks, which are part of words. One regex pass instead of a test per character.
_NOT_WORD = re.compile(r"[^\w\u30fc\u309d\u309e\u3005]|_")


def normalize(text: str) -> str:
    """NFKC, case fold, katakana -> hiragana, punctuation -> space, collapsed spaces."""
    text = unicodedata.normalize("NFKC", strip_control(text))
    text = text.casefold().translate(_KATA_TO_HIRA)
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()

