"""The package's shape: imports go one way, down the layers, and never in a circle.

Every ``import`` and ``from ... import`` of a ``sim`` module is read from the source with
the standard library (function-level and ``TYPE_CHECKING`` imports included: a circle
that only type checkers see is still a circle a reader has to untangle).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"

LAYERS: tuple[tuple[str, ...], ...] = (
    # lowest first: a module may import its own layer and those below it, never above
    ("sim.clock", "sim.streams", "sim.config", "sim.lazy_mesa", "sim.flags", "sim.usage", "sim.config_files"),
    ("sim.output.event_kinds", "sim.output.events", "sim.output.kpi_units", "sim.output.kpis", "sim.output.atomic"),
    ("sim.behaviour", "sim.books", "sim.market", "sim.specs", "sim.accounts", "sim.world", "sim.output"),
    ("sim.ports",),
    ("sim.agents", "sim.policies"),
    ("sim.news", "sim.period_end", "sim.model", "sim.configure", "sim.lean"),
    (
        "sim.runner",
        "sim.compose",
        "sim.sweep_jobs",
        "sim.sweep_workers",
        "sim.forked_backend",
        "sim.analysis",
        "sim.views",
        "sim.play",
        "sim.live",
    ),
    ("sim.hydra_app", "sim.commands", "sim.quick_check", "sim.cli"),
)
"""The layers of docs/ARCHITECTURE.md, lowest first."""

MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The ``sim`` modules a module imports (a name imported from a package counts as its module if it is one)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            found |= submodules
            if len(submodules) < len(node.names):  # names defined in ``base`` itself
                found.add(base)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def layer_of(name: str) -> int:
    """The layer of the longest prefix that names ``name``'s place (the package root is above all)."""
    best, depth = len(LAYERS), -1
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and prefix.count(".") > depth:
                best, depth = level, prefix.count(".")
    return best


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
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
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_has_a_layer() -> None:
    unplaced = [name for name in MODULES if name != "sim" and layer_of(name) == len(LAYERS)]
    assert not unplaced, f"add these modules to LAYERS: {unplaced}"


def test_no_import_circle() -> None:
    assert not cycles(GRAPH), "import circles: " + "; ".join(" <-> ".join(c) for c in cycles(GRAPH))


@pytest.mark.parametrize("name", [name for name in MODULES if name != "sim"])
def test_imports_go_down_the_layers(name: str) -> None:
    upward = sorted(target for target in GRAPH[name] if target != "sim" and layer_of(target) > layer_of(name))
    assert not upward, f"{name} (layer {layer_of(name)}) imports from a higher layer: {upward}"


def test_no_module_over_500_lines() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, f"split these modules along their concepts: {long}"


def test_the_checker_sees_a_circle_and_an_upward_import() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
    assert layer_of("sim.agents.buyer") > layer_of("sim.ports") > layer_of("sim.books.orders")
    assert "sim.hydra_app" in GRAPH["sim.cli"]  # a function-level import is seen
