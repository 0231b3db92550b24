#!/usr/bin/env bash
# Install secbot with every extra (Slack, Teams, PostgreSQL) and its test dependencies into .venv,
# and run the whole test suite (with ruff, the import-layer contracts and mypy, see
# tests/unit/test_architecture.py).
# This is the README's test command; CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[slack,teams,postgres,test]'
if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  # Microsoft's Adaptive Cards parser, used by the Teams tests to check every card.
  npm ci --no-audit --no-fund --silent
fi
exec .venv/bin/python -m pytest "$@"
