"""Japanese features: character bigrams (shipped) against a morphological tokenizer.

Runs the labelled eval set (intents/eval/questions.yaml) against the shipped knowledge with
each way of turning a Japanese run into features, and prints top-1 accuracy (Japanese
questions, all questions) and the best balance of accuracy and off-topic rejection that any
answer threshold reaches (so each variant gets its own best threshold; the shipped
thresholds were tuned for bigrams).

Tokenizers are optional and not dependencies of secbot; install what you want to compare:
    .venv/bin/pip install fugashi unidic-lite janome
    .venv/bin/python benchmarks/japanese.py
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intents.assemble import build_matcher, build_snapshot  # noqa: E402
from intents.evaluation import DEFAULT_EVAL_FILE, load_questions  # noqa: E402
from intents.features import Analyzer  # noqa: E402
from intents.normalize import _KATA_TO_HIRA, normalize  # noqa: E402

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
SKIP_POS = {"助詞", "助動詞", "記号", "補助記号", "空白", "フィラー"}


def fold(text: str) -> str:
    return text.translate(_KATA_TO_HIRA)


def normalize_keep_katakana(text: str) -> str:
    """normalize() without the katakana -> hiragana step (tokenizers need the katakana)."""
    saved = dict(_KATA_TO_HIRA)
    _KATA_TO_HIRA.clear()
    try:
        return normalize(text)
    finally:
        _KATA_TO_HIRA.update(saved)


def fugashi_analyzer():
    import fugashi

    tagger = fugashi.Tagger()

    def analyze(run: str) -> list[str]:
        out = []
        for word in tagger(run):
            if word.feature.pos1 in SKIP_POS:
                continue
            lemma = word.feature.lemma or word.surface
            out.append(fold(lemma.split("-")[0]))
        return out

    return analyze


def janome_analyzer():
    from janome.tokenizer import Tokenizer

    tokenizer = Tokenizer()

    def analyze(run: str) -> list[str]:
        out = []
        for token in tokenizer.tokenize(run):
            if token.part_of_speech.split(",")[0] in SKIP_POS:
                continue
            base = token.base_form if token.base_form != "*" else token.surface
            out.append(fold(base))
        return out

    return analyze


def measure(name: str, kb, analyzer: Analyzer, questions) -> dict:
    start = time.perf_counter()
    matcher = build_matcher(kb, analyzer)
    build = time.perf_counter() - start
    rows = []
    start = time.perf_counter()
    for q in questions:
        _, cands = matcher.scores(q.text, limit=2)
        best = cands[0] if cands else None
        second = cands[1].score if len(cands) > 1 else 0.0
        rows.append((q, best.intent if best else None, best.score if best else 0.0, second))
    per_q = (time.perf_counter() - start) / len(questions) * 1000
    ins = [r for r in rows if r[0].intent]
    oos = [r for r in rows if not r[0].intent]
    ja = [r for r in ins if JAPANESE.search(r[0].text)]
    top1 = np.mean([r[0].intent == r[1] for r in ins])
    top1_ja = np.mean([r[0].intent == r[1] for r in ja])
    best = (0.0, 0.0, 0.0, 0.0)
    for th in np.arange(0.10, 0.80, 0.0025):
        acc = np.mean([r[0].intent == r[1] and r[2] >= th for r in ins])
        rej = np.mean([r[2] < th for r in oos])
        if min(acc, rej) > best[0]:
            best = (min(acc, rej), acc, rej, th)
    return {"name": name, "top1": top1, "top1_ja": top1_ja, "n_ja": len(ja), "acc": best[1], "rej": best[2],
            "th": best[3], "build_s": build, "ms_per_q": per_q}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--questions", type=Path, default=DEFAULT_EVAL_FILE)
    args = parser.parse_args()
    questions = load_questions(args.questions)
    variants = [("char bigrams + kanji (shipped)", None, False, False)]
    for label, factory in (("fugashi+unidic-lite", fugashi_analyzer), ("janome", janome_analyzer)):
        try:
            analyzer = factory()
        except ImportError:
            print(f"({label} not installed: skipped)")
            continue
        variants += [
            (f"{label} morphemes, kana-folded input", analyzer, False, False),
            (f"{label} morphemes, katakana kept", analyzer, False, True),
            (f"{label} morphemes + char bigrams", analyzer, True, False),
        ]
    results = []
    kb = build_snapshot(args.knowledge).kb
    for name, morphemes, with_bigrams, keep_katakana in variants:
        analyzer = Analyzer(morphemes, with_bigrams, normalize_keep_katakana if keep_katakana else normalize)
        results.append(measure(name, kb, analyzer, questions))
    n_ja = results[0]["n_ja"]
    print(f"\n| Japanese features | top-1 ja ({n_ja}) | top-1 all | best min(acc, rejection) at threshold | ms/question |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['name']} | {r['top1_ja']:.1%} | {r['top1']:.1%} | {r['acc']:.1%} / {r['rej']:.1%} at {r['th']:.3f} "
              f"| {r['ms_per_q']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
