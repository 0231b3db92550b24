"""Every Store method behaves the same on SQLite and PostgreSQL (see conftest for the backends)."""

from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from bot.store.base import ExpertQuestion, FeedbackRecord, QuestionRecord, Store, StoreError, open_store
from bot.store.incidents import AuditEntry, IncidentRecord, TimelineEntry
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from tests.store.conftest import backend

OpenStore = Callable[[], Awaitable[Store]]

# 2026-11-26 15:30 UTC is already 2026-11-27 00:30 in Japan: ids use the Japan date.
LATE_EVENING_UTC = datetime(2026, 11, 26, 15, 30, tzinfo=UTC).timestamp()
NEXT_DAY = LATE_EVENING_UTC + 86_400
INCIDENT_ID = re.compile(r"^INC-\d{8}-\d{4}$")


async def new_incident(store: Store, *, now: float | None = None, reporter: str = "U0ALICE",
                       answers: dict[str, str] | None = None) -> IncidentRecord:
    return await store.create_incident(
        reporter=reporter, platform="slack", lang="ja",
        answers=answers or {"incident_type": "malware", "what": "メールの添付ファイルを開いた"},
        result={"contacts": [{"name": "CSIRT", "why": "always"}], "steps": ["LANケーブルを抜く"]},
        reporter_name="Alice", channel="D0ALICE", now=now)


# -- the two backends offer the same interface ---------------------------------------------------
def protocol_methods() -> list[str]:
    return sorted(name for name, value in vars(Store).items()
                  if inspect.iscoroutinefunction(value) and not name.startswith("_"))


def public_async_methods(cls: type) -> set[str]:
    return {name for name, value in inspect.getmembers(cls, inspect.iscoroutinefunction) if not name.startswith("_")}


@pytest.mark.parametrize("method", protocol_methods())
def test_both_backends_implement_every_protocol_method_with_the_same_signature(method: str) -> None:
    expected = inspect.signature(getattr(Store, method))
    for cls in (SqliteStore, PostgresStore):
        assert hasattr(cls, method), f"{cls.__name__} lacks {method}"
        actual = inspect.signature(getattr(cls, method))
        assert list(actual.parameters) == list(expected.parameters), f"{cls.__name__}.{method}{actual}"
        assert [p.kind for p in actual.parameters.values()] == [p.kind for p in expected.parameters.values()]
        assert [p.default for p in actual.parameters.values()] == [p.default for p in expected.parameters.values()]


def test_postgres_store_mirrors_every_public_method_of_the_sqlite_store() -> None:
    # SQLite gains methods as features land; PostgreSQL must follow (schema_versions is PG's extra).
    missing = public_async_methods(SqliteStore) - public_async_methods(PostgresStore)
    assert not missing, f"PostgresStore lacks {sorted(missing)}"


def test_postgresql_urls_open_a_postgres_store() -> None:
    assert isinstance(open_store("postgresql://u@127.0.0.1:5432/db"), PostgresStore)
    assert isinstance(open_store("postgres://u@127.0.0.1/db"), PostgresStore)


# -- conversation state ------------------------------------------------------------------------
async def test_state_is_empty_until_put_then_round_trips_and_is_replaced(store: Store) -> None:
    assert await store.get_state("slack:D1:U1") == {}
    await store.put_state("slack:D1:U1", {"flow": "triage", "step": 2, "answers": {"what": "ランサムウェア"}})
    assert await store.get_state("slack:D1:U1") == {"flow": "triage", "step": 2, "answers": {"what": "ランサムウェア"}}
    await store.put_state("slack:D1:U1", {"lang": "en"})
    assert await store.get_state("slack:D1:U1") == {"lang": "en"}
    assert await store.get_state("slack:D1:U2") == {}


async def test_delete_state_forgets_the_conversation_and_is_harmless_twice(store: Store) -> None:
    await store.put_state("k", {"a": 1})
    await store.delete_state("k")
    await store.delete_state("k")
    assert await store.get_state("k") == {}


async def test_state_written_by_one_connection_is_read_by_another(open_stores: OpenStore) -> None:
    first, second = await open_stores(), await open_stores()
    await first.put_state("slack:D1:U1", {"flow": "triage", "step": 3})
    assert await second.get_state("slack:D1:U1") == {"flow": "triage", "step": 3}


