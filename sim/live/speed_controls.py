"""The dashboard's play speed: the speed picker, and the keeper that holds ▶ to its pace on this machine."""

import time
from collections.abc import Callable
from typing import cast

import solara
from mesa.visualization.utils import update_counter

from sim.live import pace


@solara.component
def RunSpeed(
    speed: solara.Reactive[str], play_interval: solara.Reactive[int], days_per_tick: solara.Reactive[int]
) -> None:
    """The play speed; at the fast speeds Step and each tick of ▶ advance several days.

    Mesa's controller reads ``play_interval`` and ``days_per_tick`` (its render interval) on
    every tick, so a new speed applies at once, even while playing.
    """

    def choose(label: str) -> None:
        chosen = pace.SPEEDS[label]
        speed.set(label)
        play_interval.set(chosen.interval_ms)
        days_per_tick.set(chosen.days_per_tick)

    solara.Select("Play speed", values=list(pace.SPEEDS), value=speed.value, on_value=choose)
    if days_per_tick.value > 1:
        solara.Text(
            f"At this speed Step and ▶ move {days_per_tick.value} days at a time.",
            classes=["spsim-description", "spsim-speed-note"],
        )


@solara.component
def PaceKeeper(days_done: Callable[[], int], speed: solara.Reactive[str], play_interval: solara.Reactive[int]) -> None:
    """Keeps ▶ at its speed: after each tick the sleep follows what the last tick really took.

    A tick is read off the run itself (the days simulated moved on by the speed's days since
    the last redraw that moved them); other redraws (a slider, a Step) time nothing.
    """
    update_counter.get()  # re-drawn with the run
    last = solara.use_ref(cast(tuple[float, int] | None, None))
    now, days = time.perf_counter(), days_done()
    if last.current is not None and days == last.current[1]:
        return
    chosen = pace.SPEEDS[speed.value]
    if last.current is not None and days == last.current[1] + chosen.days_per_tick:
        adjusted = pace.next_interval(play_interval.value, chosen, 1000 * (now - last.current[0]))
        if adjusted != play_interval.value:
            play_interval.set(adjusted)
    last.current = (now, days)
