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
    assert "police or IPA first" in why(model, "ipa", "en", incident_type="other", state_sponsored="yes")


def test_personal_data_rule_adds_ppc_with_the_four_cases_and_deadlines(model: TriageModel):
    for value in ("yes", "unknown"):
        assert "ppc" in contacts(model, incident_type="data_leak", personal_data=value)
    assert "ppc" not in contacts(model, incident_type="data_leak", personal_data="no")
    en = why(model, "ppc", "en", incident_type="data_leak", personal_data="yes")
    for phrase in ("sensitive data", "financial loss", "unauthorised purpose", "more than 1,000 people",
                   "about 3-5 days", "within 30 days", "60 days for case 3"):
        assert phrase in en
    assert "1,000+" not in en
    ja = why(model, "ppc", "ja", incident_type="data_leak", personal_data="yes")
    for phrase in ("要配慮個人情報", "1,000人を超える", "3〜5日", "30日以内", "60日以内"):
        assert phrase in ja


def test_attack_caused_leak_is_explained_as_case_3_with_60_days(model: TriageModel):
    text = why(model, "ppc", "en", incident_type="ransomware", personal_data="unknown")
    assert "case 3" in text and "even for one person" in text
    assert "case 3" not in why(model, "ppc", "en", incident_type="data_leak", personal_data="yes").split("Data protected")[1]


def test_more_than_1000_people_is_case_4(model: TriageModel):
    text = why(model, "ppc", "en", incident_type="data_leak", personal_data="yes", personal_data_count="over_1000")
    assert "case 4" in text


def test_critical_infrastructure_rule_adds_the_competent_ministry(model: TriageModel):
    assert "sector_ministry" in contacts(model, incident_type="malware", critical_infrastructure="yes")
    assert "sector_ministry" not in contacts(model, incident_type="malware", critical_infrastructure="no")


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


def test_urgent_steps_come_first_and_the_type_checklist_follows(model: TriageModel):
    result = evaluate(model, {**NEUTRAL, "incident_type": "phishing_bec", "phishing_detail": "transfer", "ongoing": "yes"})
    steps = [s.en for s in result.steps]
    assert steps[0].startswith("Ask your bank right now")
    assert steps[1].startswith("The damage is ongoing")
    assert any("Council of Anti-Phishing Japan" in s for s in steps)
    assert steps[-1].startswith("Notify the people affected")  # the common checklist closes


def test_ransomware_steps_say_isolate_keep_powered_on_and_do_not_pay(model: TriageModel):
    steps = " ".join(s.en for s in evaluate(model, {**NEUTRAL, "incident_type": "ransomware"}).steps)
    for phrase in ("Isolate the device", "Keep it powered on", "advise against paying", "No More Ransom",
                   "common ransomware report form", "Tell your security owner, then management"):
        assert phrase in steps


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
    for contact, phrases in scenario.get("why_contains", {}).items():
        text = next(a.why("en") for a in result.contacts if a.contact.id == contact)
        for phrase in phrases:
            assert phrase in text
    assert len(found) == len(set(found))
    for lang in ("ja", "en"):
        data = result.to_dict(lang)
        assert data["guidance"]["url"].startswith("https://")
        assert "2023" in data["guidance"]["title"]
        assert data["steps"]
        assert all(c["why"] and c["how"] for c in data["contacts"])
