#!/usr/bin/env bash
# Sets up (idempotently) and serves the dashboard as production does, with gunicorn and
# gunicorn.conf.py, at http://${PPH_HOST:-127.0.0.1}:${PPH_PORT:-8050}
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# PPH_BIND, when set, wins; otherwise the same host and port as `python app.py`.
if [ -z "${PPH_BIND+set}" ]; then
  export PPH_BIND="${PPH_HOST:-127.0.0.1}:${PPH_PORT:-8050}"
fi
exec .venv/bin/gunicorn -c gunicorn.conf.py app:server
