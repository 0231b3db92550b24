"""Plain-text rendering of replies: the terminal chat and `secbot ask` show exactly this."""

from __future__ import annotations

from collections.abc import Iterable

from bot.messages import as_of_text, say
from bot.models import Reply, ReplyKind


def render_reply(reply: Reply, *, numbered_buttons: bool = False) -> str:
    lines: list[str] = []
    if reply.title and reply.kind is ReplyKind.ANSWER:
        lines.append(say("answer_title", reply.lang, title=reply.title))
    lines.append(reply.text.rstrip())
    if reply.sources:
        label = say("source", reply.lang)
        lines.append("")
        lines += [f"{label}: {s.title} <{s.url}>{as_of_text(s.as_of, reply.lang)}" for s in reply.sources]
    if reply.form is not None:
        lines.append("")
        lines += [f"- {f.label}" for f in reply.form.fields]
    choices = [b for b in reply.buttons if not b.value.startswith("feedback:")]
    if choices:
        lines.append("")
        for index, button in enumerate(choices, 1):
            lines.append(f"  {index}. {button.label}" if numbered_buttons else f"- {button.label}")
    return "\n".join(lines)


def render_replies(replies: Iterable[Reply], *, numbered_buttons: bool = False) -> str:
    return "\n\n".join(render_reply(r, numbered_buttons=numbered_buttons) for r in replies)
