"""HTTP: static files (scripts, styles, the plotly.js bundle) at content-hashed URLs, compressed once and
served from memory.

The plotly.js bundle the app installs is served at a URL that carries a digest of its bytes, so a
browser or proxy may keep it for a year
without asking again: new bytes get a new URL, and a URL whose digest is not that of the bytes the
process holds is a 404 rather than other bytes under an old name.

Dash's own compression gzips every response on every request, about 40 ms of worker CPU for the
plotly bundle, and sends a client that accepts only gzip the files raw. Static files never change
while the process runs (their URLs carry a digest or fingerprint), so each is compressed once, at
its first request, and kept per app. Dynamic responses (callbacks, the layout) are left to Dash.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from collections.abc import Iterable

from flask import Flask, Response, abort, request

# Compressing below this size costs more than it saves.
MIN_BYTES = 1024
# 80 bits of SHA-256: a URL that names other bytes by accident is out of reach, and URLs stay short.
DIGEST_HEX_CHARS = 20
# The bytes behind a hashed URL never change, so caches may keep them for a year without revalidating.
IMMUTABLE = "public, max-age=31536000, immutable"


@functools.lru_cache(maxsize=8)
def content_digest(data: bytes) -> str:
    """The digest that names `data` in its URL. Cached: layouts ask for the geometry's on every build."""
    return hashlib.sha256(data).hexdigest()[:DIGEST_HEX_CHARS]


def hashed_file_response(data: bytes, digest: str, asked_digest: str, mimetype: str) -> Response:
    """`data` if the URL names its digest, else 404: an old page's URL never gets other bytes."""
    if asked_digest != digest:
        abort(404)
    response = Response(data, mimetype=mimetype)
    response.set_etag(digest)
    response.headers["Cache-Control"] = IMMUTABLE
    response.make_conditional(request)  # in place (it returns the same object, typed as werkzeug's Response)
    return response


def install_precompressed_static(server: Flask, path_prefixes: Iterable[str]) -> None:
    prefixes = tuple(path_prefixes)
    compressed: dict[tuple[str, str], bytes] = {}  # (path, validator) -> gzip bytes; one entry per file

    # Registered after Dash's own compression hook, so Flask runs it first: a response that leaves
    # here with a Content-Encoding is not compressed again.
    @server.after_request
    def serve_precompressed(response: Response) -> Response:
        if (
            request.method != "GET"
            or response.status_code != 200
            or not request.path.startswith(prefixes)
            or "Content-Encoding" in response.headers
            or "gzip" not in request.accept_encodings
        ):
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
