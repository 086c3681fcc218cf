#!/usr/bin/env bash
# Sets up a fresh machine for this project: a virtualenv with the locked Python packages, and
# the front-end files that come from a registry (never committed).
#   scripts/setup.sh          runtime only (requirements.lock)
#   scripts/setup.sh --dev    plus build/test tools (requirements-dev.lock), Debian's chromium and nginx
# Every Python package is installed from a lock with hashes (scripts/lock.sh writes them), so every
# machine gets the same bytes; a file that differs from the locked one stops the install.
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
  command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)  # the backup test runs SQLite's documented .backup
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
# pip first, itself locked: the installer of everything else is then the same on every machine.
.venv/bin/python -m pip install -q --require-hashes -r requirements-pip.lock
if [ "$dev" = 1 ]; then lock=requirements-dev.lock; else lock=requirements.lock; fi
.venv/bin/python -m pip install -q --require-hashes -r "$lock"

if [ "$dev" = 1 ]; then scripts/fetch_frontend.sh --dev; else scripts/fetch_frontend.sh; fi
