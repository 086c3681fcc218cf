"""Deployment tier: real nginx at a sub-path in front of two gunicorn instances (no sticky
sessions), for a proxy that forwards the prefix and one that strips it, driven in chromium.
Also the iframe embedding rules (CSP frame-ancestors) with an intranet page on another origin."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.nginx_conf import nginx_conf
from tests.conftest import (
    MAP_FORCES,
    REPO,
    click_force,
    free_port,
    open_watched_page,
    start_gunicorn,
    stop,
    wait_for,
    wait_until,
)
from tests import dataset_facts as facts

pytestmark = [pytest.mark.browser, pytest.mark.proxy]

PREFIX = "/collaboration/"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TIMEOUT = 20


def nginx_config(tmp: Path, port: int, upstreams: list[int], snippet: Path) -> str:
    """A whole nginx.conf around the deployment guide's location block."""
    text = snippet.read_text()
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in upstreams)
    upstream = f"upstream pph_dashboard {{\n{servers}}}\n"
    location = text[re.search(r"^location ", text, re.MULTILINE).start() :]
    return nginx_conf(
        tmp,
        f"""    {upstream}
    server {{
        listen 127.0.0.1:{port};
        {location}
    }}""",
    )


@pytest.fixture(scope="module", params=["prefix-forwarded", "prefix-stripped"])
def proxied(request, tmp_path_factory):
    style = request.param
    tmp = tmp_path_factory.mktemp(style)
    extra = {"PPH_PROXY_STRIPS_PREFIX": "1"} if style == "prefix-stripped" else {}
    instances = [
        start_gunicorn(PREFIX, workers=1, extra_env=extra, log_path=tmp / f"gunicorn-{i}.log") for i in range(2)
    ]
    port = free_port()
    conf = tmp / "nginx.conf"
    upstream_ports = [int(s.base_url.split(":")[2].split("/")[0]) for s in instances]
    conf.write_text(nginx_config(tmp, port, upstream_ports, REPO / "deploy" / f"nginx-{style}.conf"))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf)], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}{PREFIX}"
    try:
        wait_for(f"{base}healthz")
    except RuntimeError:
        nginx.kill()
        raise RuntimeError(nginx.stderr.read().decode()) from None
    yield base, instances, tmp
    nginx.terminate()
    nginx.wait(timeout=10)
    for instance in instances:
        stop(instance)


def test_dep001_map_click_and_deep_link_through_nginx_across_two_instances(browser, proxied):
    base, instances, tmp = proxied
    origin = base.rsplit(PREFIX, 1)[0]
    watched = open_watched_page(browser, origin)
    page = watched.page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))

    page.goto(f"{base}?themes=mental-health")
    page.wait_for_selector(MAP_FORCES, timeout=TIMEOUT * 1000)
    wait_until(page, facts.results_count_is("?themes=mental-health"), timeout=TIMEOUT)
    click_force(page, "E23000021")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    wait_until(page, "document.querySelector('#outcome-table')?.textContent.includes('81%')", timeout=TIMEOUT)
    assert page.url.startswith(base) and "force=E23000021" in page.url

    page.goto(page.url)  # the deep link restores the view
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    assert "themes=mental-health" in page.url

    assert watched.foreign_requests == [] and watched.console_errors == []
    assert all(url.startswith(base) for url in requested), [u for u in requested if not u.startswith(base)]
    # No sticky sessions: both instances answered callbacks of this one browser session.
    served = [(tmp / f"gunicorn-{i}.log").read_text().count("_dash-update-component") for i in range(2)]
    assert all(count > 0 for count in served), served
    page.context.close()


