"""The report's figures counted by the store (GROUP BY over summary rows) are the figures of the
whole records, on both backends: each organisation's latest round only, names compared ignoring
case and width, unscored areas and organisations left out of the averages; and rows saved before
the summary tables existed are summarized when the store opens."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

from bot.store.base import Store
from bot.store.checkups import figures_of, sorted_latest

AREAS = ("policy", "backup", "access")
QUESTIONS = ("q1", "q2", "q3", "q4", "q5")
NAMES = ("Alpha", "ALPHA", "Ａｌｐｈａ", "Beta", "田中製作所", "田中製作所 ", "Gamma", "Delta", "Zeta")


def random_result(rng: random.Random) -> tuple[dict[str, str], dict[str, object]]:
    answered = [q for q in QUESTIONS if rng.random() < 0.8]
    areas = [{"id": a, "score": None if rng.random() < 0.1 else rng.randint(0, 100), "answered": 1} for a in AREAS]
    gaps = [{"question": q, "area": rng.choice(AREAS), "answer": "no", "ratio": 0.0}
            for q in answered if rng.random() < 0.4]
    scored = [a["score"] for a in areas if a["score"] is not None]
    overall = None if not scored else sum(scored) // len(scored)
    return {q: "yes" for q in answered}, {"set": "supplier", "overall": overall, "areas": areas, "gaps": gaps}


async def save_many(store: Store, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for index in range(count):
        answers, scores = random_result(rng)
        await store.save_checkup(respondent=f"U{index}", platform="web", organization=rng.choice(NAMES),
                                 set_id=rng.choice(("supplier", "supplier", "default")), lang="ja", answers=answers,
                                 scores=scores, now=1_000.0 + rng.randint(0, 30))  # equal times: the later id wins


async def test_the_stores_figures_are_those_of_the_latest_round_of_each_organization(store: Store) -> None:
    await save_many(store, 60, seed=15)
    records = await store.list_checkups()
    assert await store.checkup_counts() == {s: sum(r.set_id == s for r in records) for s in ("supplier", "default")}
    for set_id in ("supplier", "default"):
        expected = figures_of(records, set_id)
        assert await store.checkup_figures(set_id) == expected
        assert expected.organizations < 9 and expected.results > expected.organizations  # rounds were replaced
        mine = [r for r in records if r.set_id == set_id]
        pages = [row for offset in range(0, 10, 3) for row in
                 await store.list_latest_checkups(set_id, offset=offset, limit=3)]
        assert pages == sorted_latest(mine)
    assert (await store.checkup_figures("nothing")).organizations == 0


async def test_results_saved_before_the_summary_tables_are_summarized_on_open(
        store: Store, open_stores: Callable[[], Awaitable[Store]]) -> None:
    await save_many(store, 20, seed=7)
    records = await store.list_checkups()
    # As a database migrated from before 0007 looks: results without summary rows.
    for sql in ("DELETE FROM checkup_result_items", "DELETE FROM checkup_latest", "DELETE FROM checkup_totals",
                "UPDATE checkup_results SET org_key = NULL"):
        await store.execute(sql)  # type: ignore[attr-defined]
    assert (await store.checkup_figures("supplier")).organizations == 0
    reopened = await open_stores()
    assert await reopened.checkup_figures("supplier") == figures_of(records, "supplier")


async def test_question_counts_per_day_and_wording_match_the_questions(store: Store) -> None:
    for index, (text, band) in enumerate([("VPN証明書", "unknown"), ("wifi", "suggest"), ("VPN証明書", "unknown"),
                                          ("JC-STAR", "answer"), ("wifi", "unknown"), ("VPN証明書", "suggest")]):
        await store.record_question(platform="web", lang="ja", text=text, band=band, intent=None, score=index / 10)
    questions = await store.list_questions()
    day = int((questions[0].asked_at + 9 * 3600) // 86400)
    counted = await store.count_questions_by_day(since=0, utc_offset=9 * 3600)
    per_band = {band: sum(n for _, b, n in counted if b == band) for _, band, _ in counted}
    assert per_band == {"answer": 1, "suggest": 2, "unknown": 3}
    assert {d for d, _, _ in counted} <= {day, day + 1}  # the Japan day (a run may cross midnight)
    texts = await store.count_question_texts(since=0, bands=("unknown", "suggest"))
    assert [(t, b, n) for t, b, n, _ in texts] == [("VPN証明書", "unknown", 2), ("wifi", "suggest", 1),
                                                   ("wifi", "unknown", 1), ("VPN証明書", "suggest", 1)]
    assert texts[0][3] == max(q.asked_at for q in questions if (q.text, q.band) == ("VPN証明書", "unknown"))
    assert await store.count_question_texts(since=questions[-1].asked_at + 1, bands=("unknown",)) == []
