#!/usr/bin/env bash
# Install glassnet with its test dependencies into .venv, then run the whole suite.
# Exits non-zero when any test fails (pytest's exit code passes through).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m ruff check src tests benchmarks
exec .venv/bin/python -m pytest "$@"
