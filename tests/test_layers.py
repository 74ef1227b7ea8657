"""The layers import only downwards: graphcl.core <- graphcl.data <- graphcl.hetero and rec <-
the application (config, registry, runner, cli) <- graphcl.tuning (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOUNDATION = ("graphcl.core", "graphcl.utils")
ALLOWED = {  # package -> the project packages it may import (itself included)
    "graphcl.core": FOUNDATION,
    "graphcl.utils": FOUNDATION,
    "graphcl.data": FOUNDATION + ("graphcl.data",),
    "graphcl.eval": FOUNDATION + ("graphcl.data", "graphcl.eval"),
    "graphcl.hetero": FOUNDATION + ("graphcl.data", "graphcl.eval", "graphcl.hetero"),
    "rec": FOUNDATION + ("graphcl.data", "rec"),
}


def project_imports(path: Path) -> set[str]:
    """Every ``graphcl...`` / ``rec...`` module a file imports, at any depth of the code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] in ("graphcl", "rec")}


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:2]) if parts[0] == "graphcl" and len(parts) > 2 else parts[0]


FILES = sorted(p for top in ("graphcl", "rec") for p in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", [p for p in FILES if package_of(p) in ALLOWED], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_import(path):
    allowed = ALLOWED[package_of(path)]
    upward = [name for name in project_imports(path) if not name.startswith(allowed)]
    assert not upward, f"{path.relative_to(ROOT)} imports {upward} from a layer above it"


def test_the_walker_sees_an_upward_import(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from graphcl.config import load_run_config\n")
    assert project_imports(sample) == {"graphcl.config"}
