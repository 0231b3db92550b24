#!/usr/bin/env bash
# Regenerate the lock files the Docker image installs from, with uv (exact versions and hashes):
#   requirements.lock        secbot's runtime dependencies with the extras the image serves
#                            (slack, teams, postgres; from pyproject.toml), for CPython 3.11
#   requirements-build.lock  pip, setuptools and wheel for the image's build stage
# Run it after changing the dependencies in pyproject.toml; existing pins are kept where they
# still fit. `bash scripts/lock.sh --upgrade` takes the newest releases of everything.
set -euo pipefail
cd "$(dirname "$0")/.."
uv="${UV:-$(command -v uv || true)}"
if [ -z "$uv" ]; then
  # A private tool venv under build/ (ignored by git and by the image build).
  [ -x build/lock-tools/bin/uv ] || {
    python3 -m venv build/lock-tools
    build/lock-tools/bin/python -m pip install --quiet 'uv>=0.5'
  }
  uv=build/lock-tools/bin/uv
fi
compile() {
  "$uv" pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --custom-compile-command "bash scripts/lock.sh" "$@"
}
compile pyproject.toml --extra slack --extra teams --extra postgres -o requirements.lock "$@"
printf 'pip\nsetuptools\nwheel\n' | compile - -o requirements-build.lock "$@"
echo "wrote requirements.lock and requirements-build.lock"
