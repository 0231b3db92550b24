#!/usr/bin/env bash
# Install secbot with its test dependencies into .venv and run the whole test suite.
# This is the README's test command; CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  # Microsoft's Adaptive Cards parser, used by the Teams tests to check every card.
  npm ci --no-audit --no-fund --silent
fi
exec .venv/bin/python -m pytest "$@"
