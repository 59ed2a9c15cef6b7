"""Mesa's core without its spaces: ``import mesa.agent`` at the price of Agent and Model alone.

Mesa is the agent framework here, but ``mesa/__init__.py`` eagerly imports every space,
batch runner and experimental module (scipy.spatial, networkx, ...): about a second and
40 MB before the first agent exists, for a model that uses none of them. This module
registers ``mesa`` and ``mesa.experimental`` as packages whose ``__init__`` runs on first
use of one of their own names (PEP 562 ``__getattr__``): ``mesa.agent`` and ``mesa.model``
then import alone, and ``mesa.DataCollector`` or ``from mesa import Model`` still give
Mesa's real objects, the whole package being loaded then. Nothing changes where Mesa is
already imported.

Only a name the package could give loads it (one its ``__init__`` binds, read from its
source, or a submodule's): code that looks a name up in every module, as pickle does to
find a function's module, must not load Mesa by asking it for one of its own names. A
sweep's workers paid that second at their first result (cloudpickle's ``_whichmodule``).

Mesa's logging helpers (``mesa.mesa_logging``) name a module's logger and a decorated
method's class from the call stack with ``inspect.stack()``, which reads the source lines
of every frame on the stack: a tenth of a second when ``mesa.model`` is imported, for
names the frames carry themselves. :func:`install` hands that module a stand-in for
``inspect`` that reads the same names off the frames (a test checks they agree).
"""

import ast
import importlib.util
import pkgutil
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any, NamedTuple

PACKAGES = ("mesa", "mesa.experimental")


def _lazy_package(name: str) -> None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or name in sys.modules:
        return
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    names: frozenset[str] | None = None

    def load_on_first_use(attribute: str) -> Any:
        nonlocal names
        if attribute.startswith("__"):  # the import machinery probing: not a use of Mesa
            raise AttributeError(attribute)
        names = _names_given(spec) if names is None else names
        if names and attribute not in names:  # as the loaded package would answer
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        del module.__dict__["__getattr__"]
        loader.exec_module(module)
        return getattr(module, attribute)

    module.__getattr__ = load_on_first_use  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def _names_given(spec: ModuleSpec) -> frozenset[str]:
    """Every name a package can give once loaded: those its ``__init__`` binds, and its submodules'.

    Empty (any name may be given) where the source cannot tell: none found, or a ``*`` import.
    """
    try:
        tree = ast.parse(Path(str(spec.origin)).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    names = {info.name for info in pkgutil.iter_modules(spec.submodule_search_locations or [])}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            if any(alias.name == "*" for alias in node.names):
                return frozenset()
            names.update(alias.asname or alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return frozenset(names)


class _Frame(NamedTuple):
    """The fields of ``inspect.FrameInfo`` that Mesa's logging reads, without the source lines."""

    frame: FrameType
    filename: str
    lineno: int
    function: str


def _outer_frames(frame: FrameType | None) -> list[_Frame]:
    found = []
    while frame is not None:
        found.append(_Frame(frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return found


class _FrameNames:
    """What ``mesa.mesa_logging`` asks of ``inspect``: frames and their names, no source read."""

    @staticmethod
    def currentframe() -> FrameType:
        return sys._getframe(1)

    @staticmethod
    def stack(context: int = 1) -> list[_Frame]:
        return _outer_frames(sys._getframe(1))

    @staticmethod
    def getouterframes(frame: FrameType, context: int = 1) -> list[_Frame]:
        return _outer_frames(frame)

    @staticmethod
    def getmodule(frame: FrameType) -> ModuleType | None:
        return sys.modules.get(frame.f_globals.get("__name__", ""))


def install() -> None:
    """Register Mesa's packages to load on first use (once; no effect if Mesa is imported already)."""
    if "mesa" in sys.modules:
        return
    for name in PACKAGES:
        _lazy_package(name)
    if "mesa" in sys.modules:
        import mesa.mesa_logging

        mesa.mesa_logging.inspect = _FrameNames


def loaded_whole(module: ModuleType) -> bool:
    """Whether a lazily registered package has run its ``__init__``."""
    return "__getattr__" not in module.__dict__
