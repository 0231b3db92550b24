"""Mask personal data and secrets before a question is stored for admins."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack/GitHub/AWS-style tokens and long random strings.
    (re.compile(r"\b(?:xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16})\b"), "[token]"),
    (re.compile(r"\b[A-Za-z0-9_\-]{32,}\b"), "[token]"),
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"), "[email]"),
    # Phone numbers: 03-1234-5678, 090 1234 5678, +81 3 1234 5678, 0120-123-456.
    (re.compile(r"(?<!\d)(?:\+?\d{1,3}[\s\-]?)?\(?\d{2,4}\)?[\s\-]\d{2,4}[\s\-]\d{3,4}(?!\d)"), "[phone]"),
    (re.compile(r"(?<!\d)0\d{9,10}(?!\d)"), "[phone]"),
    # Card-like digit runs.
    (re.compile(r"(?<!\d)(?:\d[ \-]?){13,19}(?!\d)"), "[number]"),
)


def mask(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