# -- questions and feedback --------------------------------------------------------------------
async def test_questions_are_recorded_with_increasing_ids_and_listed_by_band_and_time(store: Store) -> None:
    before = time.time()
    first = await store.record_question(platform="slack", lang="ja", text="JC-STARとは", band="answer",
                                        intent="jc_star", score=0.91)
    second = await store.record_question(platform="teams", lang="en", text="what is asm", band="suggest",
                                         intent=None, score=0.5)
    third = await store.record_question(platform="cli", lang=None, text="???", band="unknown", intent=None, score=None)
    assert isinstance(first, int) and first < second < third
    listed = await store.list_questions()
    assert [q.id for q in listed] == [first, second, third]
    assert all(isinstance(q, QuestionRecord) for q in listed)
    assert listed[0] == QuestionRecord(first, listed[0].asked_at, "slack", "ja", "JC-STARとは", "answer", "jc_star",
                                       pytest.approx(0.91))
    assert isinstance(listed[0].asked_at, float) and listed[0].asked_at >= before - 1
    assert listed[2].lang is None and listed[2].score is None
    assert [q.id for q in await store.list_questions(bands=["suggest", "unknown"])] == [second, third]
    assert [q.id for q in await store.list_questions(limit=2)] == [first, second]
    assert await store.list_questions(since=time.time() + 60) == []


async def test_feedback_is_recorded_and_listed_since_a_time(store: Store) -> None:
    up = await store.record_feedback(platform="slack", user_id="U1", intent="asm", vote="up", question="asmとは")
    none = await store.record_feedback(platform="teams", user_id="U2", intent=None, vote="none_of_these", question=None)
    listed = await store.list_feedback()
    assert [f.id for f in listed] == [up, none] and up < none
    assert listed[0] == FeedbackRecord(up, listed[0].given_at, "slack", "U1", "asm", "up", "asmとは")
    assert listed[1].intent is None and listed[1].question is None
    assert await store.list_feedback(since=time.time() + 60) == []
    assert len(await store.list_feedback(limit=1)) == 1


async def test_purge_removes_old_questions_and_feedback_and_counts_the_questions(store: Store) -> None:
    for text in ("a", "b"):
        await store.record_question(platform="cli", lang="ja", text=text, band="unknown", intent=None, score=None)
    await store.record_feedback(platform="cli", user_id="U", intent=None, vote="down", question="a")
    assert await store.purge_questions(older_than=time.time() - 3600) == 0
    assert await store.purge_questions(older_than=time.time() + 1) == 2
    assert await store.list_questions() == [] and await store.list_feedback() == []


# -- ask the security team ---------------------------------------------------------------------
async def test_expert_questions_get_q_numbers_and_can_be_answered(store: Store) -> None:
    first = await store.create_expert_question(platform="slack", user_id="U1", conversation_id="D1", lang="ja",
                                               question="USBメモリの持ち込みは？")
    second = await store.create_expert_question(platform="teams", user_id="U2", conversation_id="C2", lang="en",
                                                question="Can I use my own laptop?")
    assert isinstance(first, ExpertQuestion)
    assert (first.id, second.id) == ("Q-1", "Q-2")
    assert (first.status, first.answer, first.answered_by, first.answered_at) == ("open", None, None, None)
    assert await store.get_expert_question("q-1") == first
    assert await store.get_expert_question("Q-99") is None

    answered = await store.answer_expert_question("q-1", answer="事前申請が必要です。", answered_by="U0SEC")
    assert answered is not None and answered.id == "Q-1" and answered.status == "answered"
    assert (answered.answer, answered.answered_by) == ("事前申請が必要です。", "U0SEC")
    assert isinstance(answered.answered_at, float)
    assert await store.answer_expert_question("Q-99", answer="x", answered_by="U") is None

    assert [q.id for q in await store.list_expert_questions()] == ["Q-2", "Q-1"]
    assert [q.id for q in await store.list_expert_questions(status="open")] == ["Q-2"]
    assert [q.id for q in await store.list_expert_questions(status="answered")] == ["Q-1"]
    assert [q.id for q in await store.list_expert_questions(limit=1)] == ["Q-2"]


async def test_expert_question_ids_stay_unique_from_several_connections(open_stores: OpenStore) -> None:
    stores = [await open_stores(), await open_stores()]
    created = await asyncio.gather(*(
        stores[n % 2].create_expert_question(platform="slack", user_id=f"U{n}", conversation_id="D", lang="ja",
                                             question=f"q{n}") for n in range(20)))
    assert sorted(int(q.id[2:]) for q in created) == list(range(1, 21))


