"""A discriminative re-ranker over the matcher's best intents (issue #11): is it worth its cost?

    .venv/bin/python benchmarks/rerank.py [--k 8] [--temperature 0.05] [--rate 1.0] [--epochs 3]

Trained on the knowledge examples only, leave-one-out (`Matcher.score(exclude=i)`, as
`kb validate` does), so that each example is ranked without itself and the model learns from
the siblings that then come close. Off-topic examples are not training items (they have no
intent to rank). Two models, both over the top-k candidates of each question:

- **signals**: a linear softmax over each candidate's final score and its rank-relative gap to
  the best candidate (`score - best`), i.e. a calibrated probability of the best intent with no
  vocabulary of its own;
- **residual**: the candidate's score / temperature plus a learned weight per (feature, intent)
  pair, a softmax over the k candidates, trained by SGD from zero (so it only corrects the
  matcher's ranking where the leave-one-out examples disagree with it).

Printed: build cost (leave-one-out scoring and training, CPU seconds), top-1 / top-3 on the dev
set and on the realistic development sets, and the decision with the shipped thresholds where
the answered intent and the suggestions come from the re-ranker (the band stays the matcher's).
intents/eval is not scored here (held out).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.thresholds import REALISTIC  # noqa: E402
from intents.assemble import build_snapshot  # noqa: E402
from intents.evaluation import LabelledQuestion, load_questions  # noqa: E402
from intents.matcher import OFF_TOPIC, Band, Matcher, decide_band, domain_evidence  # noqa: E402
from knowledge import SHIPPED_DIR  # noqa: E402


class Item:
    """One question: its known features (ids, weights), its top-k intents and their scores."""

    def __init__(self, matcher: Matcher, text: str, k: int, exclude: int | None = None):
        _, candidates, _ = matcher.score(text, exclude=exclude, limit=k)
        candidates = [c for c in candidates if c.intent != OFF_TOPIC]
        self.intents = [c.intent for c in candidates]
        self.scores = np.asarray([c.score for c in candidates], dtype=np.float32)
        # The query vector as the matcher sees it (after spelling and synonyms): internal API.
        query, _, _ = matcher._vector(matcher._rewrite(matcher._spell(matcher._analyzer.normalize(text))))
        self.fids = np.fromiter(query.keys(), dtype=np.int64, count=len(query))
        self.weights = np.fromiter(query.values(), dtype=np.float32, count=len(query))

    def signals(self) -> np.ndarray:
        return np.stack([self.scores, self.scores - self.scores.max()], axis=1)


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class Residual:
    def __init__(self, matcher: Matcher, temperature: float, rate: float, epochs: int):
        self.index = {intent: i for i, intent in enumerate(matcher.intent_ids)}
        self.weights = np.zeros((len(matcher._idf), len(matcher.intent_ids)), dtype=np.float32)
        self.temperature, self.rate, self.epochs = temperature, rate, epochs

    def logits(self, item: Item) -> np.ndarray:
        cols = [self.index[i] for i in item.intents]
        return item.scores / self.temperature + item.weights @ self.weights[np.ix_(item.fids, cols)]

    def fit(self, items: list[tuple[Item, int]]) -> None:
        order = np.random.default_rng(0)
        for _ in range(self.epochs):
            for n in order.permutation(len(items)).tolist():
                item, gold = items[n]
                p = softmax(self.logits(item))
                p[gold] -= 1.0
                cols = [self.index[i] for i in item.intents]
                self.weights[np.ix_(item.fids, cols)] -= self.rate * np.outer(item.weights, p)


def fit_signals(items: list[tuple[Item, int]], iterations: int = 300, rate: float = 0.5) -> np.ndarray:
    """Full-batch gradient descent of a linear softmax over the candidates' signals (padded to k)."""
    k = max(len(item.intents) for item, _ in items)
    x = np.zeros((len(items), k, 2))
    mask = np.full((len(items), k), -np.inf)
    for n, (item, _) in enumerate(items):
        x[n, : len(item.intents)] = item.signals()
        mask[n, : len(item.intents)] = 0.0
    gold = np.asarray([g for _, g in items])
    w = np.zeros(2)
    for _ in range(iterations):
        p = softmax(x @ w + mask)
        p[np.arange(len(items)), gold] -= 1.0
        w -= rate * np.einsum("nk,nkd->d", p, x) / len(items)
    return w


