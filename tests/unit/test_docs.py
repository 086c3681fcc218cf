"""The docs match the code (datasette style): every PPH_* setting the code reads is documented and
every documented one is read; every command, module, script, link and repository path the docs
give exists; documented defaults are the code's defaults. No browser, no server, no imports of the
app: the code is read as text."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Where the code reads its settings (shell scripts included), and where they are documented.
CODE_FILES = ("settings.py", "gunicorn.conf.py", "app.py")
CODE_DIRS = ("components", "domain", "pipelines", "scripts")
SETTINGS_DOCS = ("README.md", "docs/deployment.md")
ALL_DOCS = ("README.md", *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")))

SETTING = re.compile(r"\bPPH_[A-Z0-9]+(?:_[A-Z0-9]+)*\b")
# Top-level folders whose paths the docs name in backticks; each such path must exist.
TRACKED_TOP = ("scripts", "benchmarks", "pipelines", "components", "domain", "tests", "deploy", "docs",
               "data", "assets")


def read(relative: str) -> str:
    return (REPO / relative).read_text(encoding="utf-8")


def code_files() -> list[Path]:
    files = [REPO / name for name in CODE_FILES]
    for folder in CODE_DIRS:
        files += [p for p in sorted((REPO / folder).rglob("*"))
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
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
    return [(number, span) for number, line in enumerate(read(doc).splitlines(), 1)
            for span in re.findall(r"`([^`\n]+)`", line)]


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
    assert not undocumented, (
        f"settings read by the code but missing from {' and '.join(SETTINGS_DOCS)}: "
        + "; ".join(f"{name} (read in {', '.join(where)})" for name, where in sorted(undocumented.items())))


def test_doc002_every_documented_setting_is_read_by_the_code():
    code, docs = settings_in_code(), settings_in_docs()
    unread = {name: sorted(set(where)) for name, where in docs.items() if name not in code}
    assert not unread, (
        "settings documented but read nowhere in the code: "
        + "; ".join(f"{name} (in {', '.join(where)})" for name, where in sorted(unread.items())))


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
    defaults: dict[str, set[str]] = {}
    for path in code_files():
        text = path.read_text(encoding="utf-8")
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


def _normalise(expression: str) -> str:
    """A Settings field default as the docs write it: 8050, 127.0.0.1, data/."""
    expression = expression.split("  #")[0].strip()
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
    assert len(rows) >= 8, "found almost no documented defaults: the table parser is broken"
    wrong = [f"{doc}:{number}: {name} documented as {value!r}, the code's default is "
             f"{' / '.join(sorted(defaults[name]))}"
             for doc, number, name, value in rows if name in defaults and value not in defaults[name]]
    assert not wrong, "documented defaults that differ from the code:\n" + "\n".join(wrong)

