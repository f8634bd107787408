"""The structure docs/extending.md describes: one-way layers, light planning, one error root."""

import ast
import importlib
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pxassure import errors

PACKAGE = ROOT / "lib" / "pxassure"

#: Bottom to top. A module may import from its own layer or any layer before it, never after.
LAYERS = [
    ("foundation", {"pxassure", "pxassure.errors", "pxassure.files"}),
    ("ingest", {"pxassure.ingest"}),
    ("analysis", {"pxassure.analysis"}),
    ("reports", {"pxassure.reports"}),
    ("publish", {"pxassure.publish"}),
    ("execution", {"pxassure.execution"}),
    ("cli", {"pxassure.cli", "pxassure.cli_themes"}),
]


def layer_of(module: str) -> int:
    """Index of the layer a dotted module name belongs to (the longest matching prefix wins)."""
    best, depth = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and p.count(".") > depth:
                best, depth = i, p.count(".")
    assert best is not None, module
    return best


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        yield name, path


def imports_of(path: Path) -> set[str]:
    """Every pxassure module a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "pxassure"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pxassure":
            for a in node.names:  # "from pxassure.publish import render" imports pxassure.publish.render
                candidate = f"{node.module}.{a.name}"
                where = PACKAGE.parent / Path(*candidate.split("."))
                is_module = where.with_suffix(".py").exists() or (where / "__init__.py").exists()
                found.add(candidate if is_module else node.module)
    return found


def test_no_module_imports_from_a_layer_above_its_own():
    wrong = []
    for name, path in modules():
        for target in imports_of(path):
            if layer_of(target) > layer_of(name):
                wrong.append(f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
    assert not wrong, "\n".join(wrong)


def import_cycles() -> list[list[str]]:
    """Every cycle among pxassure's modules, counting imports inside functions (one per cycle)."""
    graph = {name: {t for t in imports_of(path) if t != name} for name, path in modules()}
    cycles, done = [], set()

    def visit(node, trail):
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycle = trail[trail.index(nxt) :]
                if frozenset(cycle) not in done:
                    done.add(frozenset(cycle))
                    cycles.append(cycle + [nxt])
            elif nxt not in seen:
                seen.add(nxt)
                visit(nxt, trail + [nxt])

    seen: set[str] = set()
    for start in sorted(graph):
        if start not in seen:
            seen.add(start)
            visit(start, [start])
    return cycles


def test_no_import_cycle_anywhere_in_the_package():
    """Function-level imports included: two modules that import each other, even lazily, are one
    module in two files (the execution layer was built to end build <-> cluster)."""
    assert not import_cycles(), "\n".join(" -> ".join(c) for c in import_cycles())


