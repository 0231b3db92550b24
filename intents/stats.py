"""Usage figures for admins: questions by outcome, top topics, feedback."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

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


def format_stats(stats: dict[str, Any], lang: str = "en") -> str:
    if lang == "ja":
        lines = [
            f"過去{stats['days']}日間の質問: {stats['questions']}件",
            f"- 回答: {stats['answered']} / 候補提示: {stats['suggested']} / 回答なし: {stats['unanswered']}",
        ]
        if stats["answer_rate"] is not None:
            lines.append(f"- 回答率: {stats['answer_rate']:.0%}")
        fb = stats["feedback"]
        lines.append(f"- フィードバック: 👍 {fb.get('up', 0)} / 👎 {fb.get('down', 0)} / どれでもない {fb.get('none_of_these', 0)}")
        if stats["top_intents"]:
            lines.append("- よく聞かれる話題: " + ", ".join(f"{i} ({n})" for i, n in stats["top_intents"][:5]))
        return "\n".join(lines)
    lines = [
        f"Questions in the last {stats['days']} days: {stats['questions']}",
        f"- answered: {stats['answered']} / suggestions: {stats['suggested']} / unanswered: {stats['unanswered']}",
    ]
    if stats["answer_rate"] is not None:
        lines.append(f"- answer rate: {stats['answer_rate']:.0%}")
    fb = stats["feedback"]
    lines.append(f"- feedback: 👍 {fb.get('up', 0)} / 👎 {fb.get('down', 0)} / none of these {fb.get('none_of_these', 0)}")
    if stats["top_intents"]:
        lines.append("- top topics: " + ", ".join(f"{i} ({n})" for i, n in stats["top_intents"][:5]))
    return "\n".join(lines)
