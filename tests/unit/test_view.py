"""State, aggregation, figure builders and callback wiring -- no browser, on the small dataset built in code
(tests/fixtures_data.py): these test the rules, so a fix to the curated data does not break them."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from dash import html, no_update

from components.app_factory import create_app
from domain.aggregation import (
    filter_initiatives,
    force_counts,
    format_value,
    initiatives_in_view,
    off_map_initiatives,
    outcomes_of,
    theme_shares,
)
from components.charts import details_list, lollipop
from components.profile import NO_THEMES, THEME_COMPARISON, profile_content
from domain.figures import build_outcome_charts, plotly_lollipop
from domain.force_map import NO_INITIATIVE_COLOUR, map_colours
from domain.lollipop import outcome_charts, reduction_of_a_rate, theme_chart
from domain.joining import join_initiatives
from domain.state import ViewState, state_from_controls, state_from_query, view_url
from settings import Settings
from tests import fixtures_data as fx
from tests.fixtures_data import DURHAM, GLOUCESTERSHIRE, KENT, LEICESTERSHIRE, NORTHUMBRIA, SOUTH_WALES


@pytest.fixture(scope="module")
def dataset():
    return fx.small_dataset()


@pytest.fixture(scope="module")
def join(dataset):
    return join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)


def test_view001_query_round_trip(dataset):
    state = ViewState(
        force=LEICESTERSHIRE,
        themes=("mental-health", "dementia"),
        evaluations=("none reported",),
        search="triage car",
        show_wales=True,
    )
    assert state_from_query(state.to_query(), dataset) == state


def test_view002_force_accepts_alias_and_slug(dataset):
    assert state_from_query("?force=leicestershire%20police", dataset).force == LEICESTERSHIRE
    assert state_from_query("?force=the%20met", dataset).force == fx.METROPOLITAN


def test_view003_hostile_values_are_ignored_with_notices(dataset):
    state = state_from_query(
        "?force=%3Cscript%3Ealert(1)%3C/script%3E&themes=mental-health,bogus&zz=1&wales=yes", dataset
    )
    assert state.force is None and state.themes == ("mental-health",) and not state.show_wales
    assert any("unknown force '<script>alert(1)</script>'" in n for n in state.notices)
    assert any("unknown theme 'bogus'" in n for n in state.notices)
    assert any("parameter 'zz'" in n for n in state.notices)
    huge = state_from_query("?q=" + "a" * 100_000, dataset)
    assert huge.search == "" and "too long" in huge.notices[0]


def test_view004_welsh_force_in_link_turns_wales_on(dataset):
    assert state_from_query(f"?force={SOUTH_WALES}", dataset).show_wales


def test_view005_filters_combine(dataset):
    dementia = filter_initiatives(dataset, ViewState(themes=("dementia",)))
    assert {i.id for i in dementia} == {"glos-memory"}
    searched = filter_initiatives(dataset, ViewState(search="triage"))
    assert [i.id for i in searched] == ["leics-triage"]
    evaluated = filter_initiatives(dataset, ViewState(evaluations=("evaluation reported",)))
    assert [i.id for i in evaluated] == ["glos-horses"]
    both = filter_initiatives(dataset, ViewState(themes=("dementia",), evaluations=("evaluation reported",)))
    assert both == ()  # filters of different kinds narrow together


def test_view006_force_counts_cover_the_english_forces_and_wales_on_request(dataset, join):
    counts = force_counts(dataset, join, dataset.initiatives, show_wales=False)
    assert {c.force_id for c in counts} == {f.id for f in dataset.forces if f.is_english}
    by_id = {c.force_id: c for c in counts}
    assert by_id[GLOUCESTERSHIRE].count == 3 and by_id[LEICESTERSHIRE].count == 1 and by_id[KENT].count == 0
    assert by_id[DURHAM].count == by_id[NORTHUMBRIA].count == 1  # work placed in two forces counts for each
    with_wales = force_counts(dataset, join, dataset.initiatives, show_wales=True)
    assert {c.force_id for c in with_wales} == {f.id for f in dataset.forces if f.kind == "territorial"}


def test_view007_multi_force_initiative_is_in_each_forces_view(dataset, join):
    for force in (NORTHUMBRIA, DURHAM):
        assert [i.id for i in initiatives_in_view(join, dataset.initiatives, force)] == ["north-east-licensing"]


def test_view008_off_map_work_is_listed(dataset, join):
    off = {i.id for i, _ in off_map_initiatives(join, dataset.initiatives)}
    assert off == {"btp-suicide", "national-liaison", "north-east-training", "wales-ace"}
    assert "wales-ace" not in {i.id for i, _ in off_map_initiatives(join, dataset.initiatives, show_wales=True)}


def test_view009_map_colours_tell_counted_forces_from_empty_ones(dataset, join):
    # Early intervention: two of Gloucestershire's initiatives, regional work and (hidden) Welsh work.
    state = ViewState(themes=("early-intervention",))
    counts = force_counts(dataset, join, filter_initiatives(dataset, state), False)
    colours = map_colours(counts, filtered=True)
    counted = {f for f, fill in colours.fills.items() if fill != NO_INITIATIVE_COLOUR}
    assert counted == {GLOUCESTERSHIRE} and colours.most == 2
    english = {f.id for f in dataset.forces if f.is_english}
    assert set(colours.fills) == english  # every English force is drawn as a force, Wales as land
    assert colours.labels[GLOUCESTERSHIRE][1] == "2 matching initiatives"
    assert colours.labels[KENT][1:] == ("No initiative matches your filters", "")


def test_view010_outcome_charts_never_mix_units(dataset):
    outcomes = outcomes_of(dataset, [dataset.initiatives_by_id["glos-horses"]])
    # The saving is derived from the 94% fall, not a result: only the fall is charted.
    real = dict(build_outcome_charts(outcomes, dict(dataset.initiatives_by_id)))
    assert set(real) == {"falls-rate", "falls-number"}  # percentage falls, apart by kind (test_view010b)
    # Were a result in pounds beside one in percent, each would get an axis of its own.
    outcomes = [o.model_copy(update={"kind": "result"}) if o.id == "fig-saving" else o for o in outcomes]
    charts = {k: go.Figure(f) for k, f in build_outcome_charts(outcomes, dict(dataset.initiatives_by_id))}
    assert set(charts) == {"falls-rate", "falls-number", "money"}
    assert list(charts["money"].data[0].x) == [815000.0]
    assert charts["money"].data[0].text[0] == "more than £815,000"
    assert all(v <= 100 for v in charts["falls-rate"].data[0].x)
    assert {t.type for f in charts.values() for t in f.data} == {"scatter"}


def test_view010b_a_profile_keeps_falls_in_a_rate_and_in_a_number_of_events_on_axes_of_their_own(dataset):
    # Trial 9 (medium): Leicestershire's profile set its 33% fall in a detention rate and its 81% fall in
    # detentions on one "Percent" axis, on screen and in the saved image; the overview kept them apart.
    def falls_of(initiative):
        outcomes = outcomes_of(dataset, [initiative])
        return outcomes, [o for o in outcomes if o.is_result and o.unit == "percent" and o.direction == "reduction"]

    # The case: an initiative with a fall of each kind.
    outcomes, falls = next(
        (outcomes, falls)
        for outcomes, falls in map(falls_of, dataset.initiatives)
        if {reduction_of_a_rate(o) for o in falls} == {True, False}
    )
    charts = outcome_charts(outcomes, dict(dataset.initiatives_by_id))
    titles = {c.axis_title: [r.value for r in c.rows] for c in charts}
    assert titles["Fall in a rate (%)"] == [o.value for o in falls if reduction_of_a_rate(o)]
    assert titles["Fall in a number of events (%)"] == [o.value for o in falls if not reduction_of_a_rate(o)]
    assert "Percent" not in titles
    saved = {k: go.Figure(f) for k, f in build_outcome_charts(outcomes, dict(dataset.initiatives_by_id))}
    assert set(saved) == {"falls-rate", "falls-number"}
    assert saved["falls-number"].layout.xaxis.title.text == "Fall in a number of events (%)"


def test_view011_theme_chart_shows_counts_first_and_the_comparison_second(dataset, join):
    in_view = initiatives_in_view(join, dataset.initiatives, GLOUCESTERSHIRE)
    shares = {s.theme_id: s for s in theme_shares(dataset, in_view, dataset.initiatives)}
    # Two of Gloucestershire's three; four across all matching (with the regional and the Welsh work).
    assert shares["early-intervention"].count == 2 and shares["early-intervention"].all_matching_count == 4
    chart = theme_chart(tuple(shares.values()))
    counts = {row.label: row.value for row in chart.rows}
    assert counts["Early intervention/prevention"] == 2  # a count a reader reads directly, not a share
    assert [row.value for row in chart.rows] == sorted(counts.values(), reverse=True)  # most common first
    assert chart.axis_max > max(counts.values())  # the largest marker is drawn whole, inside the axis
    early = next(row for row in chart.rows if row.label == "Early intervention/prevention")
    assert early.value_text == "2" and "2 of " in early.details[0]  # the comparison comes second
    assert early.details[1].startswith("4 of ") and "across all matching" in early.details[1]
    items = lollipop(chart, "").children[0].children
    assert [item.children for item in items] == [row.label for row in chart.rows]
    assert getattr(items[0], "data-value") == chart.rows[0].value_text
    # A narrow column may break a theme's name after its slash rather than inside a word; nothing is
    # added to the text a reader copies.
    broken = lollipop(chart, "", break_after_slash=True).children[0].children
    early_item = next(
        item for item in broken if isinstance(item.children, list) and item.children[0] == "Early intervention"
    )
    assert early_item.children[1] == "/" and type(early_item.children[2]).__name__ == "Wbr"
    assert "".join(c for c in early_item.children if isinstance(c, str)) == "Early intervention/prevention"
    # The comparison is written out too, for readers who cannot hover: a row a line, in the chart's order.
    written = details_list(chart, "Against all matching")
    assert written.children[0].children == "Against all matching"
    lines = written.children[1].children.splitlines()
    assert len(lines) == len(chart.rows) and lines[0].startswith(f"• {chart.rows[0].label}: ")
    assert f"• Early intervention/prevention: {early.details[0]}; {early.details[1]}" in lines
    image = go.Figure(plotly_lollipop(chart))  # the figure a reader saves as an image validates too
    assert {t.type for t in image.data} == {"scatter"}  # the small plotly.js bundle has no bar trace


def test_view012_format_value_reads_naturally():
    assert format_value(fx.outcome("a", None, 200_000, unit="count", qualifier="just under", kind="background")) == (
        "just under 200,000"
    )
    assert format_value(fx.outcome("b", "x", 8.2)) == "8.2%"
    assert format_value(fx.outcome("c", "x", 27, unit="percentage points")) == "27 percentage points"
    assert format_value(fx.outcome("d", "x", 815_000, unit="GBP", direction="level")) == "£815,000"


def _layout_ids(component) -> set:
    found = set()
    if getattr(component, "id", None) is not None and isinstance(component.id, str):
        found.add(component.id)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            found |= _layout_ids(child)
    return found


def test_view014_every_callback_id_exists_in_layout_and_ids_unique(dataset):
    from components.shell import panel_contents
    from domain.source import snapshot_of

    app = create_app(Settings(), dataset)
    ids = _layout_ids(app.layout())  # served by a function, so a publication needs no restart
    # The lazy tabs' panels join the page when first shown (components/shell.py).
    for content in panel_contents(snapshot_of(dataset)).values():
        for part in content:
            ids |= _layout_ids(part)
    from components.ids import Ids

    assert {i.value for i in Ids} <= ids
    for callback in app.callback_map.values():
        for dep in callback["inputs"] + callback["state"]:
            assert dep["id"] in ids, dep
        outputs = callback["output"]
        for output in outputs if isinstance(outputs, list) else [outputs]:
            assert output.component_id in ids, output


def test_view015_server_routes_serve_geometry_health_and_no_trace(dataset):
    app = create_app(Settings(url_prefix="/collab/"), dataset)
    client = app.server.test_client()
    assert client.get("/collab/healthz").data == b"ok\n"
    assert client.get("/collab/robots.txt").data.startswith(b"User-agent: *")
    geo = client.get("/collab/geo/police_force_areas.geojson")
    assert geo.status_code == 200 and geo.data == dataset.boundaries.geojson_bytes
    assert client.get("/collab/geo/passwd").status_code == 404
    assert client.get("/collab/vendor/passwd").status_code == 404
    page = client.get("/collab/").data.decode()
    assert "/collab/_dash-component-suites/" in page and "cdn" not in page.lower()


def test_view016_overview_charts_every_result_once_and_only_results_as_html_lists(dataset):
    from components.overview_view import overview_lists

    graphs = [g for g in overview_lists(dataset, outcomes_of(dataset, dataset.initiatives)) if g is not None]
    charts = [g for g in graphs if isinstance(g, html.Figure)]
    # The 631 people seen are activity, so no count is charted as a result, and the £815,000 saving is derived
    # from the 94% fall, so no money is charted either; the background figure is no result.
    # Falls in a rate and falls in a number of events are two lists, never one axis.
    assert [c.className for c in charts] == [
        "lollipop lollipop-falls-rate",
        "lollipop lollipop-falls-number",
        "lollipop lollipop-percent",
    ]
    rows = {c.className.split("-", 1)[1]: c.children[0].children for c in charts}
    values = {key: [r.to_plotly_json()["props"]["data-value"] for r in items] for key, items in rows.items()}
    assert sorted(values["falls-rate"] + values["falls-number"]) == ["33% (fall)", "94% (fall)"]
    assert values["percent"] == ["1%"]  # a level in percent, charted
    assert [c.children[1].children.split("\n")[0] for c in charts] == [
        "Fall in a rate (%)",
        "Fall in a number of events (%)",
        "Percent",
    ]
    # Each point is named by its initiative, then its measure; its value is beside it.
    titles = {i.title for i in dataset.initiatives}
    assert all(any(r.children.startswith(f"{t}: ") for t in titles) for items in rows.values() for r in items)
    charted = sum(len(items) for items in rows.values())
    results = sum(1 for o in dataset.outcomes if o.is_result)
    assert charted == results and graphs[0].children.startswith(f"{results} results charted.")
    # The source is said once, after the charts, not under each (trial 10, low).
    cited = overview_lists(dataset, outcomes_of(dataset, dataset.initiatives), "Source: PHE<br>Boundaries: ONS")
    assert [c.children[1].children for c in cited if isinstance(c, html.Figure)] == [
        "Fall in a rate (%)",
        "Fall in a number of events (%)",
        "Percent",
    ]
    assert [p.children for p in cited if getattr(p, "className", "") == "chart-source"] == [
        "Source: PHE\nBoundaries: ONS"
    ]


def test_view016b_the_overview_saves_as_images_the_charts_it_shows(dataset):
    # Trial 20 (medium): the screen showed three charts and the saved images two, the falls in a rate and in a
    # number of events sharing one image, with its rows upside down from the screen's.
    from components.overview_view import overview_figures
    from domain.figures import overview_lollipops
    from components.overview_view import charted_results

    outcomes = outcomes_of(dataset, dataset.initiatives)
    figures = overview_figures(dataset, outcomes, "Source: PHE")
    drawn = [go.Figure(f) for f in figures]  # valid plotly figures, each with the citation
    falls, others, _ = charted_results(outcomes)
    on_screen = overview_lollipops(falls, others, dict(dataset.initiatives_by_id))
    assert len(on_screen) >= 3 and len(drawn) == len(on_screen)
    assert all(f.layout.annotations[-1].text == "Source: PHE" for f in drawn)
    for figure, chart in zip(drawn, on_screen, strict=True):
        assert figure.layout.xaxis.title.text == chart.axis_title
        points = figure.data[0]
        # Top to bottom as on screen: a category axis draws its first row lowest unless reversed.
        assert figure.layout.yaxis.autorange == "reversed"
        assert [y.replace("<br>", " ") for y in points.y] == [row.label_in_words for row in chart.rows]
        assert list(points.x) == [row.value for row in chart.rows]
    assert sorted(x for figure in drawn[:2] for x in figure.data[0].x) == [33.0, 94.0]  # the falls, two charts
    # Saved away from the page, an image says what it covers and which chart it is, and which way each value went.
    scoped = overview_figures(dataset, outcomes, "S", "All of England")
    titles = [f["layout"]["title"]["text"] for f in scoped]
    assert titles[0] == f"All of England: results, {on_screen[0].axis_title}", titles
    assert len(set(titles)) == len(titles)
    assert all(t.endswith("(fall)") for t in scoped[0]["data"][0]["text"])


def test_view017_geometry_is_served_gzipped_when_accepted(dataset):
    import gzip

    client = create_app(Settings(), dataset).server.test_client()
    zipped = client.get("/geo/police_force_areas.geojson", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == dataset.boundaries.geojson_bytes
    plain = client.get("/geo/police_force_areas.geojson", headers={"Accept-Encoding": "identity"})
    assert plain.data == dataset.boundaries.geojson_bytes and "Content-Encoding" not in plain.headers


def test_view018_citation_url_is_the_view_on_screen_without_the_embed_flag(dataset):
    state = state_from_query(f"?force={LEICESTERSHIRE}&themes=mental-health&embed=1", dataset)
    assert view_url("http://intranet/collab/?embed=1#top", state) == (
        f"http://intranet/collab/?force={LEICESTERSHIRE}&themes=mental-health"
    )
    assert view_url("http://intranet/collab/", ViewState()) == "http://intranet/collab/"


def test_view019_links_the_app_cannot_honour_get_a_notice(dataset):
    btp = state_from_query("?force=British%20Transport%20Police", dataset)
    assert btp.force is None and btp.view == "national"
    assert btp.notices == (
        "British Transport Police has no force area on the map, so its work is shown in the National and "
        "regional work tab, under 'British Transport Police'.",
    )
    embedded = state_from_query("?force=BTP&embed=1", dataset)  # the widget has no tabs to open
    assert embedded.view == "overview" and "the full dashboard lists its work" in embedded.notices[0]
    restored = state_from_query(f"?force={SOUTH_WALES}", dataset)
    assert restored.show_wales and restored.notices == (
        "Showing the Welsh forces, because the link selects South Wales Police.",
    )
    hidden = state_from_controls(SOUTH_WALES, [], [], "", [], dataset)
    assert hidden.force is None and not hidden.show_wales
    assert "no longer selected" in hidden.notices[0]
    # Trial 8 (low): a hand-typed ?theme= was ignored with nothing to say which parameter the page reads.
    typed = state_from_query("?theme=mental-health&Search=dementia", dataset)
    assert typed.themes == () and typed.search == ""
    assert typed.notices == (
        "Ignored unknown link parameter 'Search': did you mean 'q'?",
        "Ignored unknown link parameter 'theme': did you mean 'themes'?",
    )


def test_view020_wording_has_no_internal_ids_and_agrees_in_number(dataset, join):
    counts = {c.force_id: c for c in force_counts(dataset, join, dataset.initiatives, False)}
    assert counts[LEICESTERSHIRE].count_words(filtered=False) == "1 initiative"
    assert counts[GLOUCESTERSHIRE].count_words(filtered=False) == "3 initiatives"
    # "matching" only once a filter narrows them (a trial read "1 matching initiative" with no filter set).
    assert counts[GLOUCESTERSHIRE].count_words(filtered=True) == "3 matching initiatives"
    # One initiative: its themes are listed, not ranked as if some were "main".
    assert counts[LEICESTERSHIRE].themes_text.startswith("Themes: ")
    assert counts[GLOUCESTERSHIRE].themes_text.startswith("Most common themes: ")
    for _, spec in build_outcome_charts(dataset.outcomes, dict(dataset.initiatives_by_id)):
        labels = list(go.Figure(spec).data[0].y)
        assert not any("fig-" in label for label in labels) and len(set(labels)) == len(labels)


def test_view021_static_files_are_compressed_once_and_served_gzip_to_gzip_only_clients(dataset):
    import gzip

    client = create_app(Settings(), dataset).server.test_client()
    page = client.get("/").data.decode()
    bundle = next(part.split('"')[0] for part in page.split('src="')[1:] if "plotly-" in part)
    first = client.get(bundle, headers={"Accept-Encoding": "gzip"})
    again = client.get(bundle, headers={"Accept-Encoding": "gzip"})
    raw = client.get(bundle, headers={"Accept-Encoding": "identity"})
    assert first.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in first.headers["Vary"]
    assert gzip.decompress(first.data) == raw.data and "Content-Encoding" not in raw.headers
    assert again.data == first.data  # the same bytes, from memory
    renderer = next(part.split('"')[0] for part in page.split('src="')[1:] if "dash_renderer" in part)
    assert client.get(renderer, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"


def test_view022_a_profile_without_initiatives_says_so_instead_of_an_empty_chart(dataset, join):
    kent = profile_content(dataset, join, ViewState(force=KENT), "/", "source")
    # Trial 10 (low): "No matching initiative" with no filter on, as if a filter had left something out.
    assert kent.themes.children == NO_THEMES == "No initiative here, so no themes to show."
    filtered = profile_content(dataset, join, ViewState(force=KENT, search="zzzz"), "/", "source")
    assert filtered.themes.children == "No initiative here matches your filters, so no themes to show."
    gloucestershire = profile_content(dataset, join, ViewState(force=GLOUCESTERSHIRE), "/", "source")
    chart, comparison = gloucestershire.themes
    themes = {t for i in initiatives_in_view(join, dataset.initiatives, GLOUCESTERSHIRE) for t in i.themes}
    assert len(chart.children[0].children) == len(themes) == 4  # one row for each of its initiatives' themes
    assert comparison.children[0].children == THEME_COMPARISON
    # One initiative: its themes in a sentence, not a chart of 1s.
    leicestershire = profile_content(dataset, join, ViewState(force=LEICESTERSHIRE), "/", "source")
    assert leicestershire.themes.children.startswith("Its one initiative covers ")
    # No chart of the profile repeats the source: the profile's foot says it once.
    marked = profile_content(dataset, join, ViewState(force=GLOUCESTERSHIRE), "/", "SOURCE-MARK")
    assert "SOURCE-MARK" not in str(marked.charts) and "SOURCE-MARK" not in str(marked.themes)
    # England's themes are all the matching initiatives': there is nothing to compare them with.
    england = profile_content(dataset, join, ViewState(), "/", "source")
    assert type(england.themes).__name__ == "Figure"


def test_view_ease001_clear_all_resets_the_filters_and_keeps_the_force_and_the_view(dataset):
    from domain.state import active_filters, cleared

    state = state_from_query(
        f"?force={LEICESTERSHIRE}&themes=dementia,mental-health&evaluation=none%20reported&q=car"
        "&wales=1&view=compare&colour=themes",
        dataset,
    )
    assert active_filters(state) == 4  # two themes, one evaluation, the search
    after = cleared(state)
    assert (after.themes, after.evaluations, after.search, after.source) == ((), (), "", "")
    # The force is a selection, not a filter: a reader undoing filters on their force's profile stays on it.
    assert after.force == LEICESTERSHIRE
    assert (after.view, after.colour, after.show_wales) == ("compare", "themes", True)
    assert active_filters(after) == 0


@pytest.mark.parametrize(
    "typed, force_id",
    [
        ("the met", fx.METROPOLITAN),
        ("devon and cornwall", fx.DEVON_AND_CORNWALL),
        ("devon & cornwall", fx.DEVON_AND_CORNWALL),
        ("london", fx.METROPOLITAN),  # by its region, as a Londoner would look for it
        ("glos", fx.GLOUCESTERSHIRE),  # trial 9: a county's usual short form
        ("leics", fx.LEICESTERSHIRE),
    ],
)
def test_view_ease002_the_force_lists_search_text_holds_aliases_and_and_for_ampersand(dataset, typed, force_id):
    from domain.aggregation import force_search_text

    text = force_search_text(dataset.forces_by_id[force_id]).casefold()
    assert all(word in text.split() for word in typed.split())
    from components.compare_view import force_options

    assert next(o for o in force_options(dataset) if o["value"] == force_id)["search"] == force_search_text(
        dataset.forces_by_id[force_id]
    )


def test_view_ease002b_a_short_form_finds_the_force_not_its_whole_region():
    """Trial 10 (low): "West Mids" listed West Midlands Police fourth, after the region's other forces."""
    from pathlib import Path

    from components.compare_view import force_list_options
    from domain.loading import load_dataset

    dataset = load_dataset(Path(__file__).resolve().parents[2] / "data")

    found = [o["label"] for o in force_list_options(dataset) if "west mids" in o["search"].casefold()]
    assert found == ["West Midlands Police"]
    assert [o["label"] for o in force_list_options(dataset) if "west midlands" in o["search"].casefold()] == [
        "Staffordshire Police",
        "Warwickshire Police",
        "West Mercia Police",
        "West Midlands Police",
    ]  # the region's full name still finds them all