def test_statistics_live_in_the_analysis_layer():
    """Report models select and arrange; correlations, trend models and working-day counts are
    analysis (pure functions on DataFrames), so no report or presentation module computes them."""
    for layer in ("reports", "publish"):
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            imported = {
                name.split(".")[0]
                for node in ast.walk(ast.parse(text))
                for name in (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
            }
            assert not imported & {"scipy", "statsmodels"}, path.name
            assert "busday_count" not in text and "spearmanr" not in text, path.name


def test_the_layer_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "spc.py"
    bad.write_text("from pxassure.publish import charts\n")
    assert any(layer_of(t) > layer_of("pxassure.analysis.spc") for t in imports_of(bad))


def test_the_analysis_knows_nothing_of_presentation():
    """The SPC engine returns codes (icons, point types, flags); every word about them is the
    vocabulary's, so a paper's wording changes in one place."""
    for path in sorted((PACKAGE / "analysis" / "spc").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not any("publish" in target for target in imports_of(path)) and "plot_spc" not in text
        for words in ("special cause improvement (higher values)", "Laney p′ chart", "Consistently fails target"):
            assert words not in text, (path.name, words)
        for words in ("missing value(s)", "too sparse for the run rules", "needed for process limits"):
            assert words not in text, (path.name, words)


def test_planning_a_build_imports_no_statistics_or_notebook_machinery(demo_db):
    code = (
        "import sys\n"
        "from pxassure.execution import build, planning\n"
        f"jobs = planning.plan(None, database={str(demo_db)!r}, overrides={{'shift_length': 6}})\n"
        "assert len(jobs) > 60, len(jobs)\n"
        "heavy = {'scipy', 'statsmodels', 'papermill', 'nbconvert', 'nbclient', 'jupyter_client', 'matplotlib'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


def test_every_project_error_derives_from_one_root():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception)]
    assert len(classes) >= 10
    assert all(issubclass(c, errors.PxassureError) for c in classes)
    defined_elsewhere = []
    for name, path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and (node.name.endswith("Error") or node.name.endswith("Exception")):
                cls = getattr(__import__(name, fromlist=["_"]), node.name)
                if not issubclass(cls, errors.PxassureError):
                    defined_elsewhere.append(f"{name}.{node.name}")
    assert not defined_elsewhere


@pytest.mark.parametrize("builtin", ["ValueError", "RuntimeError", "FileNotFoundError", "Exception"])
def test_the_library_raises_only_its_own_errors(builtin):
    raising = [
        f"{name}:{node.lineno}"
        for name, path in modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and getattr(node.exc.func, "id", None) == builtin
    ]
    assert not raising


def test_the_package_root_exports_no_short_names():
    """Modules are reached by their layer; the pre-layer short names (``pxassure.spc``) are gone."""
    import pxassure

    assert not hasattr(pxassure, "spc") and not hasattr(pxassure, "store")
    from pxassure.analysis import framework, spc, trends

    assert spc.xmr and trends.trend_tests and "catalogue" not in framework.__all__


def test_one_record_per_icon_and_no_matplotlib_for_colours():
    """The SVG charts, the tables and the words read one table of icons (``publish.style``), which
    imports no matplotlib; the SVG charts no longer import the matplotlib charts for colours."""
    style = (PACKAGE / "publish" / "style.py").read_text(encoding="utf-8")
    assert "import matplotlib" not in style and "from matplotlib" not in style
    assert "pxassure.publish.charts" not in imports_of(PACKAGE / "publish" / "svgcharts.py")
    for module in ("render", "vocabulary", "svgcharts", "charts"):
        text = (PACKAGE / "publish" / f"{module}.py").read_text(encoding="utf-8")
        assert "pxassure.publish.style" in imports_of(PACKAGE / "publish" / f"{module}.py"), module
        assert "Special cause concern: a significant" not in text, module
        assert module == "charts" or '"#D55E00"' not in text, module  # (charts: a categorical palette)


def test_loading_never_needs_the_theme_models_training():
    """Classifying comments at load reads the shipped model; training and evaluating it
    (``ingest.themes_training``) is only for ``pxassure themes train`` and ``evaluate``."""
    for name, path in modules():
        if name not in ("pxassure.ingest.themes_training", "pxassure.cli_themes"):
            assert "pxassure.ingest.themes_training" not in imports_of(path), name


def test_every_name_imported_from_pxassure_exists():
    """A name moved to another module (SPC internals, staging) leaves no import pointing at its old
    home, in the package, its tests or its benchmarks, including imports inside functions."""
    root = PACKAGE.parent.parent
    files = [*PACKAGE.rglob("*.py"), *(root / "tests").glob("*.py"), *(root / "benchmarks").glob("*.py")]
    missing = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pxassure":
                module = importlib.import_module(node.module)
                for alias in node.names:
                    where = f"{node.module}.{alias.name}"
                    is_package = hasattr(module, "__path__")
                    if not hasattr(module, alias.name) and not (is_package and importlib.util.find_spec(where)):
                        missing.append(f"{path.name}: {where}")
    assert not missing


def test_no_module_is_over_600_lines():
    """A module that long holds more than one idea; split it by concept (as schema and columns are)."""
    long = {
        p.relative_to(PACKAGE).as_posix(): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 600
    }
    assert not long
