"""The built matcher, cached on disk (bot/cache.py), so that a start with unchanged knowledge
does not build it again.

The entry is named by a hash of what the matcher is built from (examples, answer texts,
synonyms) and of the code that builds it (this package's matcher, features and normalisation,
the secbot version, numpy's version); the thresholds are not part of the index and are applied
on load. Only the shipped analyzer is cached (a custom one is code we cannot hash).

Format: numpy's .npz (a zip of .npy arrays) read with allow_pickle=False, holding the index
arrays and one JSON document (UTF-8 bytes in a uint8 array) for the strings: no pickle, so a
cache file cannot run code whoever wrote it.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, cast

import numpy as np

from bot import cache as disk_cache
from bot import text as bot_text
from intents import features, matcher, normalize
from intents.features import DEFAULT_ANALYZER, Analyzer
from intents.matcher import Matcher, Thresholds

log = logging.getLogger(__name__)

_CODE = tuple(Path(module.__file__ or "") for module in (matcher, features, normalize, bot_text))
_JSON = "__json__"


def cached_matcher(examples: Sequence[tuple[str, str]], *, documents: Sequence[tuple[str, str]] = (),
                   synonyms: Sequence[tuple[str, Sequence[str]]] = (), thresholds: Thresholds | None = None,
                   analyzer: Analyzer = DEFAULT_ANALYZER) -> Matcher:
    """`Matcher(...)` with these arguments, read from the cache when it was built before."""
    thresholds = thresholds or Thresholds()
    name = _entry(examples, documents, synonyms) if analyzer is DEFAULT_ANALYZER else None
    if name is not None:
        found = _read(name, synonyms, thresholds)
        if found is not None:
            return found
    built = Matcher(examples, documents=documents, synonyms=synonyms, thresholds=thresholds, analyzer=analyzer)
    if name is not None:
        disk_cache.write(name, lambda out: _dump(built, out))
    return built


def _entry(examples: Sequence[tuple[str, str]], documents: Sequence[tuple[str, str]],
           synonyms: Iterable[tuple[str, Sequence[str]]]) -> str | None:
    if disk_cache.cache_dir() is None:
        return None
    try:
        digest = disk_cache.Digest("matcher", _CODE).add(np.__version__.encode())
    except OSError:
        return None
    inputs = [list(examples), list(documents), [[canonical, list(variants)] for canonical, variants in synonyms]]
    return digest.add(json.dumps(inputs, ensure_ascii=False).encode("utf-8", "surrogatepass")).name(".npz")


def _dump(built: Matcher, out: BinaryIO) -> None:
    arrays, plain = built.state()
    document = np.frombuffer(json.dumps(plain, ensure_ascii=False).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    arrays[_JSON] = document
    np.savez(out, **cast(dict[str, Any], arrays))  # (numpy's stubs type **kwds like allow_pickle)


def _read(name: str, synonyms: Iterable[tuple[str, Sequence[str]]], thresholds: Thresholds) -> Matcher | None:
    path = disk_cache.entry_path(name)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        plain = json.loads(arrays.pop(_JSON).tobytes().decode("utf-8", "surrogatepass"))
        return Matcher.from_state(arrays, plain, synonyms=synonyms, thresholds=thresholds)
    except (OSError, EOFError, zipfile.BadZipFile, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        log.debug("matcher cache entry %s unusable (%s: %s); rebuilding it", name, type(exc).__name__, exc)
        disk_cache.discard(name)
        return None
