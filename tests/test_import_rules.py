"""How the gateway's modules may depend on each other, checked on the source.

A feature (``gateway/<feature>/``) never imports another feature's endpoints, and only the
process's entry points import the wiring (``gateway.bootstrap``): features share services
and the request context, not routes or wiring. And the gateway's top-level packages form no
import cycle at run time (imports for type checking only do not count).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

GATEWAY = Path(__file__).resolve().parents[1] / "gateway"
ENTRY_POINTS = {"gateway.app", "gateway.cli", "gateway.demo.run", "gateway.retention.runner"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(GATEWAY.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(GATEWAY.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, ast.parse(path.read_text(encoding="utf-8"))


def _runtime_imports(tree: ast.Module) -> Iterator[str]:
    """Modules imported at module level, outside ``if TYPE_CHECKING:`` blocks."""
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Import):
            yield from (alias.name for alias in child.names)
        elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
            yield child.module
            yield from (f"{child.module}.{alias.name}" for alias in child.names)


def _package(module: str) -> str:
    """The unit of the cycle check: a top-level package, with its routes apart (endpoints are
    the web layer: they import the request dependencies, which import the features)."""
    package = ".".join(module.split(".")[:2])
    return f"{package}.endpoints" if module.endswith(".endpoints") else package


MODULES = dict(_modules())


@pytest.mark.parametrize("module", sorted(set(MODULES) - ENTRY_POINTS))
def test_no_feature_imports_another_features_endpoints(module: str) -> None:
    own = ".".join(module.split(".")[:2])
    for imported in _imports_in(MODULES[module]):
        if imported.endswith(".endpoints") and imported in MODULES:
            assert imported.startswith(own + "."), f"{module} imports {imported}"


@pytest.mark.parametrize("module", sorted(set(MODULES) - ENTRY_POINTS - {"gateway.bootstrap"}))
def test_only_entry_points_import_the_wiring(module: str) -> None:
    imported = set(_imports_in(MODULES[module]))
    assert not {"gateway.bootstrap", "gateway.app"} & imported, f"{module} imports the wiring"


def test_the_gateways_packages_import_no_cycle_at_run_time() -> None:
    graph: dict[str, set[str]] = {}
    for module, tree in MODULES.items():
        source = _package(module)
        for imported in _runtime_imports(tree):
            target = _package(imported)
            if imported.startswith("gateway.") and imported in MODULES and target != source:
                graph.setdefault(source, set()).add(target)
    cycles = _cycles(graph)
    assert not cycles, f"package import cycles: {cycles}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
