"""The docs match the code (datasette style): every PPH_* setting the code reads is documented and
every documented one is read; every environment variable any package reads is documented; every
command, module, script, link and repository path the docs give exists; documented defaults are the
code's defaults; the README's table of test selections is what the markers select; requirements.txt
pins only what the running app uses. No browser, no server, no imports of the app: the code is read
as text."""

from __future__ import annotations

import ast
import os
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Where the code reads its settings (shell scripts included), and where they are documented.
CODE_FILES = ("settings.py", "gunicorn.conf.py", "app.py")
# Every package and command folder: a setting read anywhere must be documented.
CODE_DIRS = ("domain", "components", "services", "storage", "pipelines", "benchmarks", "scripts")
SETTINGS_DOCS = ("README.md", "docs/deployment.md")
ALL_DOCS = ("README.md", *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")))

SETTING = re.compile(r"\bPPH_[A-Z0-9]+(?:_[A-Z0-9]+)*\b")
# Top-level folders whose paths the docs name in backticks; each such path must exist.
TRACKED_TOP = (
    "scripts",
    "benchmarks",
    "pipelines",
    "components",
    "domain",
    "tests",
    "deploy",
    "docs",
    "data",
    "assets",
)


def read(relative: str) -> str:
    return (REPO / relative).read_text(encoding="utf-8")


def code_files() -> list[Path]:
    files = [REPO / name for name in CODE_FILES]
    for folder in CODE_DIRS:
        files += [
            p
            for p in sorted((REPO / folder).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".mako")
        ]
    return files


def settings_in_code() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in code_files():
        for name in SETTING.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(str(path.relative_to(REPO)))
    return found


def settings_in_docs() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for doc in SETTINGS_DOCS:
        for name in SETTING.findall(read(doc)):
            found.setdefault(name, []).append(doc)
    return found


# --- what the docs say to run ------------------------------------------------------------------


@dataclass(frozen=True)
class DocCommand:
    doc: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.text}"


def code_lines(doc: str) -> list[tuple[int, str]]:
    """Lines of fenced and indented code blocks, with their line numbers."""
    lines = read(doc).splitlines()
    out: list[tuple[int, str]] = []
    fenced = False
    previous_blank_or_code = True
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            previous_blank_or_code = False
            continue
        if fenced:
            out.append((number, line.strip()))
            continue
        indented = line.startswith("    ") and line.strip() != ""
        if indented and previous_blank_or_code:
            out.append((number, line.strip()))
            previous_blank_or_code = True
        else:
            previous_blank_or_code = line.strip() == ""
    return out


def inline_spans(doc: str) -> list[tuple[int, str]]:
    return [
        (number, span)
        for number, line in enumerate(read(doc).splitlines(), 1)
        for span in re.findall(r"`([^`\n]+)`", line)
    ]


def words_of(text: str) -> list[str]:
    """The command's words without comments and leading VAR=value assignments."""
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        return []
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        words.pop(0)
    return words


PYTHONS = {"python", "python3", ".venv/bin/python"}
GUNICORNS = {"gunicorn", ".venv/bin/gunicorn"}


def is_command(words: list[str]) -> bool:
    if not words:
        return False
    first = words[0]
    return first.startswith(("scripts/", ".venv/bin/")) or first in PYTHONS | GUNICORNS


def doc_commands() -> list[DocCommand]:
    commands = []
    for doc in ALL_DOCS:
        for number, text in code_lines(doc) + inline_spans(doc):
            if is_command(words_of(text)):
                commands.append(DocCommand(doc, number, text))
    return commands


def module_file(module: str) -> Path | None:
    base = REPO.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__main__.py"):
        if candidate.is_file():
            return candidate
    return None


