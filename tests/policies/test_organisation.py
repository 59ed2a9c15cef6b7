"""The organisation's own answers (sim/policies/organisation.py): asked only where it has a say.

Agents ask some hooks on every order (a promise needs a stock view); an organisation
without shared data, or that lets every campaign run, is not asked them at all. That it
changes no result is the golden runs' and the determinism tests' to show; here, which
hooks are asked of whom.
"""

from sim import SalesPurchasingModel
from sim.compose import compose_config
from sim.configure import load_config
from sim.policies.organisation import SHARED_DATA_HOOKS, Organisation


def _model(*overrides: str) -> SalesPurchasingModel:
    return SalesPurchasingModel(load_config(compose_config(["horizon_days=10", "warmup_days=0", *overrides])))


def test_the_silo_is_not_asked_what_it_does_not_share() -> None:
    model = _model()
    organisation = Organisation(model.world.org, model)
    assert not any(organisation.answers(hook) for hook in SHARED_DATA_HOOKS)
    assert not organisation.answers("check_promotion")  # the silo lets every campaign run
    assert organisation.answers("reward")
    assert model.levers.show_stock is False  # so no account's order asks for a promise from stock


def test_an_organisation_that_shares_its_data_is_asked() -> None:
    model = _model("org=aligned")
    organisation = Organisation(model.world.org, model)
    assert all(organisation.answers(hook) for hook in SHARED_DATA_HOOKS)
    assert organisation.answers("check_promotion")  # campaigns must pay there
    assert model.levers.show_stock is True


def test_a_lever_that_shows_stock_is_asked_in_the_silo() -> None:
    assert _model("policy=systems_integration").levers.show_stock is True