# -- delivery de-duplication -------------------------------------------------------------------
async def test_a_delivery_is_claimed_only_the_first_time(store: Store) -> None:
    assert await store.claim_delivery("slack:Ev01") is True
    assert await store.claim_delivery("slack:Ev01") is False
    assert await store.claim_delivery("slack:Ev02") is True
    assert await store.claim_delivery("teams:Ev01") is True


async def test_a_delivery_claimed_from_two_connections_at_once_is_won_exactly_once(open_stores: OpenStore) -> None:
    first, second = await open_stores(), await open_stores()
    for n in range(20):
        results = await asyncio.gather(first.claim_delivery(f"slack:Ev{n}"), second.claim_delivery(f"slack:Ev{n}"))
        assert sorted(results) == [False, True], f"delivery {n}: {results}"


# -- conversation references -------------------------------------------------------------------
async def test_conversation_refs_round_trip_and_are_replaced(store: Store) -> None:
    assert await store.get_conversation_ref("teams:channel:19:abc") is None
    ref = {"conversation": {"id": "19:abc@thread.tacv2"}, "serviceUrl": "https://smba.example/jp/", "名前": "セキュリティ"}
    await store.save_conversation_ref("teams:channel:19:abc", ref, platform="teams")
    assert await store.get_conversation_ref("teams:channel:19:abc") == ref
    await store.save_conversation_ref("teams:channel:19:abc", {"v": 2}, platform="teams")
    assert await store.get_conversation_ref("teams:channel:19:abc") == {"v": 2}


# -- incidents -------------------------------------------------------------------------------
async def test_incident_ids_use_the_japan_date_and_count_per_day(store: Store) -> None:
    first = await new_incident(store, now=LATE_EVENING_UTC)
    second = await new_incident(store, now=LATE_EVENING_UTC + 60)
    next_day = await new_incident(store, now=NEXT_DAY)
    assert (first.id, second.id, next_day.id) == ("INC-20261127-0001", "INC-20261127-0002", "INC-20261128-0001")


async def test_a_new_incident_is_open_with_its_answers_result_and_created_entry(store: Store) -> None:
    record = await new_incident(store)
    assert INCIDENT_ID.match(record.id)
    assert isinstance(record, IncidentRecord)
    assert (record.status, record.reporter, record.reporter_name, record.platform, record.channel, record.lang) == \
        ("open", "U0ALICE", "Alice", "slack", "D0ALICE", "ja")
    assert record.incident_type == "malware"
    assert record.answers == {"incident_type": "malware", "what": "メールの添付ファイルを開いた"}
    assert record.contacts == [{"name": "CSIRT", "why": "always"}]
    assert record.result["steps"] == ["LANケーブルを抜く"]
    assert record.closed_at is None and record.created_at == record.updated_at
    [created] = record.timeline
    assert isinstance(created, TimelineEntry)
    assert (created.incident_id, created.actor, created.kind, created.text) == (record.id, "U0ALICE", "created", "")
    assert await store.get_incident(record.id) == record
    assert await store.get_incident("INC-19990101-0001") is None


async def test_incident_answers_keep_the_form_order(store: Store) -> None:
    answers = {"what": "z", "incident_type": "malware", "detected_at": "今", "affected": "a"}
    record = await new_incident(store, answers=answers)
    assert list(record.answers) == list(answers)
    assert list((await store.get_incident(record.id)).answers) == list(answers)


async def test_incidents_are_listed_newest_first_by_status_without_timelines(store: Store) -> None:
    old = await new_incident(store, now=LATE_EVENING_UTC)
    new = await new_incident(store, now=LATE_EVENING_UTC + 10)
    await store.close_incident(old.id, actor="U0SEC", now=LATE_EVENING_UTC + 20)
    listed = await store.list_incidents()
    assert [r.id for r in listed] == [new.id, old.id]
    assert all(r.timeline == () for r in listed)
    assert [r.id for r in await store.list_incidents("open")] == [new.id]
    assert [r.id for r in await store.list_incidents("closed")] == [old.id]
    assert [r.id for r in await store.list_incidents(limit=1)] == [new.id]


