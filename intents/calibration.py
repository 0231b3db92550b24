"""A calibrated "is the best intent right?" for the answer / did-you-mean decision (issue #11).

A small logistic regression over what the decision already sees of a question: the best and
runner-up scores, the lead, the in-domain detector, the off-topic score, the best intent's
rare-feature evidence, how many of the matcher's separate signals rank it first, and the
hand-set rule's own verdict (so the model can answer what the rule holds back only where the
other evidence is strong). Its coefficients are fitted on the development sets by
`benchmarks/calibrate.py` and stored in knowledge/matching.yaml (`calibration:`), where an
admin can read them; the matcher answers when P(right) >= `answer_probability`.
Pure arithmetic on a few numbers: no start-up work, no measurable cost per question.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

# The off-topic examples' id (intents/matcher.OFF_TOPIC; repeated here to keep this module a leaf).
OFF_TOPIC = "__off_topic__"
INTERCEPT = "intercept"


class _Candidate(Protocol):
    @property
    def intent(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def rare(self) -> int: ...
    @property
    def agree(self) -> int: ...


def features(candidates: Sequence[_Candidate], domain: float, rule: bool) -> dict[str, float]:
    """The model's inputs for a question whose best match is an intent (not an off-topic example);
    `rule`: the hand-set rule (intents/matcher.is_clear and the in-domain bar) would answer."""
    best = candidates[0]
    rivals = [c for c in candidates[1:] if c.intent != OFF_TOPIC]
    runner_up = rivals[0].score if rivals else 0.0
    off = next((c.score for c in candidates if c.intent == OFF_TOPIC), 0.0)
    lead = best.score - runner_up
    return {
        "best": best.score,
        "runner_up": runner_up,
        "lead": lead,
        "relative_lead": lead / best.score if best.score > 0 else 0.0,
        "domain": domain,
        "off_topic": off,
        # Saturating: the first rare features are the evidence, the tenth adds little.
        "rare": math.log1p(best.rare),
        "rare_lead": math.log1p(best.rare) - math.log1p(rivals[0].rare if rivals else 0),
        # The separate signals (nearest example, prototype, coverage, answer text) agreeing on it.
        "agree": float(best.agree),
        "agree_lead": float(best.agree - (rivals[0].agree if rivals else 0)),
        "rule": float(rule),
    }


FEATURES = tuple(features([type("C", (), {"intent": "x", "score": 0.5, "rare": 1, "agree": 0})()], 0.0, False))


def probability(coefficients: Mapping[str, float], candidates: Sequence[_Candidate], domain: float,
                rule: bool) -> float:
    """P(the best intent is right) under the fitted coefficients (names missing count 0)."""
    x = features(candidates, domain, rule)
    z = coefficients.get(INTERCEPT, 0.0) + sum(coefficients.get(name, 0.0) * value for name, value in x.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
