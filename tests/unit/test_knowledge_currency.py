"""The shipped knowledge says what is current (domain-facts.md §0, §5, §9) and its links and
names are what they claim to be (issue #12, points 7-9)."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.knowledge_base import KnowledgeBase, load_knowledge
from knowledge import SHIPPED_DIR
from tests.unit.test_triage_rules import NEUTRAL


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(SHIPPED_DIR)


def shipped_texts(kb: KnowledgeBase, lang: str) -> list[tuple[str, str]]:
    """(where, text) for every answer and title, and every checkup text, in one language."""
    texts = [(i.id, getattr(i.answer, lang)) for i in kb.intents.values()]
    texts += [(f"{i.id}.title", getattr(i.title, lang)) for i in kb.intents.values()]
    for path in sorted((SHIPPED_DIR / "checkup").glob("*.yaml")):
        def walk(node: object, where: str) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == lang and isinstance(value, str):
                        texts.append((where, value))
                    else:
                        walk(value, f"{where}.{key}")
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    walk(value, f"{where}[{index}]")
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return texts


def test_the_subcontract_act_is_named_as_the_toriteki_act(kb: KnowledgeBase):
    for where, text in shipped_texts(kb, "ja"):
        if "下請法" in text:
            assert "取適法" in text and ("旧下請法" in text or "下請法は" in text), where
    for where, text in shipped_texts(kb, "en"):
        if "Subcontract Act" in text:
            assert "replaced the Subcontract Act" in text or "former Subcontract Act" in text \
                or "Subcontract Act became" in text, where
    answer = kb.intents["antimonopoly_act"].answer
    for term in ("委託事業者", "中小受託事業者", "2026年1月1日", "製造委託等に係る中小受託事業者に対する代金の支払の遅延等の防止に関する法律"):
        assert term in answer.ja, term
    assert "consigning business" in answer.en and "small or medium-sized consignee" in answer.en


def test_the_it_subsidy_goes_by_its_new_name_cites_smrj_and_does_not_state_2026_amounts(kb: KnowledgeBase):
    subsidy = kb.intents["it_subsidy"]
    assert subsidy.title.ja.startswith("デジタル化・AI導入補助金（旧IT導入補助金）")
    assert "smrj.go.jp" in subsidy.source.url and "中小企業基盤整備機構" in subsidy.source.title
    assert "公募要領で確認" in subsidy.answer.ja and "check them in the current call" in subsidy.answer.en
    assert "2026年3月30日" in subsidy.answer.ja and "2026年8月25日" in subsidy.answer.ja
    # the amounts shown are the 2025 ones, said to be 2025's
    assert "150万円" in subsidy.answer.ja and "2025年（IT導入補助金2025）の条件" in subsidy.answer.ja
    for where, text in shipped_texts(kb, "ja"):
        if "IT導入補助金" in text:
            assert "デジタル化・AI導入補助金" in text, where
    for where, text in shipped_texts(kb, "en"):
        assert "IT subsidy" not in text, where


def test_the_cyber_response_law_fine_needs_an_ignored_correction_order(kb: KnowledgeBase):
    act = kb.intents["cyber_response_act"]
    assert "是正命令" in act.answer.ja and "特別社会基盤事業者" in act.answer.ja and "施行された後" in act.answer.ja
    assert "correction order" in act.answer.en and "not for a missed report by itself" in act.answer.en
    assert "報告を怠った場合は最大200万円" not in act.answer.ja
    assert act.review_by is not None


def test_triage_states_the_cyber_response_law_duty_only_once_in_force():
    from intents.incident.model import build_triage
    from intents.incident.rules import evaluate

    model = build_triage(load_knowledge(SHIPPED_DIR))
    assert model is not None
    result = evaluate(model, {**NEUTRAL, "incident_type": "malware", "critical_infrastructure": "yes"})
    ministry = next(a for a in result.contacts if a.contact.id == "sector_ministry")
    assert "是正命令" in ministry.why("ja") and "施行後" in ministry.why("ja") and "特別社会基盤事業者" in ministry.why("ja")
    assert "once the relevant parts of the law are in force" in ministry.why("en")


def test_japanese_answers_do_not_calque_the_meti_document_and_ipa_is_no_government_body(kb: KnowledgeBase):
    for where, text in shipped_texts(kb, "ja"):
        assert "経済産業省の文書は" not in text and "経済産業省の文書によ" not in text, where
        assert not re.search(r"IPA[^。]{0,10}などの政府機関", text), where
    for intent_id in ("contact_ipa_consultation", "jc_star", "otasuketai", "cybersecurity_management_guidelines"):
        assert "独立行政法人情報処理推進機構（IPA）" in kb.intents[intent_id].answer.ja, intent_id
        assert "Information-technology Promotion Agency (IPA)" in kb.intents[intent_id].answer.en, intent_id


def test_contact_links_go_where_their_labels_say():
    from intents.incident.model import build_triage

    model = build_triage(load_knowledge(SHIPPED_DIR))
    assert model is not None
    for contact in model.contacts.values():
        for method in contact.how:
            top_page = re.fullmatch(r"https://www\.[a-z.]+/?", method.value.en)
            if method.kind in ("url", "form") and top_page:
                assert "トップページ" in method.label.ja and "home page" in method.label.en, (contact.id, method.value.en)
            assert "impress.co.jp" not in method.value.en, contact.id  # a news article is no contact channel
    assert "独立行政法人情報処理推進機構（IPA）" in model.contacts["ipa"].name.ja
    assert "一般社団法人JPCERTコーディネーションセンター（JPCERT/CC）" in model.contacts["jpcert"].name.ja
    urls = {m.value.en for c in model.contacts.values() for m in c.how}
    urls |= {u for i in load_knowledge(SHIPPED_DIR).intents.values() for u in [i.source.url, *(r.url for r in i.references)]}
    assert not any("keihatsu/sme/otasuketai" in u for u in urls)  # one address for the Otasuketai scheme