def problems_of(command: DocCommand) -> list[str]:
    words = words_of(command.text)
    first, rest = words[0], words[1:]
    problems = []
    if first.startswith("scripts/"):
        script = REPO / first
        if not script.is_file():
            problems.append(f"{first} does not exist")
        elif not os.access(script, os.X_OK):
            problems.append(f"{first} is not executable")
    elif first in PYTHONS:
        if rest[:1] == ["-m"] and len(rest) > 1:
            if module_file(rest[1]) is None:
                problems.append(f"module {rest[1]} is not a file of the repository")
        elif rest and rest[0].endswith(".py") and not (REPO / rest[0]).is_file():
            problems.append(f"{rest[0]} does not exist")
    elif first in GUNICORNS:
        for flag, value in zip(rest, rest[1:], strict=False):
            if flag in ("-c", "--config") and not (REPO / value).is_file():
                problems.append(f"gunicorn config {value} does not exist")
        for target in (w for w in rest if re.fullmatch(r"[\w.]+:\w+", w)):
            module, attribute = target.split(":")
            path = module_file(module)
            if path is None:
                problems.append(f"WSGI module {module} is not a file of the repository")
            elif not re.search(rf"^{attribute}\s*=", path.read_text(encoding="utf-8"), re.MULTILINE):
                problems.append(f"{path.relative_to(REPO)} assigns no top-level {attribute!r}")
    elif first.startswith(".venv/bin/"):
        tool = first.removeprefix(".venv/bin/")
        requirements = read("requirements.txt") + read("requirements-dev.txt")
        if not re.search(rf"^{re.escape(tool)}[=<>\[ ]", requirements, re.MULTILINE | re.IGNORECASE):
            problems.append(f"{tool} is not a pinned requirement, so .venv/bin/{tool} would not exist")
    return problems


# --- tests -------------------------------------------------------------------------------------


def test_doc001_every_setting_the_code_reads_is_documented():
    code, docs = settings_in_code(), settings_in_docs()
    undocumented = {name: sorted(set(where)) for name, where in code.items() if name not in docs}
    assert code, "found no PPH_* setting in the code at all: the scan is broken"
    assert not undocumented, f"settings read by the code but missing from {' and '.join(SETTINGS_DOCS)}: " + "; ".join(
        f"{name} (read in {', '.join(where)})" for name, where in sorted(undocumented.items())
    )


def test_doc002_every_documented_setting_is_read_by_the_code():
    code, docs = settings_in_code(), settings_in_docs()
    unread = {name: sorted(set(where)) for name, where in docs.items() if name not in code}
    assert not unread, "settings documented but read nowhere in the code: " + "; ".join(
        f"{name} (in {', '.join(where)})" for name, where in sorted(unread.items())
    )


def test_doc003_every_command_the_docs_give_exists():
    commands = doc_commands()
    firsts = {words_of(c.text)[0] for c in commands}
    # A parser that finds nothing would pass vacuously.
    assert {"scripts/run.sh", "scripts/validate", ".venv/bin/gunicorn"} <= firsts, sorted(firsts)
    assert any("-m" in words_of(c.text) for c in commands if words_of(c.text)[0] in PYTHONS)
    broken = [f"{c}  ->  {p}" for c in commands for p in problems_of(c)]
    assert not broken, "commands in the docs that would fail:\n" + "\n".join(broken)


def test_doc004_markdown_links_point_at_existing_files():
    broken = []
    count = 0
    for doc in ALL_DOCS:
        for number, line in enumerate(read(doc).splitlines(), 1):
            for target in re.findall(r"\]\(([^)\s]+)\)", line):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue
                count += 1
                path = (REPO / doc).parent / target.split("#")[0]
                if not path.exists():
                    broken.append(f"{doc}:{number}: ({target}) -> {path.resolve()} does not exist")
    assert count >= 3, "found almost no relative links: the scan is broken"
    assert not broken, "links to missing files:\n" + "\n".join(broken)


def test_doc005_repository_paths_named_in_the_docs_exist():
    missing = []
    for doc in ALL_DOCS:
        for number, span in inline_spans(doc) + code_lines(doc):
            for word in words_of(span) or [span]:
                word = word.rstrip(".,;:")
                if "<" in word or "*" in word or "…" in word:
                    continue
                if word.split("/")[0] in TRACKED_TOP and "/" in word and not (REPO / word).exists():
                    missing.append(f"{doc}:{number}: {word}")
    assert not missing, "paths named in the docs that are not in the repository:\n" + "\n".join(missing)


# --- documented defaults -----------------------------------------------------------------------


