"""The UI code stays readable: no callback read by position past a few values, no long function in components/.
The rules and the lists they are checked on are in tests/code_shape.py (`python -m tests.code_shape` prints them)."""

from __future__ import annotations

import pytest
from dash import ClientsideFunction, Dash, Input, Output, State, html

from tests.code_shape import (
    LONG_UNTIL_SPLIT,
    MAX_FUNCTION_LINES,
    MAX_POSITIONAL_INPUTS,
    MAX_POSITIONAL_OUTPUTS,
    built_apps,
    callback_shapes,
    long_functions,
    reads_by_id,
)


def _app_with(*args, **kwargs) -> Dash:
    app = Dash(__name__)
    app.callback(*args, **kwargs)(lambda *a, **k: None)
    return app


def test_shape001_every_callback_has_few_values_or_names_them():
    checked, broken = 0, []
    for name, app in built_apps():
        for shape in callback_shapes(app):
            checked += 1
            if shape.problem():
                broken.append(f"{name} app, {shape.name}: {shape.problem()}")
    assert checked > 30, f"only {checked} callbacks found: the scan of app.callback_map is broken"
    assert not broken, "callbacks read by position past the limits:\n" + "\n".join(broken)


def test_shape002_no_function_in_components_is_longer_than_60_lines():
    found = long_functions()
    too_long = [
        f"{f.path}:{f.line} {f.name}: {f.length} lines" for f in found if f"{f.path}:{f.name}" not in LONG_UNTIL_SPLIT
    ]
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines (split out named helpers):\n" + "\n".join(too_long)
    split = LONG_UNTIL_SPLIT - {f"{f.path}:{f.name}" for f in found}
    assert not split, f"{sorted(split)} no longer over {MAX_FUNCTION_LINES} lines: take it out of LONG_UNTIL_SPLIT"


def test_shape003_the_rule_tells_positional_callbacks_from_dict_keyed_ones():
    outputs = [Output(f"o{i}", "children") for i in range(MAX_POSITIONAL_OUTPUTS + 1)]
    positional = callback_shapes(_app_with(*outputs, Input("i", "value")))
    assert [(s.outputs, s.inputs, s.keyed) for s in positional] == [(MAX_POSITIONAL_OUTPUTS + 1, 1, False)]
    assert "outputs by position" in positional[0].problem()

    many_inputs = [Input(f"i{i}", "value") for i in range(MAX_POSITIONAL_INPUTS)]
    crowded = callback_shapes(_app_with(Output("o", "children"), *many_inputs, State("s", "value")))
    assert "inputs and states by position" in crowded[0].problem()

    keyed = callback_shapes(
        _app_with(
            output={f"o{i}": o for i, o in enumerate(outputs)},
            inputs=dict(clicks=Input("i", "n_clicks")),
            state=dict(text=State("s", "value")),
        )
    )
    assert [(s.outputs, s.inputs, s.states, s.keyed, s.problem()) for s in keyed] == [
        (MAX_POSITIONAL_OUTPUTS + 1, 1, 1, True, None)
    ]


def test_shape004_a_long_function_is_found_nested_or_not(tmp_path):
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "module.py").write_text(
        f"def short():\n    pass\n\n\ndef outer():\n    def inner():\n{body}\n", encoding="utf-8"
    )
    found = {f.name: f.length for f in long_functions(tmp_path, repo=tmp_path)}
    assert found == {"outer": MAX_FUNCTION_LINES + 2, "outer.inner": MAX_FUNCTION_LINES + 1}


def test_shape005_a_crowded_clientside_callback_passes_only_when_its_function_reads_by_id(tmp_path):
    (tmp_path / "drafts.js").write_text(
        "window.dash_clientside = {drafts: {\n"
        "  byId: function () { return window.dash_clientside.callback_context.inputs['a.value']; },\n"
        "  byPosition: function (a, b) { return a; },\n"
        "  byArguments: function () { if (arguments[0]) { return 1; } return 2; }\n"
        "}};\n",
        encoding="utf-8",
    )
    assert reads_by_id("drafts", "byId", tmp_path)
    assert not reads_by_id("drafts", "byPosition", tmp_path)
    assert not reads_by_id("drafts", "byArguments", tmp_path)
    with pytest.raises(LookupError, match="nowhere"):
        reads_by_id("drafts", "nowhere", tmp_path)

    inputs = [Input(f"i{i}", "value") for i in range(MAX_POSITIONAL_INPUTS + 1)]
    for name, passes in (("byId", True), ("byPosition", False)):
        app = Dash(__name__)
        app.layout = html.Div()  # Dash serves its callbacks only to an app with a page
        app.clientside_callback(ClientsideFunction("drafts", name), Output("o", "data"), *inputs)
        [shape] = callback_shapes(app, assets=tmp_path)
        assert (shape.by_id, shape.problem() is None) == (passes, passes), name
