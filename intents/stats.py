"""Usage figures for admins: questions by outcome, top topics, feedback."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bot.messages import localize, table
from bot.store.base import Store

DAY = 86_400.0


async def collect_stats(store: Store, *, days: int = 30) -> dict[str, Any]:
    since = time.time() - days * DAY
    questions = await store.list_questions(since=since)
    feedback = await store.list_feedback(since=since)
    bands = Counter(q.band for q in questions)
    total = len(questions)
    return {
        "days": days,
        "questions": total,
        "answered": bands.get("answer", 0),
        "suggested": bands.get("suggest", 0),
        "unanswered": bands.get("unknown", 0),
        "answer_rate": round(bands.get("answer", 0) / total, 3) if total else None,
        "languages": dict(Counter(q.lang or "?" for q in questions)),
        "platforms": dict(Counter(q.platform for q in questions)),
        "top_intents": Counter(q.intent for q in questions if q.intent).most_common(10),
        "feedback": dict(Counter(f.vote for f in feedback)),
        "disliked_intents": Counter(f.intent for f in feedback if f.vote == "down" and f.intent).most_common(5),
    }


STATS_TEXTS = table("stats")


def format_stats(stats: dict[str, Any], lang: str = "en") -> str:
    def line(key: str, **params: Any) -> str:
        return localize(STATS_TEXTS, key, lang, **params)

    lines = [line("questions", days=stats["days"], questions=stats["questions"]),
             line("bands", answered=stats["answered"], suggested=stats["suggested"], unanswered=stats["unanswered"])]
    if stats["answer_rate"] is not None:
        lines.append(line("rate", rate=stats["answer_rate"]))
    feedback = stats["feedback"]
    lines.append(line("feedback", up=feedback.get("up", 0), down=feedback.get("down", 0),
                      none=feedback.get("none_of_these", 0)))
    if stats["top_intents"]:
        lines.append(line("top", topics=", ".join(f"{i} ({n})" for i, n in stats["top_intents"][:5])))
    return "\n".join(lines)
