"""The run's record: the business event log and the mechanism signals.

Events are appended as plain tuples in the order they happen (the hot path is a
list append); daily tables are derived from them once, at the end, so the series a
user reads and the events a facilitator points at can never disagree.
"""

from typing import Any

import numpy as np
import pandas as pd

EVENT_COLUMNS = ("time", "event", "agent", "sku", "account", "ref", "quantity", "value", "detail")
SIGNAL_COLUMNS = ("time", "signal", "agent", "sku", "value")

Event = tuple[float, str, str, int, int, int, int, int, str]


class Recorder:
    """Collects the event log and the signals of one run.

    ``log`` takes one event tuple: (time, event, agent, sku, account, ref, quantity,
    value in cents, detail); -1 marks "not applicable" in the integer columns.
    Signals are numbers agents decide on and policies move (forecasts, trust, ...),
    recorded whenever they change, with ``sku`` -1 for company-wide ones.
    """

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.signals: list[tuple[float, str, str, int, float]] = []
        self.log = self.events.append  # bound once: called for every order line

    def signal(self, time: float, name: str, agent: str, sku: int, value: float) -> None:
        """Record the new value of a mechanism measure held by ``agent`` (per SKU, or -1)."""
        self.signals.append((time, name, agent, sku, value))

    def event_table(self) -> pd.DataFrame:
        """Every business event, in the order it happened; values in currency."""
        columns: list[Any] = list(zip(*self.events, strict=True)) if self.events else [()] * 9
        time = np.asarray(columns[0], dtype=np.float64)
        return pd.DataFrame(
            {
                "time": time,
                "day": np.floor(time).astype(np.int32),
                "event": pd.Categorical(columns[1]),
                "agent": pd.Categorical(columns[2]),
                "sku": np.asarray(columns[3], dtype=np.int32),
                "account": np.asarray(columns[4], dtype=np.int32),
                "ref": np.asarray(columns[5], dtype=np.int64),
                "quantity": np.asarray(columns[6], dtype=np.int64),
                "value": np.asarray(columns[7], dtype=np.int64) / 100.0,
                "detail": pd.Categorical(columns[8]),
            }
        )

    def signal_table(self) -> pd.DataFrame:
        """Every recorded change of a mechanism measure."""
        columns: list[Any] = list(zip(*self.signals, strict=True)) if self.signals else [()] * 5
        time = np.asarray(columns[0], dtype=np.float64)
        return pd.DataFrame(
            {
                "time": time,
                "day": np.floor(time).astype(np.int32),
                "signal": pd.Categorical(columns[1]),
                "agent": pd.Categorical(columns[2]),
                "sku": np.asarray(columns[3], dtype=np.int32),
                "value": np.asarray(columns[4], dtype=np.float64),
            }
        )
