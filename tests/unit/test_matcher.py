"""Behaviour of the intent matcher on a small, self-contained knowledge base."""

from __future__ import annotations

import dataclasses

import pytest

import intents.matcher as matcher_module
from intents.matcher import OFF_TOPIC, Band, Candidate, Matcher, Thresholds, decide_band

EXAMPLES = [
    ("ransomware", "ランサムウェアに感染した"),
    ("ransomware", "ランサムウェアの被害にあったらどうする"),
    ("ransomware", "ファイルが暗号化されて身代金を要求された"),
    ("ransomware", "we were hit by ransomware"),
    ("ransomware", "ransomware infection what to do"),
    ("ransomware", "our files are encrypted and there is a ransom note"),
    ("pentest", "ペネトレーションテストとは"),
    ("pentest", "侵入テストを受けるべきか"),
    ("pentest", "what is a penetration test"),
    ("pentest", "should we order a penetration test"),
    ("pentest", "pen test vendor for our web service"),
    ("jc_star", "JC-STARとは何ですか"),
    ("jc_star", "IoT製品のセキュリティラベル制度"),
    ("jc_star", "what is the JC-STAR labelling scheme"),
    ("jc_star", "security label for IoT devices in Japan"),
    ("contact_police", "警察のサイバー犯罪相談窓口はどこ"),
    ("contact_police", "サイバー攻撃を警察に相談したい"),
    ("contact_police", "how do I contact the police about a cyber crime"),
    ("contact_police", "police cybercrime consultation desk"),
    ("lonely", "single example intent about quantum cryptography migration"),
]
SYNONYMS = [("ランサムウェア", ["身代金ウイルス", "ransomware"]), ("ペネトレーションテスト", ["pentest", "侵入テスト"])]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(EXAMPLES, synonyms=SYNONYMS)


def top(matcher: Matcher, text: str) -> str | None:
    best = matcher.match(text).best
    return best.intent if best else None


@pytest.mark.parametrize(
    "variant",
    ["ランサムウェアに感染しました", "らんさむうぇあに感染しました", "ﾗﾝｻﾑｳｪｱに感染しました", "ＲＡＮＳＯＭＷＡＲＥに感染しました",
     "RANSOMWARE INFECTION", "Ransomware Infection?!"],
)
def test_width_kana_and_case_variants_match_the_same_intent(matcher, variant):
    assert top(matcher, variant) == "ransomware"


def test_variants_of_one_question_get_the_same_score(matcher):
    scores = {matcher.match(v).best.score for v in ["ランサムウェアに感染", "らんさむうぇあに感染", "ﾗﾝｻﾑｳｪｱに感染"]}
    assert len(scores) == 1


@pytest.mark.parametrize("typo", ["what is a penetraton test", "ransomwear infection what to do", "polise cybercrime desk"])
def test_a_typo_still_matches(matcher, typo):
    expected = {"penetraton": "pentest", "ransomwear": "ransomware", "polise": "contact_police"}
    assert top(matcher, typo) == next(v for k, v in expected.items() if k in typo)


def test_off_topic_questions_fall_in_the_unknown_band(matcher):
    for text in ["what's the weather tomorrow", "交通費の精算方法", "tell me a joke"]:
        assert matcher.match(text).band is Band.UNKNOWN, text


def test_a_clear_question_gets_an_answer(matcher):
    match = matcher.match("JC-STARとは何ですか？")
    assert match.band is Band.ANSWER
    assert match.best.intent == "jc_star"


def test_synonym_variant_is_rewritten_to_the_canonical_term(matcher):
    assert matcher.prepare("身代金ウイルスにやられた") == matcher.prepare("ランサムウェアにやられた")
    assert top(matcher, "身代金ウイルスにやられた") == "ransomware"
    assert top(matcher, "pentest をやるべき？") == "pentest"


def test_latin_synonyms_match_whole_words_only():
    m = Matcher([("a", "asm overview"), ("b", "plasma screen")], synonyms=[("attack surface", ["asm"])])
    assert m.prepare("plasma") == "plasma"
    assert m.prepare("ASM") == "attack surface"