@pytest.mark.parametrize("typed", ["btp", "transport", "british transport"])
def test_view_ease102_the_force_list_finds_british_transport_police_and_opens_its_work(dataset, join, typed):
    """Trial 10 (medium): "BTP" in the Force list found nothing, though the register offers it. It has no area on
    the map, so it is listed after the map's forces, says what choosing it does, and opens the tab with its work,
    at its group's heading. The comparison's list keeps to forces on the map."""
    from components.compare_panels import off_map_groups
    from components.compare_view import force_list_options, force_options
    from components.shell import force_chosen
    from domain.aggregation import off_map_initiatives
    from domain.compare import group_off_map

    found = [o for o in force_list_options(dataset) if all(w in o["search"].casefold() for w in typed.split())]
    assert [(o["value"], o["label"]) for o in found] == [
        (fx.BTP, "British Transport Police (no area on the map: opens its work)")
    ]
    assert force_list_options(dataset)[-1]["value"] == fx.BTP
    assert fx.BTP not in {o["value"] for o in force_options(dataset)}

    chosen = state_from_controls(fx.BTP, [], [], "", [], dataset)
    assert chosen.force is None and chosen.view == "national" and chosen.to_query() == "?view=national"
    landing = force_chosen(chosen, fx.BTP, dataset)
    assert landing == {"view": "national", "work": "work-group-british-transport-police"}
    tab = html.Div(off_map_groups(group_off_map(join, off_map_initiatives(join, dataset.initiatives, False)), dataset))
    headings = {h.id: h.children for h in _walk(tab) if isinstance(h, html.H3)}
    assert headings[landing["work"]].startswith("British Transport Police (")
    # A force on the map is its own profile, and clearing the list lands nowhere.
    leics = state_from_controls(LEICESTERSHIRE, [], [], "", [], dataset)
    assert force_chosen(leics, LEICESTERSHIRE, dataset) == LEICESTERSHIRE
    assert force_chosen(ViewState(), None, dataset) is no_update


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, str):
            yield from _walk(child)


