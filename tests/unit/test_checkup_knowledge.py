"""Broken checkup sets are reported by `secbot kb validate` with file and line, and never serve."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.kb_checks import validate_knowledge
from tests.checkup_fixtures import TINY_SET, tiny_knowledge


def problems(tmp_path: Path, text: str, **files: str) -> list[str]:
    directory = tiny_knowledge(tmp_path / "kb", text)
    for name, extra in files.items():
        (directory / "checkup" / f"{name}.yaml").write_text(extra, encoding="utf-8")
    return [str(p) for p in validate_knowledge(directory)]


def test_the_tiny_set_is_valid(tmp_path: Path) -> None:
    assert problems(tmp_path, TINY_SET) == []


@pytest.mark.parametrize(("change", "line", "words"), [
    (("intents: [jc_star, asm]", "intents: [jc_star, otasuketi]"), 20, "unknown knowledge intent 'otasuketi'"),
    (("        - id: q2", "        - id: q1"), 16, "duplicate question id 'q1' (first at line 9)"),
    (("    - id: tech", "    - id: people"), 21, "duplicate area id 'people'"),
    (("{value: partly, label: {ja: 一部, en: Partly}, score: 1}", "{value: partly, label: {ja: 一部, en: Partly}}"), 13,
     "choice 'partly' has no score"),
    (("{value: some, label: {ja: 一部, en: Some}, score: 1}", "{value: all, label: {ja: 一部, en: Some}, score: 1}"), 28,
     "duplicate choice value 'all'"),
    (("en: All}, score: 3}\n            - {value: some, label: {ja: 一部, en: Some}, score: 1}",
      "en: All}, score: 0}\n            - {value: some, label: {ja: 一部, en: Some}, score: 0}"), 26,
     "no choice scores above 0"),
    (("  id: default", "  id: report"), 3, "set id 'report' is reserved"),
    (("        - id: q1\n", "        - id: organization\n"), 9, "reserved for the organisation name"),
])
def test_each_mistake_is_reported_with_its_line(tmp_path: Path, change, line, words) -> None:
    old, new = change
    assert old in TINY_SET
    found = problems(tmp_path, TINY_SET.replace(old, new, 1))
    assert any(words in p and f"default.yaml:{line}:" in p for p in found), found


def test_an_area_without_questions_is_reported(tmp_path: Path) -> None:
    text = TINY_SET.replace("      questions:\n        - id: q3", "      questions: []\n    - id: later\n"
                            "      title: {ja: 後, en: Later}\n      questions:\n        - id: q3", 1)
    found = problems(tmp_path, text)
    assert any("area 'tech' has no questions" in p and "default.yaml:23:" in p for p in found), found


def test_a_choice_without_a_score_key_and_a_missing_gap_are_reported(tmp_path: Path) -> None:
    text = TINY_SET.replace("          gap: {risk: {ja: リスク3, en: Risk 3}, next_step: {ja: 次3, en: Next 3}}\n", "")
    found = problems(tmp_path, text)
    assert any("missing 'gap'" in p and "default.yaml:" in p for p in found), found


def test_two_files_with_the_same_set_id_are_reported(tmp_path: Path) -> None:
    found = problems(tmp_path, TINY_SET, other=TINY_SET)
    assert any("duplicate checkup set id 'default'" in p and "other.yaml:3:" in p for p in found), found


def test_shipped_checkup_sets_have_no_problems() -> None:
    from knowledge import SHIPPED_DIR

    assert [p for p in validate_knowledge(SHIPPED_DIR) if "checkup" in p.file] == []


def test_a_question_source_without_a_web_address_is_reported(tmp_path: Path) -> None:
    text = TINY_SET.replace("        - id: q2\n", "        - id: q2\n          source: {title: Somewhere, url: meti.go.jp}\n", 1)
    found = problems(tmp_path, text)
    assert any("source.url" in p and "default.yaml:" in p for p in found), found
    with_url = TINY_SET.replace("        - id: q2\n", "        - id: q2\n          source: {title: METI, url: https://www.meti.go.jp/}\n", 1)
    assert problems(tmp_path, with_url) == []


def test_the_scs_star3_set_says_it_is_not_final_and_every_question_cites_its_source() -> None:
    from intents.assemble import build_snapshot
    from knowledge import SHIPPED_DIR

    scs = build_snapshot(SHIPPED_DIR).component("checkup").sets["scs_star3"]
    assert scs.intro is not None
    assert "確定していません" in scs.intro.ja and "評価" in scs.intro.ja and "準備の目安" in scs.intro.ja
    assert "not final" in scs.intro.en and "a preparation aid, not an evaluation" in scs.intro.en
    assert len(scs.questions) >= 10
    for question in scs.questions:
        assert question.source is not None and question.source.url.startswith("https://"), question.id
    assert any("meti.go.jp/press/2025/12/20251226001" in q.source.url for q in scs.questions if q.source)
