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
# The web pages are tested in headless Chromium (tests/adapters/web). Playwright's own browser
# download needs the internet, so Debian's chromium is used; CI (root, apt) installs it when missing.
if ! command -v chromium >/dev/null 2>&1 && [ "${CI:-}" = "true" ] && [ "$(id -u)" = "0" ] \
    && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the browser tests..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic) >/dev/null \
    || echo "could not install chromium: the browser tests will fail" >&2
fi
exec .venv/bin/python -m pytest "$@"
