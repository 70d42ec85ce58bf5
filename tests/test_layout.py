"""The library's folders are the stages of its data flow, and imports run one way down it.

load -> extract -> store (workspace) -> show (present). A module may import its own stage and
the stages the table below allows; `model` and `settings` are open to all; nothing in
`analysis/` imports Streamlit (the dashboard's `ui/` and `pages/` do). Function-level imports
count too: a lazy import against the flow is still a dependency against it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHARED = {"model", "settings"}
MAY_IMPORT = {
    "loaders": SHARED,
    "extract": SHARED | {"loaders"},
    "workspace": SHARED | {"loaders", "extract"},
    "present": SHARED | {"workspace"},
    "model": set(),
    "settings": set(),
}
TOP_LEVEL = {"__init__.py", "__main__.py", "model.py", "settings.py", "cli.py"}
FORBIDDEN_EVERYWHERE = {"streamlit"}


def _imports(path: Path, package: list[str]) -> list[str]:
    """Absolute names of every module `path` imports, anywhere in the file."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module is None or module in ("analysis", *(f"analysis.{s}" for s in MAY_IMPORT)):
                names += [f"{module}.{alias.name}" for alias in node.names]  # "from analysis import settings"
            else:
                names.append(module)
    return names


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "analysis" and len(parts) > 1 else None


def violations(library: Path) -> list[str]:
    """Every import under `library` (an `analysis/` folder) that runs against the flow."""
    found = []
    for path in sorted(library.rglob("*.py")):
        parts = list(path.relative_to(library.parent).with_suffix("").parts)
        package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
        stage = parts[1] if len(parts) > 2 or parts[1] in MAY_IMPORT else None  # None: cli, __main__
        for name in _imports(path, package):
            top = name.split(".")[0]
            if top in FORBIDDEN_EVERYWHERE:
                found.append(f"{path.relative_to(library.parent)} imports {name}")
            target = _stage(name)
            if stage is None or target is None or target == stage:
                continue
            if target not in MAY_IMPORT.get(stage, set()):
                found.append(f"{path.relative_to(library.parent)} ({stage}) imports {name} ({target})")
    return found


def test_imports_run_down_the_flow() -> None:
    assert violations(ROOT / "analysis") == []


def test_top_level_holds_only_records_settings_and_cli() -> None:
    top = {p.name for p in (ROOT / "analysis").glob("*.py")}
    folders = {p.name for p in (ROOT / "analysis").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert top == TOP_LEVEL
    assert folders == {"loaders", "extract", "workspace", "present"}


def test_checker_catches_imports_against_the_flow(tmp_path: Path) -> None:
    """The check above can fail: a small library with one import of each wrong kind."""
    lib = tmp_path / "analysis"
    for folder in ("extract", "workspace", "present", "loaders"):
        (lib / folder).mkdir(parents=True)
        (lib / folder / "__init__.py").write_text("")
    (lib / "model.py").write_text("import re\n")
    (lib / "extract" / "good.py").write_text("from analysis.loaders import x\nfrom ..model import Mention\n")
    (lib / "extract" / "bad.py").write_text("def f():\n    from ..workspace import store\n")
    (lib / "present" / "bad.py").write_text("from analysis import extract\nimport streamlit as st\n")
    (lib / "loaders" / "bad.py").write_text("from analysis.extract.nlp import load_pipeline\n")
    (lib / "workspace" / "good.py").write_text("from analysis.extract import pipeline\nfrom . import store\n")
    assert sorted(violations(lib)) == [
        "analysis/extract/bad.py (extract) imports analysis.workspace.store (workspace)",
        "analysis/loaders/bad.py (loaders) imports analysis.extract.nlp (extract)",
        "analysis/present/bad.py (present) imports analysis.extract (extract)",
        "analysis/present/bad.py imports streamlit",
    ]


def test_only_the_dashboard_imports_streamlit() -> None:
    """`ui/`, `pages/` and `dashboard.py` draw the app; the library, CLI and benchmarks do not."""
    offenders = [str(p.relative_to(ROOT)) for folder in ("analysis", "benchmarks")
                 for p in (ROOT / folder).rglob("*.py")
                 if any(n.split(".")[0] == "streamlit" for n in _imports(p, []))]
    assert offenders == []
