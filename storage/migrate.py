"""Storage layer: `python -m storage.migrate [--url URL]` brings the register's database to the latest migration.

The URL is --url, else PPH_DATABASE_URL, else the SQLite file under var/. Running it again is a no-op.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from storage.database import connect, current_revision, default_database_url, head_revision, migrate, shown_url
from storage.errors import RegisterUnavailable

REPO_ROOT = Path(__file__).resolve().parents[1]
URL_VARIABLE = "PPH_DATABASE_URL"


def database_url(environ: Mapping[str, str], repo_root: Path = REPO_ROOT) -> str:
    """The configured database URL (a path read as a SQLite file, as the app reads it), or the default SQLite
    file when none is set."""
    from settings import database_url_of

    url = environ.get(URL_VARIABLE) or default_database_url(repo_root)
    return database_url_of(url)


def main(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ, repo_root: Path = REPO_ROOT
) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.migrate", description=__doc__)
    parser.add_argument("--url", help=f"database URL (default: ${URL_VARIABLE}, else var/register.sqlite3)")
    url = parser.parse_args(argv).url or database_url(environ, repo_root)
    try:
        engine = connect(url)
        try:
            migrate(engine)
            revision = current_revision(engine)
        finally:
            engine.dispose()
    except RegisterUnavailable as error:
        print(f"cannot migrate the register database at {shown_url(url)}: {error}", file=sys.stderr)
        return 1
    head = " (head)" if revision == head_revision() else ""
    print(f"register database at {shown_url(url)} is at revision {revision}{head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
