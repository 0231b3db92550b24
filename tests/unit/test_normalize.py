from bot.lang import detect_language
from intents.normalize import normalize


def test_full_width_and_case_fold_to_the_same_text():
    assert normalize("ＪＣ－ＳＴＡＲとは？") == normalize("jc-starとは")


def test_katakana_and_hiragana_fold_to_the_same_text():
    assert normalize("ランサムウェア") == normalize("らんさむうぇあ")
    assert normalize("ﾗﾝｻﾑｳｪｱ") == normalize("ランサムウェア")


def test_punctuation_and_control_characters_become_spaces():
    assert normalize("what\x00is\u200b ASM?!") == "what is asm"


def test_language_follows_the_script_of_the_message():
    assert detect_language("JC-STARとは何ですか") == "ja"
    assert detect_language("what is jc-star") == "en"
    assert detect_language("what is the お助け隊 service") == "en"
    assert detect_language("123 👍") is None
    # Abbreviations alone are no language: the page's or conversation's language answers "SCS".
    assert detect_language("SCS") is None and detect_language("JC-STAR") is None
    assert detect_language("what is SCS") == "en" and detect_language("phishing") == "en"


def test_synonym_inside_its_own_canonical_term_is_not_rewritten_twice():
    from intents.matcher import SynonymRewriter

    rewrite = SynonymRewriter([("ランサムウェア", ["ランサム", "身代金ウイルス"])])
    assert rewrite(normalize("ランサムウェアにやられた")) == normalize("ランサムウェアにやられた")
    assert rewrite(normalize("ランサムにやられた")) == normalize("ランサムウェアにやられた")
    assert rewrite(normalize("身代金ウイルス")) == normalize("ランサムウェア")
