#!/usr/bin/env bash
# Canary: runs the unit and browser tiers against the NEWEST dash, plotly and flask that PyPI serves,
# in a throw-away virtualenv, to learn before an upgrade what it would break. Everything else stays at
# the locked versions. The project's own .venv is not touched.
#
#   scripts/canary.sh                 unit + browser tiers
#   scripts/canary.sh -k profile      extra arguments go to pytest
#
# It prints the versions it tested against, then pytest's result. A failure here is news, not a
# broken build: CI does not run it. Run scripts/setup.sh --dev first (it installs chromium and the
# front-end files in vendor/ that the browser tier serves).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The direct pins without the three packages under test; the newest of those is installed after.
grep -hv -E '^(-r |#|dash==|plotly==|flask==)' requirements.txt requirements-build.txt requirements-dev.txt \
  | sed '/^[[:space:]]*$/d' > "$work/pins.txt"

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip
"$work/venv/bin/python" -m pip install -q -r "$work/pins.txt"
"$work/venv/bin/python" -m pip install -q --upgrade dash plotly flask

echo "canary: testing against $("$work/venv/bin/python" -m pip list 2>/dev/null \
  | awk 'tolower($1) ~ /^(dash|plotly|flask)$/ {printf "%s %s  ", $1, $2}')"
echo "canary: locked versions are $(grep -hE '^(dash|plotly|flask)==' requirements.lock | cut -d' ' -f1 | tr '\n' ' ')"

# The browser tier starts gunicorn from the venv that runs pytest, so the canary's own is used.
status=0
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit tests/browser "$@" || status=$?
if [ "$status" = 0 ]; then
  echo "canary: the newest dash, plotly and flask pass the unit and browser tiers"
else
  echo "canary: failures above are what an upgrade would break (pytest exit $status)"
fi
exit "$status"