def test_view_ease101_work_covering_a_force_is_its_regions_and_the_nations(dataset, join):
    from domain.aggregation import work_covering
    from domain.compare import region_of_place

    regional, national = work_covering(dataset, join, dataset.initiatives, DURHAM, region_of_place)
    assert {i.id for i in regional} == {"north-east-training"}
    assert national and all(i.scope == "national" for i in national)
    # Leicestershire's region has no regional work; a Welsh force gets no England-wide work.
    assert work_covering(dataset, join, dataset.initiatives, LEICESTERSHIRE, region_of_place)[0] == ()
    assert work_covering(dataset, join, dataset.initiatives, SOUTH_WALES, region_of_place)[1] == ()
    durham = profile_content(dataset, join, ViewState(force=DURHAM), "/", "source")
    assert "Regional and national work that covers this area" in str(durham.covering)
    assert "#work-north-east-training" in str(durham.covering)


def test_view_embed001_a_figure_derived_from_a_result_is_embedded_with_its_caveat(dataset):
    # The fresh reading of 3.0.0 (N1): the embed listed the £815,000 saving among activities, without the
    # caveat that says it is derived from the 94% fall.
    from components.panels import embed_figures

    saving = next(o for o in dataset.outcomes if o.id == "fig-saving")
    embedded = embed_figures([saving], dataset)
    assert embedded is not None
    text = str(embedded.to_plotly_json())
    assert "derived from a result" in text and f"Caveat: {saving.caveat.rstrip('.')}." in text