def code_defaults() -> dict[str, set[str]]:
    """Literal defaults the code gives each setting: env.get("PPH_X", ...) and ${PPH_X:-...}."""
    settings_source = read("settings.py")
    field_defaults = dict(re.findall(r"^    (\w+): [^=\n]+= (.+)$", settings_source, re.MULTILINE))
    returns = function_returns()
    defaults: dict[str, set[str]] = {}
    for path in code_files():
        text = path.read_text(encoding="utf-8")
        constants = dict(re.findall(r"^([A-Z][A-Z0-9_]*)\s*=\s*\"(PPH_\w+)\"", text, re.MULTILINE))
        # `env.get("PPH_X", "").strip() or <default>` and `environ.get(NAME) or <default>`: an empty value
        # counts as unset, and the default is what follows `or`.
        for name, raw in re.findall(
            r"\.get\(\s*\"?(\w+)\"?(?:,\s*\"\")?\)(?:\.strip\(\))?(?:\[[\d:]+\])?\s+or\s+"
            r"([^\n,]+?)\s*,?$",
            text,
            re.MULTILINE,
        ):
            name = constants.get(name, name)
            call = re.fullmatch(r"(\w+)\(.*\)", raw.strip())
            field = re.fullmatch(r"defaults\.(\w+)", raw.strip())
            if not name.startswith("PPH_"):
                continue
            if call and call.group(1) in returns:
                defaults.setdefault(name, set()).add(returns[call.group(1)])
            elif field and field.group(1) in field_defaults:
                defaults.setdefault(name, set()).add(_normalise(field_defaults[field.group(1)]))
            elif re.fullmatch(r"\"[^\"]*\"", raw.strip()):
                defaults.setdefault(name, set()).add(raw.strip().strip('"'))
        for name, raw in re.findall(r"\.get\(\s*\"(PPH_\w+)\",\s*([^\n]+?)\)+\s*,?$", text, re.MULTILINE):
            literal = re.fullmatch(r"\"([^\"]*)\"", raw.strip())
            field = re.fullmatch(r"(?:str\()?defaults\.(\w+)", raw.strip())
            if literal:
                defaults.setdefault(name, set()).add(literal.group(1))
            elif field and field.group(1) in field_defaults:
                defaults.setdefault(name, set()).add(_normalise(field_defaults[field.group(1)]))
        for name, raw in re.findall(r"\$\{(PPH_\w+):-([^}]*)\}", text):
            defaults.setdefault(name, set()).add(raw)
    return defaults


def function_returns() -> dict[str, str]:
    """name -> the normalised expression of every one-line function of the Python code that just returns it
    (e.g. storage.database.default_database_url)."""
    found = {}
    for path in code_files():
        if path.suffix == ".py":
            functions = [
                n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)
            ]
            for node in functions:
                body = [n for n in node.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
                if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
                    found[node.name] = _normalise(ast.unparse(body[0].value))
    return found


def _normalise(expression: str) -> str:
    """A default as the docs write it: 8050, 127.0.0.1, data/, var/register.sqlite3 (a SQLite URL under the
    checkout, as f"sqlite:///{REPO_ROOT / 'var' / 'register.sqlite3'}" writes it)."""
    expression = expression.split("  #")[0].strip()
    sqlite = re.fullmatch(r"f[\"']sqlite:///\{\w+((?:\s*/\s*[\"'][^\"']+[\"'])+)\}[\"']", expression)
    if sqlite:
        return "/".join(re.findall(r"[\"']([^\"']+)[\"']", sqlite.group(1)))
    path = re.fullmatch(r"REPO_ROOT((?:\s*/\s*\"[^\"]+\")+)", expression)
    if path:
        return "/".join(re.findall(r"\"([^\"]+)\"", path.group(1))) + "/"
    literal = re.fullmatch(r"\"([^\"]*)\"", expression)
    return literal.group(1) if literal else expression


def documented_defaults() -> list[tuple[str, int, str, str]]:
    """(doc, line, setting, default) for every table row that gives a setting a literal default."""
    rows = []
    for doc in SETTINGS_DOCS:
        for number, line in enumerate(read(doc).splitlines(), 1):
            row = re.match(r"\|\s*`(PPH_\w+)`\s*\|\s*`([^`]*)`\s*\|", line)
            if row:
                rows.append((doc, number, row.group(1), row.group(2)))
    return rows


def test_doc006_documented_defaults_are_the_code_defaults():
    defaults, rows = code_defaults(), documented_defaults()
    assert {"PPH_PORT", "PPH_BIND", "PPH_DATA_DIR"} <= defaults.keys(), sorted(defaults)
    # Defaults written as `env.get(...) or default`, in settings.py and in storage/migrate.py.
    assert defaults["PPH_DATABASE_URL"] == {"var/register.sqlite3"}, defaults.get("PPH_DATABASE_URL")
    assert defaults["PPH_ORGANISATION"] == {"this register's reviewers"}, defaults.get("PPH_ORGANISATION")
    assert len(rows) >= 8, "found almost no documented defaults: the table parser is broken"
    wrong = [
        f"{doc}:{number}: {name} documented as {value!r}, the code's default is {' / '.join(sorted(defaults[name]))}"
        for doc, number, name, value in rows
        if name in defaults and value not in defaults[name]
    ]
    assert not wrong, "documented defaults that differ from the code:\n" + "\n".join(wrong)


# --- every environment variable any package reads --------------------------------------------

# Read by the code, documented by the system rather than by us.
SYSTEM_VARIABLES = {
    "USER": "the login name: pipelines/register.py's default for who an import's history names",
    "PYTHONPATH": "Python's own search path, which scripts/validate extends",
}
PY_READ = re.compile(
    r"\b(?:os\.environ|environ|env)\s*(?:\.get\(\s*|\[\s*)(?:\"([A-Z][A-Z0-9_]*)\"|([A-Z][A-Z0-9_]*)\b)"
    r"|\"([A-Z][A-Z0-9_]*)\"\s+in\s+(?:os\.environ|environ|env)\b"
    r"|os\.getenv\(\s*\"([A-Z][A-Z0-9_]*)\""
)
# ${NAME:-default}, ${NAME-default}, ${NAME+set}, ${NAME:?message}, ${NAME:+alternative}, ${NAME=default}
SHELL_READ = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-+?=])")


