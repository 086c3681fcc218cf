"""Configuration: every setting the app reads from the environment, parsed in one place.

`Settings.from_env(os.environ)` in production; tests pass a dict. Dash's own DASH_* variables
are left to Dash.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8050
    data_dir: Path = REPO_ROOT / "data"
    topojson_dir: Path = REPO_ROOT / "vendor" / "topojson"
    url_prefix: str = "/"  # the path the app is served under, e.g. /collaboration/

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        defaults = cls()
        return cls(
            host=env.get("PPH_HOST", defaults.host),
            port=_port(env.get("PPH_PORT", str(defaults.port))),
            data_dir=Path(env.get("PPH_DATA_DIR", str(defaults.data_dir))),
            topojson_dir=Path(env.get("PPH_TOPOJSON_DIR", str(defaults.topojson_dir))),
            url_prefix=_prefix(env.get("PPH_URL_PREFIX", defaults.url_prefix)),
        )
