"""What the knowledge base fails to answer, grouped by similar wording, for admins.

Sources: questions that got only suggestions or "I don't know", low-confidence answers,
"none of these" clicks and 👎 votes. Texts were masked before they were stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from bot.messages import say
from bot.store.base import FeedbackRecord, QuestionRecord
from intents.features import STOPWORDS, stem, tokens
from intents.normalize import normalize

SIMILAR = 78  # rapidfuzz token_set_ratio at or above which two questions are "the same gap"


@dataclass
class Gap:
    text: str  # the most frequent wording
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    wordings: Counter[str] = field(default_factory=Counter)
    intents: Counter[str] = field(default_factory=Counter)  # 👎 on these answers
    last_seen: float = 0.0


def collect(questions: Iterable[QuestionRecord], feedback: Iterable[FeedbackRecord], *,
            low_confidence: float | None = 0.6) -> list[tuple[str, str, str | None, float]]:
    """(text, reason, intent, when) for every signal of a gap. `low_confidence=None` leaves out the
    questions that were answered (the dashboard's "unanswered" table lists only what was not)."""
    signals: list[tuple[str, str, str | None, float]] = []
    for q in questions:
        if q.band in ("unknown", "suggest"):
            signals.append((q.text, q.band, None, q.asked_at))
        elif q.band == "answer" and low_confidence is not None and q.score is not None and q.score < low_confidence:
            signals.append((q.text, "low_confidence", q.intent, q.asked_at))
    for f in feedback:
        if f.vote in ("none_of_these", "down") and f.question:
            signals.append((f.question, f.vote, f.intent, f.given_at))
    return signals


_PLACEHOLDERS = {"email", "phone", "token", "number"}  # what bot.privacy.mask leaves behind


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """Content words only, lightly stemmed: "How do I rotate the VPN certificates?" -> "rotate vpn certificate"."""
    words = [stem(w) if w.isascii() else w for w in tokens(normalize(text))
             if w not in STOPWORDS and w not in _PLACEHOLDERS]
    return " ".join(words)


def group(signals: Iterable[tuple[str, str, str | None, float]]) -> list[Gap]:
    return group_counted((signal, 1) for signal in signals)


def group_counted(signals: Iterable[tuple[tuple[str, str, str | None, float], int]]) -> list[Gap]:
    """`group` for signals that come counted (the same wording asked n times, counted by the store):
    the same gaps as grouping each of the n one by one, in a fraction of the time."""
    gaps: list[tuple[str, Gap]] = []  # (normalised representative, gap)
    for (text, reason, intent, when), n in signals:
        key = _key(text)
        if not key:
            continue
        target = next((gap for rep, gap in gaps if fuzz.token_set_ratio(key, rep) >= SIMILAR), None)
        if target is None:
            target = Gap(text=text)
            gaps.append((key, target))
        target.count += n
        target.reasons[reason] += n
        target.wordings[text] += n
        if intent:
            target.intents[intent] += n
        target.last_seen = max(target.last_seen, when)
    for _, gap in gaps:
        gap.text = gap.wordings.most_common(1)[0][0]
    return sorted((gap for _, gap in gaps), key=lambda g: (-g.count, -g.last_seen))


def format_gaps(gaps: list[Gap], *, limit: int = 20, lang: str = "en") -> str:
    if not gaps:
        return say("no_gaps", lang)
    lines = []
    for gap in gaps[:limit]:
        reasons = ", ".join(f"{r} x{n}" for r, n in gap.reasons.most_common())
        lines.append(f"{gap.count:4d}  {gap.text}  [{reasons}]")
        others = [w for w, _ in gap.wordings.most_common(4) if w != gap.text][:3]
        lines += [f"        ~ {w}" for w in others]
        if gap.intents:
            lines.append("        answered with: " + ", ".join(i for i, _ in gap.intents.most_common(3)))
    return "\n".join(lines)
