"""Fit the calibrated answer decision (intents/calibration.py) on the development sets.

    .venv/bin/python benchmarks/calibrate.py [--write] [--folds 5] [--seed 1]

A logistic regression predicts "the best intent is right" for every question in domain (the
in-domain decision is unchanged: not closest to an off-topic example, evidence >=
suggest_threshold). Its inputs (intents/calibration.FEATURES) include the hand-set rule's verdict
under the thresholds of knowledge/matching.yaml: run benchmarks/thresholds.py first when those
change. Fitted on the DEV sets only: tests/dev/questions.yaml (with its realistic section) and the
shared realistic development set. L2 strength by cross-validated log-loss (IRLS, numpy);
`answer_probability` by the objective of benchmarks/thresholds.py (wrong 3, unhelped 1, right in
suggestions 0.3) under its constraints. Printed side by side with the hand-set rule:
- dev figures (in-sample) and intents/eval (never fitted on), both sections;
- the shared realistic set cross-validated: per fold, the rule's grid is re-chosen and the model
  fitted (with that fold's rule as its input) on tests/dev and the other folds; the held-out fold
  is scored. This is the honest figure for a hidden set of the same kind.
`--write` stores the coefficients and `answer_probability` in knowledge/matching.yaml.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import thresholds as th  # noqa: E402

from intents.assemble import build_snapshot  # noqa: E402
from intents.calibration import FEATURES, INTERCEPT, features  # noqa: E402
from intents.evaluation import LabelledQuestion, load_questions  # noqa: E402
from intents.matcher import OFF_TOPIC, Matcher, Thresholds  # noqa: E402
from knowledge import SHIPPED_DIR  # noqa: E402

LAMBDAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
P_GRID = tuple(round(float(p), 2) for p in np.arange(0.30, 0.97, 0.01))
RULE = FEATURES.index("rule")
OUT_OF_FOLD = True  # choose answer_probability on out-of-fold predictions (fit_all)


@dataclasses.dataclass
class Data:
    """A question set as the rule sees it (benchmarks/thresholds.Scored) plus the model's inputs."""

    s: th.Scored
    x: np.ndarray  # FEATURES per question (0 where an off-topic example is closest)
    lang: np.ndarray

    def under(self, t: Thresholds) -> Data:
        """The same questions with the rule's verdict under other thresholds as the `rule` input."""
        x = self.x.copy()
        x[:, RULE] = th.answers(self.s, t)
        return Data(self.s, x, self.lang)

    def part(self, mask: np.ndarray) -> Data:
        return Data(th.part(self.s, mask), self.x[mask], self.lang[mask])


def join(*parts: Data) -> Data:
    return Data(th.join(*(p.s for p in parts)), np.vstack([p.x for p in parts]),
                np.concatenate([p.lang for p in parts]))


def load(matcher: Matcher, questions: list[LabelledQuestion]) -> Data:
    t = matcher.thresholds
    s = th.scored(matcher, questions, t.max_suggestions)
    rule = th.answers(s, t)
    x = np.zeros((len(questions), len(FEATURES)))
    for i, q in enumerate(questions):
        _, cands, domain = matcher.score(q.text, limit=5)
        if cands and cands[0].intent != OFF_TOPIC:
            x[i] = [features(cands, domain, bool(rule[i]))[n] for n in FEATURES]
    return Data(s, x, np.asarray([q.language for q in questions]))


