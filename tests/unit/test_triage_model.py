"""Bad triage data is refused with file and line, by the builder and by `secbot kb validate`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge_base import KnowledgeError, load_knowledge
from intents.assemble import build_snapshot
from intents.incident.model import build_triage
from intents.kb_checks import validate_knowledge
from knowledge import SHIPPED_DIR
from tests.conftest import MINI_INTENTS, write_knowledge

TRIAGE = (SHIPPED_DIR / "triage.yaml").read_text(encoding="utf-8")
CONTACTS = (SHIPPED_DIR / "contacts.yaml").read_text(encoding="utf-8")


def folder(tmp_path: Path, triage: str = TRIAGE, contacts: str = CONTACTS) -> Path:
    return write_knowledge(tmp_path / "kb", {"intents/mini.yaml": MINI_INTENTS, "triage.yaml": triage,
                                             "contacts.yaml": contacts})


def replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def problems(directory: Path) -> list[str]:
    return [str(p) for p in validate_knowledge(directory)]


def test_shipped_triage_and_contacts_build_cleanly():
    model = build_snapshot(SHIPPED_DIR).component("triage")
    assert model is not None and model.form_id == "incident_form"
    ids = [f.id for f in model.fields]
    assert ids[:1] == ["incident_type"]
    assert {"incident_type", "state_sponsored", "personal_data", "financial_damage", "critical_infrastructure",
            "sme", "ongoing", "description"} <= set(ids)
    assert model.field("incident_type").values == ("ransomware", "unauthorized_access", "malware", "data_leak", "ddos",
                                                   "phishing_bec", "targeted_attack", "other")
    for fid in ("state_sponsored", "personal_data", "financial_damage", "ongoing"):
        assert model.field(fid).values == ("yes", "no", "unknown")
    for fid in ("critical_infrastructure", "sme"):
        assert model.field(fid).values == ("yes", "no")
    assert any(f.show_if for f in model.fields)  # conditional fields exist


def test_a_folder_without_triage_has_no_triage_component(mini_knowledge: Path):
    assert build_snapshot(mini_knowledge).components["triage"] is None


def test_unknown_contact_is_reported_with_file_and_line(tmp_path: Path):
    bad = replace(TRIAGE, "        - contact: antiphishing\n", "        - contact: anti_phishing\n")
    directory = folder(tmp_path, bad)
    [problem] = problems(directory)
    assert f"triage.yaml:{line_of(bad, 'contact: anti_phishing')}:" in problem
    assert "unknown contact 'anti_phishing'" in problem


def test_rule_on_an_unknown_field_can_never_fire(tmp_path: Path):
    bad = replace(TRIAGE, "      when: {sme: [\"yes\"]}", "      when: {small_business: [\"yes\"]}")
    [problem] = problems(folder(tmp_path, bad))
    assert f":{line_of(bad, 'small_business')}:" in problem
    assert "rule 'sme' can never fire: unknown field 'small_business'" in problem


def test_rule_on_an_unknown_value_can_never_fire(tmp_path: Path):
    bad = replace(TRIAGE, "      when: {incident_type: [ddos]}", "      when: {incident_type: [dos]}")
    [problem] = problems(folder(tmp_path, bad))
    assert f":{line_of(bad, '[dos]')}:" in problem
    assert "'dos' is not a value of 'incident_type'" in problem


def test_rule_excluded_by_a_fields_show_if_can_never_fire(tmp_path: Path):
    # phishing_detail is only asked for phishing, so it can never be "card" for ransomware
    bad = replace(TRIAGE, "      when: {incident_type: [phishing_bec], phishing_detail: [card]}",
                  "      when: {incident_type: [ransomware], phishing_detail: [card]}")
    [problem] = problems(folder(tmp_path, bad))
    assert "rule 'phishing_card' can never fire" in problem and "only asked when 'incident_type'" in problem


def test_rule_shadowed_by_an_earlier_stop_rule_can_never_fire(tmp_path: Path):
    stopper = ("  rules:\n    - id: phishing_only\n      when: {incident_type: [phishing_bec]}\n      stop: true\n"
               "      add:\n        - contact: antiphishing\n          priority: help\n          why: {ja: テスト, en: test}\n")
    bad = replace(TRIAGE, "  rules:\n", stopper)
    found = problems(folder(tmp_path, bad))
    shadowed = {"bec_transfer", "phishing_card", "phishing_credentials", "phishing_impersonation", "phishing",
                "personal_data_phishing_unsure", "business_email_compromise"}
    assert len(found) == len(shadowed), found
    for rule in shadowed:
        [problem] = [p for p in found if f"rule '{rule}' can never fire" in p]
        assert "rule 'phishing_only' (line 5" not in problem  # names the real line
        assert f"rule 'phishing_only' (line {line_of(bad, 'id: phishing_only')})" in problem and "stop: true" in problem


def test_missing_checklist_and_checklist_for_unknown_type(tmp_path: Path):
    bad = replace(TRIAGE, "    ddos:\n", "    dos:\n")
    found = problems(folder(tmp_path, bad))
    assert any("checklist for unknown incident type 'dos'" in p and f":{line_of(bad, '    dos:')}:" in p for p in found)
    assert any("no first-response checklist for incident type 'ddos'" in p for p in found)


def test_show_if_on_a_later_or_unknown_field_is_refused(tmp_path: Path):
    bad = replace(TRIAGE, "        show_if: {incident_type: [phishing_bec]}", "        show_if: {ongoing: [\"yes\"]}")
    [problem] = problems(folder(tmp_path, bad))
    assert "comes later" in problem


def test_unquoted_yes_is_caught_by_the_schema_with_its_line(tmp_path: Path):
    bad = replace(TRIAGE, "      when: {critical_infrastructure: [\"yes\"]}", "      when: {critical_infrastructure: [yes]}")
    found = problems(folder(tmp_path, bad))
    assert any(f"triage.yaml:{line_of(bad, 'critical_infrastructure: [yes]')}:" in p for p in found), found


def test_unverified_fact_without_a_note_is_refused(tmp_path: Path):
    bad = replace(CONTACTS, "        confidence: L\n        note:", "        confidence: L\n        # note:")
    [problem] = problems(folder(tmp_path, contacts=bad))
    assert "contacts.yaml:" in problem and "confidence L entry needs a `note`" in problem


def test_duplicate_contact_ids_are_refused(tmp_path: Path):
    bad = replace(CONTACTS, "  - id: isp\n", "  - id: bank\n")
    found = problems(folder(tmp_path, contacts=bad))
    assert any("duplicate contact id 'bank' (first defined at " in p and f"contacts.yaml:{line_of(bad, '- id: bank')}" in p
               for p in found), found
    assert any("unknown contact 'isp'" in p for p in found)  # the DDoS rule still names it


def test_kb_validate_command_reports_triage_problems(tmp_path: Path):
    import subprocess
    import sys

    bad = replace(TRIAGE, "        - contact: antiphishing\n", "        - contact: anti_phishing\n")
    directory = folder(tmp_path, bad)
    result = subprocess.run([sys.executable, "-m", "adapters.cli", "kb", "validate", str(directory)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"triage.yaml:{line_of(bad, 'anti_phishing')}: rule 'phishing': unknown contact 'anti_phishing'" in result.stdout


def test_builder_raises_knowledge_error_so_broken_triage_never_serves(tmp_path: Path):
    bad = replace(TRIAGE, "        - contact: antiphishing\n", "        - contact: nobody\n")
    with pytest.raises(KnowledgeError):
        build_triage(load_knowledge(folder(tmp_path, bad)))


def test_unknown_priority_tier_is_reported_with_file_and_line(tmp_path: Path):
    bad = replace(TRIAGE, "          priority: act_now\n          why:\n            ja: 偽の指示で",
                  "          priority: right_now\n          why:\n            ja: 偽の指示で")
    [problem] = problems(folder(tmp_path, bad))
    assert "unknown priority 'right_now'" in problem and "act_now" in problem
    assert f"triage.yaml:{line_of(bad, 'priority: right_now')}:" in problem


def test_a_sector_row_naming_a_ministry_needs_a_source(tmp_path: Path):
    bad = replace(CONTACTS, "      - {id: gas, name: {ja: ガス, en: Gas}}",
                  "      - {id: gas, name: {ja: ガス, en: Gas}, ministry: {ja: 某省, en: Some ministry}}")
    [problem] = problems(folder(tmp_path, contacts=bad))
    assert "sector 'gas' names a ministry without a `source`" in problem
    assert f"contacts.yaml:{line_of(bad, 'id: gas')}:" in problem


def test_every_sector_the_form_offers_needs_a_row_in_the_table(tmp_path: Path):
    bad = replace(CONTACTS, "      - {id: water, name: {ja: 水道, en: Water}}\n", "")
    [problem] = problems(folder(tmp_path, contacts=bad))
    assert "sector 'water' has no row in the sector table of contact 'sector_ministry'" in problem
