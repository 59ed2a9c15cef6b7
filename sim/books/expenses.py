"""Operating expenses: the departments' staff and the company's overhead, a fixed cost per day.

They do not depend on anything the departments decide, so they are accrued by the day
and posted to the ledger when the books are settled (the end of a run, or each step),
whole cents, the rounding carried: the total posted after ``d`` days is always
``round(d × cost per day)``.
"""

from sim.books.ledger import Ledger
from sim.output import events
from sim.output.recorder import Recorder

OPERATING_EXPENSES = events.code("operating_expenses")


class OperatingExpenses:
    """Staff salaries and overhead, posted for the days not yet posted."""

    def __init__(self, ledger: Ledger, recorder: Recorder, cents_per_day: float) -> None:
        self.ledger = ledger
        self.recorder = recorder
        self.cents_per_day = cents_per_day
        self.posted_until = 0  # first day not yet posted
        self._posted_cents = 0

    def settle(self, end_day: int) -> None:
        """Post the operating expenses of every day before ``end_day``."""
        if end_day <= self.posted_until or self.cents_per_day <= 0:
            return
        due = round(self.cents_per_day * end_day) - self._posted_cents
        days = end_day - self.posted_until
        self.posted_until = end_day
        if due:
            self._posted_cents += due
            self.ledger.post("operating_expenses", "cash", due)
            recorder = self.recorder
            detail = recorder.text(f"staff and overhead, {days} days")
            recorder.flow(
                float(end_day), OPERATING_EXPENSES, recorder.name("company"), -1, -1, -1, days, due, detail=detail
            )
