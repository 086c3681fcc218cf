"""A whole nginx.conf for a test: nginx in the foreground, every file it writes in the test's folder,
around the `http` block a test gives (its upstreams and servers)."""

from __future__ import annotations

import os
from pathlib import Path


def nginx_conf(tmp: Path, http_body: str, error_level: str = "warn", connections: int = 256) -> str:
    # nginx refuses to drop to its default user when it runs as root in a container without one.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log {error_level};
events {{ worker_connections {connections}; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{http_body}
}}
"""
