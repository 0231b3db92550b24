"""Checkup scoring as a table, and the answer checks every front end shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.assemble import build_snapshot
from intents.checkup.model import CheckupSet
from intents.checkup.scoring import check_answers, score
from tests.checkup_fixtures import tiny_knowledge


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> CheckupSet:
    directory = tiny_knowledge(tmp_path_factory.mktemp("kb"))
    return build_snapshot(directory).component("checkup").default


# answers (q1, q2, q3) -> overall, area scores weakest first, gaps in order
TABLE = [
    (("yes", "yes", "all"), 100, [("people", 100), ("tech", 100)], []),
    (("no", "no", "none"), 0, [("people", 0), ("tech", 0)], ["q2", "q1", "q3"]),  # the bigger shortfall first
    # people = (0.5*1 + 1*2) / 3 = 83.3; overall = (0.5 + 2 + 1) / 4 = 87.5, rounded half up
    (("partly", "yes", "all"), 88, [("people", 83), ("tech", 100)], ["q1"]),
    # q2 weighs twice q1: the same shortfall in q2 costs twice as much
    (("yes", "partly", "all"), 75, [("people", 67), ("tech", 100)], ["q2"]),
    # "does not apply" is left out of the score, and its area sorts last with no score
    (("partly", "partly", "na"), 50, [("people", 50), ("tech", None)], ["q2", "q1"]),
    # the weakest area comes first, and its gaps before the others'
    (("yes", "yes", "some"), 83, [("tech", 33), ("people", 100)], ["q3"]),
    (("no", "partly", "some"), 33, [("people", 33), ("tech", 33)], ["q1", "q2", "q3"]),
]


@pytest.mark.parametrize(("answers", "overall", "areas", "gaps"), TABLE, ids=["-".join(row[0]) for row in TABLE])
def test_scores_per_area_and_overall(tiny: CheckupSet, answers, overall, areas, gaps) -> None:
    result = score(tiny, dict(zip(("q1", "q2", "q3"), answers, strict=True)))
    assert result.overall == overall
    assert [(a.id, a.score) for a in result.areas] == areas
    assert [g.question for g in result.gaps] == gaps


def test_every_answer_not_applicable_gives_no_score(tiny: CheckupSet) -> None:
    result = score(tiny.__class__(id="x", title=tiny.title, areas=tiny.areas[1:]), {"q3": "na"})
    assert result.overall is None and result.areas[0].score is None and not result.gaps


def test_good_answers_pass_with_the_organisation_trimmed(tiny: CheckupSet) -> None:
    checked = check_answers(tiny, {"organization": "  ACME\t株式会社 ", "q1": "yes", "q2": " no ", "q3": "na"})
    assert checked.ok and checked.organization == "ACME 株式会社"
    assert checked.answers == {"q1": "yes", "q2": "no", "q3": "na"}


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"q1": "maybe"}, "q1", ['"maybe" is not a valid answer', "Yes / Partly / No"]),  # labels, not ids
    ({"q1": ""}, "q1", ["Please answer this question"]),
    ({"q9": "yes"}, "q9", ["not a question of this checkup"]),
    ({"organization": ""}, "organization", ["Please answer"]),
    ({"organization": "x" * 201}, "organization", ["Too long (201"]),
    ({"q2": True}, "q2", ["Please enter text"]),
])
def test_bad_answers_are_refused_with_a_clear_message(tiny: CheckupSet, values, field, words) -> None:
    good = {"organization": "ACME", "q1": "yes", "q2": "yes", "q3": "all"}
    checked = check_answers(tiny, {**good, **values})
    assert not checked.ok
    message = checked.messages("en")[field]
    assert all(w in message for w in words), message
    assert set(checked.messages("en")) == {field}
    assert "選択肢" in check_answers(tiny, {**good, "q1": "maybe"}).messages("ja")["q1"]


def test_shipped_default_set_has_about_twenty_questions_in_five_areas(tmp_path: Path) -> None:
    from knowledge import SHIPPED_DIR

    model = build_snapshot(SHIPPED_DIR).component("checkup")
    default = model.default
    assert default.id == "default" and 18 <= len(default.questions) <= 22 and len(default.areas) == 5
    assert "supplier" in model.sets and len(model.sets["supplier"].questions) <= 10
    for question in default.questions:
        assert question.text.ja and question.text.en and question.gap.risk.en and question.gap.next_step.ja
