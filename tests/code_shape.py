"""The shape of the UI code, as a newcomer meets it: every Dash callback's size, and every long function.

    .venv/bin/python -m tests.code_shape       # prints both lists; exits 1 when a rule is broken

A callback with many outputs, or many inputs and states, is read by position: a value added in the wrong
place shifts every other one, silently. Past the limits below a callback must name its values, with
Dash's dict-keyed (flexible) signatures (`output=dict(...)`, `inputs=dict(...)`, `state=dict(...)`).
Dash has no such signature for a clientside callback (dash 4: `register_clientside_callback` reads its
arguments with `handle_callback_args`, never grouped): past the limits, its function in assets/ must
declare no parameters, and so read each value by its id from `dash_clientside.callback_context`.
tests/unit/test_code_shape.py holds the app to these rules.
"""

from __future__ import annotations

import ast
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMPONENTS = REPO / "components"
ASSETS = REPO / "assets"

MAX_POSITIONAL_OUTPUTS = 6
MAX_POSITIONAL_INPUTS = 8  # inputs and states together
MAX_FUNCTION_LINES = 60
# Long functions another change is splitting, as "path:name". The unit test fails when one of them is short
# again, so this list only shrinks. (Issue 23 split the register into components/register/, and emptied it.)
LONG_UNTIL_SPLIT: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CallbackShape:
    callback_id: str  # Dash's key for it: its outputs
    name: str  # the Python function's name, or "clientside <first output>"
    outputs: int
    inputs: int
    states: int
    keyed: bool  # uses dict-keyed groups for its outputs or its inputs and states
    by_id: bool = False  # a clientside callback whose function reads its values by id, never by position

    def problem(self) -> str | None:
        if self.keyed or self.by_id:
            return None
        if self.outputs > MAX_POSITIONAL_OUTPUTS:
            return f"{self.outputs} outputs by position (more than {MAX_POSITIONAL_OUTPUTS}): use output=dict(...)"
        if self.inputs + self.states > MAX_POSITIONAL_INPUTS:
            return (
                f"{self.inputs + self.states} inputs and states by position (more than {MAX_POSITIONAL_INPUTS}):"
                " use inputs=dict(...), state=dict(...)"
            )
        return None

    def line(self) -> str:
        keyed = "dict-keyed" if self.keyed else "read by id" if self.by_id else "positional"
        return f"{self.name:44} {self.outputs:3} out {self.inputs:3} in {self.states:3} state  {keyed}"


@dataclass(frozen=True)
class LongFunction:
    path: str  # relative to the repository
    name: str  # dotted, e.g. "register.sync_state" for a function nested in `register`
    line: int
    length: int


def clientside_functions(app) -> dict[str, tuple[str, str]]:
    """(namespace, function name) of each clientside callback, by callback id, as Dash's renderer is told them:
    the app's `_dash-dependencies` answer."""
    route = f"{app.config.routes_pathname_prefix}_dash-dependencies"
    answer = app.server.test_client().get(route)
    if answer.status_code != 200:
        raise LookupError(
            f"GET {route} answered {answer.status_code}: re-check tests/code_shape.py against how "
            "dash serves its callbacks (dash.py, `dependencies`)"
        )
    return {
        c["output"]: (c["clientside_function"]["namespace"], c["clientside_function"]["function_name"])
        for c in answer.get_json()
        if c.get("clientside_function")
    }


