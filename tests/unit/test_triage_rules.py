"""The escalation rules on the shipped knowledge: one by one, then as a table of scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.knowledge_base import load_knowledge
from intents.incident.model import TriageModel, build_triage
from intents.incident.rules import evaluate
from intents.incident.validation import check_answers
from knowledge import SHIPPED_DIR

SCENARIOS = yaml.safe_load((Path(__file__).parent / "triage_scenarios.yaml").read_text(encoding="utf-8"))
NEUTRAL = {"state_sponsored": "no", "personal_data": "no", "financial_damage": "no",
           "critical_infrastructure": "no", "sme": "no", "ongoing": "no"}


@pytest.fixture(scope="module")
def model() -> TriageModel:
    built = build_triage(load_knowledge(SHIPPED_DIR))
    assert built is not None
    return built


def contacts(model: TriageModel, **answers: str) -> list[str]:
    return evaluate(model, {**NEUTRAL, **answers}).contact_ids()


def why(model: TriageModel, contact: str, lang: str, **answers: str) -> str:
    result = evaluate(model, {**NEUTRAL, **answers})
    return next(a.why(lang) for a in result.contacts if a.contact.id == contact)


# -- rules one by one ----------------------------------------------------------------------
def test_state_sponsored_rule_puts_police_then_ipa_first_citing_the_guidance(model: TriageModel):
    for incident_type in ("targeted_attack", "ransomware", "malware", "other"):
        assert contacts(model, incident_type=incident_type, state_sponsored="yes")[:2] == ["police", "ipa"]
    assert "まずは警察やIPA" in why(model, "police", "ja", incident_type="other", state_sponsored="yes")
    assert "police or IPA first" in why(model, "police", "en", incident_type="other", state_sponsored="yes")


def test_personal_data_check_lists_the_four_cases_and_deadlines(model: TriageModel):
    for value in ("yes", "unknown"):
        assert "ppc" in contacts(model, incident_type="data_leak", personal_data=value)
    assert "ppc" not in contacts(model, incident_type="data_leak", personal_data="no")
    result = evaluate(model, {**NEUTRAL, "incident_type": "data_leak", "personal_data": "yes"})
    ppc = next(a for a in result.contacts if a.contact.id == "ppc")
    en = ppc.why("en") + " " + (ppc.deadline("en") or "")
    for phrase in ("sensitive data", "financial loss", "unauthorised purpose", "more than 1,000 people",
                   "about 3-5 days", "within 30 days", "60 days for case 3", "leak, loss or damage"):
        assert phrase in en
    assert "1,000+" not in en
    ja = ppc.why("ja") + (ppc.deadline("ja") or "")
    for phrase in ("要配慮個人情報", "1,000人を超える", "3〜5日", "30日以内", "60日以内", "漏えい・滅失・毀損"):
        assert phrase in ja


def test_the_personal_data_question_asks_about_loss_and_damage_not_only_leaks(model: TriageModel):
    question = model.field("personal_data")
    assert question is not None and question.help is not None
    assert "漏えい・滅失・毀損" in question.label.ja and "lost" in question.label.en and "damaged" in question.label.en
    assert "暗号化" in question.help.ja and "毀損" in question.help.ja


def test_critical_infrastructure_rule_adds_the_competent_ministry_and_asks_the_sector(model: TriageModel):
    assert "sector_ministry" in contacts(model, incident_type="malware", critical_infrastructure="yes")
    assert "sector_ministry" not in contacts(model, incident_type="malware", critical_infrastructure="no")
    sector = model.field("sector")
    assert sector is not None and dict(sector.show_if) == {"critical_infrastructure": frozenset({"yes"})}
    table = model.contacts["sector_ministry"]
    assert {row.id for row in table.sectors} >= set(sector.values)
    # the reference names no ministry per sector: no row may claim one without a source
    assert all(row.source for row in table.sectors if row.ministry)


def test_money_lost_or_extortion_adds_police(model: TriageModel):
    assert "police" in contacts(model, incident_type="data_leak", financial_damage="yes")
    assert "police" not in contacts(model, incident_type="data_leak", financial_damage="unknown")


def test_ransomware_unauthorized_access_and_malware_add_ipa_and_jpcert(model: TriageModel):
    for incident_type in ("ransomware", "unauthorized_access", "malware"):
        found = contacts(model, incident_type=incident_type)
        assert {"ipa", "jpcert"} <= set(found), incident_type
        assert "届け出" in why(model, "ipa", "ja", incident_type=incident_type)
    assert "jpcert" not in contacts(model, incident_type="data_leak")


def test_phishing_rule_adds_antiphishing(model: TriageModel):
    assert "antiphishing" in contacts(model, incident_type="phishing_bec", phishing_detail="credentials")
    assert "antiphishing" not in contacts(model, incident_type="malware")


def test_answers_to_questions_that_were_not_asked_are_ignored(model: TriageModel):
    # phishing_detail is asked only for phishing; a modal may still send it
    assert contacts(model, incident_type="malware", phishing_detail="card") == contacts(model, incident_type="malware")
    assert contacts(model, incident_type="malware", leak_cause="insider") == contacts(model, incident_type="malware")


def test_ongoing_can_be_unknown(model: TriageModel):
    ongoing = model.field("ongoing")
    assert ongoing is not None and ongoing.values == ("yes", "no", "unknown")


def test_urgent_steps_come_first_and_the_type_checklist_follows(model: TriageModel):
    result = evaluate(model, {**NEUTRAL, "incident_type": "phishing_bec", "phishing_detail": "transfer", "ongoing": "yes"})
    steps = [s.en for s in result.steps]
    assert steps[0].startswith("Ask your bank right now")
    assert steps[1].startswith("Keep the phishing mail")  # the type checklist
    assert any(s.startswith("For business email compromise") for s in steps[2:])  # the rule's steps
    assert steps[-1].startswith("Notify the people affected")  # the common checklist closes


def test_a_contact_named_by_several_rules_shows_one_reason(model: TriageModel):
    """Ransomware with a ransom demand used to say "...is a crime. ...is a crime." for the police."""
    text = why(model, "police", "ja", incident_type="ransomware", financial_damage="yes")
    assert text.count("犯罪") == 1, text
    en = why(model, "police", "en", incident_type="ransomware", financial_damage="yes")
    assert en.count("is a crime") == 1, en


def test_ransomware_steps_say_isolate_keep_powered_on_and_do_not_pay(model: TriageModel):
    steps = " ".join(s.en for s in evaluate(model, {**NEUTRAL, "incident_type": "ransomware"}).steps)
    for phrase in ("Isolate the device", "Keep it powered on", "advise against paying", "No More Ransom",
                   "common ransomware report form", "Tell your security owner, then management"):
        assert phrase in steps


def test_bec_never_implies_that_insurance_returns_the_money(model: TriageModel):
    result = evaluate(model, {**NEUTRAL, "incident_type": "phishing_bec", "phishing_detail": "transfer", "sme": "yes"})
    otasuketai = next(a for a in result.contacts if a.contact.id == "otasuketai")
    assert "first-response costs" in otasuketai.why("en")
    assert "typically not covered" in otasuketai.contact.does_not.en
    assert "一般に補償されません" in otasuketai.contact.does_not.ja
    assert "一般に補償されません" in why(model, "bank", "ja", incident_type="phishing_bec", phishing_detail="transfer")


def test_every_incident_type_has_steps_in_both_languages(model: TriageModel):
    type_field = model.field("incident_type")
    assert type_field is not None
    for value in type_field.values:
        result = evaluate(model, {**NEUTRAL, "incident_type": value})
        assert len(result.steps) > len(model.checklists["common"]), value
        assert all(s.ja and s.en and s.ja != s.en for s in result.steps)


def test_metis_unverified_phone_is_never_stated_as_fact(model: TriageModel):
    meti = model.contacts["meti"]
    phone = next(m for m in meti.how if m.kind == "phone")
    assert phone.confidence == "L" and phone.note is not None
    assert "METI document" in phone.note.en and "経済産業省の文書" in phone.note.ja
    assert "3964" in phone.value.ja


def test_contacts_are_current_per_the_reference(model: TriageModel):
    ipa_how = [m.value.en for m in model.contacts["ipa"].how]
    assert "cs-support@ipa.go.jp" in ipa_how
    assert next(m for m in model.contacts["ipa"].how if m.kind == "email").label.en.endswith("(email only)")
    police = model.contacts["police"]
    assert "110" in [m.value.en for m in police.how]
    assert "does not accept a formal damage report" in police.does_not.en
    assert "does not respond on site" in model.contacts["jpcert"].does_not.en
    assert set(model.contacts) >= {"police", "ipa", "jpcert", "meti", "ppc", "sector_ministry", "antiphishing", "otasuketai"}


# -- the scenarios table --------------------------------------------------------------------
@pytest.mark.parametrize("scenario", SCENARIOS["scenarios"], ids=[s["name"] for s in SCENARIOS["scenarios"]])
def test_scenario(model: TriageModel, scenario: dict[str, Any]):
    checked = check_answers(model, scenario["answers"], partial=True)
    assert checked.ok, checked.errors
    result = evaluate(model, checked.answers)
    found = result.contact_ids()
    if "first" in scenario:
        assert found[:len(scenario["first"])] == scenario["first"], found
    if "exactly" in scenario:
        assert found == scenario["exactly"]
    for contact in scenario.get("include", []):
        assert contact in found, (contact, found)
    for contact in scenario.get("exclude", []):
        assert contact not in found, (contact, found)
    advice = {a.contact.id: a for a in result.contacts}
    texts = {"why_contains": lambda a: a.why("en"), "why_contains_ja": lambda a: a.why("ja"),
             "deadline_contains": lambda a: a.deadline("en") or "", "detail_contains": lambda a: a.detail("en") or ""}
    for key, text_of in texts.items():
        for contact, phrases in scenario.get(key, {}).items():
            text = text_of(advice[contact])
            for phrase in phrases:
                assert phrase in text, (key, contact, phrase, text)
    for contact, phrases in scenario.get("why_excludes", {}).items():
        for phrase in phrases:
            assert phrase not in advice[contact].why("en"), (contact, phrase)
    for contact, tier in scenario.get("priority", {}).items():
        assert advice[contact].priority.id == tier, (contact, advice[contact].priority.id)
    for contact, labels in scenario.get("label", {}).items():
        assert {lang: advice[contact].label(lang) for lang in labels} == labels, contact
    for rule_id in scenario.get("rules_include", []):
        assert rule_id in result.fired, (rule_id, result.fired)
    steps = [s.en for s in result.steps]
    for phrase in scenario.get("steps_include", []):
        assert any(phrase in s for s in steps), (phrase, steps)
    if "first_step" in scenario:
        assert steps[0].startswith(scenario["first_step"]), steps[0]
    for phrase in scenario.get("steps_exclude", []):
        assert not any(phrase in s for s in steps), (phrase, steps)
    assert len(found) == len(set(found))
    # the stated principle: tiers never go back up (a legal duty never follows the police or technical help)
    ranks = [[p.id for p in model.priorities].index(a.priority.id) for a in result.contacts]
    assert ranks == sorted(ranks), [(a.contact.id, a.priority.id) for a in result.contacts]
    assert all(a.why("ja") and a.why("en") and a.deadline("ja") and a.deadline("en") for a in result.contacts)
    for lang in ("ja", "en"):
        data = result.to_dict(lang)
        assert data["guidance"]["url"].startswith("https://")
        assert "2023" in data["guidance"]["title"]
        assert data["steps"]
        assert all(c["why"] and c["how"] and c["priority_label"] for c in data["contacts"])
        assert data["principle"]


def test_attacks_on_systems_with_personal_data_always_reach_the_ppc_before_police_and_help(model: TriageModel):
    for incident_type in ("ransomware", "unauthorized_access", "malware", "targeted_attack"):
        for personal_data in ("yes", "unknown"):
            for state_sponsored in ("yes", "no", "unknown"):
                for financial_damage in ("yes", "no", "unknown"):
                    result = evaluate(model, {**NEUTRAL, "incident_type": incident_type, "personal_data": personal_data,
                                              "state_sponsored": state_sponsored, "financial_damage": financial_damage})
                    tiers = {a.contact.id: a.priority.id for a in result.contacts}
                    assert tiers.get("ppc") == "legal_duty", (incident_type, personal_data, tiers)
                    ppc = next(a for a in result.contacts if a.contact.id == "ppc")
                    assert "60" in (ppc.deadline("en") or "")
                    ids = result.contact_ids()
                    later = [c for c, tier in tiers.items() if tier in ("police", "help")]
                    assert all(ids.index("ppc") < ids.index(c) for c in later), ids


def test_japanese_steps_and_reasons_keep_one_register(model: TriageModel):
    """です/ます throughout: no list mixes plain-form steps (「〜する。」) with polite ones."""
    texts = [s.ja for steps in model.checklists.values() for s in steps]
    texts += [s.ja for rule in model.rules for s in (*rule.steps, *rule.urgent_steps)]
    texts += [a.why.ja for rule in model.rules for a in rule.add]
    for text in texts:
        last = text.rstrip("。").rsplit("。", 1)[-1]
        last = last.split("（")[0] if last.endswith("）") else last  # 「…ください（…同様です）。」
        assert last.endswith(("ます", "です", "ください", "ません")), text


def test_no_step_or_reason_says_the_same_sentence_twice(model: TriageModel):
    for rule in model.rules:
        for addition in rule.add:
            sentences = [s for s in addition.why.ja.split("。") if s]
            assert len(sentences) == len(set(sentences)), addition.why.ja
    for incident_type in model.field("incident_type").values:  # type: ignore[union-attr]
        result = evaluate(model, {**NEUTRAL, "incident_type": incident_type, "ongoing": "yes", "personal_data": "yes"})
        assert len({s.ja for s in result.steps}) == len(result.steps)


def test_the_sector_question_offers_the_15_critical_infrastructure_sectors(model: TriageModel):
    # 重要インフラのサイバーセキュリティに係る行動計画 (https://www.nisc.go.jp/policy/group/infra/index.html)
    sector = model.field("sector")
    assert sector is not None
    names = [c.label.ja for c in sector.choices]
    assert names[:15] == ["情報通信", "金融", "航空", "空港", "鉄道", "電力", "ガス", "政府・行政サービス（地方公共団体を含む）",
                          "医療", "水道", "物流", "化学", "クレジット", "石油", "港湾"]
    assert list(sector.values[15:]) == ["other", "unknown"]
    assert all(c.label.en and c.label.en != c.label.ja for c in sector.choices)
    ministry = model.contacts["sector_ministry"]
    assert [s.id for s in ministry.sectors] == list(sector.values)  # every choice has its row
    assert all(s.ministry is None for s in ministry.sectors)  # the reference maps no sector to a ministry


def test_the_otasuketai_service_has_one_english_name_everywhere(model: TriageModel):
    assert model.contacts["otasuketai"].name.en.startswith("Cybersecurity Otasuketai service")
    for path in Path(SHIPPED_DIR).rglob("*.yaml"):
        assert "Cyber Security Otasuketai" not in path.read_text(encoding="utf-8"), path


NOT_TECHNICAL_HELP = {"ppc", "police", "sector_ministry", "bank", "card_issuer", "antiphishing"}


def test_no_contact_is_labelled_technical_help_unless_it_gives_it(model: TriageModel):
    """The bracketed category beside a contact never calls a regulator, the police, a ministry, a bank,
    a card issuer or a report desk "technical help", in any shipped rule, in either language; nor any
    contact whose own note says it is not a technical desk (the PPC's)."""
    tiers = {p.id: p for p in model.priorities}
    for rule in model.rules:
        for addition in rule.add:
            contact = model.contacts[addition.contact]
            note = contact.does_not.en if contact.does_not else ""
            if addition.contact not in NOT_TECHNICAL_HELP and "not a technical" not in note:
                continue
            label = addition.label or tiers[addition.priority].label
            assert "技術" not in label.ja and "technical" not in label.en.lower(), (rule.id, addition.contact, label)


def test_a_ppc_report_that_is_probably_not_mandatory_is_labelled_voluntary(model: TriageModel):
    """Misdirected mail, ordinary data, 1,000 people or fewer: the PPC line says "voluntary", agreeing with
    its reason ("probably not mandatory") and its note ("not a technical desk"), and keeps its place."""
    result = evaluate(model, {**NEUTRAL, "incident_type": "data_leak", "leak_cause": "mistake", "personal_data": "yes",
                              "personal_data_kind": "other", "personal_data_count": "up_to_1000"})
    assert result.contact_ids() == ["ppc", "ipa"]
    for lang, voluntary, not_mandatory in (("ja", "任意の報告", "おそらく義務ではありません"),
                                          ("en", "Voluntary report", "probably not mandatory")):
        ppc = result.to_dict(lang)["contacts"][0]
        assert voluntary in ppc["priority_label"] and not_mandatory in ppc["why"], ppc
        assert "技術" not in ppc["priority_label"] and "technical" not in ppc["priority_label"].lower()
        assert ppc["priority"] == "help"  # still placed as a voluntary report, after duties and police

