"""Configuration: every setting the app reads from the environment, parsed in one place.

`Settings.from_env(os.environ)` in production; tests pass a dict. Dash's own DASH_* variables
are left to Dash.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent


class SettingsError(ValueError):
    """An environment variable has a value the app cannot use."""


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"PPH_PORT must be a port number from 1 to 65535, got {raw!r}")
    return int(raw)


def database_url_of(raw: str) -> str:
    """PPH_DATABASE_URL: a SQLAlchemy URL (sqlite:///…, postgresql+psycopg://…), or a path, read as a SQLite file
    (relative to the working folder), as the README's default `var/register.sqlite3` reads. Anything else that
    cannot be read as a URL stops the start with a sentence, never a traceback from deep in the database layer."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    value = raw.strip()
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    try:
        backend = make_url(value).get_backend_name()
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        backend = ""
    if backend not in ("sqlite", "postgresql"):
        raise SettingsError(
            "PPH_DATABASE_URL must be a SQLite or PostgreSQL URL (sqlite:////srv/pph/register.sqlite3, "
            "postgresql+psycopg://user@host/db) or a path to a SQLite file; got a value that is neither"
        )
    return value


def _prefix(raw: str) -> str:
    stripped = raw.strip().strip("/")
    return f"/{stripped}/" if stripped else "/"


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in {"0", "1", "true", "false", "yes", "no", ""}:
        raise SettingsError(f"{name} must be 1 or 0, got {raw!r}")
    return value in {"1", "true", "yes"}


def _origins(raw: str) -> tuple[str, ...]:
    """'https://intranet.example.org https://x.example' -> ("'self'", those origins)."""
    origins = []
    for origin in raw.split():
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise SettingsError(
                f"PPH_FRAME_ANCESTORS takes space-separated origins like https://intranet.example.org, got {origin!r}"
            )
        origins.append(origin)
    return ("'self'", *origins)


def _user_names(name: str, raw: str) -> frozenset[str]:
    names = raw.replace(",", " ").split()
    bad = [n for n in names if not USER_NAME.fullmatch(n)]
    if bad:
        raise SettingsError(f"{name} takes space-separated user names, got {bad[0]!r}")
    return frozenset(names)


def _addresses(raw: str) -> frozenset[str]:
    addresses = raw.replace(",", " ").split()
    for address in addresses:
        if address == "*":
            continue  # any address, as gunicorn reads the same setting; only safe when nothing but the proxy can connect
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise SettingsError(f"PPH_FORWARDED_ALLOW_IPS takes IP addresses like 127.0.0.1, got {address!r}") from None
    return frozenset(addresses)


def _header(raw: str) -> str:
    value = raw.strip()
    if value and not re.fullmatch(r"[A-Za-z0-9-]{1,64}", value):
        raise SettingsError(f"PPH_USER_HEADER must be a header name like X-Remote-User, got {raw!r}")
    return value


def _positive(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def _dev_user(raw: str) -> str:
    value = raw.strip()
    if value and not USER_NAME.fullmatch(value):
        raise SettingsError(f"PPH_DEV_USER must be a user name like alice, got {raw!r}")
    return value


# A user name as an intranet's single sign-on passes it: letters, digits and . _ @ \ -
USER_NAME = re.compile(r"[A-Za-z0-9._@\\-]{1,100}")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8050
    data_dir: Path = REPO_ROOT / "data"
    plotly_dir: Path = REPO_ROOT / "vendor" / "plotly"
    url_prefix: str = "/"  # the path users reach the app at, e.g. /collaboration/
    # True behind a proxy that strips url_prefix before forwarding (the app then routes at /).
    proxy_strips_prefix: bool = False
    # Origins allowed to show the app in an iframe (CSP frame-ancestors).
    frame_ancestors: tuple[str, ...] = ("'self'",)
    # The register: off unless asked for, so the default app stays the read-only dashboard.
    register: bool = False
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'register.sqlite3'}"
    # Identity comes from the intranet's reverse proxy, in this header, trusted only from these addresses.
    user_header: str = ""
    forwarded_allow_ips: frozenset[str] = frozenset({"127.0.0.1"})
    reviewers: frozenset[str] = frozenset()
    dev_user: str = ""  # a laptop trial's stand-in for the proxy; logged as a warning at start-up
    organisation: str = "this register's reviewers"  # who reviews, as "Register, reviewed <date> by <organisation>"
    submissions_per_hour: int = 20
    register_poll_seconds: int = 2  # how soon every worker shows a publication
    review_own: bool = False  # may a reviewer publish their own proposal (off: another reviewer must)

    def __post_init__(self) -> None:
        # The dev user stands in for the proxy; with a proxy header configured too, every visitor of the
        # real deployment would silently become the dev user.
        if self.dev_user and self.user_header:
            raise SettingsError(
                "PPH_DEV_USER and PPH_USER_HEADER are both set: PPH_DEV_USER would make every visitor "
                f"{self.dev_user!r} whatever the proxy says. Unset PPH_DEV_USER behind a proxy."
            )

    @property
    def routes_prefix(self) -> str:
        """The path prefix of requests as they reach the app."""
        return "/" if self.proxy_strips_prefix else self.url_prefix

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        defaults = cls()
        database_url = env.get("PPH_DATABASE_URL", "").strip() or defaults.database_url
        return cls(
            host=env.get("PPH_HOST", defaults.host),
            port=_port(env.get("PPH_PORT", str(defaults.port))),
            data_dir=Path(env.get("PPH_DATA_DIR", str(defaults.data_dir))),
            url_prefix=_prefix(env.get("PPH_URL_PREFIX", defaults.url_prefix)),
            proxy_strips_prefix=_flag("PPH_PROXY_STRIPS_PREFIX", env.get("PPH_PROXY_STRIPS_PREFIX", "0")),
            frame_ancestors=_origins(env.get("PPH_FRAME_ANCESTORS", "")),
            register=_flag("PPH_REGISTER", env.get("PPH_REGISTER", "0")),
            database_url=database_url_of(database_url),
            user_header=_header(env.get("PPH_USER_HEADER", "")),
            forwarded_allow_ips=_addresses(env["PPH_FORWARDED_ALLOW_IPS"])
            if "PPH_FORWARDED_ALLOW_IPS" in env
            else defaults.forwarded_allow_ips,
            reviewers=_user_names("PPH_REVIEWERS", env.get("PPH_REVIEWERS", "")),
            dev_user=_dev_user(env.get("PPH_DEV_USER", "")),
            organisation=env.get("PPH_ORGANISATION", "").strip()[:100] or defaults.organisation,
            submissions_per_hour=_positive("PPH_SUBMISSIONS_PER_HOUR", env.get("PPH_SUBMISSIONS_PER_HOUR", "20")),
            register_poll_seconds=_positive("PPH_REGISTER_POLL_SECONDS", env.get("PPH_REGISTER_POLL_SECONDS", "2")),
            review_own=_flag("PPH_REVIEW_OWN", env.get("PPH_REVIEW_OWN", "0")),
        )
