"""The knowledge cache (bot/cache.py): a start from it answers exactly like a fresh build, and
an edited, corrupt or unwritable cache never changes an answer or raises."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from bot.snapshot import KnowledgeHolder
from intents.assemble import BUILDERS, build_snapshot
from knowledge import SHIPPED_DIR

QUESTIONS = ["ランサムウェアに感染したら", "what is jc-star", "JC-STARとは何ですか", "attak surface managment",
             "IT導入補助金の要件", "police drama recommendations", "はい", ""]


def answers(directory: Path) -> list[object]:
    snapshot = build_snapshot(directory)
    return [snapshot.matcher.match(q) for q in QUESTIONS] + [snapshot.kb.intents, snapshot.kb.synonyms,
                                                              snapshot.kb.matching, snapshot.kb.off_topic]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SECBOT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SHIPPED_DIR, tmp_path / "knowledge"))


def fresh(directory: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    with monkeypatch.context() as patch:
        patch.setenv("SECBOT_CACHE_DIR", "off")
        return answers(directory)


def test_a_start_from_the_cache_answers_like_a_fresh_build(cache: Path, knowledge: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    first = answers(knowledge)
    entries = sorted(p.name for p in cache.iterdir())
    assert [name.split("-")[0] for name in entries] == ["knowledge", "matcher"]
    assert answers(knowledge) == first == fresh(knowledge, monkeypatch)
    assert sorted(p.name for p in cache.iterdir()) == entries  # read, not written again


NEW_EXAMPLE = "zebra xylophone quokka drill"


def add_example(knowledge: Path) -> str:
    """Add NEW_EXAMPLE to the first intent of an intents file, as an admin would; its id."""
    path = sorted((knowledge / "intents").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["intents"][0]["examples"]["en"].append(NEW_EXAMPLE)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(data["intents"][0]["id"])


def test_an_edited_knowledge_file_is_read_again(cache: Path, knowledge: Path) -> None:
    holder = KnowledgeHolder.load(knowledge, BUILDERS)
    assert holder.current.matcher.match(NEW_EXAMPLE).best is None or \
        holder.current.matcher.match(NEW_EXAMPLE).best.example != NEW_EXAMPLE
    intent = add_example(knowledge)
    for snapshot in (holder.reload(), build_snapshot(knowledge)):  # a hot reload, and a new start
        assert NEW_EXAMPLE in snapshot.kb.intents[intent].examples["en"]
        best = snapshot.matcher.match(NEW_EXAMPLE).best
        assert best is not None and (best.intent, best.example) == (intent, NEW_EXAMPLE)


def test_a_corrupt_or_truncated_cache_is_rebuilt_silently(cache: Path, knowledge: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    expected = answers(knowledge)
    entries = sorted(cache.iterdir())
    for damage in (lambda data: data[: len(data) // 2], lambda data: b"\x00garbage" + data[10:], lambda data: b""):
        for entry in entries:
            entry.write_bytes(damage(entry.read_bytes()))
        assert answers(knowledge) == expected
        assert answers(knowledge) == expected  # and the rebuilt entries are good again
    assert sorted(cache.iterdir()) == entries


def test_an_unwritable_cache_folder_only_turns_caching_off(tmp_path: Path, knowledge: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    expected = fresh(knowledge, monkeypatch)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("SECBOT_CACHE_DIR", str(blocker / "secbot"))
    assert answers(knowledge) == expected
    if os.geteuid() != 0:  # root writes to read-only folders anyway
        readonly = tmp_path / "readonly"
        readonly.mkdir(mode=0o500)
        monkeypatch.setenv("SECBOT_CACHE_DIR", str(readonly))
        assert answers(knowledge) == expected
        assert not list(readonly.iterdir())


def test_the_cache_goes_to_the_user_cache_folder(tmp_path: Path, knowledge: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    build_snapshot(knowledge)
    assert {p.name.split("-")[0] for p in (tmp_path / "xdg" / "secbot").iterdir()} == {"knowledge", "matcher"}
