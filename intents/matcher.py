"""Score a question against every intent's examples and pick a confidence band.

Candidate retrieval is a TF-IDF cosine over an inverted index (numpy), so cost grows with
the postings a question touches, not with the number of examples; rapidfuzz then re-scores
the few best intents on the whole string and corrects typos in unknown English words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from intents.features import extract, tokens
from intents.normalize import normalize

# How much the rapidfuzz string similarity counts next to the TF-IDF cosine.
FUZZ_WEIGHT = 0.2
RETRIEVE_EXAMPLES = 60


class Band(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Candidate:
    intent: str
    score: float
    example: str  # the training example that matched best


@dataclass(frozen=True)
class Match:
    band: Band
    candidates: tuple[Candidate, ...]  # best first
    normalized: str

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.5
    suggest: float = 0.3
    margin: float = 0.04
    sure: float = 0.75
    max_suggestions: int = 3


class SynonymRewriter:
    """Rewrite admin-listed variants to one canonical term (after normalisation)."""

    def __init__(self, pairs: Iterable[tuple[str, Iterable[str]]]):
        table: dict[str, str] = {}
        for canonical, variants in pairs:
            target = normalize(canonical)
            for variant in variants:
                source = normalize(variant)
                if source and source != target:
                    table[source] = target
        self._table = table
        if not table:
            self._pattern = None
            return
        parts = []
        for source in sorted(table, key=len, reverse=True):
            escaped = re.escape(source)
            # Latin variants match whole words only ("asm" must not fire inside "plasma").
            if source[0].isascii():
                escaped = r"(?<![a-z0-9])" + escaped
            if source[-1].isascii():
                escaped = escaped + r"(?![a-z0-9])"
            parts.append(escaped)
        self._pattern = re.compile("|".join(parts))

    def __call__(self, normalized: str) -> str:
        if self._pattern is None:
            return normalized
        return self._pattern.sub(lambda m: self._table[m.group(0)], normalized)


class Matcher:
    def __init__(
        self,
        examples: Sequence[tuple[str, str]],
        *,
        synonyms: Iterable[tuple[str, Iterable[str]]] = (),
        thresholds: Thresholds = Thresholds(),
    ):
        """`examples` is a sequence of (intent id, example text)."""
        self.thresholds = thresholds
        self._rewrite = SynonymRewriter(synonyms)
        self.intent_ids: list[str] = sorted({intent for intent, _ in examples})
        intent_index = {intent: i for i, intent in enumerate(self.intent_ids)}
        self._texts: list[str] = []
        self._raw: list[str] = []
        owners: list[int] = []
        vectors: list[dict[str, float]] = []
        for intent, text in examples:
            norm = self.prepare(text)
            if not norm:
                continue
            self._texts.append(norm)
            self._raw.append(text)
            owners.append(intent_index[intent])
            vectors.append(dict(extract(norm)))
        self._owner = np.asarray(owners, dtype=np.int32)
        count = len(vectors)
        df: dict[str, int] = {}
        for vec in vectors:
            for feat in vec:
                df[feat] = df.get(feat, 0) + 1
        self._idf = {feat: math.log((count + 1) / (n + 1)) + 1.0 for feat, n in df.items()}
        self._unknown_idf = math.log(count + 1) + 1.0
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for doc_id, vec in enumerate(vectors):
            weighted = {f: (1 + math.log(w)) * self._idf[f] if w >= 1 else w * self._idf[f] for f, w in vec.items()}
            norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
            for feat, value in weighted.items():
                ids, vals = postings.setdefault(feat, ([], []))
                ids.append(doc_id)
                vals.append(value / norm)
        self._postings = {
            f: (np.asarray(ids, dtype=np.int32), np.asarray(vals, dtype=np.float32)) for f, (ids, vals) in postings.items()
        }
        self._vocab = sorted({t for f in df if f.startswith("w:") for t in [f[2:]]})
        self._vocab_set = frozenset(self._vocab)
        self._by_intent: list[list[int]] = [[] for _ in self.intent_ids]
        for doc_id, owner in enumerate(owners):
            self._by_intent[owner].append(doc_id)
        self._correct = lru_cache(maxsize=4096)(self._correct_word)

    @property
    def example_count(self) -> int:
        return len(self._texts)

    def prepare(self, text: str) -> str:
        return self._rewrite(normalize(text))

    def _correct_word(self, word: str) -> str:
        """Map an unknown English word to a known one within a small edit distance."""
        if len(word) < 4 or not self._vocab:
            return word
        found = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=80)
        return found[0] if found else word

    def _spell(self, normalized: str) -> str:
        parts = []
        for token in tokens(normalized):
            if token.isascii() and token.isalpha() and token not in self._vocab_set:
                parts.append(self._correct(token))
            else:
                parts.append(token)
        return " ".join(parts)

    def _cosines(self, normalized: str) -> np.ndarray:
        vec = extract(normalized)
        weighted = {}
        for feat, w in vec.items():
            tf = (1 + math.log(w)) if w >= 1 else w
            weighted[feat] = tf * self._idf.get(feat, self._unknown_idf)
        norm = math.sqrt(sum(v * v for v in weighted.values()))
        sims = np.zeros(len(self._texts), dtype=np.float32)
        if not norm:
            return sims
        ids_parts, val_parts = [], []
        for feat, value in weighted.items():
            posting = self._postings.get(feat)
            if posting is not None:
                ids_parts.append(posting[0])
                val_parts.append(posting[1] * np.float32(value / norm))
        if ids_parts:
            sims = np.bincount(np.concatenate(ids_parts), weights=np.concatenate(val_parts), minlength=len(self._texts))
        return sims

    def scores(self, text: str, *, exclude: int | None = None, limit: int = 5) -> tuple[str, list[Candidate]]:
        """The best `limit` intents for `text`, best first; `exclude` drops one example (leave-one-out)."""
        normalized = self.prepare(text)
        if not normalized or not self._texts:
            return normalized, []
        spelled = self._spell(normalized)
        sims = self._cosines(spelled)
        if exclude is not None:
            sims[exclude] = 0.0
        k = min(RETRIEVE_EXAMPLES, len(sims))
        top = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
        best_per_intent: dict[int, tuple[float, int]] = {}
        for doc_id in top.tolist():
            sim = float(sims[doc_id])
            if sim <= 0:
                continue
            owner = int(self._owner[doc_id])
            if owner not in best_per_intent or sim > best_per_intent[owner][0]:
                best_per_intent[owner] = (sim, doc_id)
        ranked = sorted(best_per_intent.items(), key=lambda kv: -kv[1][0])[: max(limit, 5)]
        candidates = []
        for owner, (sim, doc_id) in ranked:
            fuzzy = max(
                (fuzz.ratio(spelled, self._texts[d]) for d in self._by_intent[owner] if d != exclude), default=0.0
            ) / 100.0
            score = (1 - FUZZ_WEIGHT) * sim + FUZZ_WEIGHT * fuzzy
            candidates.append(Candidate(self.intent_ids[owner], round(min(score, 1.0), 4), self._raw[doc_id]))
        candidates.sort(key=lambda c: -c.score)
        return normalized, candidates[:limit]

    def match(self, text: str) -> Match:
        normalized, candidates = self.scores(text)
        return Match(self.band(candidates), tuple(candidates), normalized)

    def band(self, candidates: Sequence[Candidate]) -> Band:
        t = self.thresholds
        if not candidates or candidates[0].score < t.suggest:
            return Band.UNKNOWN
        best = candidates[0].score
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if best >= t.sure or (best >= t.answer and best - runner_up >= t.margin):
            return Band.ANSWER
        return Band.SUGGEST

    def example_owner(self, example_index: int) -> str:
        return self.intent_ids[int(self._owner[example_index])]

    def example_text(self, example_index: int) -> str:
        return self._raw[example_index]
