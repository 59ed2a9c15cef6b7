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
