"""The shipped knowledge base holds its accuracy floor on the labelled eval set.

intents/eval/questions.yaml was written independently of the knowledge examples; see its README.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intents.assemble import build_snapshot
from intents.evaluation import (
    DEFAULT_EVAL_FILE,
    RIGHT,
    SUGGESTED_RIGHT,
    evaluate,
    format_report,
    load_questions,
)
from intents.matcher import Matcher, Thresholds

ROOT = Path(__file__).resolve().parents[2]
TOP1_FLOOR = 0.95
REJECTION_FLOOR = 0.95


# The `kind: realistic` section (long, situational questions, issue #11) is held to its own floor:
# at least this share helped (answered right, or the right topic among the suggestions), and
# none of its must-not-answer questions answered. Measured 65% helped when it was written, 100%
# since the decision weighs a wrong answer worse than a refusal (third round); 100% helped and
# 70% answered right with the calibrated decision (fourth round, 55% before it); with 9 more
# questions (fifth round, situational knowledge) 96.6% helped and 82.8% answered right.
REALISTIC_HELPED_FLOOR = 0.95
REALISTIC_RIGHT_FLOOR = 0.78
# The shared realistic development set (../shared/data/realistic-questions), per language: measured
# helped ja 97.8% / en 98.2%, answered right 84.9% / 86.0% at the intent level (fifth round; fourth
# round 77.4% / 80.7% right), with the calibrated decision fitted on this set among others: in-sample;
# the cross-validated figure is in benchmarks/README.md, issue #11.
SHARED_REALISTIC = next((p for p in [ROOT.parent / "shared" / "data" / "realistic-questions" / "questions.yaml",
                                     Path("/work/shared/data/realistic-questions/questions.yaml")] if p.exists()), None)
SHARED_HELPED_FLOOR = 0.95
SHARED_RIGHT_FLOOR = 0.82


@pytest.fixture(scope="module")
def snapshot():
    return build_snapshot(ROOT / "knowledge")


@pytest.fixture(scope="module")
def report(snapshot):
    questions = [q for q in load_questions(DEFAULT_EVAL_FILE) if q.kind != "realistic"]
    return evaluate(snapshot.matcher, questions)


@pytest.fixture(scope="module")
def realistic(snapshot):
    questions = [q for q in load_questions(DEFAULT_EVAL_FILE) if q.kind == "realistic"]
    return evaluate(snapshot.matcher, questions)


def test_realistic_section_is_helped_and_never_answers_what_it_must_not(realistic):
    assert realistic.in_scope >= 29 and realistic.out_of_scope >= 10
    assert realistic.helped >= REALISTIC_HELPED_FLOOR, format_report(realistic, verbose=True)
    assert realistic.accuracy >= REALISTIC_RIGHT_FLOOR, format_report(realistic, verbose=True)
    assert not realistic.false_answers, format_report(realistic, verbose=True)


def test_eval_set_is_large_enough(report):
    assert report.in_scope >= 150
    assert report.out_of_scope >= 40


def test_in_scope_top1_accuracy_holds_the_floor(report):
    assert report.accuracy >= TOP1_FLOOR, format_report(report, verbose=True)


def test_off_topic_rejection_holds_the_floor(report):
    assert report.rejection >= REJECTION_FLOOR, format_report(report, verbose=True)


CLINC = next((p for p in [ROOT.parent / "shared" / "data" / "clinc150" / "data_full.json",
                          Path("/work/shared/data/clinc150/data_full.json")] if p.exists()), None)


@pytest.mark.skipif(CLINC is None, reason="CLINC150 data not available")
def test_clinc150_sample_stays_accurate():
    """A 30-intent slice of CLINC150 (Larson et al. 2019): train on `train`, score `val`.

    The full benchmark is benchmarks/clinc150.py; this guards against regressions in a few seconds.
    """
    data = json.loads(CLINC.read_text(encoding="utf-8"))
    intents = sorted({intent for _, intent in data["train"]})[::5]
    keep = set(intents)
    matcher = Matcher([(i, t) for t, i in data["train"] if i in keep], thresholds=Thresholds())
    val = [(t, i) for t, i in data["val"] if i in keep]
    top1 = sum((c := matcher.scores(t, limit=1)[1]) and c[0].intent == i for t, i in val) / len(val)
    assert top1 >= 0.90


@pytest.mark.skipif(SHARED_REALISTIC is None, reason="the shared realistic questions are not available")
def test_shared_realistic_set_is_helped_in_each_language_and_never_answers_what_it_must_not(snapshot):
    report = evaluate(snapshot.matcher, load_questions(SHARED_REALISTIC))
    for lang in ("ja", "en"):
        assert report.share(lang, RIGHT, SUGGESTED_RIGHT) >= SHARED_HELPED_FLOOR, format_report(report, verbose=True)
        assert report.share(lang, RIGHT) >= SHARED_RIGHT_FLOOR, format_report(report, verbose=True)
    assert not report.false_answers, format_report(report, verbose=True)
