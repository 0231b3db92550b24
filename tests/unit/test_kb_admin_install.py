"""The README's admin steps: `kb new-intent` never writes into the shipped (installed) knowledge,
an unfinished scaffold is skipped with a warning rather than stopping chat and serve, and after a
real non-editable install `kb eval` finds its question set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intents.evaluation import load_questions
from intents.scaffold import scaffold_intent
from knowledge import SHIPPED_DIR
from tests.unit.test_admin_ops import run_cli
from tests.unit.test_cli import run

REPO = Path(__file__).resolve().parents[2]


def shipped_files() -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in SHIPPED_DIR.rglob("*.yaml")}


def test_new_intent_without_knowledge_refuses_to_write_into_the_shipped_folder() -> None:
    before = shipped_files()
    result = run("kb", "new-intent", "vpn_patching", env={"SECBOT_KNOWLEDGE": ""})
    assert result.returncode == 2, result.stderr
    assert "--knowledge" in result.stderr and "Traceback" not in result.stderr
    assert shipped_files() == before
    assert not (SHIPPED_DIR / "intents" / "custom.yaml").exists()


def test_an_unfinished_scaffold_is_skipped_with_a_warning_and_chat_starts(mini_knowledge: Path) -> None:
    assert run_cli("kb", "new-intent", "vpn_certificates", "--knowledge", str(mini_knowledge)).returncode == 0
    chat = run("chat", "--knowledge", str(mini_knowledge), "--database-url", f"sqlite:///{mini_knowledge / 'c.db'}",
               stdin="what is jc-star\n/quit\n")
    assert chat.returncode == 0, chat.stderr
    assert "IoT security labelling" in chat.stdout
    assert "vpn_certificates" in chat.stderr and "TODO" in chat.stderr  # the admin is told what was skipped
    ask = run("ask", "--knowledge", str(mini_knowledge), "TODO: how users ask")
    assert ask.returncode == 0 and "TODO" not in ask.stdout  # the placeholder is never served


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """secbot installed from a copy of the source by pip, not editable (the dependencies are this venv's)."""
    root = tmp_path_factory.mktemp("install")
    source = root / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "*.egg-info", "__pycache__", ".pytest_cache", "tests", "benchmarks"))
    target = root / "site-packages"
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                             str(source)], capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and any(word in result.stderr for word in ("NewConnectionError", "No matching distribution",
                                                                           "Temporary failure in name resolution")):
        pytest.skip(f"pip could not fetch the build backend: {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr[-3000:]
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target), "SECBOT_KNOWLEDGE": "",
           "SECBOT_DATABASE_URL": f"sqlite:///{cwd / 'secbot.db'}"}
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


def test_kb_eval_and_new_intent_after_a_normal_install(installed: Path, tmp_path: Path) -> None:
    where = run_installed(installed, tmp_path, "kb", "validate")
    assert str(installed / "knowledge") in where.stdout, where.stdout + where.stderr  # the installed copy is used

    evaluation = run_installed(installed, tmp_path, "kb", "eval", "--json")
    assert evaluation.returncode == 0, evaluation.stderr
    shipped = load_questions(Path(__file__).resolve().parents[2] / "intents" / "eval" / "questions.yaml")
    in_scope = sum(1 for q in shipped if q.intent is not None)
    assert f'"in_scope": {in_scope}' in evaluation.stdout  # the shipped question set, read from the install

    for args in (("kb", "new-intent", "vpn_patching"),
                 ("kb", "new-intent", "vpn_patching", "--knowledge", str(installed / "knowledge"))):
        refused = run_installed(installed, tmp_path, *args)
        assert refused.returncode == 2 and "--knowledge" in refused.stderr, refused.stderr
    assert not (installed / "knowledge" / "intents" / "custom.yaml").exists()

    own = tmp_path / "my-knowledge"
    started = run_installed(installed, tmp_path, "kb", "init", str(own))
    assert started.returncode == 0 and str(installed / "knowledge") in started.stdout, started.stderr
    assert run_installed(installed, tmp_path, "kb", "validate", str(own)).returncode == 0
    added = run_installed(installed, tmp_path, "kb", "new-intent", "vpn_patching", "--knowledge", str(own))
    assert added.returncode == 0, added.stderr
    assert "vpn_patching" in (own / "intents" / "custom.yaml").read_text(encoding="utf-8")


def test_new_intent_into_a_folder_that_is_not_knowledge_refuses_and_names_kb_init(tmp_path: Path) -> None:
    missing, empty = tmp_path / "nokb", tmp_path / "empty"
    empty.mkdir()
    for folder in (missing, empty):
        result = run("kb", "new-intent", "a1", "--knowledge", str(folder))
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert f"secbot kb init {folder}" in result.stderr
    assert not missing.exists() and not any(empty.iterdir())


@pytest.mark.parametrize("command", [("ask", "JC-STAR"), ("kb", "eval"), ("kb", "test")])
def test_a_folder_holding_only_a_scaffold_is_not_served(tmp_path: Path, command: tuple[str, ...]) -> None:
    """What `kb new-intent` used to leave in a new folder: one unfinished entry, served as an empty bot."""
    folder = tmp_path / "scaffold-only"
    (folder / "intents").mkdir(parents=True)
    scaffold_intent(folder, folder / "intents" / "custom.yaml", "a1")
    result = run(*command, "--knowledge", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "no finished intents" in result.stderr and "secbot kb init" in result.stderr
    check = run("kb", "validate", str(folder))
    assert check.returncode == 1 and "no finished intents" in check.stdout, check.stdout


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_every_command_that_loads_knowledge_rejects_a_folder_that_is_not_one(tmp_path: Path, folder: str) -> None:
    path = tmp_path / folder
    if folder == "empty":
        path.mkdir()
    for command in (("ask", "JC-STAR"), ("kb", "eval"), ("kb", "test"), ("chat",)):
        result = run(*command, "--knowledge", str(path), "--database-url", f"sqlite:///{tmp_path / 'x.db'}", stdin="")
        assert result.returncode == 2 and "Traceback" not in result.stderr, (command, result.stderr)
        assert "secbot kb init" in result.stderr, result.stderr
    check = run("kb", "validate", str(path))
    assert check.returncode == 1 and "secbot kb init" in check.stdout


def test_kb_init_will_not_copy_over_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    assert run("kb", "init", str(target)).returncode == 0
    assert (target / "triage.yaml").exists() and not (target / "__init__.py").exists()
    again = run("kb", "init", str(target))
    assert again.returncode == 2 and "nothing was copied" in again.stderr
