#!/usr/bin/env bash
# The project's test command: sets up (idempotently), runs the static checks, then every test tier, browser included.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -k boundaries
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
# Lint: pyflakes, syntax errors, bugbear, and RUF100 (a `noqa` that suppresses nothing); pyproject.toml [tool.ruff].
.venv/bin/ruff check --quiet .
# Formatting: the tree is as `ruff format` writes it (line length in pyproject.toml); run it before committing.
.venv/bin/ruff format --check --quiet .
# Types: strict on domain/, services/, storage/ and settings.py, checked on the rest; pyproject.toml [tool.mypy].
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