def test_exclude_leaves_one_example_out(matcher):
    lonely = next(i for i in range(matcher.example_count) if matcher.example_owner(i) == "lonely")
    text = matcher.example_text(lonely)
    _, with_it = matcher.scores(text)
    assert with_it[0].intent == "lonely" and with_it[0].example == text
    _, without = matcher.scores(text, exclude=lonely, limit=10)
    assert all(c.intent != "lonely" for c in without)


def test_exclude_still_finds_the_intent_from_its_other_examples(matcher):
    index = next(i for i in range(matcher.example_count) if matcher.example_text(i) == "ransomware infection what to do")
    _, candidates = matcher.scores(matcher.example_text(index), exclude=index)
    assert candidates[0].intent == "ransomware"
    assert candidates[0].example != matcher.example_text(index)


def test_bands_follow_the_thresholds():
    t = Thresholds(answer=0.5, suggest=0.3, margin=0.05, sure=0.8)
    assert decide_band(t, []) is Band.UNKNOWN
    assert decide_band(t, [Candidate("a", 0.2, "")]) is Band.UNKNOWN
    assert decide_band(t, [Candidate("a", 0.4, "")]) is Band.SUGGEST
    assert decide_band(t, [Candidate("a", 0.6, ""), Candidate("b", 0.58, "")]) is Band.SUGGEST
    assert decide_band(t, [Candidate("a", 0.6, ""), Candidate("b", 0.4, "")]) is Band.ANSWER
    assert decide_band(t, [Candidate("a", 0.85, ""), Candidate("b", 0.84, "")]) is Band.ANSWER


def test_empty_and_symbol_only_questions_have_no_candidates(matcher):
    for text in ["", "   ", "？？？", "👍"]:
        match = matcher.match(text)
        assert match.band is Band.UNKNOWN and not match.candidates


def test_building_is_deterministic():
    a = Matcher(EXAMPLES, synonyms=SYNONYMS).scores("ransomware or pen test?")
    b = Matcher(EXAMPLES, synonyms=SYNONYMS).scores("ransomware or pen test?")
    assert a == b


def test_large_knowledge_keeps_plain_centroids_and_still_matches(monkeypatch):
    monkeypatch.setattr(matcher_module, "REFINE_MAX_CELLS", 0)
    m = Matcher(EXAMPLES, synonyms=SYNONYMS)
    assert not m._refined
    assert top(m, "what is a penetration test") == "pentest"


def test_three_decisions_in_domain_clear_or_unsure():
    """Off-topic below `suggest`; only suggestions while the domain is unsure; answer when sure and clear."""
    t = Thresholds(answer=0.5, suggest=0.1, margin=0.0, sure=0.9, relative_margin=0.3,
                   domain_weight=0.5, off_topic_weight=0.5, domain_sure=0.25)
    a, b = Candidate("a", 0.24, ""), Candidate("b", 0.10, "")
    # A long question: low score, but a clear lead (relative 58%) and strong in-domain evidence.
    assert decide_band(t, [a, b], domain=0.2) is Band.ANSWER
    # The same scores with the detector unsure: suggestions, never an answer.
    assert decide_band(t, [a, b], domain=0.0) is Band.SUGGEST
    # Close runner-up: not clearly right, suggestions.
    assert decide_band(t, [a, Candidate("b", 0.22, "")], domain=0.2) is Band.SUGGEST
    # An off-topic example scores close behind: it pulls the evidence below `suggest`.
    assert decide_band(t, [a, Candidate(OFF_TOPIC, 0.23, "")], domain=-0.3) is Band.UNKNOWN
    # An off-topic example closest: unknown whatever the rest.
    assert decide_band(t, [Candidate(OFF_TOPIC, 0.5, ""), a], domain=1.0) is Band.UNKNOWN


