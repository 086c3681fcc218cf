"""An HTTP client for the register that speaks to a running server (gunicorn or nginx in front of it)
the way Dash's renderer in a browser does, with nothing from the app imported in-process.

Callback requests are built from the server's own `_dash-dependencies` and the component ids of the
page (`_dash-layout`, fetched as a reviewer so every register component is there): wildcard outputs
expanded to the concrete ids the page holds, one dependency object for a single-output callback.
Each request carries what a browser sends: the `_csrf_token` cookie the page set and the same value
in `X-CSRFToken`, the page's `Origin`, `Sec-Fetch-Site: same-origin`, and the user header that the
intranet's proxy adds (or, through nginx, the test's stand-in for single sign-on).

Shared by tests/deploy/test_scale_out.py and benchmarks/load_test.py.
"""

from __future__ import annotations

import http.client
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.sample_proposal import VALID_FIELDS, VALID_FIGURE

CSRF_COOKIE = "_csrf_token"
SENT = re.compile(r"Sent for review as #(\d+)\.")
PUBLISHED = re.compile(r"Published #(\d+) as ([a-z0-9-]+)\.")

FORCE = VALID_FIELDS["force_ids"][0]  # the force every proposal names: its drill-down shows the published record


class Unanswered(Exception):
    """The request got no usable HTTP answer: refused, reset, timed out, or cut short."""

    def __init__(self, message: str, truncated: bool = False):
        super().__init__(message)
        # The status line and headers arrived, then the body stopped short: the answer was already on
        # its way when the server died, which a proxy cannot take back and send again.
        self.truncated = truncated


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    def outputs(self) -> dict[str, dict[str, Any]]:
        """A callback answer's outputs as {component id: {property: value}}."""
        parsed = self.json()
        return parsed.get("response", {}) if isinstance(parsed, dict) else {}


@dataclass
class Endpoint:
    """Where the page is: `base` is the page's URL (scheme, host, port and path prefix, ending in /)."""

    base: str
    timeout: float = 60.0

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def prefix(self) -> str:
        return urlsplit(self.base).path

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Answer:
        """One request on a fresh connection (gunicorn's sync workers close every connection anyway)."""
        parts = urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            connection.request(method, f"{self.prefix}{path}", body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return Answer(response.status, response.read(), {k.lower(): v for k, v in response.getheaders()})
        except (OSError, http.client.HTTPException) as exc:
            raise Unanswered(f"{method} {path}: {exc!r}", isinstance(exc, http.client.IncompleteRead)) from exc
        finally:
            connection.close()


def component_ids(tree: Any) -> list[Any]:
    """Every component id in a `_dash-layout` tree, in document order."""
    found: list[Any] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict):
                if "id" in props:
                    found.append(props["id"])
                stack.extend(reversed(list(props.values())))
    return found


def _declared(output: str) -> list[tuple[Any, str]]:
    """(id, property) of each output in a dependency's `output` key, as the renderer reads it: split at
    the last dot (dict ids hold dots), the property keeping the "@hash" of an allow_duplicate output."""
    multi = output.startswith("..") and output.endswith("..")
    declared = []
    for part in output[2:-2].split("...") if multi else [output]:
        component, _, prop = part.rpartition(".")
        declared.append((json.loads(component) if component.startswith("{") else component, prop))
    return declared


def _matches(pattern: Mapping[str, Any], concrete: Any) -> bool:
    if not isinstance(concrete, dict) or set(concrete) != set(pattern):
        return False
    return all(isinstance(v, list) or concrete[k] == v for k, v in pattern.items())


