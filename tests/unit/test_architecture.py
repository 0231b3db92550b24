"""The layering (docs/architecture.md) and the static checks run with the tests, so that a
change that breaks them fails here, not in review."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_imports_only_go_down_the_layers():
    """import-linter's contracts in pyproject.toml: adapters > intents > bot > knowledge, Slack and
    Teams independent, no Slack/Teams SDK in the core or the skills."""
    result = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_core_and_skills_have_no_lazy_imports_across_layers():
    """A function-level import is how a cycle hides from the contracts; the core and the skills have none
    of another layer."""
    offenders = []
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("intents/**/*.py")]:
        layer = path.relative_to(ROOT).parts[0]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if line.startswith((" ", "\t")) and stripped.startswith(("from adapters", "import adapters")):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
            if layer == "bot" and line.startswith((" ", "\t")) and stripped.startswith(("from intents", "import intents")):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_mypy_is_clean_on_the_code():
    result = subprocess.run([sys.executable, "-m", "mypy", "bot", "intents", "adapters"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
