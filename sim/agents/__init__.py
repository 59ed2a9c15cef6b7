"""Who acts: customer accounts, sales reps, buyers and suppliers (Mesa agents with SimPy processes)."""

from sim.agents.buyer import Buyer
from sim.agents.customer import CustomerAccount
from sim.agents.sales import SalesRep
from sim.agents.supplier import Supplier

__all__ = ["Buyer", "CustomerAccount", "SalesRep", "Supplier"]
