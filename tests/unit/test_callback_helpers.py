"""The callbacks' logic, called directly: the helpers the shell's and the profile's callbacks delegate to."""

from __future__ import annotations


import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from components.ids import Ids, map_measure_button, view_tab
from components.profile import ProfileContent, more_button, profile_outputs
from components.shell import state_after_control, synced_view, tab_changes
from components.view_state import store_of
from domain.loading import load_dataset
from domain.state import VIEWS, ViewState, state_from_query
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
FORCE, OTHER = "E23000021", "E23000037"
NO_CONTROLS = dict(force=None, themes=[], evaluations=[], search="", map_click=None, compare=[], source=None)


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


def test_cbh001_a_map_click_selects_the_force_and_a_second_click_clears_it(dataset):
    click = {**NO_CONTROLS, "map_click": {"force": FORCE}}
    assert state_after_control(Ids.MAP_CLICK, "", click, dataset).force == FORCE
    assert state_after_control(Ids.MAP_CLICK, f"?force={FORCE}", {**click, "force": FORCE}, dataset).force is None
    assert state_after_control(Ids.CLEAR, f"?force={FORCE}", {**NO_CONTROLS, "force": FORCE}, dataset).force is None


def test_cbh002_buttons_set_what_they_name(dataset):
    assert state_after_control(Ids.WALES, "", NO_CONTROLS, dataset).show_wales is True
    assert state_after_control(view_tab("matrix"), "", NO_CONTROLS, dataset).view == "matrix"
    assert state_after_control(map_measure_button("results"), "", NO_CONTROLS, dataset).colour == "results"
    added = state_after_control(Ids.ADD_TO_COMPARE, "", {**NO_CONTROLS, "force": FORCE, "compare": [OTHER]}, dataset)
    assert added.compare == (OTHER, FORCE)


def test_cbh003_the_address_of_the_page_already_shown_changes_nothing(dataset):
    shown = state_from_query(f"?force={FORCE}", dataset)
    with pytest.raises(PreventUpdate):
        synced_view(dataset, Ids.URL, f"?force={FORCE}", NO_CONTROLS, None, store_of(shown))


def test_cbh004_a_control_writes_the_address_and_only_what_changed(dataset):
    before = store_of(ViewState())
    typed = synced_view(dataset, Ids.SEARCH, "", {**NO_CONTROLS, "search": "triage"}, store_of(ViewState()), before)
    assert typed["url"] == ViewState(search="triage").to_query()
    assert typed["controls"]["search"] is no_update  # never written back into the box being typed in
    assert typed["root_class"] is no_update and typed["state"] != before
    assert set(typed["measures"]) == {"initiatives", "themes", "results"}


def test_cbh004b_only_a_force_chosen_in_the_list_asks_for_its_profile_to_be_brought_into_view(dataset):
    before = store_of(ViewState())
    chosen = synced_view(dataset, Ids.FORCE_SELECT, "", {**NO_CONTROLS, "force": FORCE}, None, before)
    assert chosen["chosen"] == FORCE and chosen["controls"]["force"] == FORCE
    clicked = synced_view(dataset, Ids.MAP_CLICK, "", {**NO_CONTROLS, "map_click": {"force": FORCE}}, None, before)
    assert clicked["chosen"] is no_update  # the map's click brings it into view itself
    linked = synced_view(dataset, Ids.URL, f"?force={FORCE}", NO_CONTROLS, None, before)
    assert linked["chosen"] is no_update  # a link or the Back button: the reader is not at the list
    cleared = synced_view(
        dataset, Ids.FORCE_SELECT, f"?force={FORCE}", NO_CONTROLS, None, store_of(ViewState(force=FORCE))
    )
    assert cleared["chosen"] is no_update  # nothing to bring into view


def test_cbh004c_the_force_lists_placeholder_names_england_and_wales_once_the_welsh_forces_are_shown(dataset):
    # Before: it said "All of England: type a force's name" (cut to an ellipsis) with the Welsh forces on the map and "England and Wales" as the heading.
    before = store_of(ViewState())
    shown = synced_view(dataset, Ids.WALES, "", NO_CONTROLS, None, before)
    assert shown["controls"]["force_placeholder"] == "England and Wales"
    hidden = synced_view(dataset, Ids.WALES, "?wales=1", NO_CONTROLS, None, store_of(ViewState(show_wales=True)))
    assert hidden["controls"]["force_placeholder"] == "England"
    linked = synced_view(dataset, Ids.URL, "?wales=1", NO_CONTROLS, None, before)
    assert linked["controls"]["force_placeholder"] == "England and Wales"
    typed = synced_view(dataset, Ids.SEARCH, "", {**NO_CONTROLS, "search": "triage"}, None, before)
    assert typed["controls"]["force_placeholder"] is no_update  # not redrawn for what cannot change it


def test_cbh005_only_the_tabs_that_change_are_written():
    hidden_now = {v: v != "overview" for v in VIEWS}
    changes = tab_changes("matrix", hidden_now)
    assert {v for v, h in changes["hidden"].items() if h is not no_update} == {"overview", "matrix"}
    assert changes["hidden"]["matrix"] is False and changes["selected"]["matrix"] == "true"
    assert changes["selected"]["overview"] == "false" and changes["selected"]["cite"] is no_update


def test_cbh006_profile_outputs_reset_the_pages_only_when_more_were_shown():
    content = ProfileContent(title="A force", counts="1 initiative", body=[], themes=[], listed=10, total=25)
    first = profile_outputs(content, "key", 0)
    assert first["pages_shown"] is no_update and first["shown_for"] == "key"
    text, hidden = more_button(10, 25)
    assert first["more_hidden"] is hidden is False
    assert [span.children for span in first["more_text"]] == [span.children for span in text]
    assert profile_outputs(content, "key", 2)["pages_shown"] == 0
    # With nothing more to show the button is hidden and says nothing, not "Show 0 more of the 0 not shown".
    assert more_button(25, 25) == ([], True)
    assert profile_outputs(content, "key", 0)["saved"] == ""  # "Saved 2 chart images" was of the last profile


def test_cbh010_a_saved_chart_image_says_whose_results_and_which_way_each_went(dataset):
    # Before: the PNG read "Section 136 detentions … 81%" with no force, no title and no "(fall)", so it read as
    # a level once away from the page.
    from components.profile import chart_images_on_click
    from domain.source import StaticSource, snapshot_of

    source = StaticSource(snapshot_of(dataset))
    sent = chart_images_on_click(source, 1, store_of(state_from_query(f"?force={FORCE}", dataset)))
    assert sent["figures"], "the force has results to save"
    name = dataset.forces_by_id[FORCE].name
    for figure in sent["figures"]:
        assert figure["layout"]["title"]["text"] == f"{name}: results"
        texts = figure["data"][0]["text"]
        assert any(t.endswith(("(fall)", "(rise)")) for t in texts), texts
