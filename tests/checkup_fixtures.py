"""A tiny checkup set for table tests: two areas, weights, a "does not apply" choice."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MINI_INTENTS, write_knowledge

__test__ = False

TINY_SET = """\
version: 1
checkup:
  id: default
  title: {ja: 診断, en: Checkup}
  areas:
    - id: people
      title: {ja: 人, en: People}
      questions:
        - id: q1
          text: {ja: 質問1, en: Question 1}
          choices: &three
            - {value: "yes", label: {ja: はい, en: "Yes"}, score: 2}
            - {value: partly, label: {ja: 一部, en: Partly}, score: 1}
            - {value: "no", label: {ja: いいえ, en: "No"}, score: 0}
          gap: {risk: {ja: リスク1, en: Risk 1}, next_step: {ja: 次1, en: Next 1}, intents: [asm]}
        - id: q2
          weight: 2
          text: {ja: 質問2, en: Question 2}
          choices: *three
          gap: {risk: {ja: リスク2, en: Risk 2}, next_step: {ja: 次2, en: Next 2}, intents: [jc_star, asm]}
    - id: tech
      title: {ja: 技術, en: Tech}
      questions:
        - id: q3
          text: {ja: 質問3, en: Question 3}
          choices:
            - {value: all, label: {ja: 全部, en: All}, score: 3}
            - {value: some, label: {ja: 一部, en: Some}, score: 1}
            - {value: none, label: {ja: なし, en: None}, score: 0}
            - {value: na, label: {ja: 該当なし, en: Does not apply}, not_applicable: true}
          gap: {risk: {ja: リスク3, en: Risk 3}, next_step: {ja: 次3, en: Next 3}}
"""


def tiny_knowledge(directory: Path, checkup: str = TINY_SET, name: str = "checkup/default.yaml") -> Path:
    return write_knowledge(directory, {"intents/mini.yaml": MINI_INTENTS, name: checkup})
