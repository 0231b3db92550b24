"""The terminal needs none of the optional extras; a front end whose extra is missing says in one
line what to install (`pip install 'secbot[slack]'`), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALL_EXTRAS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "msrest", "asyncpg")

# Runs the CLI as if the given top-level packages were not installed.
WITHOUT = """
import sys, importlib.abc
BLOCKED = set(sys.argv[1].split(","))
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
from adapters.cli import main
sys.exit(main(sys.argv[2:]))
"""


def secbot_without(blocked: tuple[str, ...], *args: str, stdin: str = "", cwd: Path = ROOT
                   ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT, ",".join(blocked), *args], input=stdin, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("command", "extra", "blocked"), [
    ("slack", "slack", ("slack_bolt", "slack_sdk")),
    ("teams", "teams", ("botbuilder", "botframework", "msrest")),
    ("both", "slack", ("slack_bolt", "slack_sdk")),
])
def test_serving_without_the_extra_says_what_to_install(command: str, extra: str, blocked: tuple[str, ...],
                                                        tmp_path: Path) -> None:
    result = secbot_without(blocked, "serve", command, "--database-url", f"sqlite:///{tmp_path / 's.db'}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"secbot: {extra.capitalize()} support is not installed: pip install 'secbot[{extra}]'"]


def test_the_terminal_chat_needs_no_extra(tmp_path: Path, mini_knowledge: Path) -> None:
    result = secbot_without(ALL_EXTRAS, "chat", "--knowledge", str(mini_knowledge), "--database-url",
                            f"sqlite:///{tmp_path / 'c.db'}", stdin="what is jc-star\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert "JC-STAR is IPA's IoT security labelling scheme." in result.stdout


def test_a_postgresql_url_without_the_extra_says_what_to_install() -> None:
    result = secbot_without(("asyncpg",), "incident", "list", "--database-url", "postgresql://secbot@127.0.0.1:1/secbot")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "pip install 'secbot[postgres]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
