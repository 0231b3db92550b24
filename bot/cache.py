"""A folder of derived files (the checked knowledge, the built matcher) that make a cold start fast.

Each entry is named by a hash of everything it is derived from: the input bytes and the source
of the code that derives it (plus the secbot version), so an edited knowledge file or an
upgraded secbot never reads a stale entry; it just misses. The cache is an optimisation only:
a missing, unreadable, truncated or corrupt entry is rebuilt (logged at debug level), writes
are atomic (a temporary file renamed into place), and a folder that cannot be written simply
disables caching.

Where: $SECBOT_CACHE_DIR, else the user cache folder ($XDG_CACHE_HOME/secbot or
~/.cache/secbot on Linux, through platformdirs). SECBOT_CACHE_DIR=off (or empty) turns it off.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from bot import __version__

log = logging.getLogger(__name__)

ENV_VAR = "SECBOT_CACHE_DIR"
OFF = ("", "off", "0", "false", "no", "none")
# Entries of one kind kept (each knowledge edit makes a new one): the newest few.
KEEP_PER_KIND = 4


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    value = os.environ.get(ENV_VAR)
    if value is not None:
        return None if value.strip().lower() in OFF else Path(value).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("secbot", appauthor=False))


class Digest:
    """A sha256 over the pieces an entry is derived from, each length-prefixed (unambiguous)."""

    def __init__(self, kind: str, code: Iterable[Path]):
        self.kind = kind
        self._hash = hashlib.sha256()
        self.add(f"{kind}\0{__version__}".encode())
        for path in code:
            self.add(path.read_bytes())

    def add(self, data: bytes) -> Digest:
        self._hash.update(len(data).to_bytes(8, "little"))
        self._hash.update(data)
        return self

    def name(self, suffix: str) -> str:
        return f"{self.kind}-{self._hash.hexdigest()[:40]}{suffix}"


def read(name: str) -> bytes | None:
    """The entry's bytes, or None (caching off, no such entry, unreadable)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("cache entry %s unreadable: %s", name, exc)
        return None


def entry_path(name: str) -> Path | None:
    """Where the entry would be (for readers that stream it), or None when caching is off."""
    folder = cache_dir()
    return None if folder is None else folder / name


def write(name: str, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Store an entry atomically (`data`: the bytes, or a function writing them to a file);
    any OS failure (read-only folder, full disk) only skips caching."""
    folder = cache_dir()
    if folder is None:
        return
    import tempfile  # only when writing (a start from the cache does not)

    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    data(out)
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.debug("not caching %s: %s", name, exc)
        return
    _prune(folder, name.split("-", 1)[0])


def discard(name: str) -> None:
    """Remove a corrupt entry (best effort), so the next start does not trip on it again."""
    folder = cache_dir()
    if folder is not None:
        try:
            (folder / name).unlink(missing_ok=True)
        except OSError as exc:
            log.debug("cannot remove cache entry %s: %s", name, exc)


def _prune(folder: Path, kind: str) -> None:
    try:
        entries = sorted(folder.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_PER_KIND:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cache pruning skipped: %s", exc)
