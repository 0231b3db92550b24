"""secbot's matcher on CLINC150 (Larson et al., EMNLP 2019), next to the published rows.

Data: ../shared/data/clinc150/data_full.json (CC BY 3.0, Clinc, Inc.; see the README there).
The matcher is built from the `train` split (15,000 examples, 150 intents; no out-of-scope
training data, as in the paper's threshold variant). Every choice is made on `val` and
`oos_val` only; `test` and `oos_test` are scored once with the chosen thresholds:

  in-scope accuracy = top intent right AND confident (Band.ANSWER)   over `test`
  out-of-scope recall = not confident (suggest or unknown)            over `oos_test`

Three operating points are chosen on val:
  target:    the highest val in-scope accuracy whose oos_val recall is >= 50%
  target-95: the same, but the oos_val recall must be >= 50% with 95% confidence (Wilson
             lower bound; oos_val has only 100 questions, so a point estimate of exactly
             50% is a coin flip on another sample)
  balanced:  the highest val accuracy + oos_val recall

The naive baseline is rapidfuzz's extractOne over all training examples (default scorer
WRatio; plain `fuzz.ratio` too), its score threshold chosen on val the same way.

    .venv/bin/python benchmarks/clinc150.py [--data PATH] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intents.matcher import Band, Candidate, Matcher, Thresholds, decide_band  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "clinc150" / "data_full.json"
PUBLISHED = [  # Larson et al. 2019, Table 2, "threshold" rows: in-scope accuracy, OOS recall (full data)
    ("BERT (Larson et al. 2019)", 96.2, 52.3),
    ("MLP (Larson et al. 2019)", 93.4, 49.1),
    ("Rasa (Larson et al. 2019)", 90.9, 31.2),
    ("SVM (Larson et al. 2019)", 88.2, 18.0),
]
MARGINS = (0.0, 0.02, 0.05)


def find_data(path: Path | None) -> Path:
    for candidate in [path, DEFAULT_DATA, Path("/work/shared/data/clinc150/data_full.json")]:
        if candidate and candidate.exists():
            return candidate
    raise SystemExit("CLINC150 data_full.json not found; pass --data PATH")


def score_matcher(matcher: Matcher, items: list[list[str]]) -> list[tuple[str, str | None, float, float]]:
    """(gold, top intent, top score, runner-up score) per question."""
    rows = []
    for text, gold in items:
        _, cands = matcher.scores(text, limit=2)
        top = cands[0] if cands else None
        rows.append((gold, top.intent if top else None, top.score if top else 0.0, cands[1].score if len(cands) > 1 else 0.0))
    return rows


def rates(thresholds: Thresholds, ins, oos) -> tuple[float, float]:
    """In-scope accuracy and OOS recall with the matcher's own band logic."""
    def answered(row) -> bool:
        cands = [Candidate(row[1] or "", row[2], ""), Candidate("", row[3], "")]
        return decide_band(thresholds, cands) is Band.ANSWER

    acc = float(np.mean([r[0] == r[1] and answered(r) for r in ins]))
    rec = float(np.mean([not answered(r) for r in oos]))
    return acc, rec


def wilson_lower(p: float, n: int, z: float = 1.96) -> float:
    """Lower end of the 95% Wilson interval of a proportion p observed on n items."""
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def choose(evaluate, grid, n_oos: int):
    """The operating points over a grid: evaluate(param) -> (acc, recall) on val."""
    results = [(param, *evaluate(param)) for param in grid]
    feasible = [r for r in results if r[2] >= 0.5] or results
    target = max(feasible, key=lambda r: (r[1], r[2]))
    sure = [r for r in results if wilson_lower(r[2], n_oos) >= 0.5] or results
    target_sure = max(sure, key=lambda r: (r[1], r[2]))
    balanced = max(results, key=lambda r: (r[1] + r[2], r[1]))
    return {"target": target[0], "target-95": target_sure[0], "balanced": balanced[0]}