async def test_notes_are_added_to_the_timeline_and_bump_updated_at(store: Store) -> None:
    record = await new_incident(store, now=LATE_EVENING_UTC)
    note = await store.add_note(record.id, actor="U0SEC", text="端末を隔離しました", now=LATE_EVENING_UTC + 30)
    assert note is not None and isinstance(note, TimelineEntry)
    assert (note.incident_id, note.at, note.actor, note.kind, note.text) == \
        (record.id, LATE_EVENING_UTC + 30, "U0SEC", "note", "端末を隔離しました")
    timeline = await store.list_timeline(record.id)
    assert [e.kind for e in timeline] == ["created", "note"]
    assert timeline[1] == note
    assert (await store.get_incident(record.id)).updated_at == LATE_EVENING_UTC + 30
    assert await store.add_note("INC-19990101-0001", actor="U", text="x") is None
    assert await store.list_timeline("INC-19990101-0001") == []


async def test_closing_an_incident_once_records_it_once(store: Store) -> None:
    record = await new_incident(store, now=LATE_EVENING_UTC)
    closed = await store.close_incident(record.id, actor="U0SEC", note="復旧済み", now=LATE_EVENING_UTC + 100)
    assert closed is not None and closed.status == "closed" and closed.closed_at == LATE_EVENING_UTC + 100
    assert [(e.kind, e.text) for e in closed.timeline] == [("created", ""), ("closed", "復旧済み")]
    again = await store.close_incident(record.id, actor="U0OTHER", now=LATE_EVENING_UTC + 200)
    assert again == closed
    assert await store.close_incident("INC-19990101-0001", actor="U") is None
    assert [e.action for e in await store.list_audit(record.id)] == ["incident.created", "incident.closed"]


async def test_the_audit_log_records_incident_events_and_appended_entries(store: Store) -> None:
    record = await new_incident(store)
    await store.add_note(record.id, actor="U0SEC", text="12345")
    entry_id = await store.append_audit("slack:U0SEC", "incident.viewed", record.id, {"via": "/incident show"})
    other = await store.append_audit("cli:root", "admin.reload")
    assert isinstance(entry_id, int) and entry_id < other
    entries = await store.list_audit(record.id)
    assert all(isinstance(e, AuditEntry) for e in entries)
    assert [(e.actor, e.action) for e in entries] == [
        ("U0ALICE", "incident.created"), ("U0SEC", "incident.note"), ("slack:U0SEC", "incident.viewed")]
    assert entries[0].details == {"platform": "slack", "channel": "D0ALICE", "incident_type": "malware"}
    assert entries[1].details == {"length": 5}
    assert entries[2].details == {"via": "/incident show"} and entries[2].id == entry_id
    everything = await store.list_audit()
    assert [e.id for e in everything] == sorted(e.id for e in everything) and len(everything) == 4
    assert everything[-1].target is None and everything[-1].details == {}
    assert len(await store.list_audit(limit=2)) == 2


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"])
async def test_the_database_refuses_to_change_or_delete_audit_entries(store: Store, statement: str) -> None:
    await store.append_audit("U0SEC", "incident.viewed", "INC-20261127-0001")
    with pytest.raises(Exception, match="append-only"):
        await store.execute(statement)  # type: ignore[attr-defined]
    [entry] = await store.list_audit()
    assert entry.actor == "U0SEC"


async def test_postgres_refuses_to_truncate_the_audit_log(store: Store) -> None:
    if backend(store) != "postgres":
        pytest.skip("TRUNCATE is PostgreSQL's")
    await store.append_audit("U0SEC", "incident.viewed")
    with pytest.raises(StoreError, match="append-only"):
        await store.execute("TRUNCATE audit_log")  # type: ignore[attr-defined]
    assert len(await store.list_audit()) == 1


async def test_fifty_concurrent_incidents_get_fifty_distinct_ids(store: Store) -> None:
    records = await asyncio.gather(*(new_incident(store, now=LATE_EVENING_UTC, reporter=f"U{n}") for n in range(50)))
    ids = [r.id for r in records]
    assert len(set(ids)) == 50
    assert sorted(ids) == [f"INC-20261127-{n:04d}" for n in range(1, 51)]
    assert len(await store.list_incidents(limit=100)) == 50


async def test_incident_ids_stay_unique_when_several_connections_create_at_once(open_stores: OpenStore) -> None:
    stores = [await open_stores() for _ in range(3)]
    records = await asyncio.gather(*(new_incident(stores[n % 3], now=LATE_EVENING_UTC, reporter=f"U{n}")
                                     for n in range(30)))
    assert sorted(r.id for r in records) == [f"INC-20261127-{n:04d}" for n in range(1, 31)]
    for record in records:  # each id names its own reporter's incident
        assert (await stores[0].get_incident(record.id)).reporter == record.reporter


