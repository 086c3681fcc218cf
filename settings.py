"""Configuration: every setting the app reads from the environment, parsed in one place.

`Settings.from_env(os.environ)` in production; tests pass a dict. Dash's own DASH_* variables
are left to Dash.
"""

from __future__ import annotations

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
                f"PPH_FRAME_ANCESTORS takes space-separated origins like https://intranet.example.org, got {origin!r}")
        origins.append(origin)
    return ("'self'", *origins)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8050
    data_dir: Path = REPO_ROOT / "data"
    topojson_dir: Path = REPO_ROOT / "vendor" / "topojson"
    plotly_dir: Path = REPO_ROOT / "vendor" / "plotly"
    url_prefix: str = "/"  # the path users reach the app at, e.g. /collaboration/
    # True behind a proxy that strips url_prefix before forwarding (the app then routes at /).
    proxy_strips_prefix: bool = False
    # Origins allowed to show the app in an iframe (CSP frame-ancestors).
    frame_ancestors: tuple[str, ...] = ("'self'",)

    @property
    def routes_prefix(self) -> str:
        """The path prefix of requests as they reach the app."""
        return "/" if self.proxy_strips_prefix else self.url_prefix

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        defaults = cls()
        return cls(
            host=env.get("PPH_HOST", defaults.host),
            port=_port(env.get("PPH_PORT", str(defaults.port))),
            data_dir=Path(env.get("PPH_DATA_DIR", str(defaults.data_dir))),
            topojson_dir=Path(env.get("PPH_TOPOJSON_DIR", str(defaults.topojson_dir))),
            url_prefix=_prefix(env.get("PPH_URL_PREFIX", defaults.url_prefix)),
            proxy_strips_prefix=_flag("PPH_PROXY_STRIPS_PREFIX", env.get("PPH_PROXY_STRIPS_PREFIX", "0")),
            frame_ancestors=_origins(env.get("PPH_FRAME_ANCESTORS", "")),
        )
