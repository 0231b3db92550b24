"""What the subcommands share: options, settings, bot creation with clear errors."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from bot.knowledge_base import KnowledgeError, NotKnowledgeFolder
from bot.lang import SUPPORTED, environment_locale, locale_language
from bot.models import valid_text
from bot.settings import Settings
from bot.store.base import DatabaseUrlError, StoreError, check_database_url

if TYPE_CHECKING:
    from bot.store.base import Store

T = TypeVar("T")

EXIT_PROBLEMS = 1  # the input was understood but is wrong (broken knowledge, failed checks)
EXIT_USAGE = 2  # bad arguments or input values


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_PROBLEMS):
        super().__init__(message)
        self.code = code


# The packages each optional front end needs (pyproject.toml's extras); the terminal needs none.
EXTRAS = {"slack": ("slack_bolt", "slack_sdk"), "teams": ("botbuilder", "botframework", "msrest"),
          "postgres": ("asyncpg",)}


def import_extra(module: str, extra: str) -> ModuleType:
    """Import a front end; without its extra installed, a one-line CliError says what to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in EXTRAS[extra]:
            raise CliError(f"{extra.capitalize()} support is not installed: pip install 'secbot[{extra}]'",
                           EXIT_USAGE) from None
        raise


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand takes (an argparse parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--knowledge", metavar="DIR", type=Path,
                        help="knowledge folder to use (default: $SECBOT_KNOWLEDGE or the shipped one)")
    parent.add_argument("--database-url", metavar="URL",
                        help="storage URL (default: $SECBOT_DATABASE_URL or a SQLite file in your data folder)")
    return parent


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "knowledge", None):
        overrides["knowledge_dir"] = args.knowledge
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    settings = Settings.from_env(os.environ, **overrides)
    try:  # the one check of --database-url / SECBOT_DATABASE_URL, for every command
        check_database_url(settings.database_url)
    except StoreError as exc:
        raise store_failure(exc) from None
    return settings


def output_lang(args: argparse.Namespace | None = None, env: Mapping[str, str] | None = None) -> str:
    """The one rule for the language of every command's output (and `secbot chat`'s first words):
    --lang; else SECBOT_DEFAULT_LANG; else the locale (LC_ALL, LC_MESSAGES, LANG: ja* or en*);
    else (C, POSIX, unset) the settings' default language, Japanese."""
    env = os.environ if env is None else env
    chosen = getattr(args, "lang", None)
    if chosen in SUPPORTED:
        return str(chosen)
    configured = env.get("SECBOT_DEFAULT_LANG")
    if configured in SUPPORTED:
        return str(configured)
    return locale_language(environment_locale(env)) or Settings().default_lang


def knowledge_failure(exc: KnowledgeError) -> CliError:
    """Problems inside a knowledge folder exit 1; a folder that is no knowledge folder is a usage error."""
    if isinstance(exc, NotKnowledgeFolder):
        return CliError("\n".join(str(p) for p in exc.problems), EXIT_USAGE)
    lines = [f"the knowledge base has {len(exc.problems)} problem(s):"] + [f"  {p}" for p in exc.problems]
    return CliError("\n".join(lines), EXIT_PROBLEMS)


def store_failure(exc: StoreError) -> CliError:
    return CliError(f"storage: {exc}", EXIT_USAGE if isinstance(exc, DatabaseUrlError) else EXIT_PROBLEMS)


async def using_store(url: str | None, work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the store at `url`, run `work` with it, close it; storage errors become CliError."""
    from bot.store.base import open_store

    try:
        store = open_store(url)
    except StoreError as exc:
        raise store_failure(exc) from None
    try:
        await store.open()
        return await work(store)
    except StoreError as exc:
        raise store_failure(exc) from None
    finally:
        await store.close()


def run_with_store(args: argparse.Namespace, work: Callable[[Store], Awaitable[T]]) -> T:
    """`using_store` on the database the command line or environment names, from sync code."""
    return asyncio.run(using_store(settings_from(args).database_url, work))


def read_lines(source: str) -> list[str]:
    """Lines of a file, or of stdin for '-', with a clear error if unreadable.

    A file and stdin are read the same way: a UTF-8 BOM is dropped, and bytes that are not UTF-8
    become U+FFFD with one warning on stderr naming the lines (a batch is not lost for one line)."""
    try:
        if source == "-":
            binary = getattr(sys.stdin, "buffer", None)
            if binary is None:  # a text stream (tests, an embedding program): already decoded
                return valid_text(sys.stdin.read()).removeprefix("\ufeff").splitlines()
            data = binary.read()
        else:
            data = Path(source).read_bytes()
    except FileNotFoundError:
        raise CliError(f"file not found: {source}", EXIT_USAGE) from None
    except IsADirectoryError:
        raise CliError(f"{source} is a folder, not a file", EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror}", EXIT_USAGE) from None
    lines, bad = decode_lines(data.removeprefix(b"\xef\xbb\xbf"))
    if bad:
        where = "standard input" if source == "-" else source
        numbers = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
        print(f"secbot: warning: {where}: line{'s' if len(bad) > 1 else ''} {numbers} not UTF-8: "
              "the undecodable bytes were replaced with U+FFFD", file=sys.stderr)
    return lines


def decode_lines(data: bytes) -> tuple[list[str], list[int]]:
    """(lines, the 1-based numbers of lines that were not valid UTF-8 and had bytes replaced)."""
    lines, bad = [], []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("utf-8", "replace"))
            bad.append(number)
    return lines, bad