def environment_reads() -> dict[str, list[str]]:
    """name -> files, for every environment variable the code reads: os.environ / environ / env .get(...) or
    [...], `"X" in env`, os.getenv, a module constant holding the name (storage/migrate.py's URL_VARIABLE),
    and shell expansions with a default or a test."""
    found: dict[str, list[str]] = {}
    for path in code_files():
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(REPO))
        if path.suffix == ".py":
            constants = dict(re.findall(r"^([A-Z][A-Z0-9_]*)\s*=\s*\"([A-Z][A-Z0-9_]*)\"", text, re.MULTILINE))
            for literal, constant, tested, getenv in PY_READ.findall(text):
                name = literal or tested or getenv or constants.get(constant, "")
                if name:
                    found.setdefault(name, []).append(where)
        elif text.startswith("#!") and ("bash" in text.splitlines()[0] or "sh" in text.splitlines()[0]):
            for name in SHELL_READ.findall(text):
                found.setdefault(name, []).append(where)
    return found


def test_doc007_every_environment_variable_any_package_reads_is_documented():
    reads = environment_reads()
    # The scan reaches every package and every way the code reads a variable; the old scan read neither
    # services/ nor storage/, nor a name held in a constant.
    assert "storage/migrate.py" in reads.get("PPH_DATABASE_URL", []), reads.get("PPH_DATABASE_URL")
    assert {"PPH_WORKERS", "PPH_FORWARDED_ALLOW_IPS", "VENDOR_DIR", "PIP_VERSION", "PPH_BIND"} <= reads.keys(), sorted(
        reads
    )
    documented = "\n".join(read(doc) for doc in SETTINGS_DOCS)
    undocumented = {
        name: sorted(set(where))
        for name, where in reads.items()
        if name not in SYSTEM_VARIABLES and not re.search(rf"\b{name}\b", documented)
    }
    assert not undocumented, (
        f"environment variables read by the code but named in none of {', '.join(SETTINGS_DOCS)}: "
        + "; ".join(f"{name} (read in {', '.join(where)})" for name, where in sorted(undocumented.items()))
    )
    stale = set(SYSTEM_VARIABLES) - reads.keys()
    assert not stale, f"SYSTEM_VARIABLES lists variables no code reads any more: {sorted(stale)}"


# --- requirements.txt pins what the running app uses ------------------------------------------

RUNTIME_CODE = ("app.py", "settings.py", "gunicorn.conf.py", "domain", "components", "services", "storage")
# Pins the app uses without an import of its own, and the text in the code that shows the use.
USED_WITHOUT_IMPORT = {
    "gunicorn": ("scripts/run.sh", "gunicorn.conf.py"),  # the server that runs app:server
    "flask-compress": ("components/app_factory.py", "compress=True"),  # Dash imports it for compress=True
    "psycopg": ("storage/database.py", "postgresql"),  # SQLAlchemy loads it for postgresql+psycopg:// URLs
}
IMPORT_NAMES = {"flask-compress": "flask_compress", "flask-talisman": "flask_talisman", "sqlalchemy": "sqlalchemy"}


