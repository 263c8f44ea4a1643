"""The package's imports point one way: down the layer order ``LAYERS`` (README.md, "Read these first", shows it).

Every module's imports are read with ``ast`` (imports inside functions included, since a lazy import is still a
dependency: it only hides a cycle from the interpreter), resolved to the module they name, and checked two ways:

- no import reaches a higher layer than the importing module's own;
- no cycle among modules, even inside one layer (``study.runner`` -> ``study.launch`` -> ``study.runner``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import crossover

PACKAGE = Path(crossover.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "provenance", "settings"),  # leaves: errors, where a result came from, settings validation
    ("data", "world"),  # canonical records and JSONL; the wind tunnel (which writes those records)
    ("models",),  # resolving, loading and saving models; padded batches
    ("methods",),  # name -> MethodSpec building a TRL trainer
    ("train",),  # an arm trained stage by stage
    ("probes",),  # behaviour probes, their graders and their calibration against the world
    ("config", "pricing"),  # the study file read into settings; its prices and margin, which analysis reads too
    ("study",),  # runs of a study executed into the results store
    ("analysis",),  # the store's tables: gains, breakeven, crossover budget, flags
    ("report",),  # the store as HTML, Markdown and terminal text
    ("", "api", "results", "cli", "__main__"),  # the public API (the package root) and one sub-command per verb
)
"""Package layers, bottom first, each named by the top-level modules and sub-packages it holds ("": the root)."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def known_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def resolve(name: str, modules: dict[str, Path]) -> str:
    """The module a dotted name lands in: itself, or (for ``from package import name``) its package."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports(source: str, text: str, modules: dict[str, Path], is_package: bool = False) -> list[Edge]:
    """Every import of a crossover module in module ``source`` (code ``text``), at any depth of its syntax tree."""
    package = source if is_package else source.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(text, source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names = [f"{base}.{alias.name}" for alias in node.names]  # a submodule, or a name in ``base``
        else:
            continue
        for name in names:
            if name.split(".")[0] == "crossover":
                target = resolve(name, modules)
                if target != source:
                    out.append(Edge(source, target, node.lineno))
    return out


def all_edges() -> list[Edge]:
    modules = known_modules()
    edges = [e for name, path in sorted(modules.items())
             for e in imports(name, path.read_text(encoding="utf-8"), modules, path.name == "__init__.py")]
    return list(dict.fromkeys(edges))  # ``from m import a, b`` is one edge


def layer_of(module: str) -> int:
    """The index in ``LAYERS`` of the layer holding ``module`` (by its first component below the root)."""
    top = module.split(".")[1] if "." in module else ""
    for index, layer in enumerate(LAYERS):
        if top in layer:
            return index
    raise AssertionError(f"{module}: not in any layer of LAYERS (tests/test_layers.py); add its package there")


def test_every_import_points_down_the_layer_order():
    upward = [e for e in all_edges() if layer_of(e.target) > layer_of(e.source)]
    assert not upward, "imports against the layer order (LAYERS):\n" + "\n".join(map(str, upward))


def test_no_module_import_cycle():
    graph: dict[str, set[str]] = {}
    for e in all_edges():
        graph.setdefault(e.source, set()).add(e.target)
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(sorted(c)) for c in cycles)


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Components of more than one module (Tarjan's algorithm, iterative enough for a package this size)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_sees_lazy_relative_and_upward_imports():
    """The checker itself: imports inside a function, relative ones and ``from package import module`` are seen,
    and one pointing up the layers is flagged."""
    modules = dict.fromkeys(["crossover", "crossover.world", "crossover.world.x", "crossover.world.y",
                             "crossover.report", "crossover.report.page"], PACKAGE)
    code = "import os\ndef f():\n    from crossover.report.page import build\n    from . import y\n" \
           "from crossover.world import knowledge_base\n"
    edges = [(e.target, e.line) for e in imports("crossover.world.x", code, modules)]
    assert sorted(edges) == [("crossover.report.page", 3), ("crossover.world", 5), ("crossover.world.y", 4)]
    assert layer_of("crossover.report.page") > layer_of("crossover.world.x")
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]
