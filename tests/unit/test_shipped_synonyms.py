"""Old and new names of renamed laws and schemes find the same answers in the shipped knowledge.

The Subcontract Act (下請法) became the 取適法 on 1 January 2026 and the IT導入補助金 became the
デジタル化・AI導入補助金 from FY2026; the answers use the new names, people still use both."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.assemble import build_snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def matcher():
    return build_snapshot(ROOT / "knowledge").matcher


@pytest.mark.parametrize(("old", "new", "intent"), [
    ("下請法って何", "取適法って何", "antimonopoly_act"),
    ("下請法的に取引先へ対策費用を負担させるのはまずい？", "取適法的に取引先へ対策費用を負担させるのはまずい？", "antimonopoly_act"),
    ("IT導入補助金でお助け隊を入れられる？", "デジタル化・AI導入補助金でお助け隊を入れられる？", "it_subsidy"),
    ("can we use the IT introduction subsidy for security", "can we use the digitalisation and AI subsidy for security",
     "it_subsidy"),
])
def test_old_and_new_names_find_the_same_answer(matcher, old, new, intent):
    before, after = matcher.match(old), matcher.match(new)
    assert before.best.intent == after.best.intent == intent
    assert before.candidates == after.candidates
