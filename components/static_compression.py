"""HTTP: static files (scripts, styles, the base map) compressed once and served from memory.

Dash's own compression gzips every response on every request, about 40 ms of worker CPU for the
plotly bundle, and sends a client that accepts only gzip the files raw. Static files never change
while the process runs (their URLs carry a version or fingerprint), so each is compressed once, at
its first request, and kept per app. Dynamic responses (callbacks, the layout) are left to Dash.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable

from flask import Flask, Response, request

# Compressing below this size costs more than it saves.
MIN_BYTES = 1024


def install_precompressed_static(server: Flask, path_prefixes: Iterable[str]) -> None:
    prefixes = tuple(path_prefixes)
    compressed: dict[tuple[str, str], bytes] = {}  # (path, validator) -> gzip bytes; one entry per file

    # Registered after Dash's own compression hook, so Flask runs it first: a response that leaves
    # here with a Content-Encoding is not compressed again.
    @server.after_request
    def serve_precompressed(response: Response) -> Response:
        if (request.method != "GET" or response.status_code != 200 or not request.path.startswith(prefixes)
                or "Content-Encoding" in response.headers or "gzip" not in request.accept_encodings):
            return response
        response.direct_passthrough = False  # files are streamed by default; read them once here
        validator = response.headers.get("ETag") or response.headers.get("Last-Modified") or ""
        key = (request.path, validator)
        body = compressed.get(key)
        if body is None:
            raw = response.get_data()
            if len(raw) < MIN_BYTES:
                return response
            body = compressed[key] = gzip.compress(raw, compresslevel=9, mtime=0)
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(body))
        response.vary.add("Accept-Encoding")
        return response
