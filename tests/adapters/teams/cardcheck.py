"""Check Adaptive Cards with Microsoft's `adaptivecards` npm package on Node.js, as Teams parses them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("validate_cards.js")
PARSER = REPO / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.js"
INSTALL_HINT = "run `npm ci` (or `npm install`) in the repository root to install the adaptivecards parser"


def card_problems(cards: list[dict[str, Any]]) -> list[list[str]]:
    node = shutil.which("node")
    if node is None or not PARSER.exists():
        if os.environ.get("SECBOT_SKIP_CARD_PARSER") == "1":
            pytest.skip("card parser skipped (SECBOT_SKIP_CARD_PARSER=1)")
        pytest.fail(f"cannot check the cards: {'node is not installed' if node is None else INSTALL_HINT}")
    result = subprocess.run([node, str(SCRIPT)], input=json.dumps(cards), capture_output=True, text=True,
                            cwd=REPO, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_valid_cards(cards: Iterable[dict[str, Any]]) -> None:
    """Parse errors and warnings of Adaptive Cards 1.5 fail the test."""
    cards = list(cards)
    assert cards, "no card to check"
    problems = card_problems(cards)
    bad = {index: found for index, found in enumerate(problems) if found}
    assert not bad, "\n".join(f"card {i}: {p}\n{json.dumps(cards[i], ensure_ascii=False)[:800]}"
                              for i, p in bad.items())
