"""Hostile knowledge YAML: the loader answers with a KnowledgeError (file:line problems) or a knowledge
base, never another exception, never a hang, and in bounded memory.

Knowledge files come from operators, but a reload runs inside a serving process: one bad commit
must not take the bot down or eat the machine's memory.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge_base import KnowledgeError, load_knowledge
from intents.assemble import build_snapshot
from knowledge import SHIPPED_DIR
from tests.conftest import MINI_INTENTS

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECONDS_PER_LOAD = 5.0
MEMORY_LIMIT = 64 * 1024 * 1024  # bytes traced by tracemalloc while loading one folder

BASE_FILES: dict[str, str] = {
    "intents/mini.yaml": MINI_INTENTS,
    "contacts.yaml": (SHIPPED_DIR / "contacts.yaml").read_text(encoding="utf-8"),
    "matching.yaml": (SHIPPED_DIR / "matching.yaml").read_text(encoding="utf-8"),
}
TRIAGE = (SHIPPED_DIR / "triage.yaml").read_text(encoding="utf-8")


@contextmanager
def knowledge_folder(files: Mapping[str, str | bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="secbot-fuzz-") as name:
        root = Path(name)
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        yield root


def loads_cleanly(files: Mapping[str, str | bytes], load: Callable[[Path], Any] = load_knowledge, *,
                  measure_memory: bool = False) -> KnowledgeError | None:
    """Load the folder: a KnowledgeError (returned) or a result are fine; anything else fails the test."""
    with knowledge_folder(files) as root:
        if measure_memory:
            tracemalloc.start()
        started = time.monotonic()
        try:
            load(root)
            error = None
        except KnowledgeError as exc:
            error = exc
            assert exc.problems and all(str(p) for p in exc.problems)
        finally:
            elapsed = time.monotonic() - started
            if measure_memory:
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                assert peak < MEMORY_LIMIT, f"loading used {peak / 2**20:.0f} MiB"
        assert elapsed < SECONDS_PER_LOAD, f"loading took {elapsed:.1f} s"
        return error


# -- strategies ------------------------------------------------------------------------------------
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=50), st.just(""), st.just("   "), st.sampled_from(["~", "null", "yes", "0x1F"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


def paths_in(data: Any, draw: Callable[..., Any]) -> list[Any]:
    """A random path from the root to some node of `data` (possibly the root itself)."""
    path: list[Any] = []
    node = data
    while isinstance(node, dict | list) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node, key=str) if isinstance(node, dict) else list(range(len(node)))))
        path.append(key)
        node = node[key]
    return path


def replaced(data: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: replaced(data[head], rest, value)}
    return [replaced(item, rest, value) if i == head else item for i, item in enumerate(data)]


def billion_laughs(levels: int, width: int) -> str:
    lines = ["version: 1", "lol0: &lol0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * width) + "]")
    lines.append("intents:")
    lines.append(f"  - id: laughs\n    title: {{ja: *lol{levels - 1}, en: x}}")
    return "\n".join(lines) + "\n"


# -- properties ------------------------------------------------------------------------------------
@FUZZ
@given(name=st.sampled_from(sorted(BASE_FILES)), value=values, data=st.data())
def test_a_wrong_type_at_any_key_is_a_knowledge_error_not_a_crash(name: str, value: Any, data: st.DataObject) -> None:
    document = yaml.safe_load(BASE_FILES[name])
    path = paths_in(document, data.draw)
    hostile = yaml.safe_dump(replaced(document, path, value), allow_unicode=True)
    loads_cleanly({**BASE_FILES, name: hostile})


@SLOW_FUZZ
@given(value=values, data=st.data())
def test_a_wrong_type_in_the_triage_rules_never_crashes_the_snapshot_build(value: Any, data: st.DataObject) -> None:
    document = yaml.safe_load(TRIAGE)
    path = paths_in(document, data.draw)
    hostile = yaml.safe_dump(replaced(document, path, value), allow_unicode=True)
    loads_cleanly({**BASE_FILES, "triage.yaml": hostile}, build_snapshot)


@FUZZ
@given(text=st.text(max_size=2000))
def test_arbitrary_text_is_a_knowledge_error_or_loads(text: str) -> None:
    loads_cleanly({**BASE_FILES, "intents/fuzz.yaml": text})


@FUZZ
@given(junk=st.binary(max_size=2000))
def test_binary_junk_is_a_knowledge_error(junk: bytes) -> None:
    loads_cleanly({**BASE_FILES, "intents/fuzz.yaml": junk})


@FUZZ
@given(pieces=st.lists(st.sampled_from(["[", "]", "{", "}", "- ", "? ", ": ", "&a ", "*a", "!!python/object:os.system ",
                                        "!!binary ", "|\n", ">\n", "\n  ", "'", '"', "\\u0000", "---\n", "...\n",
                                        "%YAML 1.1\n", "<<: *a\n", "version: 1\n", "intents:\n"]), max_size=200))
def test_yaml_syntax_soup_is_a_knowledge_error_or_loads(pieces: list[str]) -> None:
    loads_cleanly({**BASE_FILES, "intents/fuzz.yaml": "".join(pieces)})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levels=st.integers(2, 12), width=st.integers(2, 10))
def test_billion_laughs_aliases_are_refused_quickly_in_bounded_memory(levels: int, width: int) -> None:
    error = loads_cleanly({**BASE_FILES, "intents/laughs.yaml": billion_laughs(levels, width)}, measure_memory=True)
    if width ** levels > 100_000:
        assert error is not None and "too many values" in str(error)


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}"), ("- ", "")])
@pytest.mark.parametrize("depth", [100, 5_000, 100_000])
def test_deep_nesting_is_a_knowledge_error(opener: str, closer: str, depth: int) -> None:
    if opener == "- ":
        text = "".join("  " * i + "-\n" for i in range(min(depth, 3000)))  # block style: indentation grows
    else:
        text = opener * depth + "x" + closer * depth
    error = loads_cleanly({**BASE_FILES, "intents/deep.yaml": "version: 1\nintents: " + text},
                          measure_memory=depth <= 5_000)
    assert error is not None


@pytest.mark.parametrize("size", [1_000_000, 4_900_000, 5_300_000])
def test_huge_scalars_load_or_are_refused_in_bounded_memory(size: int) -> None:
    text = MINI_INTENTS.replace("JC-STARはIPAが運営するIoT製品のラベリング制度です。", "あ" * (size // 3))
    loads_cleanly({**BASE_FILES, "intents/mini.yaml": text})


def test_a_file_over_the_size_limit_is_refused_without_reading_it() -> None:
    error = loads_cleanly({**BASE_FILES, "intents/big.yaml": "# " + "x" * (6 * 1024 * 1024)}, measure_memory=True)
    assert error is not None and "too large" in str(error)
