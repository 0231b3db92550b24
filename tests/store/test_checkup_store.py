"""Checkup results on both backends: stored as given, newest first, filtered per respondent."""

from __future__ import annotations

from bot.store.base import Store

SCORES = {"set": "default", "overall": 55, "areas": [{"id": "incident", "score": 38, "answered": 4}],
          "gaps": [{"question": "backup", "area": "incident", "answer": "no", "ratio": 0.0}]}


async def save(store: Store, respondent: str, organization: str, *, platform: str = "slack", set_id: str = "default",
               now: float = 1_000.0) -> int:
    record = await store.save_checkup(respondent=respondent, platform=platform, organization=organization,
                                      set_id=set_id, lang="ja", answers={"policy": "yes", "backup": "no"},
                                      scores=SCORES, respondent_name=respondent.lower(), now=now)
    return record.id


async def test_a_saved_checkup_round_trips_with_answers_in_order(store: Store) -> None:
    first = await save(store, "U1", "田中製作所")
    [record] = await store.list_checkups()
    assert record.id == first and record.organization == "田中製作所" and record.respondent_name == "u1"
    assert list(record.answers) == ["policy", "backup"] and record.scores == SCORES and record.overall == 55
    assert record.created_at == 1_000.0 and record.platform == "slack" and record.lang == "ja"


async def test_checkups_are_listed_newest_first_and_filtered(store: Store) -> None:
    await save(store, "U1", "Alpha", now=1_000.0)
    await save(store, "U2", "Beta", now=2_000.0)
    await save(store, "U1", "Gamma", platform="teams", now=3_000.0)
    await save(store, "U1", "Delta", set_id="supplier", now=4_000.0)
    assert [r.organization for r in await store.list_checkups()] == ["Delta", "Gamma", "Beta", "Alpha"]
    mine = await store.list_checkups(respondent="U1", platform="slack")
    assert [r.organization for r in mine] == ["Delta", "Alpha"]
    assert [r.organization for r in await store.list_checkups(set_id="default", since=1_500.0)] == ["Gamma", "Beta"]
    assert [r.organization for r in await store.list_checkups(limit=1)] == ["Delta"]