async def test_concurrent_closes_write_one_closed_entry(open_stores: OpenStore) -> None:
    first, second = await open_stores(), await open_stores()
    record = await new_incident(first)
    await asyncio.gather(first.close_incident(record.id, actor="U1"), second.close_incident(record.id, actor="U2"))
    timeline = await first.list_timeline(record.id)
    assert [e.kind for e in timeline].count("closed") == 1


# -- migrations --------------------------------------------------------------------------------
async def test_opening_twice_applies_migrations_once(store_url: str) -> None:
    from adapters.cli.db_cli import applied_versions

    first = open_store(store_url)
    await first.open()
    versions = await applied_versions(first)
    await first.close()
    second = open_store(store_url)
    await second.open()
    await second.open()  # opening an open store is a no-op
    try:
        assert await applied_versions(second) == versions
        assert [v for v, _, _ in versions] == sorted({v for v, _, _ in versions})
        assert getattr(second, "applied_now", []) == []
        await second.put_state("k", {"still": "works"})
        assert await second.get_state("k") == {"still": "works"}
    finally:
        await second.close()


async def test_both_backends_have_the_same_migration_numbers() -> None:
    from bot.store.migrations import migrations

    sqlite = [(v, n) for v, n, _ in migrations("sqlite")]
    postgres = [(v, n) for v, n, _ in migrations("postgres")]
    assert postgres == sqlite


async def test_replicas_opening_an_empty_database_together_all_succeed(store_url: str) -> None:
    if store_url.startswith("sqlite:"):
        # Several processes creating one new SQLite file at the same instant sometimes get
        # "database is locked" from open (WAL set-up); SQLite is the one-process backend.
        pytest.skip("concurrent first open is a PostgreSQL (multi-replica) guarantee")
    stores = [open_store(store_url) for _ in range(4)]
    try:
        await asyncio.gather(*(s.open() for s in stores))
        for s in stores:
            assert await s.get_state("nothing") == {}
    finally:
        for s in stores:
            await s.close()


# -- retention (issue 13, point 5) ---------------------------------------------------------------
async def test_purge_expired_removes_every_table_that_holds_user_text_or_ids(store: Store) -> None:
    await store.record_question(platform="slack", lang="en", text="q", band="unknown", intent=None, score=None)
    await store.record_feedback(platform="slack", user_id="U0ALICE", intent=None, vote="down", question="q")
    await store.put_state("slack:D1:U0ALICE", {"lang": "en", "last_question_raw": "mail taro@example.com"})
    await store.claim_delivery("slack:Ev0ALICE")
    await store.create_expert_question(platform="slack", user_id="U0ALICE", conversation_id="D1", lang="en",
                                       question="mail taro@example.com")
    await store.save_conversation_ref("teams:user:aad-alice", {"user": {"id": "29:alice"}}, platform="teams")
    await store.save_conversation_ref("teams:channel:19:sec@thread.tacv2", {"conversation": {"id": "19:sec"}},
                                     platform="teams")
    incident = await new_incident(store)

    assert await store.purge_expired(older_than=time.time() - 3600, offers_older_than=time.time() - 3600) == 0
    assert await store.purge_expired(older_than=time.time() + 1, offers_older_than=time.time() + 1) >= 6
    assert await store.list_questions() == [] and await store.list_feedback() == []
    assert await store.get_state("slack:D1:U0ALICE") == {}
    assert await store.claim_delivery("slack:Ev0ALICE")  # claimable again: the old id is gone
    assert await store.list_expert_questions() == []
    assert await store.get_conversation_ref("teams:user:aad-alice") is None
    # Kept: where the security channel is, and the incident records (the organisation's own records).
    assert await store.get_conversation_ref("teams:channel:19:sec@thread.tacv2") is not None
    assert await store.get_incident(incident.id) is not None


async def test_purge_expired_drops_only_the_raw_question_from_recent_conversations(store: Store) -> None:
    await store.put_state("slack:D1:U0ALICE", {"lang": "ja", "last_question": "[email]",
                                                "last_question_raw": "taro@example.com", "last_question_until": 1.0})
    await store.purge_expired(older_than=time.time() - 86_400, offers_older_than=time.time() + 1)
    assert await store.get_state("slack:D1:U0ALICE") == {"lang": "ja", "last_question": "[email]"}
