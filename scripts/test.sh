#!/usr/bin/env bash
# The project's test command: sets up (idempotently) and runs every test tier, browser included.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -k boundaries
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check --quiet .
exec .venv/bin/python -m pytest "$@"