def figures(matcher: Matcher, questions: list[LabelledQuestion], k: int, order,
            confidence=None, sure: float = 0.0, mode: str = "alone") -> dict[str, float]:
    """Top-1, top-3 and the decision: the shipped band with the intents ordered by `order`; or,
    with `confidence` (item -> probability of the best), the shipped in-domain decision and an
    answer when that probability is at least `sure` (`mode` alone), and the shipped rule also
    says answer (and), or either says so (or); else "did you mean"."""
    t = matcher.thresholds
    n = off = top1 = top3 = right = helped = off_answered = 0
    for q in questions:
        item = Item(matcher, q.text, k)
        _, candidates, domain = matcher.score(q.text)
        band = decide_band(t, candidates, domain)
        if confidence is not None and band is not Band.UNKNOWN and item.intents:
            inside = domain_evidence(t, candidates, domain) >= t.domain_sure
            shipped, confident = band is Band.ANSWER, inside and confidence(item) >= sure
            answer = {"alone": confident, "and": shipped and confident, "or": shipped or confident}[mode]
            band = Band.ANSWER if answer else Band.SUGGEST
        if q.intent is None:
            off += 1
            off_answered += band is Band.ANSWER
            continue
        n += 1
        if not item.intents:
            continue
        ranked = order(item)
        top1 += ranked[0] == q.intent
        top3 += q.intent in ranked[: t.max_suggestions]
        if band is Band.ANSWER:
            right += ranked[0] == q.intent
        elif band is Band.SUGGEST:
            helped += q.intent in ranked[: t.max_suggestions]
    n = max(n, 1)
    return {"top-1": top1 / n, "top-3": top3 / n, "answered right": right / n, "helped": (right + helped) / n,
            "never answered": 1 - off_answered / max(off, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--sure", type=float, nargs="*", default=[0.5, 0.7, 0.9],
                        help="answer when the residual model's probability of the best intent is at least this")
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "dev" / "questions.yaml")
    parser.add_argument("--realistic", type=Path, default=REALISTIC)
    args = parser.parse_args()

    matcher = build_snapshot(SHIPPED_DIR).matcher
    start = time.process_time()
    items = []
    for i in range(matcher.example_count):
        owner = matcher.example_owner(i)
        if owner == OFF_TOPIC:
            continue
        item = Item(matcher, matcher.example_text(i), args.k, exclude=i)
        if owner in item.intents:
            items.append((item, item.intents.index(owner)))
    scored = time.process_time() - start
    start = time.process_time()
    residual = Residual(matcher, args.temperature, args.rate, args.epochs)
    residual.fit(items)
    trained = time.process_time() - start
    start = time.process_time()
    w = fit_signals(items)
    trained_signals = time.process_time() - start
    print(f"leave-one-out items: {len(items)} (top-1 {np.mean([g == 0 for _, g in items]):.1%}); "
          f"CPU s: scoring {scored:.2f}, residual training {trained:.2f}, signals training {trained_signals:.2f}; "
          f"signals weights {np.round(w, 2).tolist()}")

    dev = load_questions(args.dev)
    sets = [("dev", [q for q in dev if q.kind != "realistic"]),
            ("realistic: tests/dev + shared (dev)",
             [q for q in dev if q.kind == "realistic"] + (load_questions(args.realistic) if args.realistic.exists() else []))]
    orders = {
        "matcher": lambda item: item.intents,
        "signals softmax": lambda item: [item.intents[j] for j in np.argsort(-(item.signals() @ w), kind="stable")],
        "residual": lambda item: [item.intents[j] for j in np.argsort(-residual.logits(item), kind="stable")],
    }
    rows = [(name, order, None, 0.0, "alone") for name, order in orders.items()]
    rows += [(f"residual, answer if p >= {sure} ({mode})", orders["residual"],
              lambda item: float(softmax(residual.logits(item)).max()), sure, mode)
             for mode in ("alone", "and", "or") for sure in args.sure]
    print("| ranking (decision) | set | top-1 | top-3 | answered right | helped | must-not never answered |")
    print("|---|---|---|---|---|---|---|")
    for name, order, confidence, sure, mode in rows:
        for label, questions in sets:
            f = figures(matcher, questions, args.k, order, confidence, sure, mode)
            print(f"| {name} | {label} | {f['top-1']:.1%} | {f['top-3']:.1%} | {f['answered right']:.1%} | "
                  f"{f['helped']:.1%} | {f['never answered']:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
