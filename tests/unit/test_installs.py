"""Installs that are the same bytes every time: locked Python requirements with hashes, the geo stack
kept out of the running app, and npm tarballs checked against recorded hashes before anything of
theirs is installed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GEO_STACK = ("geopandas", "shapely", "pyogrio", "pyproj")
# Direct pins -> the lock setup.sh installs for them.
LOCKS = {
    "requirements.txt": "requirements.lock",
    "requirements-build.txt": "requirements-build.lock",
    "requirements-dev.txt": "requirements-dev.lock",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_pins(requirements: str) -> dict[str, str]:
    """name -> version of every `name==version` line, following `-r` includes."""
    pins: dict[str, str] = {}
    for line in (REPO / requirements).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            pins.update(direct_pins(line.removeprefix("-r ").strip()))
        elif line:
            name, version = re.fullmatch(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", line).groups()
            pins[canonical(name)] = version
    return pins


def locked(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every entry of a pip-compile lock."""
    entries: dict[str, tuple[str, int]] = {}
    text = (REPO / lock).read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if head:
            entries[canonical(head.group(1))] = (head.group(2), len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
    return entries


# --- the running app imports none of the geo stack ---------------------------------------------------

SERVE_AND_REPORT = textwrap.dedent("""
    import json, re, sys
    from components.app_factory import create_app
    from settings import Settings

    client = create_app(Settings()).server.test_client()
    page = client.get("/").get_data(as_text=True)
    layout = client.get("/_dash-layout").get_data(as_text=True)
    statics = re.findall(r'content="(/vendor/[^"]+)"', page) + ["/geo/police_force_areas.geojson"]
    statuses = {path: client.get(path).status_code for path in ["/", "/_dash-layout", "/healthz", *statics]}
    geo = sorted(m for m in sys.modules if m.split(".")[0] in {GEO})
    # The probe itself: the boundary pipeline does import the stack, so a broken check shows here.
    import pipelines.boundaries  # noqa: F401 - imported for what it loads, read from sys.modules below
    after_pipeline = sorted(m for m in sys.modules if m.split(".")[0] in {GEO})
    print(json.dumps({"statuses": statuses, "geo": geo, "after_pipeline": after_pipeline}))
""").replace("{GEO}", repr(set(GEO_STACK)))


def test_ins001_running_app_serves_without_importing_the_geo_stack():
    result = subprocess.run(
        [sys.executable, "-c", SERVE_AND_REPORT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(report["statuses"]) >= 5, report  # the page, its layout, health, the bundle and the geometry
    assert set(report["statuses"].values()) == {200}, report["statuses"]
    assert report["geo"] == [], f"the running app imported {report['geo']}: move the import into the build"
    assert {"geopandas", "shapely"} <= set(report["after_pipeline"])


def test_ins002_geo_stack_is_a_build_requirement_only():
    runtime, build, dev = (direct_pins(r) for r in LOCKS)
    assert not set(GEO_STACK) & set(runtime), "requirements.txt pins part of the geo stack"
    assert not set(GEO_STACK) & set(locked("requirements.lock")), "the runtime lock pulls in the geo stack"
    assert set(GEO_STACK) <= set(build) and set(GEO_STACK) <= set(locked("requirements-build.lock"))
    # The dev install is a superset: runtime, build and the test tools.
    assert set(runtime) | set(build) <= set(dev) and {"pytest", "ruff"} <= set(dev)


@pytest.mark.parametrize("requirements", sorted(LOCKS))
def test_ins003_each_lock_holds_its_pins_with_hashes(requirements):
    pins, entries = direct_pins(requirements), locked(LOCKS[requirements])
    assert len(entries) > len(pins) >= 8  # the whole tree, not just the direct pins (requirements.txt has 9)
    stale = {
        name: (version, entries.get(name, ("missing", 0))[0])
        for name, version in pins.items()
        if entries.get(name, ("missing", 0))[0] != version
    }
    assert not stale, f"{requirements} and {LOCKS[requirements]} disagree (pin, lock): {stale}; run scripts/lock.sh"
    unhashed = [name for name, (_, hashes) in entries.items() if hashes == 0]
    assert not unhashed, f"entries without a hash in {LOCKS[requirements]}: {unhashed}"


def test_ins004_locks_agree_on_versions_and_pip_is_locked():
    versions: dict[str, set[str]] = {}
    for lock in [*LOCKS.values(), "requirements-pip.lock"]:
        for name, (version, _) in locked(lock).items():
            versions.setdefault(name, set()).add(version)
    assert not {n: v for n, v in versions.items() if len(v) > 1}, "a package has different versions in the locks"
    pip_lock = locked("requirements-pip.lock")
    assert list(pip_lock) == ["pip"] and pip_lock["pip"][1] >= 1


def test_ins005_setup_installs_pip_then_the_lock_with_required_hashes():
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    installs = [
        line.strip() for line in setup.splitlines() if "pip install" in line and not line.lstrip().startswith("#")
    ]
    assert installs and all("--require-hashes" in line for line in installs), installs
    assert "requirements-pip.lock" in installs[0]
    assert re.search(r"lock=requirements-dev\.lock; else lock=requirements\.lock", setup)
    assert "--upgrade" not in setup and "-r requirements" not in setup.replace("-r requirements-pip.lock", "")


# --- npm tarballs ---------------------------------------------------------------------------------

FETCH_LINE = re.compile(r"^([ \t]*)fetch (\S+) (\S+) ([0-9a-f]{64})", re.MULTILINE)


def tarball(files: dict[str, bytes]) -> bytes:
    """An npm-pack style .tgz (everything under package/), the same bytes every time."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(f"package/{name}")
            info.size, info.mtime = len(data), 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


GOOD = {"plotly.js-basic-dist-min": {"plotly-basic.min.js": b"/* plotly */", "LICENSE": b"MIT"}}


def run_fetch(
    tmp_path: Path, packages: dict[str, dict[str, bytes]], recorded: dict[str, str]
) -> subprocess.CompletedProcess:
    """scripts/fetch_frontend.sh run from a copy of the repository's scripts/ folder, with `npm` replaced
    by a stand-in that serves `packages`, and the hashes the copy records set to `recorded`."""
    (tmp_path / "scripts").mkdir()
    script = (REPO / "scripts" / "fetch_frontend.sh").read_text(encoding="utf-8")
    names = {m.group(2) for m in FETCH_LINE.finditer(script)}
    assert {"plotly.js-basic-dist-min"} <= names, "the script's fetch lines changed shape"
    script = FETCH_LINE.sub(
        lambda m: f"{m.group(1)}fetch {m.group(2)} {m.group(3)} {recorded.get(m.group(2), m.group(4))}", script
    )
    (tmp_path / "scripts" / "fetch_frontend.sh").write_text(script, encoding="utf-8")
    registry, bin_dir = tmp_path / "registry", tmp_path / "bin"
    registry.mkdir()
    bin_dir.mkdir()
    for name, files in packages.items():
        version = re.search(rf"^[ \t]*fetch {re.escape(name)} (\S+)", script, re.MULTILINE).group(1)
        (registry / f"{name}@{version}.tgz").write_bytes(tarball(files))
    npm = bin_dir / "npm"
    npm.write_text(
        f'#!/bin/sh\n[ "$1" = pack ] || exit 2\nshift; [ "$1" = -q ] && shift\n'
        f'cp "{registry}/$1.tgz" . || exit 1\necho "$1.tgz"\n',
        encoding="utf-8",
    )
    npm.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VENDOR_DIR": str(tmp_path / "vendor")}
    return subprocess.run(
        ["bash", str(tmp_path / "scripts" / "fetch_frontend.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def sha256_of(files: dict[str, bytes]) -> str:
    return hashlib.sha256(tarball(files)).hexdigest()


def test_ins006_fetch_installs_tarballs_whose_hash_matches_and_stamps_them(tmp_path):
    result = run_fetch(tmp_path, GOOD, {name: sha256_of(files) for name, files in GOOD.items()})
    assert result.returncode == 0, result.stderr
    vendor = tmp_path / "vendor"
    assert (vendor / "plotly" / "plotly-basic.min.js").read_bytes() == b"/* plotly */"
    assert (vendor / "plotly" / "LICENSE").is_file()
    assert (vendor / "plotly" / ".version").read_text().startswith("plotly.js-basic-dist-min@")
    assert sorted(p.name for p in vendor.iterdir()) == ["plotly"]  # no staging folder left


def test_ins007_tarball_with_another_hash_is_refused_before_extraction(tmp_path):
    recorded = {name: sha256_of(files) for name, files in GOOD.items()}
    recorded["plotly.js-basic-dist-min"] = "0" * 64  # the registry now serves other bytes for the same version
    result = run_fetch(tmp_path, GOOD, recorded)
    assert result.returncode != 0
    assert "SHA-256 MISMATCH for plotly.js-basic-dist-min" in result.stderr
    assert not (tmp_path / "vendor" / "plotly").exists()  # nothing of it installed, no stamp


def test_ins008_missing_file_fails_and_leaves_no_stamp(tmp_path):
    packages = {**GOOD, "plotly.js-basic-dist-min": {"LICENSE": b"MIT", "plotly.min.js": b"/* renamed */"}}
    result = run_fetch(tmp_path, packages, {name: sha256_of(files) for name, files in packages.items()})
    assert result.returncode != 0
    assert "no file matching 'plotly-basic.min.js'" in result.stderr
    vendor = tmp_path / "vendor"
    assert not (vendor / "plotly").exists() and not (vendor / "plotly.partial").exists()


def test_ins009_the_recorded_hashes_are_well_formed_and_distinct():
    script = (REPO / "scripts" / "fetch_frontend.sh").read_text(encoding="utf-8")
    recorded = FETCH_LINE.findall(script)
    assert {name for _, name, _, _ in recorded} == {"plotly.js-basic-dist-min", "axe-core"}
    assert len({sha for _, _, _, sha in recorded}) == len(recorded)
    assert "|| true" not in script
