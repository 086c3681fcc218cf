"""Data strings reach a chart as literal text: never plotly.js markup, never a template field -- no browser.

Titles, measures and force names will be typed by users (the register). plotly.js reads `<b>`, `<a href>`,
`<br>`, `<span style>` in any string it draws, and `%{...}` in a template. The browser tier shows the
escaped text drawn literally (tests/browser/test_callback_fuzz.py, test_fuzz001).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.aggregation import filter_initiatives, force_counts, initiatives_in_view, theme_shares
from domain.chart_text import plain_text
from domain.compare import chart_citation
from domain.figures import build_outcome_charts, overview_lollipops, plotly_lollipop, with_source
from domain.force_map import map_colours
from domain.lollipop import theme_chart
from domain.joining import join_initiatives
from domain.loading import Dataset, load_dataset
from domain.state import ViewState
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
# Each hostile string carries a marker, "Zq", that no template written by the code contains.
HOSTILE = (
    'Zq <a href="javascript:alert(1)">x</a>',
    "Zq <b>bold</b>",
    "Zq %{customdata[0]}",
    "Zq %{x}",
    "Zq & < >",
    'Zq <span style="color:red">red</span>',
    "Zq %{y:.2f}<br>%{text}",
    "Zq <extra>e</extra>",
)
TEMPLATE_KEYS = {"hovertemplate", "texttemplate"}
# plotly.js 4.1's template field and the entities its pseudo-HTML decodes (src/lib/index.js,
# src/lib/svg_text_utils.js), written out here so the tests read the text as plotly.js does.
TEMPLATE_FIELD = re.compile(r"%\{([^\s%{}:]*)([:|][^}]*)?\}")
ENTITY = re.compile(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);")
NAMED = {
    "mu": "\u03bc",
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "nbsp": "\xa0",
    "times": "\xd7",
    "plusmn": "\xb1",
    "deg": "\xb0",
}


def as_plotly_draws(text: str) -> str:
    """What plotly.js draws for a text with no tags: its entities decoded, once."""

    def decode(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return NAMED.get(name, match.group(0))

    return ENTITY.sub(decode, text)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Jobs, Friends & Houses", "Jobs, Friends &amp; Houses"),
        ('<a href="javascript:alert(1)">x</a>', '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;'),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("%{customdata[0]}", "&#37;{customdata[0]}"),
        ("%{x:.2f} and %%{y}", "&#37;{x:.2f} and %&#37;{y}"),
        ("& < >", "&amp; &lt; &gt;"),
        ("&lt; already an entity", "&amp;lt; already an entity"),
        ("&#37;{x}", "&amp;#37;{x}"),
        ("50% {of} them", "50% {of} them"),  # a percent sign alone is no template field
        ("", ""),
    ],
)
def test_text001_plain_text_escapes_markup_and_template_fields(raw, escaped):
    assert plain_text(raw) == escaped
    assert as_plotly_draws(plain_text(raw)) == raw


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>&%{}#;:x0 ab/\"'=ltgamp") | st.characters(), max_size=40))
def test_text002_any_text_is_drawn_as_it_was_written_and_fills_no_template(text):
    shown = plain_text(text)
    assert "<" not in shown and ">" not in shown
    assert TEMPLATE_FIELD.search(shown) is None
    assert as_plotly_draws(shown) == text


# --- every figure builder, fed hostile data ----------------------------------------------------


def hostile_dataset() -> Dataset:
    """The real dataset with every text a chart shows replaced by markup and template fields."""
    dataset = load_dataset(DATA_DIR)

    def pick(index: int) -> str:
        return HOSTILE[index % len(HOSTILE)]

    return dataclasses.replace(
        dataset,
        version=pick(7),
        forces=tuple(f.model_copy(update={"name": f"{pick(n)} {n}"}) for n, f in enumerate(dataset.forces)),
        themes=tuple(t.model_copy(update={"label": f"{pick(n)} {n}"}) for n, t in enumerate(dataset.themes)),
        initiatives=tuple(i.model_copy(update={"title": pick(n)}) for n, i in enumerate(dataset.initiatives)),
        # One measure for all, so the charts tell them apart by the (hostile) initiative title.
        outcomes=tuple(
            o.model_copy(
                update={
                    "measure": pick(n % 2),
                    "references": (pick(n + 1),),
                    "qualifier": pick(n + 2) if n % 3 == 0 else o.qualifier,
                }
            )
            for n, o in enumerate(dataset.outcomes)
        ),
    )


@pytest.fixture(scope="module")
def hostile() -> Dataset:
    return hostile_dataset()


def hostile_figures(dataset: Dataset) -> Iterator[tuple[str, dict]]:
    """Every plotly figure the app builds: the overview's charts, and the profile's charts as they are saved
    as images (the page draws those as HTML, where React sets every string as text)."""
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    matching = filter_initiatives(dataset, ViewState())
    source = chart_citation(dataset)
    in_view = initiatives_in_view(join, matching, "E23000037")
    yield "themes", with_source(plotly_lollipop(theme_chart(theme_shares(dataset, in_view, matching))), source)
    by_id = dict(dataset.initiatives_by_id)
    for key, figure in build_outcome_charts(dataset.outcomes, by_id):
        yield f"outcomes-{key}", with_source(figure, source)
    for index, chart in enumerate(overview_lollipops(dataset.outcomes, (), by_id)):
        yield f"overview-{index}", with_source(plotly_lollipop(chart), source)


def strings_in(value, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, (*path, key))
    elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        for index, item in enumerate(items if isinstance(items, list) else [items]):
            yield from strings_in(item, (*path, index))


def test_text003_no_figure_draws_data_as_markup_or_fills_a_template_from_it(hostile):
    figures = dict(hostile_figures(hostile))
    assert {"themes", "overview-0", "outcomes-percent"} <= set(figures)
    for name, figure in figures.items():
        strings = list(strings_in(go.Figure(figure).to_plotly_json()))  # go.Figure validates every property
        # The hostile text did reach the figure, escaped: the test is not passing on an empty chart.
        assert any("Zq &lt;" in text for _, text in strings), name
        for path, text in strings:
            where = f"{name}: {'.'.join(map(str, path))} = {text!r}"
            if path[-1] in TEMPLATE_KEYS:
                assert "Zq" not in text, f"data written into a template: {where}"
                continue
            # <br> is the only markup the code writes outside templates (wrapped labels, the source).
            assert not re.search(r"[<>]", text.replace("<br>", "")), f"raw markup from data: {where}"
            assert TEMPLATE_FIELD.search(text) is None, f"template field from data: {where}"


def test_text004_escaped_labels_still_read_as_the_data_wrote_them(hostile):
    themes = plotly_lollipop(theme_chart(theme_shares(hostile, hostile.initiatives, hostile.initiatives)))
    shown = {" ".join(as_plotly_draws(line) for line in label.split("<br>")) for label in themes["data"][0]["y"]}
    assert {t.label for t in hostile.themes} >= shown and len(shown) == len(themes["data"][0]["y"])


def test_text005_map_tooltips_carry_the_data_unescaped_for_the_page_to_set_as_text(hostile):
    """assets/force-map.js sets each tooltip line with textContent: the data goes as written, markup and all
    (escaping it here would show "&amp;" to the reader); tests/browser/test_callback_fuzz.py checks the page."""
    join = join_initiatives(hostile.initiatives, hostile.forces_by_id, hostile.boundaries.force_ids)
    colours = map_colours(force_counts(hostile, join, hostile.initiatives, True))
    assert {name for name, _, _ in colours.labels.values()} == {f.name for f in hostile.forces if f.id in colours.fills}
    assert any(name.startswith("Zq <a href") for name, _, _ in colours.labels.values())
