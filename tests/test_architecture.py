"""The shape of the code: no import cycles, modules of a readable size, kinds that plug in."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from takehome.build import load
from takehome.build.plan import Job, Planning, Step
from takehome.kinds.base import Jobs, Kind, edition_path
from takehome.kinds.registry import KINDS
from takehome.models.base import Model, Text
from takehome.project import Document
from takehome.roster import Student

from .conftest import page_text, read_pdf, run, trim_roster

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "takehome"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    base = PACKAGE.joinpath(relative)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _runtime_imports(path: Path) -> set[str]:
    """Modules of the package that `path` imports when it runs (type-checking imports aside),
    at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rpartition(".")[0]
    skipped = {id(node) for stmt in ast.walk(tree) if isinstance(stmt, ast.If)
               and "TYPE_CHECKING" in ast.unparse(stmt.test) for node in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(("takehome", "click"))}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.startswith("click"):
                found.add(source)
            if not source.startswith("takehome"):
                continue
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.add(candidate if _is_module(candidate) else source)
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _runtime_imports(p) for p in PACKAGE.rglob("*.py")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            # A package's __init__ importing its own submodule (to re-export) is not a cycle.
            if node.startswith(nxt + "."):
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_is_read_right() -> None:
    graph = _graph()
    assert "click" in graph["takehome.cli"]
    assert "takehome.build.plan" in graph["takehome.kinds.base"]
    assert "takehome.kinds.registry" in graph["takehome.build.load"]
    assert "takehome.build.typeset.engine" in graph["takehome.build.typeset.stamp"]
    # A planted cycle is found.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_no_module_is_too_long_to_read() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_only_the_command_line_knows_click() -> None:
    """The core raises its own exceptions; the CLI (and --watch) turn them into exit codes."""
    for module, imports in sorted(_graph().items()):
        if module not in ("takehome.cli", "takehome.watch", "takehome.__main__"):
            assert "takehome.cli" not in imports, module
            assert not any(i.startswith("click") for i in imports), module


def test_every_kind_is_registered_once_and_plans_its_own_documents() -> None:
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names))
    for kind in KINDS:
        assert isinstance(kind, Kind)
        assert type(kind).plan is not Kind.plan, kind.name
        folder = PACKAGE / "kinds" / type(kind).__module__.split(".")[2]
        assert (folder / "__init__.py").is_file()


class PermissionSlip(Model):
    title: Text
    trip: str


class PermissionKind(Kind):
    """A kind written the way the README says a new one is: its model, its plan, one line."""

    name = "permission"
    pattern = "permission.yaml"
    model = PermissionSlip

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        project = planning.project
        slip: PermissionSlip = doc.model
        jobs = Jobs(project, doc, "permission/slip.html", ("base.css",))

        def job(output: str, lang: str, student: Student | None = None) -> Job:
            title = slip.title.get(lang, project.default_language)
            context = project.context(lang, slip=slip, student=student, title=title)
            return jobs.job(output, lang, title, context, student)

        return [job(edition_path(doc.name, "slip", lang), lang) for lang in project.editions] \
            + jobs.personal_copies(doc.name, job)


def test_a_new_kind_needs_its_folder_and_one_registry_line(project: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    trim_roster(project, 3)
    (project / "content/permission.yaml").write_text(
        "title: {en: Field trip permission, es: Permiso para la excursión}\ntrip: The zoo\n",
        encoding="utf-8")
    (project / "templates/permission").mkdir(parents=True)
    (project / "templates/permission/slip.html").write_text(
        '{% from "parts.html" import page_header, page_footer with context %}'
        "{{ page_header() }}<h1>{{ title }}</h1><p>{{ slip.trip }}</p>"
        '<p data-field>{{ student.name if student else "" }}</p>', encoding="utf-8")
    monkeypatch.setattr(load, "KINDS", (*KINDS, PermissionKind()))
    result = run("build", str(project), "--only", "permission")
    assert result.exit_code == 0, result.output
    out = project / "output/permission"
    # the project's editions (settings: languages)
    assert sorted(p.name for p in out.glob("slip.*.pdf")) == ["slip.en.pdf", "slip.es.pdf"]
    assert len(list((out / "students").glob("*.pdf"))) == 3
    text = page_text(out / "slip.es.pdf")
    assert "Permiso para la excursión" in text and "Maple Grove Elementary School" in text
    first = sorted((out / "students").glob("*.pdf"))[0]
    assert "Ana López" in page_text(first)
    assert len(read_pdf(out / "class-set.pdf").pages) == 6  # three copies, each on its own sheet
