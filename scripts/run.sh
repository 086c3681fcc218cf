#!/usr/bin/env bash
# Sets up (idempotently) and serves the dashboard at http://${PPH_HOST:-127.0.0.1}:${PPH_PORT:-8050}
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python app.py
