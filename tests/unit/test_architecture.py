"""The layering (docs/architecture.md) and the static checks run with the tests, so that a
change that breaks them fails here, not in review."""

from __future__ import annotations

import ast
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


PLATFORM_NAMES = {"slack", "teams", "msteams", "web", "console"}
# The name a message without one carries (tests, the terminal): a name, not a decision.
ALLOWED_NAMES = {("bot/models.py", "console")}


def _platform_names(path: Path) -> list[str]:
    """String constants naming a platform (`platform == "slack"`, `("slack", "teams")`)."""
    rel = path.relative_to(ROOT).as_posix()
    return [f"{rel}:{node.lineno}: {node.value!r}" for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.lower() in PLATFORM_NAMES and (rel, node.value) not in ALLOWED_NAMES]


def test_core_and_skills_decide_by_capabilities_not_platform_names():
    """What a front end can render is in IncomingMessage.capabilities; the core and the skills
    name no platform."""
    offenders = [hit for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("intents/**/*.py")]
                 for hit in _platform_names(path)]
    assert offenders == []


def test_the_core_option_limit_is_the_shortest_any_front_end_shows_whole():
    """The knowledge checks keep choice labels within OPTION_LABEL_LIMIT, so no front end cuts one."""
    from adapters.console.chat import CAPABILITIES as CONSOLE
    from adapters.slack.convert import CAPABILITIES as SLACK
    from adapters.teams.convert import CAPABILITIES as TEAMS
    from adapters.web.chat import CAPABILITIES as WEB
    from bot.models import OPTION_LABEL_LIMIT

    limits = [c.option_label_length for c in (CONSOLE, SLACK, TEAMS, WEB) if c.option_label_length is not None]
    assert min(limits) == OPTION_LABEL_LIMIT
    assert CONSOLE.forms is False and SLACK.forms and TEAMS.forms and WEB.forms


TEAMS_SDK = ("botbuilder", "botframework", "msrest")
SLACK_SDK = ("slack_bolt", "slack_sdk")


def _sdk_importers(sdk: tuple[str, ...]) -> set[str]:
    """The modules of bot/, intents/ and adapters/ that import one of `sdk`, at any depth of the code."""
    found = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("intents/**/*.py"), *ROOT.glob("adapters/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(name.split(".")[0] in sdk for name in names):
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_the_teams_sdk_stays_inside_adapters_teams_sdk():
    """botbuilder, botframework and msrest are imported in adapters/teams/sdk/ only, so a move to the
    Microsoft 365 Agents SDK replaces that package and what uses its names."""
    importers = _sdk_importers(TEAMS_SDK)
    assert importers and all(path.startswith("adapters/teams/sdk/") for path in importers), sorted(importers)


def test_the_slack_sdk_stays_inside_the_slack_transport_modules():
    """slack_bolt and slack_sdk: the app (listeners and Web API calls), the HTTP server and the
    Socket Mode runner; the payload conversion and Block Kit rendering are plain dicts."""
    assert _sdk_importers(SLACK_SDK) == {"adapters/slack/app.py", "adapters/slack/server.py", "adapters/slack/run.py"}
