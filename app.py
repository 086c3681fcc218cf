"""Entry point: `python app.py` serves the dashboard locally; gunicorn uses `app:server`."""

from __future__ import annotations

import os
import sys

from components.app_factory import StartupError, create_app
from domain.loading import DataValidationError
from settings import Settings, SettingsError


def build_from_environment():
    try:
        settings = Settings.from_env(os.environ)
        return settings, create_app(settings)
    except (DataValidationError, StartupError, SettingsError) as exc:
        # A readable list of what to fix, not a traceback.
        print(f"The dashboard cannot start:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None


settings, app = build_from_environment()
server = app.server

if __name__ == "__main__":
    app.run(host=settings.host, port=settings.port, debug=False, dev_tools_ui=False, dev_tools_props_check=False)
