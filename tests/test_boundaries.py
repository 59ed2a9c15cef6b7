"""Package boundaries: what may import what, read from the sources (ast), and what `import sim.cli` loads."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

SIM = ROOT / "sim"
SIMULATION = ("sim.model", "sim.world", "sim.market", "sim.config", "sim.streams", "sim.clock")
SIMULATION_PACKAGES = ("sim.agents", "sim.behaviour", "sim.books", "sim.policies", "sim.output")
ABOVE_THE_SIMULATION = (
    "sim.analysis",
    "sim.views",
    "sim.live",
    "sim.play",
    "sim.commands",
    "sim.cli",
    "sim.hydra_app",
    "sim.compose",
    "sim.runner",
)
HYDRA_MODULES = {"sim.compose", "sim.sweep_jobs", "sim.hydra_app"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(path): imports(path) for path in sorted(SIM.rglob("*.py"))}


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in packages)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if within(m, SIMULATION + SIMULATION_PACKAGES)))
def test_the_simulation_never_imports_what_reads_or_drives_it(module: str) -> None:
    upward = sorted(name for name in MODULES[module] if within(name, ABOVE_THE_SIMULATION))
    assert not upward, f"{module} imports {upward}"


def test_only_compose_and_the_hydra_app_import_hydra() -> None:
    users = {module for module, names in MODULES.items() if within_any(names, ("hydra", "omegaconf"))}
    assert users == HYDRA_MODULES


def within_any(names: set[str], packages: tuple[str, ...]) -> bool:
    return any(within(name, packages) for name in names)


def test_no_installed_module_imports_the_studies_folder() -> None:
    assert not {module for module, names in MODULES.items() if within_any(names, ("experiments",))}


def top_level_graph(packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module-level imports (not those inside functions) among the modules of ``packages``."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SIM.rglob("*.py")):
        name = module_name(path)
        if not within(name, packages):
            continue
        targets = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {target for target in targets if within(target, packages) and target != name}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """An import circle of ``graph`` (depth-first search), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if state.get(target) is None and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


def test_no_import_circle_among_results_views_analysis_and_commands() -> None:
    packages = ("sim.output", "sim.views", "sim.analysis", "sim.commands", "sim.cli", "sim.compose", "sim.usage")
    found = cycle(top_level_graph(packages))
    assert found is None, " -> ".join(found or [])


def test_import_sim_cli_loads_neither_the_simulation_nor_hydra() -> None:
    # Mesa's packages are registered as lazy shells by sim/__init__ (sim.lazy_mesa): a shell
    # whose __init__ has not run is not Mesa loaded; nor is Mesa's small logging module,
    # which sim.lazy_mesa loads to spare it reading the stack's source.
    code = (
        "import sys, sim.cli; from sim.lazy_mesa import loaded_whole;"
        "heavy = ('sim.model', 'mesa', 'pandas', 'matplotlib', 'hydra', 'pydantic', 'typer');"
        "print(sorted(m for m, module in sys.modules.items() if (m.split('.')[0] in heavy or m == 'sim.model')"
        " and not (m in ('mesa', 'mesa.experimental') and not loaded_whole(module)) and m != 'mesa.mesa_logging'))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]", loaded


def test_the_kpi_registry_loads_no_pandas_or_matplotlib() -> None:
    heavy = "{'pandas', 'matplotlib'}"
    code = f"import sys, sim.output.kpis; print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]", loaded
