#!/usr/bin/env bash
# Installs the front-end files the app and its tests need from the npm registry into vendor/
# (git-ignored; never committed). Idempotent: a package already installed from the locked tarball
# is skipped.
#   scripts/fetch_frontend.sh          runtime files
#   scripts/fetch_frontend.sh --dev    plus test tools (axe-core)
# VENDOR_DIR puts the files elsewhere than vendor/ (tests use it to run the script in a temp folder).
#
# Each package's tarball (what `npm pack` downloads) is checked against the sha256 recorded below
# before anything is extracted: a registry that serves other bytes for the same version stops the
# install. To move a package, change its version, run `npm pack <name>@<version>` and record the
# output of `sha256sum` on the .tgz.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=${VENDOR_DIR:-vendor}

fail() {
  echo "fetch_frontend: $*" >&2
  exit 1
}

# name  version  sha256 of the tarball  files to copy (globs, from the package folder)  folder under $vendor
fetch() {
  local name=$1 version=$2 sha256=$3 files=$4 dest=$vendor/$5
  local stamp="$name@$version sha256:$sha256"
  if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$stamp" ]; then
    return 0
  fi
  local tmp staging=$dest.partial
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064  # expand now: the trap outlives this function's locals
  trap "rm -rf '$tmp' '$staging'" EXIT
  (cd "$tmp" && npm pack -q "$name@$version" >/dev/null) || fail "npm pack $name@$version failed"
  local tarballs=("$tmp"/*.tgz)
  [ "${#tarballs[@]}" = 1 ] && [ -f "${tarballs[0]}" ] || fail "npm pack $name@$version gave no single .tgz"
  local actual
  actual=$(sha256sum "${tarballs[0]}" | cut -d' ' -f1)
  if [ "$actual" != "$sha256" ]; then
    fail "SHA-256 MISMATCH for $name@$version: expected $sha256, got $actual. Not installed. If the" \
      "version was changed on purpose, record the new hash in scripts/fetch_frontend.sh."
  fi
  tar -xzf "${tarballs[0]}" -C "$tmp"
  # Assembled beside the destination and moved into place only when complete, so a failure leaves
  # neither a half-filled folder nor a stamp that claims the package is installed.
  rm -rf "$staging"
  mkdir -p "$staging"
  local pattern matches
  for pattern in $files "LICENSE*"; do
    # shellcheck disable=SC2206  # the pattern is a glob on purpose
    matches=($tmp/package/$pattern)
    [ -e "${matches[0]}" ] || fail "$name@$version has no file matching '$pattern'; nothing installed"
    cp "${matches[@]}" "$staging"/
  done
  echo "$stamp" > "$staging/.version"
  rm -rf "$dest"
  mv "$staging" "$dest"
  rm -rf "$tmp"
  trap - EXIT
}

# A plotly.js bundle with the traces the app's charts draw (scatter; the map is the app's own SVG). The
# app serves it at a URL keyed on its content hash, so no version needs repeating in Python.
fetch plotly.js-basic-dist-min 4.1.1 ea907f854b6cec4f6a2fa71540ec019a21ed2c61e6a109ddd5c072103a96eed0 \
  "plotly-basic.min.js" plotly
if [ "${1:-}" = "--dev" ]; then
  # Accessibility rules run by the browser tests.
  fetch axe-core 4.14.1 e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745 \
    "axe.min.js" axe-core
fi
