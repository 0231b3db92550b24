"""Evaluate the escalation rules: answers -> contacts in priority order (why, how) and steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.knowledge_base import Localized
from intents.incident.model import (
    COMMON_CHECKLIST,
    SECTOR_FIELD,
    TYPE_FIELD,
    Addition,
    Contact,
    Guidance,
    Priority,
    Sector,
    TriageModel,
)


@dataclass(frozen=True)
class ContactAdvice:
    contact: Contact
    addition: Addition  # the matching rule's entry that placed it: its tier, why and deadline
    priority: Priority
    sector: Sector | None = None  # the sector row, for a contact with a sector table

    def why(self, lang: str) -> str:
        return self.addition.why.get(lang)

    def label(self, lang: str) -> str:
        """The bracketed category: the rule's own label for this contact, else its tier's."""
        return (self.addition.label or self.priority.label).get(lang)

    def deadline(self, lang: str) -> str | None:
        return self.addition.deadline.get(lang) if self.addition.deadline else None

    def detail(self, lang: str) -> str | None:
        """For a contact with a sector table: the competent ministry, or where to ask."""
        c, row = self.contact, self.sector
        if row is None:
            return None
        if row.ministry is not None:
            return f"{row.name.get(lang)}: {row.ministry.get(lang)}"
        unknown = c.sector_unknown.get(lang) if c.sector_unknown else ""
        return f"{row.name.get(lang)}: {unknown}".strip()

    def how(self, lang: str) -> list[dict[str, Any]]:
        return [{"kind": m.kind, "value": m.value.get(lang), "label": m.label.get(lang),
                 "note": m.note.get(lang) if m.note else None, "confidence": m.confidence}
                for m in self.contact.how]

    def to_dict(self, lang: str) -> dict[str, Any]:
        c = self.contact
        return {"id": c.id, "name": c.name.get(lang), "why": self.why(lang), "how": self.how(lang),
                "priority": self.priority.id, "priority_label": self.label(lang),
                "deadline": self.deadline(lang), "detail": self.detail(lang),
                "helps_with": c.helps_with.get(lang), "does_not": c.does_not.get(lang),
                "source": {"title": c.source.title, "url": c.source.url}}


@dataclass(frozen=True)
class TriageResult:
    contacts: tuple[ContactAdvice, ...]
    steps: tuple[Localized, ...]
    fired: tuple[str, ...]  # ids of the rules that applied, in order
    guidance: Guidance
    principle: Localized | None = None

    def contact_ids(self) -> list[str]:
        return [a.contact.id for a in self.contacts]

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "principle": self.principle.get(lang) if self.principle else None,
            "contacts": [a.to_dict(lang) for a in self.contacts],
            "steps": [s.get(lang) for s in self.steps],
            "rules": list(self.fired),
            "guidance": {"title": self.guidance.title.get(lang), "url": self.guidance.url,
                         "text": self.guidance.text.get(lang)},
        }


def evaluate(model: TriageModel, answers: Mapping[str, str]) -> TriageResult:
    """Apply every matching rule; order the contacts by tier, then by the first rule that placed them.

    A contact named by several rules is listed once, at the best tier any of them gives it,
    with that rule's why and deadline (the same reason is never repeated). Answers to fields
    that would not have been asked are ignored, so a whole form that shows every field gives
    the same result as the step-by-step walk."""
    asked: dict[str, str] = {}
    for item in model.fields:
        if item.shown(asked) and answers.get(item.id):
            asked[item.id] = answers[item.id]
    asked = model.with_implied(asked)
    rank = {p.id: n for n, p in enumerate(model.priorities)}
    chosen: dict[str, tuple[int, int, Addition]] = {}
    rule_steps: list[Localized] = []
    urgent: list[Localized] = []
    fired: list[str] = []
    for rule in model.rules:
        if not rule.matches(asked):
            continue
        fired.append(rule.id)
        for addition in rule.add:
            key = (rank.get(addition.priority, len(rank)), len(fired))
            if addition.contact not in chosen or key < chosen[addition.contact][:2]:
                chosen[addition.contact] = (*key, addition)
        rule_steps += rule.steps
        urgent += rule.urgent_steps
        if rule.stop:
            break
    steps: list[Localized] = []
    checklist = model.checklists.get(asked.get(TYPE_FIELD, ""), ())
    for step in (*urgent, *checklist, *rule_steps, *model.checklists.get(COMMON_CHECKLIST, ())):
        if step not in steps:
            steps.append(step)
    by_id = {p.id: p for p in model.priorities}
    contacts = tuple(
        ContactAdvice(model.contacts[cid], addition, by_id[addition.priority],
                      model.contacts[cid].sector(asked.get(SECTOR_FIELD)))
        for cid, (_, _, addition) in sorted(chosen.items(), key=lambda item: item[1][:2]))
    return TriageResult(contacts=contacts, steps=tuple(steps), fired=tuple(fired), guidance=model.guidance,
                        principle=model.principle)
