"""A wrong --database-url is a clear error with exit code 2: an unsupported scheme, or a SQLite
file in a folder that does not exist (a typo must not silently create folders and an empty
database that then collects the incidents)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cli import run

# `ask` keeps nothing, but a URL it is given is still checked like everywhere else (one check).
COMMANDS = [("incidents", "list"), ("kb", "stats"), ("ask", "JC-STAR"), ("kb", "validate")]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unsupported_database_scheme_is_a_clear_usage_error(command: tuple[str, ...]) -> None:
    result = run(*command, "--database-url", "mysql://admin:hunter2@db/secbot")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "unsupported" in result.stderr and "sqlite:///" in result.stderr and "postgresql://" in result.stderr
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_sqlite_file_in_a_missing_folder_is_refused_and_nothing_is_created(command: tuple[str, ...],
                                                                              tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    result = run(*command, "--database-url", f"sqlite:///{missing / 'x.db'}")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(missing) in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_a_sqlite_file_in_an_existing_folder_is_created(tmp_path: Path) -> None:
    result = run("incidents", "list", "--database-url", f"sqlite:///{tmp_path / 'new.db'}")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new.db").exists()


def test_the_default_data_folder_is_created_on_first_use(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"), "SECBOT_DATABASE_URL": ""}
    result = run("incidents", "list", env=env)
    assert result.returncode == 0, result.stderr
    assert (home / ".local" / "share" / "secbot" / "secbot.db").exists()