@dataclass
class Forms:
    """The callbacks the register's pages use, read once from a server (every instance serves the same)."""

    dependencies: list[dict[str, Any]]
    page_ids: list[Any]

    @classmethod
    def fetch(cls, endpoint: Endpoint, reviewer_headers: Mapping[str, str]) -> Forms:
        dependencies = endpoint.request("GET", "_dash-dependencies").json()
        layout = endpoint.request("GET", "_dash-layout", headers=reviewer_headers)
        if layout.status != 200:
            raise RuntimeError(f"the layout answered {layout.status}")
        return cls(dependencies, component_ids(layout.json()))

    def dependency(self, first_input: str) -> dict[str, Any]:
        return next(d for d in self.dependencies if d["inputs"] and d["inputs"][0]["id"] == first_input)

    def outputs(self, dependency: Mapping[str, Any]) -> Any:
        described: list[Any] = []
        for component, prop in _declared(dependency["output"]):
            if isinstance(component, dict):
                described.append([{"id": c, "property": prop} for c in self.page_ids if _matches(component, c)])
            else:
                described.append({"id": component, "property": prop})
        multi = dependency["output"].startswith("..")
        return described if multi else described[0]

    def submit(self, title: str, key: str) -> bytes:
        """The Send button clicked on the proposal form holding a valid initiative called `title`, with
        the idempotency key the page keeps in `register-initiative-key` (a new one after each success)."""
        dependency = self.dependency("register-submit")
        values: dict[str, Any] = {
            "register-submit": 1,
            "register-update-of": "",
            "register-figure-count": 1,
            "register-initiative-key": key,
        }
        values.update({f"register-{name}": value for name, value in {**VALID_FIELDS, "title": title}.items()})
        values.update({f"register-figure-0-{name}": value for name, value in VALID_FIGURE.items()})
        return json.dumps(
            {
                "output": dependency["output"],
                "outputs": self.outputs(dependency),
                "inputs": [{**d, "value": values.get(d["id"])} for d in dependency["inputs"]],
                "state": [{**d, "value": values.get(d["id"])} for d in dependency["state"]],
                "changedPropIds": ["register-submit.n_clicks"],
            }
        ).encode()

    def review(self, queued: list[int], clicked: int | None) -> bytes:
        """The reviewer's queue: "Refresh" (clicked None) or "Publish" on submission `clicked`, with the
        queue on screen holding `queued`."""
        dependency = self.dependency("register-queue-refresh")

        def buttons(kind: str) -> list[dict[str, Any]]:
            return [
                {
                    "id": {"submission": s, "type": f"register-{kind}"},
                    "property": "n_clicks",
                    "value": 1 if kind == "publish" and s == clicked else 0,
                }
                for s in queued
            ]

        comments = [
            {"id": {"submission": s, "type": "register-comment"}, "property": "value", "value": ""} for s in queued
        ]
        if clicked is None:
            changed = "register-queue-refresh.n_clicks"
        else:
            changed = (
                json.dumps({"submission": clicked, "type": "register-publish"}, separators=(",", ":"), sort_keys=True)
                + ".n_clicks"
            )
        return json.dumps(
            {
                "output": dependency["output"],
                "outputs": self.outputs(dependency),
                "inputs": [
                    {**dependency["inputs"][0], "value": 1 if clicked is None else 0},
                    buttons("publish"),
                    buttons("return"),
                ],
                "state": [comments],
                "changedPropIds": [changed],
            }
        ).encode()

    def drill_down(self, force: str = FORCE) -> bytes:
        """What a click on a force asks for: the profile beside the map (a read any visitor makes)."""
        dependency = next(d for d in self.dependencies if d["output"].startswith("..view-title.children"))
        values = {"view-state": {"query": f"?force={force}", "notices": []}}
        return json.dumps(
            {
                "output": dependency["output"],
                "outputs": self.outputs(dependency),
                "inputs": [{**d, "value": values.get(d["id"])} for d in dependency["inputs"]],
                "state": [{**d, "value": None} for d in dependency["state"]],
                "changedPropIds": [f"{dependency['inputs'][0]['id']}.{dependency['inputs'][0]['property']}"],
            }
        ).encode()


def queued_ids(answer: Answer) -> list[int]:
    """The submissions a queue answer shows, from the ids of its Publish buttons."""
    found = []
    for component in component_ids(answer.outputs().get("register-queue", {}).get("children")):
        if isinstance(component, dict) and component.get("type") == "register-publish":
            found.append(int(component["submission"]))
    return found


@dataclass
class BrowserSession:
    """One user's browser tab: the page's CSRF cookie, its origin, and the headers the proxy adds."""

    endpoint: Endpoint
    identity: Mapping[str, str] = field(default_factory=dict)  # e.g. {"X-Remote-User": "cora"}
    token: str = ""

    def open_page(self) -> Answer:
        """GET the page, as a tab does first; keeps the CSRF cookie it sets (once per session)."""
        headers = dict(self.identity)
        if self.token:
            headers["Cookie"] = f"{CSRF_COOKIE}={self.token}"
        answer = self.endpoint.request("GET", "", headers=headers)
        match = re.search(rf"{CSRF_COOKIE}=([^;]+)", answer.headers.get("set-cookie", ""))
        if match:
            self.token = match.group(1)
        return answer

    def callback(self, body: bytes) -> Answer:
        if not self.token:
            self.open_page()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Cookie": f"{CSRF_COOKIE}={self.token}",
            "X-CSRFToken": self.token,
            "Origin": self.endpoint.origin,
            "Sec-Fetch-Site": "same-origin",
            **self.identity,
        }
        return self.endpoint.request("POST", "_dash-update-component", body=body, headers=headers)


def new_key() -> str:
    """An idempotency key as the page makes one (uuid4 hex)."""
    return uuid.uuid4().hex


def submission_id(answer: Answer) -> int | None:
    """The id a submit answer acknowledges ("Sent for review as #N"), or None when it was not stored."""
    if answer.status != 200:
        return None
    status = str(answer.outputs().get("register-submit-status", {}).get("children", ""))
    match = SENT.search(status)
    return int(match.group(1)) if match else None
