"""A throw-away PostgreSQL cluster for tests: Debian's `postgresql` binaries, `initdb` and `pg_ctl` in a
temporary folder, listening on a private loopback port, run as an unprivileged user (PostgreSQL refuses
to run as root; under root the cluster belongs to the `postgres` system user the Debian package creates).

    cluster = PostgresCluster.create(folder)   # initdb + start
    url = cluster.new_database("register")     # an empty database, as a SQLAlchemy URL
    cluster.stop(); cluster.start()            # a database outage and its end
    cluster.destroy()
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SYSTEM_USER = "postgres"  # created by Debian's postgresql-common


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed: run scripts/setup.sh --dev."""


def server_bin_dir() -> Path:
    """Debian keeps the server programs (initdb, pg_ctl, postgres) off PATH, under one folder per version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "PostgreSQL's pg_ctl was not found: run scripts/setup.sh --dev (it installs Debian's postgresql)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresCluster:
    folder: Path
    port: int
    bin_dir: Path
    as_user: str | None  # the user the server runs as, when the tests run as root

    @classmethod
    def create(cls, folder: Path) -> PostgresCluster:
        bin_dir = server_bin_dir()
        as_user = SYSTEM_USER if os.geteuid() == 0 else None
        folder.mkdir(parents=True, exist_ok=True)
        cluster = cls(folder=folder, port=_free_port(), bin_dir=bin_dir, as_user=as_user)
        if as_user:
            shutil.chown(folder, as_user)
            # The server user must be able to reach its folder through every parent (pytest's are 0700).
            for parent in folder.parents:
                if str(parent) in ("/", "/tmp"):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o711)
        cluster._run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        cluster.start()
        return cluster

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / program), *args]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120, cwd=self.folder)

    def start(self) -> None:
        # Sockets in the cluster's own folder, not /var/run/postgresql: nothing outside the folder is touched.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start", check=False
        )
        if result.returncode != 0 and not self._ready_within(10.0):
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"PostgreSQL did not start (pg_ctl: {result.returncode}): {result.stdout} {result.stderr}\n{log[-2000:]}"
            )

    def _ready_within(self, seconds: float) -> bool:
        # pg_ctl has been seen to report a failed start of a server that then came up: ask the server.
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), check=False).returncode == 0:
                return True
            time.sleep(0.2)
        return False

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def is_running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        """Run `sql` with the cluster's own psql; its output."""
        return self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            sql,
        ).stdout

    def new_database(self, name: str) -> str:
        """An empty database `name` (dropped first if it exists); its SQLAlchemy URL."""
        self.psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
