"""The calibrated answer decision: with coefficients in matching.yaml, the model decides answer vs "did you mean"."""

from __future__ import annotations

import math

import yaml

from bot.knowledge_base import schemas
from intents.calibration import FEATURES, INTERCEPT, features, probability
from intents.matcher import OFF_TOPIC, Band, Candidate, Matcher, Thresholds, decide_band

# In domain for every question below (no in-domain bars), the rule answering from a relative lead of 0.5.
BASE = Thresholds(answer=1.0, suggest=0.05, sure=1.0, relative_margin=0.5)
# P(right) = sigmoid(-2 + 5 * relative lead): a lead of 0.6 gives 0.73, a lead of 0.2 gives 0.27.
MODEL = {INTERCEPT: -2.0, "relative_lead": 5.0}


def calibrated(coefficients: dict[str, float], p: float = 0.7) -> Thresholds:
    return Thresholds(**{**BASE.__dict__, "calibration": tuple(coefficients.items()), "answer_probability": p})


def cands(best: float, second: float) -> list[Candidate]:
    return [Candidate("a", best, "", rare=3, agree=2), Candidate("b", second, "", rare=1)]


def test_the_model_answers_when_its_probability_reaches_the_bar():
    clear, close = cands(0.5, 0.2), cands(0.5, 0.4)  # relative lead 0.6 and 0.2
    assert math.isclose(probability(MODEL, clear, 0.0, False), 1 / (1 + math.exp(-1.0)))
    assert decide_band(calibrated(MODEL), clear) is Band.ANSWER
    assert decide_band(calibrated(MODEL), close) is Band.SUGGEST
    # The same question under a stricter bar is only suggested.
    assert decide_band(calibrated(MODEL, p=0.75), clear) is Band.SUGGEST


def test_the_model_overrules_the_hand_set_rule_both_ways():
    held = cands(0.5, 0.35)  # relative lead 0.3: the rule alone suggests
    assert decide_band(BASE, held) is Band.SUGGEST
    assert decide_band(calibrated({INTERCEPT: 2.0}), held) is Band.ANSWER
    clear = cands(0.5, 0.1)  # the rule alone answers; a model that distrusts the rule does not
    assert decide_band(BASE, clear) is Band.ANSWER
    assert decide_band(calibrated({INTERCEPT: 1.0, "rule": -3.0}), clear) is Band.SUGGEST


def test_off_topic_stays_unknown_whatever_the_model_says():
    off_first = [Candidate(OFF_TOPIC, 0.6, ""), Candidate("a", 0.3, "")]
    assert decide_band(calibrated({INTERCEPT: 10.0}), off_first) is Band.UNKNOWN


def test_the_features_read_the_candidates():
    x = features([Candidate("a", 0.5, "", rare=3, agree=4), Candidate(OFF_TOPIC, 0.3, ""),
                  Candidate("b", 0.4, "", rare=1, agree=0)], 0.2, True)
    assert x["runner_up"] == 0.4 and math.isclose(x["lead"], 0.1) and math.isclose(x["relative_lead"], 0.2)
    assert x["off_topic"] == 0.3 and x["domain"] == 0.2 and x["rule"] == 1.0
    assert x["rare"] == math.log(4) and x["agree_lead"] == 4.0


def test_a_matcher_with_coefficients_decides_with_them():
    examples = [("ransomware", "ransomware infection on our file server"), ("pentest", "what is a penetration test")]
    question = "our file server has a ransomware infection"
    assert Matcher(examples, thresholds=calibrated({INTERCEPT: 5.0})).match(question).band is Band.ANSWER
    assert Matcher(examples, thresholds=calibrated({INTERCEPT: -5.0})).match(question).band is Band.SUGGEST


def test_matching_yaml_takes_the_coefficients_and_its_schema_knows_every_feature():
    text = """
version: 1
matching:
  answer_threshold: 0.35
  suggest_threshold: 0.12
  answer_probability: 0.6
  calibration: {intercept: -1.5, relative_lead: 4}
"""
    data = yaml.safe_load(text)
    assert not list(schemas()["matching"].iter_errors(data))
    t = Thresholds.from_yaml(data["matching"])
    assert t.answer_probability == 0.6 and dict(t.calibration) == {INTERCEPT: -1.5, "relative_lead": 4.0}
    for name in (INTERCEPT, *FEATURES):
        data["matching"]["calibration"] = {name: 1.0}
        assert not list(schemas()["matching"].iter_errors(data)), name
    data["matching"]["calibration"] = {"no_such_feature": 1.0}
    assert list(schemas()["matching"].iter_errors(data))
