"""The shipped nginx configurations (deploy/*.conf) read as nginx reads them: every block that passes a
request on (proxy_pass) sets the user header itself, so whatever X-Remote-User a browser sends is
replaced before it reaches the app, which trusts that header for who is a reviewer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
USER_HEADER = "x-remote-user"  # what docs/register.md tells operators to set PPH_USER_HEADER to
TOKEN = re.compile(r"""#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};"'#]+""")


@dataclass
class Block:
    """One `name args { ... }` block (the file itself is the outermost), with its own directives."""

    heading: str
    parent: Block | None = None
    directives: list[list[str]] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)


def parse(text: str) -> Block:
    root = Block("(file)")
    block, words = root, []
    for token in TOKEN.findall(text):
        if token.startswith("#"):
            continue
        if token == ";":
            block.directives.append(words)
            words = []
        elif token == "{":
            child = Block(" ".join(words), block)
            block.children.append(child)
            block, words = child, []
        elif token == "}":
            if block.parent is None or words:
                raise ValueError(f"unbalanced or unterminated directive near {' '.join(words)!r}")
            block = block.parent
        else:
            words.append(token.strip("\"'"))
    if block is not root or words:
        raise ValueError("unterminated block or directive at the end of the file")
    return root


def blocks(root: Block) -> list[Block]:
    found, stack = [], [root]
    while stack:
        block = stack.pop()
        found.append(block)
        stack.extend(block.children)
    return found


def headers_set(block: Block) -> set[str]:
    """The headers nginx sets on a request passed on from `block`: its own proxy_set_header lines, or,
    when it has none at all, those it inherits from the enclosing block (nginx's rule)."""
    current: Block | None = block
    while current is not None:
        own = {d[1].lower() for d in current.directives if d[0] == "proxy_set_header" and len(d) >= 2}
        if own:
            return own
        current = current.parent
    return set()


def unprotected_passes(text: str) -> list[str]:
    """The blocks that proxy_pass without setting the user header, by their heading."""
    return [
        block.heading
        for block in blocks(parse(text))
        if any(d[0] == "proxy_pass" for d in block.directives) and USER_HEADER not in headers_set(block)
    ]


SHIPPED = sorted(DEPLOY.glob("*.conf"))


def test_deploy001_every_shipped_configuration_is_read():
    assert {p.name for p in SHIPPED} >= {"nginx-prefix-forwarded.conf", "nginx-prefix-stripped.conf", "nginx-site.conf"}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_deploy002_every_proxy_pass_sets_the_user_header(path):
    text = path.read_text()
    assert any(d[0] == "proxy_pass" for b in blocks(parse(text)) for d in b.directives), (
        f"{path.name} passes nothing on"
    )
    assert unprotected_passes(text) == [], f"{path.name} passes a browser's X-Remote-User on"


def test_deploy003_the_check_finds_a_pass_without_the_header():
    # The configurations as they were shipped before: the location set other headers, not the user's.
    before = """
    upstream app { server 127.0.0.1:8050; }
    server {
        proxy_set_header X-Remote-User "";   # not inherited: the location sets headers of its own
        location /collaboration/ {
            proxy_pass http://app;
            proxy_set_header Host $host;     # a comment with X-Remote-User in it counts for nothing
        }
        location /inherits/ { proxy_pass http://app; }
    }
    """
    assert unprotected_passes(before) == ["location /collaboration/"]
    assert unprotected_passes("location / { proxy_pass http://app; }") == ["location /"]
    with pytest.raises(ValueError):
        parse("location / { proxy_pass http://app; ")
