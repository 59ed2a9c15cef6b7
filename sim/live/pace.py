"""How fast the dashboard plays, and where a jump may land.

Play is Mesa's ModelController: it sleeps ``play_interval`` ms, steps ``render_interval``
days, redraws, and again. A month a second is 30 days a second: a redraw of five charts
after every day would be 30 redraws a second, more than a projector needs and a busy
machine gives, so the fast speeds step several days between redraws. Each tick also costs
its days and its redraw (on the 2-core workshop machines: ~5 ms a day, ~70 ms a redraw),
so the sleep is shortened by that much to start with; while playing, :func:`next_interval`
then corrects the sleep by the period the screen really shows (a busy or slower machine
redraws more slowly than the estimate), so the pace holds on the machine in the room.
"""

from dataclasses import dataclass

DAY_COST_MS = 5.0  # one simulated day with its measures (read lazily: sim.live.measures)
REDRAW_COST_MS = 70.0  # the day line, five charts and the feed (make bench: step + render 0.06-0.08 s)


@dataclass(frozen=True)
class Speed:
    """A play speed: simulated days a second, and how many days each redraw shows."""

    label: str
    days_per_second: float
    days_per_tick: int  # Mesa's render_interval: Step and each tick of ▶ advance this many days

    @property
    def period_ms(self) -> float:
        """The time a tick should take, sleep included."""
        return 1000 * self.days_per_tick / self.days_per_second

    @property
    def interval_ms(self) -> int:
        """Mesa's play interval: the sleep between ticks, less what a tick costs."""
        return max(0, round(self.period_ms - self.days_per_tick * DAY_COST_MS - REDRAW_COST_MS))


SPEEDS = {
    speed.label: speed
    for speed in (
        Speed("1 day a second", 1, 1),
        Speed("2 days a second", 2, 1),
        Speed("1 week a second", 7, 1),
        Speed("2 weeks a second", 14, 2),
        Speed("1 month a second", 30, 5),
    )
}
DEFAULT_SPEED = "2 days a second"  # about the pace the dashboard always had: a facilitator can narrate


def jump_problem(target: int | None, days_done: int, total_days: int) -> str | None:
    """The one line saying why the run cannot jump to day ``target``, or None.

    Args:
        target: the day to show last (0-based, as the day line counts), None if none typed.
        days_done: days simulated so far (the day shown is ``days_done - 1``).
        total_days: the run's warm-up plus horizon.
    """
    last = total_days - 1
    if days_done >= total_days:
        return f"The run is over: day {last} was its last. Reset to start again."
    if target is None:
        return f"Jump to day: type a day from {days_done} to {last} first."
    if target < 0:
        return f"Day {target} is before the run's first day, 0: jump to a day from {days_done} to {last}."
    if target > last:
        return f"Day {target} is past the run's end: its last day is {last}."
    if target < days_done:
        return f"Day {target} has passed: the run is at day {days_done - 1}; jump to a day up to {last}, or Reset."
    return None


def next_interval(interval_ms: int, speed: Speed, observed_ms: float) -> int:
    """The sleep for the next tick, given the period between the last two redraws while playing.

    Half the gap to the speed's period is made up each tick (steady, no overshoot); a gap
    that is no play tick (a pause, a Step click: under half or over twice the period)
    leaves the sleep as it is. The sleep stays between 0 and the whole period.
    """
    period = speed.period_ms
    if not 0.5 * period <= observed_ms <= 2.0 * period:
        return interval_ms
    return min(round(period), max(0, round(interval_ms + 0.5 * (period - observed_ms))))