def test_view016c_the_overview_says_each_results_evidence_in_words_not_only_on_hover(dataset):
    # Before: each point's section, reference, design and caveat were in a `title` tooltip alone, out of reach
    # of touch and keyboard.
    from components.overview_view import OVERVIEW_DETAILS, overview_lists
    from domain.provenance import figure_marks

    parts = overview_lists(dataset, dataset.outcomes)
    details = [p for p in parts if getattr(p, "className", "") == "lollipop-details"]
    charts = [p for p in parts if "lollipop " in (getattr(p, "className", "") or "")]
    assert charts and len(details) == len(charts)
    assert all(d.children[0].children == OVERVIEW_DETAILS for d in details)
    words = "\n".join(d.children[1].children for d in details)
    results = [o for o in dataset.outcomes if o.is_result]
    marks = figure_marks(dataset, results)
    assert all(marks.sources[o.id] in words for o in results if o.id in marks.sources and f"{o.measure}" in words)
    assert "PHE 2016 paper, section" in words and "How obtained" in words


def test_view023_englands_profile_says_whose_examples_it_counts(dataset, join):
    """Trial 12 (low): with ?source=register the profile still said the counts were of "the examples the paper chose
    to describe"."""
    from components.profile import examples_of
    from domain.provenance import CountedSources

    assert examples_of(CountedSources.of(0)) == "the paper chose to describe"
    assert examples_of(CountedSources.of(3, "register")) == "the register has added"
    assert examples_of(CountedSources.of(3)) == "the paper chose to describe and those the register has added"
    register_only = profile_content(dataset, join, ViewState(source="register"), "/", "source")
    assert "The counts are of the examples the register has added." in str(register_only.body)


def test_view024_a_fifth_force_in_the_picker_is_said_beside_it_and_cleared_with_fewer():
    """Trial 12 (medium): a fifth force chosen in the comparison's picker was let go without a word there."""
    from components.ids import Ids
    from components.shell import COMPARE_LIMIT, compare_status

    assert compare_status(Ids.COMPARE, ["a", "b", "c", "d", "e"]) == COMPARE_LIMIT
    assert compare_status(Ids.COMPARE, ["a", "b", "c", "d"]) is no_update  # the four kept, written back
    assert compare_status(Ids.COMPARE, ["a", "b"]) == ""
    assert compare_status(Ids.THEMES, ["a", "b", "c", "d", "e"]) is no_update