def test_the_answer_text_helps_a_question_that_only_the_answer_words():
    """Question-to-answer: a word no example uses, but the answer does, points to that intent."""
    docs = [("contact_police", "被害届は最寄りの警察署で出します。都道府県警察のオンライン受付フォームからも相談できます。"),
            ("pentest", "ペネトレーションテストは実際の攻撃者の手口で侵入を試みる検査です。")]
    with_docs = Matcher(EXAMPLES, synonyms=SYNONYMS, documents=docs)
    question = "オンライン受付フォームから出せる？"
    assert top(with_docs, question) == "contact_police"
    assert top(Matcher(EXAMPLES, synonyms=SYNONYMS), question) != "contact_police"


def test_in_domain_detector_leans_towards_the_knowledge(matcher):
    """Positive for the knowledge's vocabulary, negative for what only the off-topic examples say."""
    m = Matcher([*EXAMPLES, (OFF_TOPIC, "what is the weather in osaka tomorrow"),
                 (OFF_TOPIC, "book a meeting room for tomorrow")], synonyms=SYNONYMS)
    inside = m.score("ransomware infection on our file server").domain
    outside = m.score("weather tomorrow in osaka").domain
    assert inside > 0 > outside


def test_typo_correction_keeps_the_first_letter(matcher):
    """'saying' is a word, not a typo of 'paying': a correction never changes the first letter."""
    m = Matcher([("pay", "should we be paying the ransom"), ("pay", "paying attackers"),
                 ("pay", "paying is risky")])
    assert "saying" in m._spell("my boss keeps saying")
    assert "paying" in m._spell("shuold we be payng")


def test_scoring_writes_nothing_on_the_matcher(matcher):
    """A snapshot's matcher is shared by concurrent requests: scoring reads it, never writes
    it (the domain score comes back with the result, not as state left behind)."""
    before = {name: id(value) for name, value in vars(matcher).items()}
    first = matcher.score("ransomware infection on our file server")
    matcher.match("weather tomorrow in osaka")
    matcher.scores("pen test", exclude=0)
    assert {name: id(value) for name, value in vars(matcher).items()} == before
    assert matcher.score("ransomware infection on our file server") == first


def test_the_japanese_analyzer_is_a_constructor_argument():
    """A morphological analyzer passed in is used for Japanese runs (benchmarks/japanese.py)."""
    from intents.features import Analyzer

    words = Analyzer(morphemes=lambda run: [run[:2]])
    m = Matcher([("a", "ランサムウェア"), ("b", "標的型攻撃")], analyzer=words)
    assert m.match("らんさむの被害").best.intent == "a"
    assert m.score("らんさむの被害").candidates != Matcher([("a", "ランサムウェア"), ("b", "標的型攻撃")]).score(
        "らんさむの被害").candidates


def test_an_intent_without_rare_evidence_is_only_suggested():
    """A clear lead is not enough: the best intent must share `rare_features` topic-bearing features."""
    t = Thresholds(answer=0.3, suggest=0.1, margin=0.0, sure=0.6, rare_features=2)
    lead = [Candidate("a", 0.45, "", rare=0), Candidate("b", 0.2, "")]
    assert decide_band(t, lead) is Band.SUGGEST
    assert decide_band(t, [Candidate("a", 0.45, "", rare=2), Candidate("b", 0.2, "")]) is Band.ANSWER
    assert decide_band(Thresholds(answer=0.3, suggest=0.1, margin=0.0, sure=0.6), lead) is Band.ANSWER


def test_a_generic_word_alone_gets_suggestions_and_a_topic_word_an_answer(matcher):
    """Words several intents know ("what is") carry no evidence for one of them; "ransomware" does."""
    t = dataclasses.replace(matcher.thresholds, answer=0.2, suggest=0.05, margin=0.0, sure=0.99, rare_features=1)
    generic = matcher.score("what is")
    assert generic.candidates and generic.candidates[0].rare == 0
    assert decide_band(t, generic.candidates, generic.domain) is Band.SUGGEST
    topical = matcher.score("ransomware")
    assert topical.candidates[0].intent == "ransomware" and topical.candidates[0].rare >= 1
