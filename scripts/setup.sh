#!/usr/bin/env bash
# Sets up a fresh machine for this project: a virtualenv with the pinned Python packages, and
# the front-end files that come from a registry (never committed).
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --dev    plus build/test tools, Debian's chromium and nginx
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

if [ "$dev" = 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  # The deploy and storage tests start a throw-away PostgreSQL cluster of their own (tests/postgres_cluster.py).
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -q
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    else
      echo "setup: please install Debian packages: ${missing[*]} (sudo apt-get install -y ${missing[*]})" >&2
      exit 1
    fi
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$dev" = 1 ]; then
  .venv/bin/python -m pip install -q -r requirements-dev.txt
else
  .venv/bin/python -m pip install -q -r requirements.txt
fi

if [ "$dev" = 1 ]; then scripts/fetch_frontend.sh --dev; else scripts/fetch_frontend.sh; fi
