"""Turn a match into replies: an answer with its source, suggestions, or an honest "I don't know"."""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge_base import Intent, KnowledgeBase
from bot.messages import say
from bot.models import Button, Reply, ReplyKind, Source
from bot.review import as_of
from intents.matcher import Candidate

SMALLTALK_TAG = "smalltalk"
FEATURED_TAG = "featured"


def answer_reply(kb: KnowledgeBase, intent: Intent, lang: str, score: float | None = None) -> Reply:
    smalltalk = SMALLTALK_TAG in intent.tags
    buttons = [Button(kb.intents[r].title.get(lang), f"answer:{r}") for r in intent.related if r in kb.intents]
    if intent.offer == "incident":
        buttons.insert(0, Button(say("start_incident", lang), "incident:start", style="danger"))
    elif intent.offer == "checkup":
        buttons.insert(0, Button("/checkup", "checkup:start", style="primary"))
    if smalltalk and intent.id == "help":
        buttons += [Button(i.title.get(lang), f"answer:{i.id}") for i in featured(kb) if i.id not in intent.related]
    sources = (Source(intent.source.title, intent.source.url, as_of(intent.reviewed)),) + tuple(Source(r.title, r.url) for r in intent.references)
    return Reply(
        text=intent.answer.get(lang),
        kind=ReplyKind.SMALLTALK if smalltalk else ReplyKind.ANSWER,
        lang=lang,
        title=None if smalltalk else intent.title.get(lang),
        intent=intent.id,
        score=score,
        sources=() if smalltalk else sources,
        buttons=tuple(buttons),
        feedback=not smalltalk,
    )


def suggestions_reply(kb: KnowledgeBase, candidates: Sequence[Candidate], lang: str, limit: int) -> Reply:
    picks = [c for c in candidates if c.intent in kb.intents][:limit]
    buttons = [Button(kb.intents[c.intent].title.get(lang), f"answer:{c.intent}") for c in picks]
    buttons.append(Button(say("none_of_these", lang), "none"))
    return Reply(
        text=say("did_you_mean", lang),
        kind=ReplyKind.SUGGESTIONS,
        lang=lang,
        score=picks[0].score if picks else None,
        buttons=tuple(buttons),
        data={"suggestions": [{"intent": c.intent, "title": kb.intents[c.intent].title.get(lang), "score": c.score}
                              for c in picks]},
    )


def featured(kb: KnowledgeBase, limit: int = 5) -> list[Intent]:
    tagged = [i for i in kb.intents.values() if FEATURED_TAG in i.tags]
    return tagged[:limit]


def unknown_reply(kb: KnowledgeBase, lang: str, score: float | None = None, *, ask_team: bool = False,
                  reason: str = "unknown") -> Reply:
    """An honest "I don't know" (or another `reason` message), with topics to try and /incident."""
    topics = featured(kb)
    lines = [say(reason, lang), "", say("emergency_hint", lang)]
    if topics:
        lines += ["", say("try_topics", lang)]  # the topics follow as buttons
    buttons = [Button(t.title.get(lang), f"answer:{t.id}") for t in topics]
    if ask_team:
        buttons.append(Button(say("ask_team", lang), "expert:ask", style="primary"))
    buttons.append(Button(say("start_incident", lang), "incident:start", style="danger"))
    return Reply(text="\n".join(lines), kind=ReplyKind.UNKNOWN, lang=lang, score=score, buttons=tuple(buttons))