def test_dep002_embed_mode_hides_chrome_and_keeps_parameters(browser, proxied):
    base, _, _ = proxied
    watched = open_watched_page(browser, base.rsplit(PREFIX, 1)[0], viewport={"width": 600, "height": 900})
    page = watched.page
    page.goto(f"{base}?embed=1&force=E23000037")
    wait_until(page, facts.profile_counts_is(facts.GLOUCESTERSHIRE), timeout=TIMEOUT)
    assert page.locator("#view-title").inner_text() == "Gloucestershire Constabulary"
    wait_until(page, "document.querySelector('#app-root')?.classList.contains('embed')", timeout=TIMEOUT)
    # The header is off the screen; its h1 stays for screen readers (axe: page-has-heading-one), in a 1 px box.
    header = page.locator(".site-header").bounding_box()
    assert header is None or (header["width"] <= 1 and header["height"] <= 1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 600
    # The full dashboard opens at the same view, under the prefix, without the widget's flag.
    wait_until(
        page, "document.querySelector('#open-full-dashboard')?.href.includes('force=E23000037')", timeout=TIMEOUT
    )
    full = page.locator("#open-full-dashboard").get_attribute("href")
    assert full.startswith(base) and "embed" not in full
    assert watched.foreign_requests == [] and watched.console_errors == []
    page.context.close()


@pytest.mark.parametrize("allowed", [True, False], ids=["allowed-parent", "refused-parent"])
def test_dep003_iframe_allowed_only_for_configured_parents(browser, intranet_page, allowed):
    parent_port = free_port()
    ancestors = f"http://127.0.0.1:{parent_port}" if allowed else "https://other.example.org"
    app = start_gunicorn("/", extra_env={"PPH_FRAME_ANCESTORS": ancestors})
    try:
        context = browser.new_context()
        page = context.new_page()
        refusals: list[str] = []
        page.on("console", lambda m: refusals.append(m.text) if "frame-ancestors" in m.text else None)
        page.goto(intranet_page(app.base_url, parent_port))
        frame = page.frame_locator("#dashboard")
        if allowed:
            frame.locator(MAP_FORCES).first.wait_for(timeout=TIMEOUT * 1000)
            wait_until(
                page.frames[1],
                "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'",
                timeout=TIMEOUT,
            )
            assert refusals == []
        else:
            # Chromium reports the refusal on the console of the parent page.
            deadline = TIMEOUT
            while not refusals and deadline > 0:
                page.wait_for_timeout(250)
                deadline -= 0.25
            assert any("frame-ancestors" in r for r in refusals), refusals
            child_frames = [f for f in page.frames if f is not page.main_frame]
            assert all(f.evaluate("document.querySelector('#force-map') === null") for f in child_frames)
        context.close()
    finally:
        stop(app)


# --- identity: only the proxy names the user ---------------------------------------------------------

SHIPPED = ["prefix-forwarded", "prefix-stripped", "site"]
FORGED_NAME = "rita"  # a reviewer of the instance below
REVIEWER_ONLY = '"register-queue-refresh"'  # in the page of a reviewer, and of no one else


def shipped_config(style: str, tmp: Path, port: int, upstream: int) -> str:
    if style == "site":
        from tests.deploy.fleet import site_config

        return site_config(tmp, port, [upstream, upstream])
    return nginx_config(tmp, port, [upstream], REPO / "deploy" / f"nginx-{style}.conf")


@pytest.fixture(params=SHIPPED)
def register_behind_shipped_proxy(request, tmp_path):
    """One register instance (SQLite, user header X-Remote-User trusted from 127.0.0.1) behind one shipped
    configuration as written (nginx-site.conf with the test's sign-on stand-in, X-Test-User)."""
    style = request.param
    env = {
        "PPH_REGISTER": "1",
        "PPH_DATABASE_URL": f"sqlite:///{tmp_path / 'register.sqlite3'}",
        "PPH_USER_HEADER": "X-Remote-User",
        "PPH_REVIEWERS": FORGED_NAME,
        "PPH_DEV_USER": "",
        "PPH_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    if style == "prefix-stripped":
        env["PPH_PROXY_STRIPS_PREFIX"] = "1"
    app = start_gunicorn(PREFIX, workers=1, extra_env=env, log_path=tmp_path / "gunicorn.log")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(shipped_config(style, tmp_path, port, int(app.base_url.split(":")[2].split("/")[0])))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        wait_for(f"http://127.0.0.1:{port}{PREFIX}healthz")
    except RuntimeError:
        nginx.kill()
        stop(app)
        raise RuntimeError(nginx.stderr.read().decode()) from None
    yield style, app, f"http://127.0.0.1:{port}{PREFIX}"
    nginx.terminate()
    nginx.wait(timeout=10)
    stop(app)


def test_dep004_a_user_header_sent_by_a_browser_is_never_believed_through_a_shipped_configuration(
    register_behind_shipped_proxy,
):
    from tests.deploy.register_client import BrowserSession, Endpoint, Forms

    style, app, base = register_behind_shipped_proxy
    forged = {"X-Remote-User": FORGED_NAME}
    direct, proxied_endpoint = Endpoint(app.base_url), Endpoint(base)
    # The header does name a reviewer when the proxy sends it: straight from 127.0.0.1 it is believed.
    assert REVIEWER_ONLY in direct.request("GET", "_dash-layout", headers=forged).body.decode()

    # Through nginx, a browser's claim is replaced: the page is the anonymous one.
    for claim in (
        forged,
        {"x-remote-user": FORGED_NAME},
        {"X-Remote-User": f" {FORGED_NAME}"},
        # nginx decodes $remote_user from any Authorization header; no shipped file may trust it
        {"Authorization": "Basic " + base64.b64encode(f"{FORGED_NAME}:x".encode()).decode()},
    ):
        page = proxied_endpoint.request("GET", "_dash-layout", headers=claim)
        assert page.status == 200, page.body[:300]
        assert REVIEWER_ONLY not in page.body.decode() and "register-submit" not in page.body.decode(), (style, claim)
        assert "no-store" not in page.headers.get("cache-control", "")

    # And a reviewer's action with the forged header is refused for want of a user, not for anything else.
    forms = Forms.fetch(direct, forged)
    refused = BrowserSession(proxied_endpoint, forged).callback(forms.review([], None))
    assert refused.status == 403 and b"needs a user signed in" in refused.body, refused.body
    assert refused.headers.get("cache-control") == "private, no-store"

    if style == "site":  # the name sign-on vouched for does reach the app
        from tests.deploy.fleet import SSO_STAND_IN

        vouched = proxied_endpoint.request("GET", "_dash-layout", headers={**forged, SSO_STAND_IN: FORGED_NAME})
        assert REVIEWER_ONLY in vouched.body.decode()
        assert vouched.headers.get("cache-control") == "private, no-store"
