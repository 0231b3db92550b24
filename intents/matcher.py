"""Score a question against every intent and pick a confidence band.

How a question is scored (benchmarks/README.md has the measurements behind each step):

1. Normalise (NFKC, width, case, katakana -> hiragana, punctuation); correct unknown English
   words within one or two edits of a known word (rapidfuzz, OSA distance); apply the admins'
   synonyms.
2. Features (intents/features.py): Latin words (function words at half weight), word bigrams
   and character trigrams; Japanese character bigrams and single kanji. TF-IDF with sublinear
   tf, each example vector L2-normalised.
3. Three signals per intent, read from inverted indexes with numpy (cost grows with the
   postings a question touches, not with the number of examples):
   - nearest: the best cosine among the intent's examples;
   - prototype: the cosine with the intent's centroid, refined at build time by a few passes
     of margin-perceptron updates (pull the centroid of an example's own intent towards it,
     push the closest wrong one away; "DragPushing", Tan 2005). The refinement needs a dense
     intents x features matrix, so very large knowledge bases keep the plain centroids;
   - coverage: the share of the question's weight on features the intent knows at all.
   The intent score blends them; rapidfuzz's string ratio against the intent's examples then
   re-scores the few best intents.
   Each intent's title and answer text are also matched BM25-style (question-to-answer).
4. Bands (decide_band), three separate decisions: in domain (domain_evidence: the in-domain
   detector's score returned by Matcher.score, next to the best and the off-topic scores; off-topic, unsure
   or sure), one intent clearly right (is_clear: an absolute score, or a relative lead that does
   not fall with length); answer only when both are sure, else suggest.

`scores(text, exclude=i)` leaves example i out of every signal (nearest, centroid, coverage,
fuzzy) for `secbot kb validate`.

The Matcher is built once by small builders (examples, vocabulary, example index, prototypes,
spelling, answer texts, domain detector) and is read-only afterwards: scoring returns what it
finds (`Scores`) and writes nothing on the matcher, so one snapshot serves concurrent requests.
The builders hand their intermediates on as flat numpy arrays and drop them (build memory:
benchmarks/memory.py); `state()` and `from_state()` save and restore what they computed
(intents/matcher_cache.py caches it on disk).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.knowledge_base import Thresholds
from intents.features import DEFAULT_ANALYZER, TOKEN, Analyzer, Features, add_features, tokens
from intents.normalize import normalize

# Weights of the two similarities in an intent's score.
NEAREST_WEIGHT = 0.5
PROTOTYPE_WEIGHT = 1.0
COVERAGE_WEIGHT = 0.7  # weight of the coverage signal next to the two above
COVERAGE_MIN_FEATURES = 6.0
# How much the rapidfuzz string ratio counts next to them (re-scoring the best intents only).
FUZZ_WEIGHT = 0.15
RESCORE_INTENTS = 8
# Title + answer text, BM25 (k1, b) next to the example signals.
DOCUMENT_WEIGHT = 0.15
BM25_K1 = 1.2
BM25_B = 0.75
BM25_SCALE = 1.0
# Smoothing of the in-domain detector's per-feature log-odds.
DOMAIN_ALPHA = 0.01
DOMAIN_FLOOR = -0.5
# A feature is "rare" (topic-bearing) when at most this share of the intents know it; a clear
# answer needs the best intent to share enough of them with the question (Thresholds.rare_features),
# so a generic word alone ("セキュリティ", "報告") gets suggestions, not an answer.
RARE_INTENT_SHARE = 0.13
# Weight of a question's features that no example has (they lower every cosine).
UNKNOWN_FEATURE_FACTOR = 1.0
# Prototype refinement (margin perceptron over the training examples).
REFINE_EPOCHS = 3
REFINE_RATE = 0.1
REFINE_MARGIN = 0.1
REFINE_MAX_CELLS = 40_000_000  # intents x features; above this, plain centroids
# Example postings per step of the centroid build (bounds its temporaries, not its result).
CHUNK_ENTRIES = 1 << 18
# Typo correction of unknown English words.
SPELL_MIN_LENGTH = 4
SPELL_LONG_WORD = 7  # from this length two edits are allowed, below it one
RESPELL_MIN_LENGTH = 5
RESPELL_COMMON = 3


class Band(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Candidate:
    intent: str
    score: float
    example: str  # the training example that matched best
    rare: int = 0  # rare (topic-bearing) features of the question that this intent knows


@dataclass(frozen=True)
class Match:
    band: Band
    candidates: tuple[Candidate, ...]  # best first
    normalized: str
    domain: float = 0.0  # the in-domain detector's score (Matcher.score)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Scores(NamedTuple):
    """What `Matcher.score` finds for a question (nothing of it is kept on the matcher)."""

    normalized: str
    candidates: list[Candidate]  # best first
    domain: float  # the in-domain detector's score (see Matcher.score)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, longest first, shaped as a trie."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def render(node: dict) -> str:
        end = node.get("", False)
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return f"(?:{body})?"
        return body

    return render(trie)


# The examples of questions that are not about the guidance (knowledge/off_topic.yaml) are
# indexed under this id: when they match best, the honest answer is "I don't know".
OFF_TOPIC = "__off_topic__"


def domain_evidence(t: Thresholds, candidates: Sequence[Candidate], domain: float = 0.0) -> float:
    """How strongly the question is about what the knowledge covers (-1 if an off-topic example is closest)."""
    if not candidates or candidates[0].intent == OFF_TOPIC:
        return -1.0
    off = next((c.score for c in candidates if c.intent == OFF_TOPIC), 0.0)
    return candidates[0].score + t.domain_weight * domain - t.off_topic_weight * off


def is_clear(t: Thresholds, candidates: Sequence[Candidate]) -> bool:
    """Is the best intent clearly right (given that the question is in domain)?"""
    best = candidates[0].score
    runner_up = next((c.score for c in candidates[1:] if c.intent != OFF_TOPIC), 0.0)
    if candidates[0].rare < t.rare_features:
        return False
    return (best >= t.sure or (best >= t.answer and best - runner_up >= t.margin)
            or (best > 0 and (best - runner_up) / best >= t.relative_margin))


def decide_band(t: Thresholds, candidates: Sequence[Candidate], domain: float = 0.0) -> Band:
    """unknown if off-topic; answer if surely in domain and one intent is clearly right; else suggest."""
    evidence = domain_evidence(t, candidates, domain)
    if evidence < t.suggest:
        return Band.UNKNOWN
    if evidence >= t.domain_sure and is_clear(t, candidates):
        return Band.ANSWER
    return Band.SUGGEST


class SynonymRewriter:
    """Rewrite admin-listed variants to one canonical term (after normalisation)."""

    def __init__(self, pairs: Iterable[tuple[str, Iterable[str]]], normalizer: Callable[[str], str] = normalize):
        table: dict[str, str] = {}
        for canonical, variants in pairs:
            target = normalizer(canonical)
            for variant in variants:
                source = normalizer(variant)
                if source and source != target:
                    table[source] = target
        # Canonical terms rewrite to themselves, so a variant inside its own canonical term
        # ("らんさむ" in "らんさむうぇあ") never rewrites it again ("らんさむうぇあうぇあ").
        for target in set(table.values()):
            table.setdefault(target, target)
        self._table = table
        if not table:
            self._pattern = None
            return
        # One trie-shaped alternation per kind of edge: Python's re tries alternatives one by
        # one, so a trie keeps rewriting fast with hundreds of variants.
        groups: dict[tuple[bool, bool], list[str]] = {}
        for source in table:
            groups.setdefault((source[0].isascii(), source[-1].isascii()), []).append(source)
        parts = []
        for (ascii_start, ascii_end), sources in sorted(groups.items()):
            # Latin variants match whole words only ("asm" must not fire inside "plasma").
            before = r"(?<![a-z0-9])" if ascii_start else ""
            after = r"(?![a-z0-9])" if ascii_end else ""
            parts.append(f"{before}(?:{_trie_pattern(sources)}){after}")
        self._pattern = re.compile("|".join(parts))

    def terms(self) -> list[str]:
        """Every variant and canonical term (normalised)."""
        return sorted(set(self._table) | set(self._table.values()))

    def __call__(self, normalized: str) -> str:
        if self._pattern is None:
            return normalized
        return self._pattern.sub(lambda m: self._table[m.group(0)], normalized)


class _Index:
    """A sparse matrix stored by feature (CSC-like): feature id -> (row ids, values)."""

    def __init__(self, rows: np.ndarray, values: np.ndarray, ptr: np.ndarray, n_rows: int):
        self.rows, self.values, self.ptr, self.n_rows = rows, values, ptr, n_rows

    @classmethod
    def by_feature(cls, feats: np.ndarray, rows: np.ndarray, values: np.ndarray, n_feats: int,
                   n_rows: int) -> _Index:
        """From (feature, row, value) triplets in any order."""
        return _Layout(feats, rows, n_feats, n_rows).index(values)

    def dot(self, query: dict[int, float]) -> np.ndarray:
        """This matrix times a sparse query vector {feature id: weight}, in a few numpy calls."""
        if not query:
            return np.zeros(self.n_rows, dtype=np.float64)
        feats = np.fromiter(query.keys(), dtype=np.int64, count=len(query))
        weights = np.fromiter(query.values(), dtype=np.float64, count=len(query))
        starts, ends = self.ptr[feats], self.ptr[feats + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(self.n_rows, dtype=np.float64)
        # Positions of every posting of every query feature, without a Python loop.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return np.bincount(self.rows[offsets], weights=self.values[offsets] * np.repeat(weights, lengths),
                           minlength=self.n_rows)


class _Layout:
    """Where each (feature, row) triplet goes in a by-feature index, computed once and shared by
    the indexes over the same triplets (centroids, coverage, per-intent feature counts): they
    share their row and pointer arrays, and the build sorts once."""

    def __init__(self, feats: np.ndarray, rows: np.ndarray, n_feats: int, n_rows: int):
        self.order = np.argsort(feats, kind="stable").astype(np.int32 if len(feats) < 2**31 else np.int64)
        self.rows = rows[self.order].astype(np.int32)
        self.ptr = np.searchsorted(feats[self.order], np.arange(n_feats + 1)).astype(np.int64)
        self.n_rows = n_rows

    def index(self, values: np.ndarray) -> _Index:
        return _Index(self.rows, values[self.order].astype(np.float32), self.ptr, self.n_rows)


class _Postings(NamedTuple):
    """Every example's features as flat arrays: feature id and count, example by example."""

    feats: np.ndarray  # int32
    counts: np.ndarray  # float64 (weighted counts)
    lengths: np.ndarray  # int64: features per example


