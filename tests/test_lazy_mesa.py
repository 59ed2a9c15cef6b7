"""Mesa's core loads alone for the model; the whole of Mesa is still there for whoever asks."""

import subprocess
import sys
import textwrap


def fresh_python(code: str) -> str:
    """Run ``code`` in a new interpreter (import state is what is tested) and return its output."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_model_runs_without_mesas_spaces() -> None:
    out = fresh_python(
        """
        import sys
        from sim import SalesPurchasingModel, load_config
        SalesPurchasingModel(load_config({"horizon_days": 5, "warmup_days": 0})).run()
        heavy = sorted({m.split(".")[0] for m in sys.modules if m.startswith(("scipy", "networkx"))})
        import mesa
        from sim.lazy_mesa import loaded_whole
        print(heavy, loaded_whole(mesa))
        """
    )
    assert out == "[] False"


def test_every_name_of_mesa_resolves_to_mesas_own_object() -> None:
    out = fresh_python(
        """
        import sim  # registers the lazy packages
        import mesa
        from mesa import Agent, DataCollector, Model, batch_run
        from mesa.agent import Agent as CoreAgent
        from mesa.visualization import SolaraViz
        import mesa.experimental
        print(Agent is CoreAgent, DataCollector.__module__, Model.__module__, callable(batch_run),
              mesa.__version__.count("."), SolaraViz.__module__.startswith("mesa.visualization"),
              hasattr(mesa.experimental, "devs"))
        """
    )
    assert out == "True mesa.datacollection mesa.model True 2 True True"


def test_mesas_loggers_get_the_names_inspect_would_give_them() -> None:
    out = fresh_python(
        """
        import inspect, sys
        import sim  # hands mesa.mesa_logging the stand-in
        import mesa.mesa_logging as logging_helpers
        from mesa.model import Model
        stand_in = logging_helpers.inspect
        def named_here():
            return ([f[1:4] for f in stand_in.stack()[:2]], [f[1:4] for f in inspect.stack()[:2]],
                    stand_in.getouterframes(stand_in.currentframe())[0][3], stand_in.getmodule(stand_in.stack()[0][0]))
        ours, theirs, current, module = named_here()
        logger = logging_helpers._module_loggers["mesa.model"].name
        print(ours == theirs, current, module is sys.modules["__main__"], logger)
        """
    )
    assert out == "True named_here True MESA.mesa.model"


def test_a_name_mesa_lacks_leaves_it_unloaded_and_every_name_it_has_loads_it() -> None:
    out = fresh_python(
        """
        import importlib.util
        import sim
        import mesa, mesa.experimental
        from joblib.externals import cloudpickle
        from sim.lazy_mesa import _names_given, loaded_whole
        def job():
            pass
        job.__module__ = None  # as functions in a sweep job's result have: cloudpickle searches every module
        cloudpickle.dumps(job)
        before = hasattr(mesa, "no_such_name"), hasattr(mesa.experimental, "add"), loaded_whole(mesa)
        names = {"mesa": _names_given(importlib.util.find_spec("mesa"))}
        names["mesa.experimental"] = _names_given(importlib.util.find_spec("mesa.experimental"))
        found = hasattr(mesa, "DataCollector"), loaded_whole(mesa), hasattr(mesa.experimental, "devs")
        missing = {package: sorted(n for n in dir(module) if not n.startswith("__") and n not in names[package])
                   for package, module in (("mesa", mesa), ("mesa.experimental", mesa.experimental))}
        print(before, found, missing)
        """
    )
    assert out == "(False, False, False) (True, True, True) {'mesa': [], 'mesa.experimental': []}"