def runtime_imports() -> set[str]:
    modules: set[str] = set()
    for entry in RUNTIME_CODE:
        paths = [REPO / entry] if entry.endswith(".py") else sorted((REPO / entry).rglob("*.py"))
        for path in paths:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules.add(node.module.split(".")[0])
    return modules


def test_doc008_requirements_txt_pins_only_what_the_running_app_uses():
    """requirements.txt says it holds what the running app imports: it once pinned pandas and numpy, which the
    app never imports, and orjson, which it switches off."""
    pins = [
        re.match(r"[A-Za-z0-9_.\-]+", line).group(0).lower()
        for line in read("requirements.txt").splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    ]
    imported = runtime_imports()
    assert {"dash", "sqlalchemy", "pydantic"} <= imported, sorted(imported)  # the scan works
    unused = []
    for pin in pins:
        if pin in USED_WITHOUT_IMPORT:
            file, evidence = USED_WITHOUT_IMPORT[pin]
            if evidence not in read(file):
                unused.append(f"{pin} (no longer {evidence!r} in {file})")
        elif IMPORT_NAMES.get(pin, pin.replace("-", "_")) not in imported:
            unused.append(pin)
    assert not unused, (
        "requirements.txt pins packages the running app neither imports nor runs; move them to "
        "requirements-build.txt or requirements-dev.txt and run scripts/lock.sh: " + ", ".join(unused)
    )


# --- the README's table of test selections ----------------------------------------------------


def declared_markers() -> set[str]:
    config = tomllib.loads(read("pyproject.toml"))["tool"]["pytest"]["ini_options"]
    return {line.split(":")[0].strip() for line in config["markers"]}


def markers_of_tests() -> dict[str, set[str]]:
    """'path::test' -> its markers, read from each test file's pytestmark and the test's own decorators."""
    markers = declared_markers()
    tests: dict[str, set[str]] = {}
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        file_marks: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
                file_marks = {n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)} & markers
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                own = {n.attr for d in node.decorator_list for n in ast.walk(d) if isinstance(n, ast.Attribute)}
                tests[f"{path.relative_to(REPO)}::{node.name}"] = file_marks | (own & markers)
    return tests


def selects(expression: str, marks: set[str]) -> bool:
    """pytest's -m for the and/or/not/parentheses expressions the README uses."""
    words = re.findall(r"\(|\)|[A-Za-z_]\w*", expression)
    python = " ".join(w if w in {"and", "or", "not", "(", ")"} else str(w in marks) for w in words)
    return bool(eval(python, {"__builtins__": {}}))  # only True, False, and, or, not and parentheses


def readme_selections() -> dict[str, tuple[int, set[str]]]:
    """expression -> (line, test paths) from the README's rows `| `-m EXPR` | paths in backticks |`."""
    rows = {}
    for number, line in enumerate(read("README.md").splitlines(), 1):
        row = re.match(r"\|\s*`-m (\"?)([^`\"]+)\1`\s*\|(.*)\|\s*$", line)
        if row:
            rows[row.group(2)] = (number, set(re.findall(r"`(tests/[^`]+)`", row.group(3))))
    return rows


def test_doc009_the_readme_says_what_each_marker_selects():
    tests, markers, rows = markers_of_tests(), declared_markers(), readme_selections()
    assert len(tests) > 100 and any(tests.values()), "the test scan found almost nothing"
    missing = {m for m in markers if m not in rows} | ({"not browser"} - rows.keys())
    assert not missing, f"README.md does not say what -m {' / -m '.join(sorted(missing))} selects"
    wrong = []
    for expression, (number, named) in rows.items():
        unknown = set(re.findall(r"[A-Za-z_]\w*", expression)) - {"and", "or", "not"} - markers
        if unknown:
            wrong.append(f"README.md:{number}: -m {expression}: {sorted(unknown)} not declared in pyproject.toml")
            continue
        chosen = {t.split("::")[0] for t, marks in tests.items() if selects(expression, marks)}
        # A folder named in the row stands for every test file under it.
        said = {
            f for f in {t.split("::")[0] for t in tests} for n in named if f == n or f.startswith(n.rstrip("/") + "/")
        }
        if chosen != said:
            wrong.append(
                f"README.md:{number}: -m {expression!r} selects {sorted(chosen)}; the README says "
                f"{sorted(said)} (missing: {sorted(chosen - said)}; not selected: {sorted(said - chosen)})"
            )
    assert not wrong, "\n".join(wrong)