def reads_by_id(namespace: str, name: str, assets: Path = ASSETS) -> bool:
    """Whether the clientside function `namespace.name`, written in assets/ as `name: function (...) {...}`
    after its namespace, declares no parameters and never touches `arguments`: then it can only read its
    values by id, from `dash_clientside.callback_context`."""
    declared = re.compile(rf"\b{re.escape(name)}\s*:\s*function\s*\(([^)]*)\)\s*{{")
    for path in sorted(assets.glob("*.js")):
        text = path.read_text(encoding="utf-8")
        start = re.search(rf"\b{re.escape(namespace)}\s*:", text)
        found = declared.search(text, start.end()) if start else None
        if found is None:
            continue
        depth, end = 0, found.end() - 1
        for end in range(found.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        body = text[found.end() : end]
        return not found.group(1).strip() and not re.search(r"\barguments\b", body)
    raise LookupError(
        f"no `{name}: function (...)` after `{namespace}:` in {assets}/*.js: write the clientside "
        "function so, or re-check tests/code_shape.py"
    )


def callback_shapes(app, assets: Path = ASSETS) -> list[CallbackShape]:
    """Every callback registered on `app`, read from `app.callback_map` (Dash's own record of them).

    Dash stores how a callback's values are grouped as `outputs_indices` and `inputs_state_indices`:
    an int or a list for positional callbacks, a dict for dict-keyed ones (dash/_callback.py). If an
    upgrade changes those keys, this fails loudly rather than passing everything."""
    shapes = []
    clientside: dict[str, tuple[str, str]] | None = None  # read only when a clientside callback needs it
    for callback_id, spec in app.callback_map.items():
        for key in ("inputs", "state", "output", "outputs_indices", "inputs_state_indices"):
            if key not in spec:
                raise KeyError(
                    f"Dash's callback_map has no {key!r} for {callback_id}: dash changed how it records "
                    "callbacks; re-check tests/code_shape.py against dash/_callback.py insert_callback"
                )
        outputs = spec["output"]
        function = spec.get("callback")
        # A clientside callback has no Python function: it is named by its first output.
        name = (
            getattr(function, "__name__", None)
            or f"(clientside) {callback_id.strip('.').split('...')[0].split('@')[0]}"
        )
        shape = CallbackShape(
            callback_id=callback_id,
            name=name,
            outputs=len(outputs) if isinstance(outputs, (list, tuple)) else 1,
            inputs=len(spec["inputs"]),
            states=len(spec["state"]),
            keyed=isinstance(spec["outputs_indices"], dict) or isinstance(spec["inputs_state_indices"], dict),
        )
        if function is None and shape.problem():
            clientside = clientside_functions(app) if clientside is None else clientside
            if callback_id in clientside:
                shape = replace(shape, by_id=reads_by_id(*clientside[callback_id], assets=assets))
        shapes.append(shape)
    return sorted(shapes, key=lambda s: (-s.outputs, s.name))


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}{node.name}", node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def long_functions(folder: Path = COMPONENTS, limit: int = MAX_FUNCTION_LINES, repo: Path = REPO) -> list[LongFunction]:
    """Every function (nested ones too) in `folder`'s modules longer than `limit` lines, from its `def` to its
    last line (decorators not counted)."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, node in _functions(tree):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append(LongFunction(str(path.relative_to(repo)), name, node.lineno, length))
    return sorted(found, key=lambda f: -f.length)


def built_apps():
    """(name, app) for the read-only dashboard and for the dashboard with the register on (whose page has more
    callbacks), each built by create_app as production builds it, from the repository's data."""
    from components.app_factory import create_app
    from domain.loading import load_dataset
    from settings import Settings

    dataset = load_dataset(REPO / "data")
    yield "read-only", create_app(Settings(), dataset)
    with tempfile.TemporaryDirectory(prefix="pph-code-shape-") as folder:
        settings = Settings(
            register=True,
            database_url=f"sqlite:///{Path(folder) / 'register.sqlite3'}",
            dev_user="shape",
            reviewers=frozenset({"shape"}),
        )
        app = create_app(settings, dataset)
        try:
            yield "register on", app
        finally:
            app.server.extensions["pph.source"].stop()


def report() -> tuple[list[str], list[str]]:
    """(the report's lines, the rules broken)."""
    lines, broken = [], []
    seen: set[str] = set()  # callbacks already listed, for the second app
    for name, app in built_apps():
        shapes = [s for s in callback_shapes(app) if s.callback_id not in seen]
        lines.append(
            f"Callbacks of the {name} app" + (" not in the read-only one" if seen else "") + f": {len(shapes)}"
        )
        for shape in shapes:
            problem = shape.problem()
            lines.append(f"  {shape.line()}" + (f"   <- {problem}" if problem else ""))
            if problem:
                broken.append(f"callback {shape.name}: {problem}")
        seen |= {s.callback_id for s in shapes}
    functions = long_functions()
    lines.append(f"Functions in components/ over {MAX_FUNCTION_LINES} lines: {len(functions)}")
    for function in functions:
        waiting = f"{function.path}:{function.name}" in LONG_UNTIL_SPLIT
        lines.append(
            f"  {function.length:4} lines  {function.path}:{function.line}  {function.name}"
            + ("   (being split: LONG_UNTIL_SPLIT)" if waiting else "")
        )
        if not waiting:
            broken.append(f"{function.path}:{function.line} {function.name} is {function.length} lines")
    return lines, broken


def main() -> int:
    lines, broken = report()
    print("\n".join(lines))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
