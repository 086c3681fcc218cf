"""Static files at URLs keyed on their content: the page names the plotly.js bundle by a digest of the
bytes served there, caches may keep it for good, and a URL with any other digest gets no bytes. The
page loads no plotly.js of its own: it names the bundle for the charts to load when first drawn. The
map's shapes travel in the page's layout. Through Flask's test client, under a URL prefix."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

from components.app_factory import create_app
from domain.loading import load_dataset
from settings import Settings

REPO = Path(__file__).resolve().parents[2]
PREFIX = "/collab/"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(REPO / "data")


@pytest.fixture(scope="module")
def client(dataset):
    return create_app(Settings(url_prefix=PREFIX), dataset).server.test_client()


def digest_in(url: str) -> str:
    found = re.findall(r"[./]([0-9a-f]{20})[./]", url)
    assert len(found) == 1, url
    return found[0]


def bundle_url(page: str) -> str:
    """The plotly.js bundle as the page names it: in its meta tag, not a script tag (assets/plotly-on-demand.js)."""
    assert not re.findall(r'<script src="([^"]*/vendor/[^"]*)"', page), "the page loads plotly.js before any chart"
    named = re.findall(r'<meta name="pph-plotly-bundle" content="([^"]+)"', page)
    assert len(named) == 1, named
    return named[0]


def page_urls(client) -> dict[str, str]:
    """The hashed URLs as the page gives them."""
    return {"bundle": bundle_url(client.get(PREFIX).get_data(as_text=True))}


def test_sta001_page_urls_carry_the_digest_of_the_bytes_served(client, dataset):
    urls = page_urls(client)
    expected = {"bundle": (REPO / "vendor" / "plotly" / "plotly-basic.min.js").read_bytes()}
    for name, url in urls.items():
        assert url.startswith(PREFIX), url
        response = client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, url
        assert response.data == expected[name], name
        assert hashlib.sha256(response.data).hexdigest().startswith(digest_in(url)), url


def test_sta002_hashed_files_are_cached_for_good(client):
    for url in page_urls(client).values():
        response = client.get(url)
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        assert response.headers["ETag"] == f'"{digest_in(url)}"'
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_sta003_another_digest_gets_no_bytes(client):
    urls = page_urls(client)
    digests = {digest_in(url) for url in urls.values()}
    for url in urls.values():
        digest = digest_in(url)
        wrong = url.replace(digest, "0" * len(digest))
        response = client.get(wrong)
        assert response.status_code == 404, wrong
        assert "immutable" not in response.headers.get("Cache-Control", "")
        # The digest of other bytes the app serves is no better.
        for other in digests - {digest}:
            assert client.get(url.replace(digest, other)).status_code == 404
    # The URLs before digests (a version, no digest at all) are gone too.
    assert client.get(f"{PREFIX}vendor/plotly-4.1.1.min.js").status_code == 404
    assert client.get(f"{PREFIX}vendor/plotly-basic.min.js").status_code == 404


def test_sta004_hashed_files_are_gzipped_once_when_accepted(client):
    for url in page_urls(client).values():
        zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert zipped.headers["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in zipped.headers["Vary"]
        assert zipped.headers["Cache-Control"] == IMMUTABLE
        assert gzip.decompress(zipped.data) == plain.data and "Content-Encoding" not in plain.headers
        assert len(zipped.data) < len(plain.data) / 2


def test_sta005_unhashed_geometry_address_is_always_revalidated(client, dataset):
    response = client.get(f"{PREFIX}geo/police_force_areas.geojson", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and response.data == dataset.boundaries.geojson_bytes
    assert response.headers["Cache-Control"] == "no-cache"


def test_sta006_proxy_that_strips_the_prefix(dataset):
    """The page names /collab/... while the app answers at /... (PPH_PROXY_STRIPS_PREFIX=1)."""
    stripped = create_app(Settings(url_prefix=PREFIX, proxy_strips_prefix=True), dataset).server.test_client()
    bundle = bundle_url(stripped.get("/").get_data(as_text=True))
    assert bundle.startswith(f"{PREFIX}vendor/plotly-basic.")
    assert stripped.get(bundle.removeprefix(PREFIX[:-1])).headers["Cache-Control"] == IMMUTABLE
    assert stripped.get("/geo/police_force_areas.geojson").status_code == 200
