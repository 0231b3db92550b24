"""Choose the answer threshold on the development set, then score the held-out eval set once.

    .venv/bin/python benchmarks/thresholds.py [--dev tests/dev/questions.yaml] [--eval bot/eval/questions.yaml]

The rule (applied to the dev set only): the highest top-1 accuracy whose off-topic rejection
is at least --min-rejection (default 0.95); ties go to the higher threshold (fewer wrong
answers). The eval set is scored with that threshold and with the shipped one, side by side.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.evaluation import LabelledQuestion, load_questions  # noqa: E402
from bot.snapshot import build_snapshot  # noqa: E402
from intents.matcher import Band, Thresholds, decide_band  # noqa: E402
from knowledge import SHIPPED_DIR  # noqa: E402


def score(scored: list[tuple[LabelledQuestion, list]], t: Thresholds) -> tuple[float, float]:
    right = in_scope = rejected = off_topic = 0
    for question, candidates in scored:
        band = decide_band(t, candidates)
        answered = candidates[0].intent if candidates and band is Band.ANSWER else None
        if question.intent is None:
            off_topic += 1
            rejected += answered is None
        else:
            in_scope += 1
            right += answered == question.intent
    return right / max(in_scope, 1), rejected / max(off_topic, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "dev" / "questions.yaml")
    parser.add_argument("--eval", type=Path, default=ROOT / "bot" / "eval" / "questions.yaml")
    parser.add_argument("--min-rejection", type=float, default=0.95)
    args = parser.parse_args()

    snapshot = build_snapshot(SHIPPED_DIR)
    matcher = snapshot.matcher
    shipped = matcher.thresholds

    def scored(path: Path) -> list[tuple[LabelledQuestion, list]]:
        return [(q, matcher.scores(q.text, limit=5)[1]) for q in load_questions(path)]

    dev = scored(args.dev)
    grid = [round(0.15 + 0.0025 * i, 4) for i in range(121)]  # 0.15 .. 0.45
    best = None
    for answer in grid:
        t = dataclasses.replace(shipped, answer=answer, suggest=min(shipped.suggest, answer))
        accuracy, rejection = score(dev, t)
        if rejection >= args.min_rejection and (best is None or accuracy >= best[1]):
            best = (answer, accuracy, rejection)
    if best is None:
        print(f"no threshold reaches {args.min_rejection:.0%} off-topic rejection on the dev set")
        return 1
    chosen = dataclasses.replace(shipped, answer=best[0], suggest=min(shipped.suggest, best[0]))
    held_out = scored(args.eval)
    rows = [("chosen on dev", chosen, score(dev, chosen), score(held_out, chosen)),
            ("shipped (knowledge/matching.yaml)", shipped, score(dev, shipped), score(held_out, shipped))]
    print(f"dev: {len(dev)} questions, eval: {len(held_out)} questions")
    print("| thresholds | answer ≥ | dev top-1 | dev rejection | eval top-1 | eval rejection |")
    print("|---|---|---|---|---|---|")
    for name, t, (dev_acc, dev_rej), (ev_acc, ev_rej) in rows:
        print(f"| {name} | {t.answer:.4f} | {dev_acc:.1%} | {dev_rej:.1%} | {ev_acc:.1%} | {ev_rej:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