class _Entries(NamedTuple):
    """The unit TF-IDF example vectors, example by example: feature id and value of each
    entry, and the number of entries of each example."""

    feats: np.ndarray
    values: np.ndarray
    lengths: np.ndarray


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The arrays of `parts` end to end, emptying the list as it goes (one copy at a time)."""
    out: np.ndarray = np.empty(sum(len(part) for part in parts), dtype=dtype)
    at = 0
    while parts:
        part = parts.pop(0)
        out[at : at + len(part)] = part
        at += len(part)
    return out


def _tf(count: float) -> float:
    return 1.0 + math.log(count) if count >= 1 else count


class Matcher:
    """An immutable index of the knowledge: built once by the small builders below, then read
    by `score`/`scores`/`match`, which write nothing on it (the only caches are pure memos of
    functions of their arguments: typo corrections and leave-one-out centroid products)."""

    def __init__(
        self,
        examples: Sequence[tuple[str, str]],
        *,
        synonyms: Iterable[tuple[str, Iterable[str]]] = (),
        thresholds: Thresholds = Thresholds(),
        refine: bool = True,
        documents: Sequence[tuple[str, str]] = (),
        analyzer: Analyzer = DEFAULT_ANALYZER,
    ):
        """`examples` is a sequence of (intent id, example text); `documents` (intent id, text)
        are each intent's title and answer, matched BM25-style (see _build_documents);
        `analyzer` turns text into features (intents/features.py)."""
        self.thresholds = thresholds
        self._analyzer = analyzer
        self._rewrite = SynonymRewriter(synonyms, analyzer.normalize)
        # Each builder keeps what scoring reads and returns its intermediates to the next one,
        # which drops them: the build holds one copy of the example postings at a time, as flat
        # arrays (no per-example dicts of feature strings), so its peak memory stays close to
        # the index it leaves (benchmarks/memory.py).
        plain_texts = self._prepare_examples(examples)
        postings, doc_counts = self._build_vocabulary(documents)
        entries = self._build_example_index(postings)
        del postings
        self._build_prototypes(entries, refine)
        self._build_spelling(plain_texts)
        del plain_texts
        self._loo_cache: dict[int, float] = {}  # pure memo: example -> its product with its centroid
        self._documents = self._build_documents(doc_counts)
        del doc_counts
        self._log_odds = self._domain_log_odds(entries.feats, np.repeat(self._owner, entries.lengths))

    # -- building ---------------------------------------------------------------------------

    def _prepare_examples(self, examples: Sequence[tuple[str, str]]) -> dict[str, str]:
        """Normalise and rewrite the examples, ordered by intent (stable), so that each intent
        owns one contiguous range. Returns raw -> normalised text before synonyms."""
        prepared = []
        plain_texts: dict[str, str] = {}  # raw -> normalised, before synonyms (for the typo vocabulary)
        for intent, text in examples:
            plain = plain_texts.get(text)
            if plain is None:
                plain = plain_texts[text] = self._analyzer.normalize(text)
            norm = self._rewrite(plain)
            if norm:
                prepared.append((intent, norm, text))
        self.intent_ids: list[str] = sorted({intent for intent, _, _ in prepared})
        self._intent_index = {intent: i for i, intent in enumerate(self.intent_ids)}
        prepared.sort(key=lambda item: self._intent_index[item[0]])
        self._texts = [norm for _, norm, _ in prepared]
        self._raw = [raw for _, _, raw in prepared]
        self._owner = np.asarray([self._intent_index[intent] for intent, _, _ in prepared], dtype=np.int32)
        n_docs, n_intents = len(prepared), len(self.intent_ids)
        self._starts = np.searchsorted(self._owner, np.arange(n_intents)).astype(np.int64)
        self._ends = np.append(self._starts[1:], n_docs).astype(np.int64)
        return plain_texts

    def _build_vocabulary(self, documents: Sequence[tuple[str, str]]) -> tuple[_Postings, dict[int, Features]]:
        """Feature ids and IDF over the examples, whose features are extracted one example at a
        time into flat arrays (feature id, count). Title and answer texts join the vocabulary
        (a word only the answer uses still counts), with the IDF of a feature no example has.
        Returns the examples' postings and each intent's title + answer feature counts."""
        feature_ids: dict[str, int] = {}
        feats, counts, lengths = array("i"), array("d"), array("q")
        extract = self._analyzer.features
        for norm in self._texts:
            vec = extract(norm)
            lengths.append(len(vec))
            for feat, count in vec.items():
                fid = feature_ids.get(feat)
                if fid is None:
                    fid = feature_ids[feat] = len(feature_ids)
                feats.append(fid)
                counts.append(count)
        postings = _Postings(np.frombuffer(feats, dtype=np.int32).copy(), np.frombuffer(counts, dtype=np.float64).copy(),
                             np.frombuffer(lengths, dtype=np.int64).copy())
        del feats, counts, lengths
        # Each example lists a feature once, so a feature's document frequency is its count.
        df = np.bincount(postings.feats, minlength=len(feature_ids)).tolist()
        doc_counts: dict[int, Features] = {}
        for intent, text in documents:
            owner = self._intent_index.get(intent)
            if owner is not None:
                add_features(doc_counts.setdefault(owner, {}), extract(self.prepare(text)))
        for vec in doc_counts.values():
            for feat in vec:
                if feat not in feature_ids:
                    feature_ids[feat] = len(df)
                    df.append(0)
        n_docs = len(self._texts)
        self._feature_ids = feature_ids
        self._idf = [math.log((n_docs + 1) / (n + 1)) + 1.0 for n in df]
        self._idf_array = np.asarray(self._idf, dtype=np.float64)
        self._unknown_idf = math.log(n_docs + 1) + 1.0
        return postings, doc_counts

    def _build_example_index(self, postings: _Postings) -> _Entries:
        """Unit TF-IDF example vectors, built with numpy in place over the postings' counts
        (start-up time and memory). Returns the triplets (feature id, example row, value) for
        the builders that follow."""
        n_docs, n_feats = len(self._texts), len(self._idf)
        feats, values, lengths = postings
        # _tf, vectorised: 1 + log(count) from a count of one up, a smaller weighted count as it is.
        small = values < 1
        kept = values[small]
        np.maximum(values, 1.0, out=values)
        np.log(values, out=values)
        values += 1.0
        values[small] = kept
        del small, kept
        values *= self._idf_array[feats]
        rows = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n_docs))
        values /= np.where(norms > 0, norms, 1.0)[rows]
        del norms
        self._doc_ptr = np.concatenate(([0], np.cumsum(lengths))).tolist()
        self._doc_feats = feats
        self._doc_vals = values.astype(np.float32)
        self._examples = _Index.by_feature(feats, rows, values, n_feats, n_docs)
        return _Entries(feats, values, lengths)

    def _build_prototypes(self, entries: _Entries, refine: bool) -> None:
        """Intent centroids (the sum of their unit example vectors), refined when affordable;
        and which intents know a feature at all (coverage), in how many examples."""
        n_feats, n_intents = len(self._idf), len(self.intent_ids)
        width = max(n_feats, 1)
        keys, sums, counts = [], [], []
        ptr = self._doc_ptr
        for first, last in self._intent_chunks():
            # (intent, feature) keys, a chunk of whole intents at a time: the temporaries of
            # np.unique stay small, and since examples are ordered by intent the chunks' keys
            # follow each other (the concatenation is the global sorted unique).
            lo, hi = ptr[first], ptr[last]
            owners = np.repeat(self._owner[first:last], entries.lengths[first:last])
            key = owners.astype(np.int64) * width + entries.feats[lo:hi]
            uniq, inverse = np.unique(key, return_inverse=True)
            keys.append(uniq)
            sums.append(np.bincount(inverse, weights=entries.values[lo:hi]))
            # Counts of examples are small integers, exact in float32 (what the index stores).
            counts.append(np.bincount(inverse).astype(np.float32))
        uniq = _joined(keys, np.int64)
        # int32 ids (n_feats and n_intents are far below 2**31); the same order and values.
        c_intents, c_feats = (uniq // width).astype(np.int32), (uniq % width).astype(np.int32)
        del uniq
        summed, examples_per_feature = _joined(sums, np.float64), _joined(counts, np.float32)
        self._centroid_sq = np.bincount(c_intents, weights=summed * summed, minlength=n_intents)
        layout = _Layout(c_feats, c_intents, n_feats, n_intents)
        self._raw_centroids = layout.index(summed)
        self._coverage = _Index(layout.rows, np.ones(len(c_feats), dtype=np.float32), layout.ptr, n_intents)
        self._feature_examples = layout.index(examples_per_feature)
        del examples_per_feature
        self._refined = False
        if refine and n_intents > 1 and n_intents * n_feats <= REFINE_MAX_CELLS:
            self._prototypes = self._refine(c_intents, c_feats, summed, n_feats)
            self._refined = True
        else:
            norms = np.sqrt(self._centroid_sq)
            summed /= np.where(norms > 0, norms, 1.0)[c_intents]  # in place: the raw centroids are indexed
            self._prototypes = layout.index(summed)

    def _intent_chunks(self) -> Iterator[tuple[int, int]]:
        """Ranges of examples holding whole intents, with about CHUNK_ENTRIES postings each."""
        ptr = self._doc_ptr
        first = 0
        for end in self._ends.tolist():
            if ptr[end] - ptr[first] >= CHUNK_ENTRIES:
                yield first, end
                first = end
        if len(self._texts) > first:
            yield first, len(self._texts)

    def _build_spelling(self, plain_texts: dict[str, str]) -> None:
        """Known words for typo correction: examples before and after synonym rewriting."""
        plain = [plain_texts[raw] for raw in self._raw] + self._texts + self._rewrite.terms()
        freq: dict[str, int] = {}
        for text in plain:
            for tok in tokens(text):
                if tok.isascii() and tok.isalpha():
                    freq[tok] = freq.get(tok, 0) + 1
        # Most frequent first, so that among equally close words the common one wins.
        self._vocab = sorted(freq, key=lambda w: (-freq[w], w))
        self._index_vocabulary()
        # Examples carry typos on purpose ("attak"); a word seen once that is one edit away from
        # a word seen often is read as that word.
        self._respell: dict[str, str] = {}
        common = [w for w in self._vocab if freq[w] >= RESPELL_COMMON]
        for word, count in freq.items():
            if count == 1 and len(word) >= RESPELL_MIN_LENGTH and common:
                found = process.extractOne(word, common, scorer=OSA.distance, score_cutoff=1)
                if found and found[0] != word:
                    self._respell[word] = found[0]

    def _index_vocabulary(self) -> None:
        """Lookups over the known words (self._vocab, most frequent first)."""
        self._vocab_set = frozenset(self._vocab)
        self._vocab_by_initial: dict[str, list[str]] = {}
        for word in self._vocab:
            self._vocab_by_initial.setdefault(word[0], []).append(word)
        # Pure memo: the correction of a word depends on the word only.
        self._correct = lru_cache(maxsize=8192)(self._correct_word)

    def _domain_log_odds(self, feats: np.ndarray, owners: np.ndarray) -> np.ndarray | None:
        """Per feature: log of its document frequency in the knowledge (examples, and each
        intent's title + answer as one document) over that in the off-topic examples
        (add-alpha smoothed). `feats`/`owners`: one entry per (example, feature). None without
        off-topic examples."""
        off = self.intent_ids.index(OFF_TOPIC) if OFF_TOPIC in self.intent_ids else -1
        n_feats = len(self._idf)
        outside_rows = owners == off
        n_out = int(np.count_nonzero(self._owner == off))
        if not n_out:
            return None
        n_in = len(self._texts) - n_out
        inside = np.bincount(feats[~outside_rows], minlength=n_feats).astype(np.float64)
        outside = np.bincount(feats[outside_rows], minlength=n_feats).astype(np.float64)
        if self._documents is not None:
            docs = self._documents
            inside += np.diff(docs.ptr)  # intents whose title or answer has the feature
            n_in += len(set(docs.rows.tolist()))
        odds = np.log((inside / max(n_in, 1) + DOMAIN_ALPHA) / (outside / n_out + DOMAIN_ALPHA))
        return np.maximum(odds, DOMAIN_FLOOR)

    def _build_documents(self, texts: dict[int, Features]) -> _Index | None:
        """BM25 weights of each intent's title + answer text, by feature.

        FAQ matching is question-to-answer as well as question-to-question: a long question
        often names what the answer says ("何日以内") rather than how the examples ask. BM25
        saturates repeated terms and normalises by document length, so a long answer does not
        win on sheer size; its IDF is over these documents only."""
        if not texts:
            return None
        ids = self._feature_ids
        owners = np.concatenate([np.full(len(c), owner, dtype=np.int64) for owner, c in texts.items()])
        feats = np.fromiter((ids[f] for c in texts.values() for f in c), dtype=np.int64, count=len(owners))
        tf = np.fromiter((v for c in texts.values() for v in c.values()), dtype=np.float64, count=len(owners))
        lengths = np.bincount(owners, weights=tf, minlength=len(self.intent_ids))
        average = lengths[list(texts)].mean()
        df = np.bincount(feats, minlength=len(self._idf))[feats]
        idf = np.log(1 + (len(texts) - df + 0.5) / (df + 0.5))
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[owners] / average)
        return _Index.by_feature(feats, owners, idf * tf * (BM25_K1 + 1) / (tf + norm), len(self._idf),
                                 len(self.intent_ids))

    def _refine(self, c_intents: np.ndarray, c_feats: np.ndarray, sums: np.ndarray, n_feats: int) -> _Index:
        n_intents = len(self.intent_ids)
        # Stored features x intents, so an example's features are contiguous rows (fast to gather).
        weights = np.zeros((n_feats, n_intents), dtype=np.float32)
        weights[c_feats, c_intents] = sums
        weights /= np.maximum(np.linalg.norm(weights, axis=0, keepdims=True), 1e-9)
        order = np.random.default_rng(0)
        ptr, feats, vals, owner = self._doc_ptr, self._doc_feats, self._doc_vals, self._owner.tolist()
        docs = [(feats[ptr[d] : ptr[d + 1]], vals[ptr[d] : ptr[d + 1]]) for d in range(len(self._texts))]
        rate = np.float32(REFINE_RATE)
        for _ in range(REFINE_EPOCHS):
            for doc in order.permutation(len(self._texts)).tolist():
                cols, x = docs[doc]
                scores = x @ weights[cols]
                own = owner[doc]
                own_score = scores[own]
                scores[own] = -np.inf
                rival = int(np.argmax(scores))
                if own_score - scores[rival] < REFINE_MARGIN:
                    step = rate * x
                    weights[cols, own] += step
                    weights[cols, rival] -= step
            weights /= np.maximum(np.linalg.norm(weights, axis=0, keepdims=True), 1e-9)
        p_feats, p_intents = np.nonzero(weights)
        return _Index.by_feature(p_feats.astype(np.int64), p_intents.astype(np.int64),
                                 weights[p_feats, p_intents].astype(np.float64), n_feats, n_intents)

    # -- saving and restoring the built index (intents/matcher_cache.py) ------------------------

    _ARRAYS = ("_owner", "_starts", "_ends", "_idf_array", "_doc_feats", "_doc_vals", "_centroid_sq")
    _INDEXES = ("_examples", "_raw_centroids", "_coverage", "_feature_examples", "_prototypes", "_documents")
    _PLAIN = ("intent_ids", "_texts", "_raw", "_vocab", "_respell", "_unknown_idf", "_refined")

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """What the builders computed: numpy arrays by name, and JSON-able values. Arrays that
        indexes share are stored once (`indexes` names them)."""
        arrays: dict[str, np.ndarray] = {name: getattr(self, name) for name in self._ARRAYS}
        arrays["_doc_ptr"] = np.asarray(self._doc_ptr, dtype=np.int64)
        if self._log_odds is not None:
            arrays["_log_odds"] = self._log_odds
        names: dict[int, str] = {}
        indexes: dict[str, list[Any] | None] = {}
        for name in self._INDEXES:
            index: _Index | None = getattr(self, name)
            if index is None:
                indexes[name] = None
                continue
            parts = []
            for part in ("rows", "values", "ptr"):
                array = getattr(index, part)
                key = names.setdefault(id(array), f"{name}.{part}")
                arrays.setdefault(key, array)
                parts.append(key)
            indexes[name] = [*parts, index.n_rows]
        plain = {name: getattr(self, name) for name in self._PLAIN}
        plain["features"] = list(self._feature_ids)  # in id order (dicts keep insertion order)
        plain["indexes"] = indexes
        return arrays, plain

    @classmethod
    def from_state(cls, arrays: Mapping[str, np.ndarray], plain: Mapping[str, Any], *,
                   synonyms: Iterable[tuple[str, Iterable[str]]] = (), thresholds: Thresholds = Thresholds(),
                   analyzer: Analyzer = DEFAULT_ANALYZER) -> Matcher:
        """A matcher from `state()`, with the same synonyms and analyzer it was built with
        (the caller's key guarantees it); raises KeyError/ValueError/TypeError if incomplete."""
        self = cls.__new__(cls)
        self.thresholds = thresholds
        self._analyzer = analyzer
        self._rewrite = SynonymRewriter(synonyms, analyzer.normalize)
        for name in cls._ARRAYS:
            setattr(self, name, arrays[name])
        self._doc_ptr = arrays["_doc_ptr"].tolist()
        self._log_odds = arrays["_log_odds"] if "_log_odds" in arrays else None
        for name in cls._PLAIN:
            setattr(self, name, plain[name])
        self._raw, self._texts = list(self._raw), list(self._texts)
        self._respell, self._refined = dict(self._respell), bool(self._refined)
        self._intent_index = {intent: i for i, intent in enumerate(self.intent_ids)}
        self._feature_ids = {feat: i for i, feat in enumerate(plain["features"])}
        self._idf = self._idf_array.tolist()
        for name, parts in plain["indexes"].items():
            if name not in cls._INDEXES:
                raise KeyError(name)
            setattr(self, name, None if parts is None else _Index(arrays[parts[0]], arrays[parts[1]], arrays[parts[2]],
                                                                   int(parts[3])))
        self._index_vocabulary()
        self._loo_cache = {}
        n_docs, n_feats = len(self._texts), len(self._idf)
        if not (len(self._raw) == len(self._owner) == n_docs == len(self._doc_ptr) - 1
                and len(self._feature_ids) == n_feats == len(self._examples.ptr) - 1):
            raise ValueError("inconsistent matcher state")
        return self

    # -- public API ---------------------------------------------------------------------------

    @property
    def example_count(self) -> int:
        return len(self._texts)

    def prepare(self, text: str) -> str:
        return self._rewrite(self._analyzer.normalize(text))

    def example_owner(self, example_index: int) -> str:
        return self.intent_ids[int(self._owner[example_index])]

    def example_text(self, example_index: int) -> str:
        return self._raw[example_index]

    def match(self, text: str) -> Match:
        normalized, candidates, domain = self.score(text)
        return Match(self.band(candidates, domain), tuple(candidates), normalized, domain)

    def band(self, candidates: Sequence[Candidate], domain: float = 0.0) -> Band:
        return decide_band(self.thresholds, candidates, domain)

    def scores(self, text: str, *, exclude: int | None = None, limit: int = 5) -> tuple[str, list[Candidate]]:
        """The best `limit` intents for `text`, best first; `exclude` drops one example (leave-one-out)."""
        normalized, candidates, _ = self.score(text, exclude=exclude, limit=limit)
        return normalized, candidates

    def score(self, text: str, *, exclude: int | None = None, limit: int = 5) -> Scores:
        """The best `limit` intents for `text` and the in-domain detector's score of it.

        The detector: naive-Bayes-style log-odds of each feature between the knowledge
        (examples, titles, answers) and the off-topic examples, averaged with IDF weights over
        the question's features (unknown ones count as 0): positive leans in domain. Closed
        form at build time, so it costs neither start-up time nor a training loop."""
        plain = self._analyzer.normalize(text)
        normalized = self._rewrite(plain)
        if not normalized or not self._texts:
            return Scores(normalized, [], 0.0)
        spelled = self._rewrite(self._spell(plain))
        query, mass, idf_sum = self._vector(spelled)
        if not query:
            return Scores(normalized, [], 0.0)
        domain = 0.0
        if self._log_odds is not None:
            fids = np.fromiter(query.keys(), dtype=np.int64, count=len(query))
            domain = float(self._log_odds[fids] @ self._idf_array[fids]) / idf_sum
        combined, sims = self._combined(query, mass, idf_sum, exclude)
        rare = self._rare_known(query)
        return Scores(normalized, self._rescore(spelled, combined, sims, exclude, limit, rare), domain)

    # -- scoring ------------------------------------------------------------------------------

    def _combined(self, query: dict[int, float], mass: float, idf_sum: float,
                  exclude: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Per intent, the blend of nearest example, prototype, coverage and answer text;
        and per example, its cosine with the question."""
        sims = self._examples.dot(query)
        if exclude is not None:
            sims[exclude] = 0.0
        nearest = np.maximum.reduceat(sims, self._starts)
        if exclude is None:
            proto = self._prototypes.dot(query)
        else:
            proto = self._loo_prototypes(query, exclude)
        combined = (NEAREST_WEIGHT * nearest + PROTOTYPE_WEIGHT * proto) / (NEAREST_WEIGHT + PROTOTYPE_WEIGHT)
        if COVERAGE_WEIGHT:
            coverage = self._coverage.dot({f: w * w for f, w in query.items()})
            # A question of one or two features ("はい", "ok") would be fully "covered" by any
            # intent that has them: below the weight of a few rare features, coverage shrinks.
            floor = COVERAGE_MIN_FEATURES * self._unknown_idf ** 2
            coverage *= min(1.0, mass / floor)
            if exclude is not None:
                coverage[self._owner[exclude]] -= self._only_in(exclude, query)
            combined = (combined * (NEAREST_WEIGHT + PROTOTYPE_WEIGHT) + COVERAGE_WEIGHT * coverage) / (
                NEAREST_WEIGHT + PROTOTYPE_WEIGHT + COVERAGE_WEIGHT)
        # Leave-one-out (kb validate) asks whether the other examples cover an example: no answers.
        if self._documents is not None and DOCUMENT_WEIGHT and exclude is None:
            # The query side is binary (each known feature once, weighted by its example IDF);
            # divided by the query's total, so a long question does not score lower for its length.
            weights = {fid: self._idf[fid] for fid in query}
            doc = self._documents.dot(weights) / (idf_sum * BM25_SCALE)
            combined = (1 - DOCUMENT_WEIGHT) * combined + DOCUMENT_WEIGHT * np.minimum(doc, 1.0)
        return combined, sims

    def _rare_known(self, query: dict[int, float]) -> np.ndarray:
        """Per intent, how many of the question's rare features (known to at most
        RARE_INTENT_SHARE of the intents) it knows: the evidence a clear answer needs."""
        ptr = self._coverage.ptr
        fids = np.fromiter(query.keys(), dtype=np.int64, count=len(query))
        known_by = ptr[fids + 1] - ptr[fids]
        limit = max(1.0, RARE_INTENT_SHARE * len(self.intent_ids))
        return self._coverage.dot(dict.fromkeys(fids[known_by <= limit].tolist(), 1.0))

    def _rescore(self, spelled: str, combined: np.ndarray, sims: np.ndarray, exclude: int | None,
                 limit: int, rare: np.ndarray) -> list[Candidate]:
        """The best intents, re-scored with rapidfuzz's string ratio against their examples."""
        k = min(max(limit, RESCORE_INTENTS), len(combined))
        top = np.argpartition(-combined, k - 1)[:k] if k < len(combined) else np.arange(len(combined))
        candidates = []
        for owner in top.tolist():
            base = float(combined[owner])
            if base <= 1e-6:
                continue
            start, end = int(self._starts[owner]), int(self._ends[owner])
            best_doc = start + int(np.argmax(sims[start:end]))
            choices = self._texts[start:end]
            if exclude is not None and start <= exclude < end:
                choices = choices[: exclude - start] + choices[exclude - start + 1 :]
            found = process.extractOne(spelled, choices, scorer=fuzz.ratio) if choices else None
            fuzzy = found[1] / 100.0 if found else 0.0
            score = (1 - FUZZ_WEIGHT) * base + FUZZ_WEIGHT * fuzzy
            candidates.append(Candidate(self.intent_ids[owner], round(min(max(score, 0.0), 1.0), 4), self._raw[best_doc],
                                        int(rare[owner])))
        candidates.sort(key=lambda c: -c.score)
        return candidates[:limit]

    # -- internals ------------------------------------------------------------------------

    def _correct_word(self, word: str) -> str:
        """Map an unknown English word to a known one within a small edit distance."""
        if len(word) < SPELL_MIN_LENGTH or not self._vocab:
            return word
        edits = 2 if len(word) >= SPELL_LONG_WORD else 1
        # Typos rarely hit the first letter; a real word that differs there ("saying" / "paying")
        # is another word, not a typo.
        candidates = self._vocab_by_initial.get(word[0], ())
        found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=edits)
        return found[0] if found else word

    def _spell(self, normalized: str) -> str:
        """Correct typos word by word, in place: the text between words is kept, so that a
        synonym variant mixing Latin and Japanese ("it導入補助金") still matches afterwards."""

        def fix(found: re.Match[str]) -> str:
            token = found.group(0)
            if token.isascii() and token.isalpha() and token not in self._vocab_set:
                return self._correct(token)
            return self._respell.get(token, token)

        return TOKEN.sub(fix, normalized)

    def _vector(self, normalized: str) -> tuple[dict[int, float], float, float]:
        """The unit TF-IDF vector of a question over known features only, its squared weight
        before normalising (known and unknown features) and its total IDF."""
        weighted: dict[int, float] = {}
        total = idf_sum = 0.0
        for feat, count in self._analyzer.features(normalized).items():
            fid = self._feature_ids.get(feat)
            idf = self._idf[fid] if fid is not None else self._unknown_idf * UNKNOWN_FEATURE_FACTOR
            w = _tf(count) * idf
            total += w * w  # unknown features still count in the norm: they make a match less sure
            idf_sum += idf
            if fid is not None:
                weighted[fid] = w
        norm = math.sqrt(total)
        vector = {fid: w / norm for fid, w in weighted.items()} if norm else {}
        return vector, total, idf_sum or 1.0

    def _only_in(self, doc: int, query: dict[int, float]) -> float:
        """The query's coverage weight on features that, in its intent, only `doc` has."""
        own = int(self._owner[doc])
        counts = self._feature_examples
        total = 0.0
        for fid in self._doc_feats[self._doc_ptr[doc] : self._doc_ptr[doc + 1]].tolist():
            weight = query.get(fid)
            if weight is None:
                continue
            lo, hi = counts.ptr[fid], counts.ptr[fid + 1]
            hit = np.flatnonzero(counts.rows[lo:hi] == own)
            if len(hit) and counts.values[lo + hit[0]] <= 1:
                total += weight * weight
        return total

    def _loo_prototypes(self, query: dict[int, float], exclude: int) -> np.ndarray:
        """Plain centroid cosines with one example taken out of its intent's centroid."""
        dots = self._raw_centroids.dot(query)
        sq = self._centroid_sq.copy()
        own = int(self._owner[exclude])
        start, end = self._doc_ptr[exclude], self._doc_ptr[exclude + 1]
        cols, x = self._doc_feats[start:end], self._doc_vals[start:end].astype(np.float64)
        cx = self._loo_cache.get(exclude)
        if cx is None:
            centroid = self._raw_centroids
            cx = 0.0
            for fid, value in zip(cols.tolist(), x.tolist(), strict=True):
                lo, hi = centroid.ptr[fid], centroid.ptr[fid + 1]
                hit = np.flatnonzero(centroid.rows[lo:hi] == own)
                if len(hit):
                    cx += float(centroid.values[lo + hit[0]]) * value
            self._loo_cache[exclude] = cx
        qx = sum(query.get(fid, 0.0) * value for fid, value in zip(cols.tolist(), x.tolist(), strict=True))
        dots[own] -= qx
        sq[own] = max(sq[own] - 2 * cx + float(x @ x), 0.0)
        norms = np.sqrt(sq)
        # An intent whose only example is left out has no centroid (rounding leaves ~1e-16).
        return np.divide(dots, norms, out=np.zeros_like(dots), where=sq > 1e-6)
