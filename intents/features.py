"""Turn normalised text into weighted sparse features.

Japanese has no spaces, so a run of kana/kanji yields character bigrams (plus single kanji,
which often carry a word's meaning alone); Latin words yield the word, its neighbours and
character trigrams (which survive typos). Measured on the eval set, this beat a morphological
tokenizer (see README, "How matching works").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from intents.normalize import normalize

TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]+")

STOPWORDS = frozenset(
    """a an the is are was were be been am do does did i me my we our us you your it its this that
    these those to of in on at for with about and or can could should would will shall may might
    what whats how who whom which when where why please tell explain know want need there here
    any some get got have has had so if as by from into than then just also""".split()
)

# Hiragana bigrams of polite and question endings: frequent everywhere, telling nothing.
JA_STOP_BIGRAMS = frozenset(
    "です ます すか とは って てく くだ ださ さい おし しえ えて てほ ほし しい なに んで でし した "
    "ての につ つい いて けど だけ ある あり りま ませ せん いい よい のか かな".split()
)

WORD_WEIGHT = 1.0
BIGRAM_WEIGHT = 0.6
TRIGRAM_WEIGHT = 0.35
JA_BIGRAM_WEIGHT = 1.0
KANJI_WEIGHT = 0.4
# Bigrams of kana only (katakana is folded to hiragana before this): mostly grammar.
KANA_BIGRAM_WEIGHT = 0.7
# Function words stay features (IDF keeps them light): "my name" and "your name" differ.
STOPWORD_WEIGHT = 0.5
TRIGRAM_MIN_WORD = 3




@dataclass(frozen=True)
class Analyzer:
    """How text becomes features; a Matcher takes one (benchmarks/japanese.py compares several).

    `morphemes`: a callable str -> list[str] of content morphemes (e.g. fugashi, janome,
    sudachipy) used for Japanese runs instead of (or, with `with_bigrams`, next to) character
    bigrams. None: character bigrams only, which measured better on the eval set and costs no
    dependency (benchmarks/README.md). `normalize` is applied before anything else."""

    morphemes: Callable[[str], list[str]] | None = None
    with_bigrams: bool = False
    normalize: Callable[[str], str] = field(default=normalize)

    def features(self, normalized: str) -> Features:
        return extract(normalized, self.morphemes, with_bigrams=self.with_bigrams)




def stem(word: str) -> str:
    """A very light English stemmer: enough to join 'reports'/'report', 'attacked'/'attack'."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(normalized: str) -> list[str]:
    return TOKEN.findall(normalized)


def _is_kana(ch: str) -> bool:
    return 0x3040 <= ord(ch) <= 0x30FF or ch == "ー"


# Kanji (CJK ideographs and compatibility ideographs), and what a Japanese run keeps: the
# characters of intents.normalize.is_cjk, and other letters and digits. Regexes instead of a
# test per character (start-up extracts every example and answer).
_KANJI = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_NOT_IN_RUN = re.compile(r"[^\w\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30fc\u3005\u309d\u309e]|_")


# Weighted feature counts: a feature ("w:report", "j:ラン", ...) and its weight.
Features = dict[str, float]


def add_features(into: Features, more: Features) -> None:
    """Add `more`'s weights to `into` (the features of several texts together)."""
    for feat, weight in more.items():
        into[feat] = into.get(feat, 0.0) + weight


def _add(feats: Features, feat: str, weight: float) -> None:
    feats[feat] = feats.get(feat, 0.0) + weight


def _latin(token: str, feats: Features) -> str:
    """Features of one Latin token; returns the word for the word bigrams ("" for none)."""
    if token in STOPWORDS:
        if not STOPWORD_WEIGHT:
            return ""
        _add(feats, "w:" + token, STOPWORD_WEIGHT)
        return token
    word = stem(token)
    _add(feats, "w:" + word, WORD_WEIGHT)
    if len(word) >= TRIGRAM_MIN_WORD:
        padded = f"^{word}$"
        for i in range(len(padded) - 2):
            _add(feats, "c:" + padded[i : i + 3], TRIGRAM_WEIGHT)
    return word


def _japanese(run: str, feats: Features, morphemes: Callable[[str], list[str]] | None, with_bigrams: bool) -> None:
    """Features of one Japanese run (CJK and other letters/digits)."""
    if morphemes is not None:
        # Measured alternative (benchmarks/japanese.py): morphemes from a tokenizer.
        for morpheme in morphemes(run):
            _add(feats, "m:" + morpheme, JA_BIGRAM_WEIGHT)
        if not with_bigrams:
            return
    if len(run) == 1:
        _add(feats, "j:" + run, JA_BIGRAM_WEIGHT)
    for i in range(len(run) - 1):
        pair = run[i : i + 2]
        if pair not in JA_STOP_BIGRAMS:
            kana_only = _is_kana(pair[0]) and _is_kana(pair[1])
            _add(feats, "j:" + pair, KANA_BIGRAM_WEIGHT if kana_only else JA_BIGRAM_WEIGHT)
    for ch in _KANJI.findall(run):
        _add(feats, "k:" + ch, KANJI_WEIGHT)


def extract(normalized: str, morphemes: Callable[[str], list[str]] | None = None, *,
            with_bigrams: bool = False) -> Features:
    """Weighted feature counts of an already normalised (and synonym-rewritten) text
    (`morphemes`, `with_bigrams`: see Analyzer)."""
    feats: Features = {}
    words: list[str] = []
    for token in tokens(normalized):
        if token[0].isascii():
            words.append(_latin(token, feats))
        else:
            words.append("")
            _japanese(_NOT_IN_RUN.sub("", token), feats, morphemes, with_bigrams)
    for first, second in zip(words, words[1:], strict=False):
        if first and second:
            _add(feats, f"b:{first}_{second}", BIGRAM_WEIGHT)
    return feats


# Character bigrams + single kanji, no morphological tokenizer, the shipped normaliser.
DEFAULT_ANALYZER = Analyzer()
