"""Mask personal data and secrets before a question is stored for admins.

Text is NFKC-normalised first, so full-width addresses and numbers (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ,
０３－１２３４－５６７８), which Japanese input methods produce, are caught like ASCII ones.
"""

from __future__ import annotations

import re
import unicodedata

_TOKENS = (
    # Slack/GitHub/AWS-style tokens and long random strings.
    (re.compile(r"\b(?:xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16})\b"), "[token]"),
    (re.compile(r"\b[A-Za-z0-9_\-]{32,}\b"), "[token]"),
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"), "[email]"),
)
# 13-19 digits, optionally grouped by spaces or hyphens: a card number when the Luhn check passes.
_DIGIT_RUN = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d\-])")
# My Number (個人番号): 12 digits, written whole or as 4-4-4.
_MY_NUMBER = re.compile(r"(?<![\d\-])\d{4}[ \-]?\d{4}[ \-]?\d{4}(?![\d\-])")
_PHONES = (
    # Phone numbers: 03-1234-5678, 090 1234 5678, +81 3 1234 5678, 0120-123-456.
    re.compile(r"(?<!\d)(?:\+?\d{1,3}[\s\-]?)?\(?\d{2,4}\)?[\s\-]\d{2,4}[\s\-]\d{3,4}(?!\d)"),
    re.compile(r"(?<!\d)0\d{9,10}(?!\d)"),
)


def _digit_run(match: re.Match[str]) -> str:
    from stdnum import luhn  # here: python-stdnum imports pydoc, a start without a card number does not

    digits = re.sub(r"\D", "", match.group())
    return "[card]" if luhn.is_valid(digits) else "[number]"


def mask(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for pattern, replacement in _TOKENS:
        text = pattern.sub(replacement, text)
    text = _DIGIT_RUN.sub(_digit_run, text)
    text = _MY_NUMBER.sub("[my number]", text)
    for pattern in _PHONES:
        text = pattern.sub("[phone]", text)
    return text
