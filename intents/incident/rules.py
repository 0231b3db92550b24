"""Evaluate the escalation rules: answers -> contacts in priority order (why, how) and steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.knowledge_base import Localized
from intents.incident.model import COMMON_CHECKLIST, TYPE_FIELD, Contact, Guidance, TriageModel


@dataclass(frozen=True)
class ContactAdvice:
    contact: Contact
    whys: tuple[Localized, ...]

    def why(self, lang: str) -> str:
        return ("" if lang == "ja" else " ").join(w.get(lang) for w in self.whys)

    def how(self, lang: str) -> list[dict[str, Any]]:
        return [{"kind": m.kind, "value": m.value.get(lang), "label": m.label.get(lang),
                 "note": m.note.get(lang) if m.note else None, "confidence": m.confidence}
                for m in self.contact.how]

    def to_dict(self, lang: str) -> dict[str, Any]:
        c = self.contact
        return {"id": c.id, "name": c.name.get(lang), "why": self.why(lang), "how": self.how(lang),
                "helps_with": c.helps_with.get(lang), "does_not": c.does_not.get(lang),
                "source": {"title": c.source.title, "url": c.source.url}}


@dataclass(frozen=True)
class TriageResult:
    contacts: tuple[ContactAdvice, ...]
    steps: tuple[Localized, ...]
    fired: tuple[str, ...]  # ids of the rules that applied, in order
    guidance: Guidance

    def contact_ids(self) -> list[str]:
        return [a.contact.id for a in self.contacts]

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "contacts": [a.to_dict(lang) for a in self.contacts],
            "steps": [s.get(lang) for s in self.steps],
            "rules": list(self.fired),
            "guidance": {"title": self.guidance.title.get(lang), "url": self.guidance.url,
                         "text": self.guidance.text.get(lang)},
        }


def evaluate(model: TriageModel, answers: Mapping[str, str]) -> TriageResult:
    """Apply every matching rule in order; a contact keeps the place of its first rule.

    Answers to fields that would not have been asked are ignored, so a Slack modal that
    shows every field gives the same result as the step-by-step terminal walk."""
    asked: dict[str, str] = {}
    for item in model.fields:
        if item.shown(asked) and answers.get(item.id):
            asked[item.id] = answers[item.id]
    order: list[str] = []
    whys: dict[str, list[Localized]] = {}
    rule_steps: list[Localized] = []
    urgent: list[Localized] = []
    fired: list[str] = []
    for rule in model.rules:
        if not rule.matches(asked):
            continue
        fired.append(rule.id)
        for addition in rule.add:
            if addition.contact not in whys:
                order.append(addition.contact)
                whys[addition.contact] = []
            if addition.why not in whys[addition.contact]:
                whys[addition.contact].append(addition.why)
        rule_steps += rule.steps
        urgent += rule.urgent_steps
        if rule.stop:
            break
    steps: list[Localized] = []
    checklist = model.checklists.get(asked.get(TYPE_FIELD, ""), ())
    for step in (*urgent, *checklist, *rule_steps, *model.checklists.get(COMMON_CHECKLIST, ())):
        if step not in steps:
            steps.append(step)
    contacts = tuple(ContactAdvice(model.contacts[cid], tuple(whys[cid])) for cid in order)
    return TriageResult(contacts=contacts, steps=tuple(steps), fired=tuple(fired), guidance=model.guidance)
