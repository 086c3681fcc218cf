#!/usr/bin/env bash
# Regenerates the hash-locked requirement files that scripts/setup.sh installs, from the direct pins:
#   requirements-pip.lock    pip itself (installed first, so every later install runs the same resolver)
#   requirements.lock        requirements.txt            (runtime: what the running app imports)
#   requirements-build.lock  requirements-build.txt      (runtime + the boundary pipeline's geo stack)
#   requirements-dev.lock    requirements-dev.txt        (runtime + build + test and lint tools)
# Every distribution file of every locked version is listed with its sha256, so
# `pip install --require-hashes` refuses any byte that differs from what was locked.
#
#   scripts/lock.sh                    keep the versions already locked; add or drop only what the pins changed
#   scripts/lock.sh --upgrade          re-resolve every transitive dependency to its newest allowed version
#   PIP_VERSION=26.4 scripts/lock.sh   move the pinned pip (otherwise the one in requirements-pip.lock)
#
# pip-tools runs in a throwaway virtualenv: it is a tool for writing the locks, not a dependency.
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_TOOLS_VERSION=7.6.2
upgrade=()
[ "${1:-}" = "--upgrade" ] && upgrade=(--upgrade)

current_pip=$(sed -n 's/^pip==\([^ ]*\).*/\1/p' requirements-pip.lock 2>/dev/null || true)
pip_version=${PIP_VERSION:-${current_pip:?"requirements-pip.lock has no pip==<version> line: set PIP_VERSION"}}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/tools"
"$work/tools/bin/python" -m pip install -q "pip==$pip_version" "pip-tools==$PIP_TOOLS_VERSION"

compile() {
  local output=$1
  shift
  # No index or find-links lines in the output: where the files come from is the installer's
  # business; the hashes decide whether they are acceptable.
  "$work/tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --no-emit-trusted-host "${upgrade[@]}" \
    --output-file "$output" "$@"
}

echo "pip==$pip_version" > "$work/pip.txt"
compile requirements-pip.lock "$work/pip.txt"
# The temporary input's path would otherwise appear in the lock's comments and change every run.
sed -i "s|$work/pip.txt|PIP_VERSION in scripts/lock.sh|" requirements-pip.lock

# The widest set first; the narrower locks are then constrained to its versions, so a package has
# the same version in every lock and `setup.sh` then `setup.sh --dev` never swaps one under the other.
compile requirements-dev.lock requirements-dev.txt
sed -e 's/ *\\$//' -e '/^ *--hash/d' -e '/^ *#/d' -e '/^$/d' requirements-dev.lock > "$work/constraints.txt"
compile requirements-build.lock requirements-build.txt --constraint "$work/constraints.txt"
compile requirements.lock requirements.txt --constraint "$work/constraints.txt"
for lock in requirements-build.lock requirements.lock; do
  sed -i "s|$work/constraints.txt|requirements-dev.lock|" "$lock"
done
echo "lock: wrote requirements-pip.lock requirements.lock requirements-build.lock requirements-dev.lock"
