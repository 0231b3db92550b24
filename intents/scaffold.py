"""`secbot kb new-intent`: append a ready-to-edit intent entry to a knowledge file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.knowledge_base import KnowledgeError, load_knowledge

TODO = "TODO"

TEMPLATE = """\
  - id: {id}
    title:
      ja: {title_ja}
      en: {title_en}
    tags: []
    examples:
      ja:
        - {example_ja}
      en:
        - {example_en}
    answer:
      ja: {answer_ja}
      en: {answer_en}
    source:
      title: {TODO} (document title)
      url: https://www.meti.go.jp/policy/netsecurity/
    reviewed: {today}
"""


def _q(text: str) -> str:
    """A YAML-safe scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def scaffold_intent(knowledge_dir: Path, target: Path, intent_id: str, *, question: str | None = None,
                    answer: str | None = None) -> None:
    try:
        existing = load_knowledge(knowledge_dir).intents
    except KnowledgeError:
        existing = {}
    if intent_id in existing:
        raise ValueError(f"intent '{intent_id}' already exists in {existing[intent_id].file}:{existing[intent_id].line}")
    is_ja = bool(question) and any(ord(ch) > 0x3000 for ch in question or "")
    entry = TEMPLATE.format(
        id=intent_id, TODO=TODO, today=date.today().isoformat(),
        title_ja=_q(f"{TODO}: 話題の名前"), title_en=_q(f"{TODO}: topic name"),
        example_ja=_q(question if question and is_ja else f"{TODO}: 質問の言い方"),
        example_en=_q(question if question and not is_ja else f"{TODO}: how users ask"),
        answer_ja=_q(answer if answer and is_ja else f"{TODO}: 回答"),
        answer_en=_q(answer if answer and not is_ja else f"{TODO}: answer"),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.read_text(encoding="utf-8").strip():
        text = target.read_text(encoding="utf-8").rstrip("\n") + "\n" + entry
    else:
        text = "version: 1\nintents:\n" + entry
    target.write_text(text, encoding="utf-8")
