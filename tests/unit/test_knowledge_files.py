"""Admins get every problem in a knowledge folder with file and line, and a non-zero exit."""

from pathlib import Path

import pytest

from bot.knowledge_base import KnowledgeError, load_knowledge
from intents.kb_checks import validate_knowledge
from tests.conftest import MINI_INTENTS, write_knowledge


def problems_of(directory: Path) -> list[str]:
    return [str(p) for p in validate_knowledge(directory)]


def test_valid_folder_loads_both_languages(mini_knowledge: Path):
    kb = load_knowledge(mini_knowledge)
    assert kb.intents["jc_star"].answer.get("en").startswith("JC-STAR is")
    assert kb.intents["jc_star"].answer.get("ja").startswith("JC-STARは")
    assert problems_of(mini_knowledge) == []


def test_unknown_key_is_reported_with_file_and_line(tmp_path: Path):
    broken = MINI_INTENTS.replace("    tags: [featured]\n", "    tagz: [featured]\n", 1)
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": broken})
    [problem] = problems_of(kb)
    assert problem.startswith(f"{kb / 'intents/mini.yaml'}:")
    assert "unknown key(s) 'tagz'" in problem
    assert "mini.yaml:5:" in problem  # the line of the unknown key


def test_missing_language_is_reported(tmp_path: Path):
    broken = MINI_INTENTS.replace(", en: JC-STAR is IPA's IoT security labelling scheme.}", "}")
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": broken})
    problems = problems_of(kb)
    assert any("intents[0].answer: missing 'en'" in p and "mini.yaml:9:" in p for p in problems), problems


def test_broken_yaml_names_the_line(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": MINI_INTENTS + "  - id: [unclosed\n"})
    [problem] = problems_of(kb)
    assert "invalid YAML" in problem
    assert f"mini.yaml:{MINI_INTENTS.count(chr(10)) + 2}:" in problem


def test_duplicate_intent_ids_across_files(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"intents/a.yaml": MINI_INTENTS, "intents/b.yaml": MINI_INTENTS})
    problems = problems_of(kb)
    assert any("duplicate intent id 'jc_star'" in p and "b.yaml:3:" in p and "a.yaml:3)" in p for p in problems), problems


def test_one_example_under_two_intents(tmp_path: Path):
    broken = MINI_INTENTS.replace("[what is asm,", "[jc star label,")
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": broken})
    assert any("'jc star label' of 'asm' is also an example of 'jc_star'" in p for p in problems_of(kb))


def test_broken_related_reference(tmp_path: Path):
    broken = MINI_INTENTS.replace("related: [asm]", "related: [asm, no_such_intent]")
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": broken})
    assert any("related intent 'no_such_intent' does not exist" in p for p in problems_of(kb))


def test_example_that_belongs_to_another_intent(tmp_path: Path):
    broken = MINI_INTENTS.replace("[what is asm,", "[what is asm, jc star label scheme for iot,")
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": broken})
    assert any("'jc star label scheme for iot' of 'asm' matches 'jc_star' better" in p for p in problems_of(kb))


def test_file_of_unknown_kind(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": MINI_INTENTS, "x.yaml": "version: 1\nfoo: []\n"})
    assert any("cannot tell what this file holds" in p for p in problems_of(kb))


def test_loading_a_broken_folder_raises_with_every_problem(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"a.yaml": "version: 1\nfoo: []\n", "b.yaml": ": : :\n"})
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb)
    assert len(info.value.problems) == 2


def test_shipped_knowledge_validates_cleanly():
    from knowledge import SHIPPED_DIR

    assert problems_of(SHIPPED_DIR) == []


def test_shipped_knowledge_covers_the_guidance():
    from knowledge import SHIPPED_DIR

    kb = load_knowledge(SHIPPED_DIR)
    assert len(kb.intents) >= 40
    for required in ("secure_by_design", "jc_star", "asm", "otasuketai", "contact_police", "contact_meti",
                     "contact_ipa_report", "contact_ipa_consultation", "contact_jpcert", "contact_ppc",
                     "greeting", "help", "thanks", "report_incident"):
        assert required in kb.intents
    for intent in kb.intents.values():
        assert intent.source.url.startswith("https://"), intent.id


OFF_TOPIC = """\
version: 1
off_topic:
  ja: [明日の天気は, 社員食堂のメニュー]
  en: [asm in assembly language programming, what is an asm instruction in x86, jc star hotel rating]
"""


async def test_a_question_closest_to_an_off_topic_example_gets_no_guidance_answer(make_bot, mini_knowledge: Path):
    from bot.models import IncomingMessage, ReplyKind

    def ask(text: str) -> IncomingMessage:
        return IncomingMessage(user_id="U", conversation_id="C", text=text, platform="test")

    write_knowledge(mini_knowledge, {"matching.yaml": "version: 1\nmatching: {answer_threshold: 0.2, suggest_threshold: 0.15}\n"})
    bot = await make_bot(mini_knowledge)
    [before] = (await bot.handle(ask("asm instruction in assembly language"))).replies
    assert before.intent == "asm"  # shares "asm": without off-topic examples it answers
    write_knowledge(mini_knowledge, {"off_topic.yaml": OFF_TOPIC})
    bot = await make_bot(mini_knowledge)
    [after] = (await bot.handle(ask("asm instruction in assembly language"))).replies
    assert after.kind is ReplyKind.UNKNOWN and after.intent is None
    [still] = (await bot.handle(ask("what is attack surface management"))).replies
    assert still.intent == "asm"


def test_off_topic_example_that_is_also_an_intent_example_is_reported(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": MINI_INTENTS,
                                           "off_topic.yaml": OFF_TOPIC.replace("明日の天気は", "ASMとは")})
    problems = problems_of(kb)
    assert any("off_topic.yaml:3:" in p and "off-topic example 'ASMとは' is also an example of 'asm'" in p
               for p in problems), problems


def test_every_shipped_schema_is_a_valid_json_schema():
    """Start-up trusts the shipped schemas (no metaschema check per run); this test checks them."""
    import yaml
    from jsonschema import Draft202012Validator

    from knowledge import SCHEMA_DIR

    paths = sorted(SCHEMA_DIR.glob("*.yaml"))
    assert paths
    for path in paths:
        Draft202012Validator.check_schema(yaml.safe_load(path.read_text(encoding="utf-8")))