def fit(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L2 logistic regression by IRLS (Newton) on standardised features, the intercept not
    penalised. Returns (weights with the intercept first, mean, scale)."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = lam * np.eye(z.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w, mean, scale


def predict(model: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    w, mean, scale = model
    return 1 / (1 + np.exp(-(w[0] + ((x - mean) / scale) @ w[1:])))


def choose_lambda(x: np.ndarray, y: np.ndarray, folds: int) -> float:
    """The L2 strength with the lowest cross-validated log-loss."""
    fold = np.random.default_rng(0).permutation(len(y)) % folds
    losses = []
    for lam in LAMBDAS:
        loss = 0.0
        for k in range(folds):
            p = np.clip(predict(fit(x[fold != k], y[fold != k], lam), x[fold == k]), 1e-6, 1 - 1e-6)
            yk = y[fold == k]
            loss -= float(np.sum(yk * np.log(p) + (1 - yk) * np.log(1 - p)))
        losses.append(loss)
    return LAMBDAS[int(np.argmin(losses))]


def decide(model, d: Data, t: Thresholds, p: float) -> tuple[np.ndarray, np.ndarray]:
    """(answer, in domain) masks of the calibrated decision."""
    inside = th.inside(d.s, t)
    return inside & (predict(model, d.x) >= p), inside


def outcomes(model, d: Data, t: Thresholds, p: float) -> dict[str, float]:
    return th.outcomes_of(d.s, *decide(model, d, t, p))


def fit_all(dev: Data, realistic: Data, t: Thresholds, folds: int, out_of_fold: bool = OUT_OF_FOLD):
    """Fit on the in-domain questions of both sets; choose p by the objective. (model, lambda, p).
    With `out_of_fold`, p is chosen on predictions for questions the model was not fitted on
    (k-fold within these sets), as it will meet new questions; in-sample predictions are
    over-confident and choose too low a bar."""
    train = join(dev, realistic)
    inside = th.inside(train.s, t)
    x, y = train.x[inside], ((train.s.top_right == 1) & (train.s.in_scope == 1))[inside].astype(float)
    lam = choose_lambda(x, y, folds)
    model = fit(x, y, lam)
    scores = predict(model, train.x)
    if out_of_fold:
        fold = np.random.default_rng(2).permutation(len(train.lang)) % folds
        for k in range(folds):
            fitted = fit(x[(fold != k)[inside]], y[(fold != k)[inside]], lam)
            scores[fold == k] = predict(fitted, train.x[fold == k])
    n_dev = len(dev.lang)
    best = None
    for p in P_GRID:
        answer = inside & (scores >= p)
        d = th.outcomes_of(dev.s, answer[:n_dev], inside[:n_dev])
        r = th.outcomes_of(realistic.s, answer[n_dev:], inside[n_dev:])
        if th.acceptable(d, r):
            value = (d["cost"] + r["cost"]) / 2
            if best is None or value < best[0] - 1e-12:
                best = (value, p)
    return model, lam, best[1] if best else 1.0


def coefficients(model) -> dict[str, float]:
    """The weights in raw feature units (what knowledge/matching.yaml stores)."""
    w, mean, scale = model
    raw = w[1:] / scale
    return {INTERCEPT: round(float(w[0] - raw @ mean), 4),
            **{n: round(float(v), 4) for n, v in zip(FEATURES, raw, strict=True)}}


def write(path: Path, coef: dict[str, float], p: float) -> None:
    """Replace the `answer_probability` / `calibration` block at the end of matching.yaml."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n  answer_probability:.*\Z", "\n", text, flags=re.S).rstrip("\n") + "\n"
    lines = [f"  answer_probability: {p}", "  calibration:"] + [f"    {k}: {v}" for k, v in coef.items()]
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


def row(name: str, o: dict[str, float]) -> str:
    return (f"| {name} | {o['right']:.1%} | {o['wrong']:.1%} | {o['helped']:.1%} | "
            f"{o['never_answered']:.1%} | {o['cost']:.3f} |")


def by_language(d: Data, answer: np.ndarray, inside: np.ndarray) -> str:
    parts = []
    for lang in sorted(set(d.lang.tolist())):
        mask = d.lang == lang
        o = th.outcomes_of(th.part(d.s, mask), answer[mask], inside[mask])
        parts.append(f"{lang} {o['right']:.1%} / {o['wrong']:.1%} / {o['helped']:.1%}")
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "dev" / "questions.yaml")
    parser.add_argument("--realistic", type=Path, default=th.REALISTIC)
    parser.add_argument("--eval", type=Path, default=ROOT / "intents" / "eval" / "questions.yaml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1, help="of the cross-validation folds")
    parser.add_argument("--write", action="store_true", help="store the fit in knowledge/matching.yaml")
    args = parser.parse_args()

    matcher = build_snapshot(SHIPPED_DIR).matcher
    t = matcher.thresholds
    dev_questions = load_questions(args.dev)
    eval_questions = load_questions(args.eval)
    dev = load(matcher, [q for q in dev_questions if q.kind != "realistic"])
    own = load(matcher, [q for q in dev_questions if q.kind == "realistic"])
    shared = load(matcher, load_questions(args.realistic) if args.realistic.exists() else [])
    held = load(matcher, [q for q in eval_questions if q.kind != "realistic"])
    held_realistic = load(matcher, [q for q in eval_questions if q.kind == "realistic"])
    realistic = join(own, shared)

    model, lam, p = fit_all(dev, realistic, t, args.folds)
    coef = coefficients(model)
    print(f"L2 strength (cross-validated log-loss): {lam}; answer_probability: {p}")
    print("coefficients (raw units):", coef)
    print("\n| decision, set | answered right | answered wrong | helped | off-topic / must-not never answered | cost |")
    print("|---|---|---|---|---|---|")
    for label, d in (("dev (fitted)", dev), ("realistic: tests/dev + shared (fitted)", realistic),
                     ("eval (held out)", held), ("eval, realistic section (held out)", held_realistic)):
        print(row(f"rule, {label}", th.outcomes(d.s, t)))
        print(row(f"**model**, {label}", outcomes(model, d, t, p)))

    # Cross-validation over the shared set: nothing of the held-out fold is used to fit or choose.
    fold = np.random.default_rng(args.seed).permutation(len(shared.lang)) % args.folds
    model_answer = np.zeros(len(fold), dtype=bool)
    rule_answer = np.zeros(len(fold), dtype=bool)
    inside_cv = np.zeros(len(fold), dtype=bool)
    for k in range(args.folds):
        train = fold != k
        tk = th.choose(dev.s, th.join(own.s, th.part(shared.s, train)), t)
        if tk is None:
            continue
        dev_k, own_k, shared_k = dev.under(tk), own.under(tk), shared.under(tk)
        mk, _, pk = fit_all(dev_k, join(own_k, shared_k.part(train)), tk, args.folds)
        test = shared_k.part(~train)
        model_answer[~train], inside_cv[~train] = decide(mk, test, tk, pk)
        rule_answer[~train] = th.answers(test.s, tk)
    inside = th.inside(shared.s, t)
    print(f"\nshared realistic set, {args.folds}-fold cross-validated (seed {args.seed}): per fold, fitted and "
          "chosen on tests/dev and the other folds")
    print("| decision | answered right | answered wrong | helped | must-not never answered | cost | "
          "per language: right / wrong / helped |")
    print("|---|---|---|---|---|---|---|")
    for name, answer, ins in (
            ("rule, shipped thresholds (in-sample)", th.answers(shared.s, t), inside),
            ("model (in-sample)", decide(model, shared, t, p)[0], inside),
            ("rule, grid re-chosen per fold (CV)", rule_answer, inside_cv),
            ("**model (CV)**", model_answer, inside_cv)):
        print(row(name, th.outcomes_of(shared.s, answer, ins))[:-1] + f" {by_language(shared, answer, ins)} |")
    if args.write:
        write(SHIPPED_DIR / "matching.yaml", coef, p)
        print("\nwritten to knowledge/matching.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