def run_matcher(data) -> list[dict]:
    start = time.perf_counter()
    matcher = Matcher([(intent, text) for text, intent in data["train"]])
    build = time.perf_counter() - start
    print(f"secbot matcher built on {matcher.example_count} examples in {build:.1f} s", file=sys.stderr)
    start = time.perf_counter()
    split = {name: score_matcher(matcher, data[name]) for name in ("val", "oos_val", "test", "oos_test")}
    n_questions = sum(len(data[n]) for n in ("val", "oos_val", "test", "oos_test"))
    per_q = (time.perf_counter() - start) / n_questions * 1000

    grid = [Thresholds(answer=round(t, 3), suggest=0.0, margin=m, sure=1.01)
            for m in MARGINS for t in np.arange(0.05, 0.9, 0.005)]
    chosen = choose(lambda th: rates(th, split["val"], split["oos_val"]), grid, len(split["oos_val"]))
    top1 = float(np.mean([r[0] == r[1] for r in split["test"]]))
    rows = []
    for label, th in chosen.items():
        val_acc, val_rec = rates(th, split["val"], split["oos_val"])
        acc, rec = rates(th, split["test"], split["oos_test"])
        rows.append({"name": f"secbot matcher, {label} threshold", "acc": acc * 100, "rec": rec * 100,
                     "setting": f"answer >= {th.answer:.3f}, margin {th.margin}", "val": (val_acc, val_rec),
                     "top1": top1, "ms": per_q, "build": build})
    return rows


def run_baseline(data, scorer_name: str) -> list[dict]:
    from rapidfuzz import fuzz, process

    scorer = {"WRatio": fuzz.WRatio, "ratio": fuzz.ratio}[scorer_name]
    texts = [text for text, _ in data["train"]]
    labels = [intent for _, intent in data["train"]]
    split = {}
    start = time.perf_counter()
    count = 0
    for name in ("val", "oos_val", "test", "oos_test"):
        rows = []
        for text, gold in data[name]:
            choice, score, index = process.extractOne(text, texts, scorer=scorer)
            rows.append((gold, labels[index], score / 100.0))
            count += 1
        split[name] = rows
    per_q = (time.perf_counter() - start) / count * 1000

    def evaluate(th, ins, oos):
        return (float(np.mean([g == p and s >= th for g, p, s in ins])), float(np.mean([s < th for _, _, s in oos])))

    grid = [round(t, 3) for t in np.arange(0.3, 1.0, 0.005)]
    chosen = choose(lambda th: evaluate(th, split["val"], split["oos_val"]), grid, len(split["oos_val"]))
    top1 = float(np.mean([g == p for g, p, _ in split["test"]]))
    out = []
    for label, th in chosen.items():
        acc, rec = evaluate(th, split["test"], split["oos_test"])
        out.append({"name": f"naive: extractOne, {scorer_name}, {label} threshold", "acc": acc * 100, "rec": rec * 100,
                    "setting": f"score >= {th * 100:.1f}", "val": evaluate(th, split["val"], split["oos_val"]),
                    "top1": top1, "ms": per_q})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="CLINC150 benchmark of the secbot matcher")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--no-baseline", action="store_true", help="skip the (slow) rapidfuzz baselines")
    args = parser.parse_args()
    data = json.loads(find_data(args.data).read_text(encoding="utf-8"))
    rows = run_matcher(data)
    if not args.no_baseline:
        rows += run_baseline(data, "WRatio") + run_baseline(data, "ratio")
    print("\nCLINC150 (full), test split; thresholds chosen on val/oos_val only\n")
    print("| system | in-scope accuracy | OOS recall | top-1, no threshold | threshold (from val) | val acc / OOS recall | ms/question |")
    print("|---|---|---|---|---|---|---|")
    for name, acc, rec in PUBLISHED:
        print(f"| {name} | {acc:.1f} | {rec:.1f} | | | | |")
    for r in rows:
        print(f"| {r['name']} | {r['acc']:.1f} | {r['rec']:.1f} | {r['top1'] * 100:.1f} | {r['setting']} "
              f"| {r['val'][0] * 100:.1f} / {r['val'][1] * 100:.1f} | {r['ms']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
