"""Bad input: each kind of problem is reported at once, located as file:row:column."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.loading import DataValidationError, load_dataset

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
REPO = DATA_DIR.parent


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(data_dir: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        load_dataset(data_dir)
    return [str(p) for p in info.value.problems]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


JFH = 'jobs-friends-houses,"Jobs, Friends & Houses",north-west-jobs-friends-houses,force,'
CASES = [
    # (id, file, old text, new text, expected message after "file:row:")
    (
        "unknown-force",
        "initiatives.csv",
        JFH + "E23000003,",
        JFH + "Atlantis Police,",
        "force_ids: unknown force 'Atlantis Police'; use an id from forces.csv (e.g. E23000021) or one of its names or aliases",
    ),
    (
        "unknown-theme",
        "initiatives.csv",
        "drugs-alcohol|criminal-justice-health|community-assets|vulnerable-people|health-inequalities",
        "drugs-alcohol|knitting",
        "themes: unknown theme 'knitting'; allowed: ",
    ),
    (
        "bad-stage",
        "initiatives.csv",
        "health-inequalities,programme,running,evaluation reported",
        "health-inequalities,programme,ongoing,evaluation reported",
        "stage: 'ongoing' is not allowed; input should be 'proposed'",
    ),
    (
        "bad-kind-of-work",
        "initiatives.csv",
        "health-inequalities,programme,running,evaluation reported",
        "health-inequalities,established,running,evaluation reported",
        "kind_of_work: 'established' is not allowed; input should be 'programme'",
    ),
    # The unit of record: a possibility is not a row, and a row says what kind of work it is.
    (
        "proposed-row",
        "initiatives.csv",
        "health-inequalities,programme,running,evaluation reported",
        "health-inequalities,programme,proposed,evaluation reported",
        "stage: 'proposed' is a possibility, not a row of the paper's work; record it in inventory.csv with rule 'possibility'",
    ),
    (
        "kind-not-stated",
        "initiatives.csv",
        "health-inequalities,programme,running,evaluation reported",
        "health-inequalities,not stated,running,evaluation reported",
        "kind_of_work: say what kind of work the paper describes; 'not stated' is only for register records sent before 3.0.0",
    ),
    (
        "result-without-design",
        "outcomes.csv",
        ',result,"first-year evaluation led by a named academic (Professor David Best); the paper gives no method, sample '
        'size or comparison group",',
        ",result,,",
        "design: a result needs its design: how the paper says it was obtained",
    ),
    (
        "inventory-rule-gives-another-decision",
        "inventory.csv",
        ",own row,jobs-friends-houses,piece of work,",
        ",own row,jobs-friends-houses,possibility,",
        "decision: rule 'possibility' gives decision 'not an initiative', not 'own row'",
    ),
    (
        "unknown-rule",
        "inventory.csv",
        ",own row,jobs-friends-houses,piece of work,",
        ",own row,jobs-friends-houses,hunch,",
        "rule: 'hunch' is not allowed; input should be 'piece of work'",
    ),
    (
        "section-not-its-case-studys",
        "outcomes.csv",
        ",background,,,Police forces in England,2",
        ",background,,,Police forces in England — the workforce,2",
        "section: 'Police forces in England — the workforce' is not the heading of its case study 'police-forces-in-england': "
        "'Police forces in England'",
    ),
    (
        "unknown-case-study",
        "initiatives.csv",
        JFH,
        JFH.replace("north-west-jobs-friends-houses", "north-west-jfh"),
        "case_study: no case study or national section has id 'north-west-jfh'; use an id from case_studies.csv",
    ),
    (
        "not-a-number",
        "outcomes.csv",
        "Annual offending rate of people in the programme,94,",
        "Annual offending rate of people in the programme,ninety-four,",
        "value: 'ninety-four' is not a number",
    ),
    (
        "percent-range",
        "outcomes.csv",
        "Annual offending rate of people in the programme,94,",
        "Annual offending rate of people in the programme,194,",
        "value: value 194 is a percent outside 0-100; use unit 'percentage points' for changes",
    ),
    (
        "orphan-outcome",
        "outcomes.csv",
        "fig-032,jobs-friends-houses,",
        "fig-032,jobs-friend-houses,",
        "initiative_id: no initiative has id 'jobs-friend-houses'; use an id from initiatives.csv, or leave it blank for a background figure",
    ),
    (
        "figure-in-another-case-study",
        "outcomes.csv",
        "fig-032,jobs-friends-houses,north-west-jobs-friends-houses,",
        "fig-032,jobs-friends-houses,north-east-alcohol-harm,",
        "case_study: 'north-east-alcohol-harm' differs from 'north-west-jobs-friends-houses', the case study of initiative 'jobs-friends-houses'",
    ),
    (
        "target-drawn-as-change",
        "outcomes.csv",
        "75,percent,,level,target after roll-out",
        "75,percent,,increase,target after roll-out",
        "direction: a figure of kind 'target or coverage' is a level, never a change; use direction 'level'",
    ),
    (
        "money-as-reduction",
        "outcomes.csv",
        "815000,GBP,more than,level,",
        "815000,GBP,more than,reduction,",
        "direction: money is a level (an amount saved, spent or awarded), not a change; use direction 'level' and say 'saving' in the measure",
    ),
    (
        "result-without-initiative",
        "outcomes.csv",
        "fig-032,jobs-friends-houses,",
        "fig-032,,",
        "initiative_id: a result measures an initiative; name it, or use kind 'background'",
    ),
    (
        "inventory-unresolved",
        "inventory.csv",
        ",own row,jobs-friends-houses,",
        ",own row,,",
        "initiative_id: decision 'own row' needs the initiative row it resolves to",
    ),
    (
        "inventory-no-reason",
        "inventory.csv",
        ',not an initiative,,context,"Legislation, cited for context."',
        ",not an initiative,,context,",
        "reason: say why it is not a collaboration initiative (at least 10 characters)",
    ),
    (
        "inventory-unknown-row",
        "inventory.csv",
        ",own row,jobs-friends-houses,",
        ",own row,jobs-and-houses,",
        "initiative_id: no initiative has id 'jobs-and-houses'; every entry resolves to a row of initiatives.csv or gives a reason",
    ),
    ("duplicate-id", "outcomes.csv", "fig-033,", "fig-032,", "id: duplicate id 'fig-032'; first used on row "),
    ("missing-required", "initiatives.csv", ",Blackpool,", ",,", "place: is required"),
    (
        "scope-rule",
        "initiatives.csv",
        JFH + "E23000003,",
        JFH + "E23000003|E23000004,",
        "force_ids: scope 'force' needs exactly one force id, got 2",
    ),
]


# A text on the broken row where the replacement alone is not unique.
LOCATORS = {
    "duplicate-id": "Estimated saving to the public purse",
    "missing-required": "jobs-friends-houses,",
    "result-without-initiative": "Annual offending rate",
    "inventory-no-reason": "Serious Crime Act",
    "result-without-design": "Annual offending rate",
    "inventory-rule-gives-another-decision": "Jobs, Friends & Houses (JFH)",
    "unknown-rule": "Jobs, Friends & Houses (JFH)",
}


@pytest.mark.parametrize("case_id,file,old,new,expected", CASES, ids=[c[0] for c in CASES])
def test_bad001_each_problem_is_located_and_explained(data_copy, case_id, file, old, new, expected):
    path = data_copy / file
    replace_in(path, old, new)
    row = line_of(path, LOCATORS.get(case_id, new))
    problems = problems_of(data_copy)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"data/{file}:{row}:{expected}")


def test_bad002_alias_resolves_to_the_force_id(data_copy):
    replace_in(
        data_copy / "initiatives.csv",
        ",force,E23000021,Leicestershire,",
        ",force,leicestershire police,Leicestershire,",
    )
    dataset = load_dataset(data_copy)
    assert dataset.initiatives_by_id["leicestershire-triage-car"].force_ids == ("E23000021",)


def test_bad003_wrong_header_names_missing_and_unexpected_columns(data_copy):
    replace_in(data_copy / "themes.csv", "id,label,kind,description", "id,name,kind,description")
    assert problems_of(data_copy) == [
        "data/themes.csv:1:header: wrong header (missing label; unexpected 'name'); expected id,label,kind,description"
    ]


def test_bad004_encoding_problem_is_located(data_copy):
    path = data_copy / "themes.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"Mental health", b"Mental h\xe9alth")
    path.write_bytes(b"\n".join(lines))
    assert problems_of(data_copy) == ["data/themes.csv:4:label: byte 0xe9 is not valid UTF-8; save the file as UTF-8"]


def test_bad005_all_problems_reported_at_once(data_copy):
    replace_in(
        data_copy / "outcomes.csv",
        "Annual offending rate of people in the programme,94,",
        "Annual offending rate of people in the programme,x,",
    )
    replace_in(
        data_copy / "initiatives.csv",
        "health-inequalities,programme,running,evaluation reported",
        "health-inequalities,programme,ongoing,evaluation reported",
    )
    replace_in(
        data_copy / "forces.csv",
        "E23000002,Cumbria Constabulary,Cumbria,territorial,England,North West",
        "E23000002,Cumbria Constabulary,Cumbria,territorial,Scotland,North West",
    )
    problems = problems_of(data_copy)
    assert len(problems) == 3, problems
    assert {p.split(":")[0] for p in problems} == {"data/outcomes.csv", "data/initiatives.csv", "data/forces.csv"}


def test_bad006_validate_command_exit_codes(data_copy):
    command = [str(REPO / "scripts" / "validate")]
    ok = subprocess.run(
        command + [str(DATA_DIR)],
        capture_output=True,
        text=True,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )
    assert ok.returncode == 0 and "valid — 44 forces" in ok.stdout
    replace_in(
        data_copy / "outcomes.csv",
        "Annual offending rate of people in the programme,94,",
        "Annual offending rate of people in the programme,x,",
    )
    bad = subprocess.run(
        command + [str(data_copy)],
        capture_output=True,
        text=True,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )
    assert bad.returncode == 1
    assert "data/outcomes.csv:" in bad.stderr and "'x' is not a number" in bad.stderr
    assert "Traceback" not in bad.stderr


ORIGINALS = {
    name: (DATA_DIR / name).read_text(encoding="utf-8")
    for name in ("initiatives.csv", "outcomes.csv", "themes.csv", "forces.csv", "case_studies.csv", "inventory.csv")
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(ORIGINALS)),
    position=st.floats(min_value=0, max_value=1),
    length=st.integers(min_value=0, max_value=40),
    insert=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
    | st.sampled_from([",", '"', "\n", "|", "-1", "1e999", "nan", "\r\n", ""]),
)
def test_bad007_random_edits_never_crash_the_loader(tmp_path_factory, name, position, length, insert):
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA_DIR, data_dir)
    text = ORIGINALS[name]
    start = int(position * len(text))
    (data_dir / name).write_text(text[:start] + insert + text[start + length :], encoding="utf-8")
    try:
        load_dataset(data_dir)
    except DataValidationError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert str(problem).startswith("data/") and problem.message


def test_bad008_app_refuses_to_start_on_invalid_data_without_a_traceback(data_copy):
    replace_in(
        data_copy / "outcomes.csv",
        "Annual offending rate of people in the programme,94,",
        "Annual offending rate of people in the programme,lots,",
    )
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PPH_DATA_DIR": str(data_copy)}
    started = subprocess.run([sys.executable, "app.py"], cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    assert started.returncode == 2
    assert "The dashboard cannot start" in started.stderr
    assert "data/outcomes.csv:35:value: 'lots' is not a number" in started.stderr
    assert "Traceback" not in started.stderr


def test_bad009_a_district_of_no_known_force_is_located_and_explained(data_copy):
    # The district lookup the Force lists search by ("Bristol"): a row naming no force of forces.csv is an error.
    path = data_copy / "geo" / "district_to_force.csv"
    replace_in(path, "Barnet,Barnet,E23000001,", "Barnet,Barnet,E23000099,")
    row = line_of(path, "Barnet,Barnet,E23000099,")
    assert problems_of(data_copy) == [
        f"data/geo/district_to_force.csv:{row}:force_code: 'E23000099' is not a force of forces.csv"
    ]
