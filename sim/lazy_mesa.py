"""Mesa's core without its spaces: ``import mesa.agent`` at the price of Agent and Model alone.

Mesa is the agent framework here, but ``mesa/__init__.py`` eagerly imports every space,
batch runner and experimental module (scipy.spatial, networkx, ...): about a second and
40 MB before the first agent exists, for a model that uses none of them. This module
registers ``mesa`` and ``mesa.experimental`` as packages whose ``__init__`` runs on first
use of one of their own names (PEP 562 ``__getattr__``): ``mesa.agent`` and ``mesa.model``
then import alone, and ``mesa.DataCollector`` or ``from mesa import Model`` still give
Mesa's real objects, the whole package being loaded then. Nothing changes where Mesa is
already imported.

Mesa's logging helpers (``mesa.mesa_logging``) name a module's logger and a decorated
method's class from the call stack with ``inspect.stack()``, which reads the source lines
of every frame on the stack: a tenth of a second when ``mesa.model`` is imported, for
names the frames carry themselves. :func:`install` hands that module a stand-in for
``inspect`` that reads the same names off the frames (a test checks they agree).
"""

import importlib.util
import sys
from types import FrameType, ModuleType
from typing import Any, NamedTuple

PACKAGES = ("mesa", "mesa.experimental")


def _lazy_package(name: str) -> None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or name in sys.modules:
        return
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def load_on_first_use(attribute: str) -> Any:
        if attribute.startswith("__"):  # the import machinery probing: not a use of Mesa
            raise AttributeError(attribute)
        del module.__dict__["__getattr__"]
        loader.exec_module(module)
        return getattr(module, attribute)

    module.__getattr__ = load_on_first_use  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


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
