"""The run's record: the business event log and the mechanism signals, kept as columns.

Events and signals arrive as rows in the order they happen. A row is appended to a short
Python list (the cheapest thing the hot path can do) and every few thousand rows the list
is moved into one numpy array per column, integer-coded: kinds, agents and sentences are
codes into small tables of names. Memory thus grows by a few dozen bytes an event, and
the tables a run returns are built from the columns directly, never by transposing tuples.
Daily tables are derived from the events once, at the end, so the series a user reads
and the events a facilitator points at can never disagree.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.output.event_kinds import ROW_PADDING
from sim.output.events import COLUMNS, FIGURES, INT_DTYPES, KINDS, MONEY, NA, Kind

if TYPE_CHECKING:
    import pandas as pd

SIGNAL_COLUMNS = ("time", "day", "signal", "agent", "sku", "value")
CHUNK_ROWS = 8192  # rows kept as Python objects before they move into columns


class _Columns:
    """Rows of fixed width appended to a list, moved into typed numpy columns every few thousand rows.

    Each column is one buffer that doubles when full, so a table reads its rows as they are
    (a view), never a join of chunks: a join would copy every column once more at the end of
    the run, and the freed chunks would stay in the process's heap as holes. Pages of a
    buffer's spare room are never written, so they take address space, not memory.
    """

    def __init__(self, dtypes: Sequence[Any]) -> None:
        self.buffers = [np.empty(0, dtype=dtype) for dtype in dtypes]
        self.width = len(self.buffers)
        self.rows: list[Any] = []  # the pending rows, flattened
        self.moved = 0  # rows already in the buffers
        self.limit = CHUNK_ROWS * self.width

    def add(self, row: tuple[Any, ...]) -> None:
        rows = self.rows
        rows.extend(row)
        if len(rows) >= self.limit:
            self.move()

    def __len__(self) -> int:
        return self.moved + len(self.rows) // self.width

    def move(self) -> None:
        """Move the pending rows into the columns."""
        rows, width = self.rows, self.width
        if not rows:
            return
        count = len(rows) // width
        start, end = self.moved, self.moved + count
        if end > len(self.buffers[0]):
            self._grow(end)
        for position, buffer in enumerate(self.buffers):
            buffer[start:end] = np.fromiter(rows[position::width], dtype=buffer.dtype, count=count)
        self.moved = end
        rows.clear()

    def _grow(self, rows: int) -> None:
        capacity = max(rows, 2 * len(self.buffers[0]), 8 * CHUNK_ROWS)
        for position, old in enumerate(self.buffers):
            buffer = np.empty(capacity, dtype=old.dtype)
            buffer[: self.moved] = old[: self.moved]
            self.buffers[position] = buffer  # tables made before keep the old buffer as long as they live

    def column(self, position: int, start: int = 0) -> np.ndarray:
        """One column, from row ``start`` on: a read-only view of the record, shared by the tables."""
        self.move()
        view = self.buffers[position][start : self.moved]
        view.flags.writeable = False  # a table cannot change the record
        return view


class _Names:
    """Strings coded as small integers: agents, signal names and sentences."""

    def __init__(self) -> None:
        self.names: list[str] = [""]
        self.codes: dict[str, int] = {"": 0}

    def code(self, name: str) -> int:
        found = self.codes.get(name)
        if found is None:
            found = self.codes[name] = len(self.names)
            self.names.append(name)
        return found

    def categorical(self, codes: np.ndarray) -> "pd.Categorical":
        """The named values of ``codes``."""
        return _categorical(codes, np.asarray(self.names, dtype=object))


def _categorical(codes: np.ndarray, names: np.ndarray) -> "pd.Categorical":
    """``names[codes]`` as a categorical whose categories are sorted, as ``pd.Categorical(values)`` sorts them."""
    import pandas as pd  # only when tables are built: a run's config and its agents never need it

    used: np.ndarray = np.flatnonzero(np.bincount(codes, minlength=len(names)))  # np.unique's result, without its sort
    present = names[used]
    order = np.argsort(present.astype(str), kind="stable")
    lookup = np.full(len(names), -1, dtype=np.int32)
    lookup[used[order]] = np.arange(len(used), dtype=np.int32)
    return pd.Categorical.from_codes(lookup[codes], present[order])


_KIND_NAMES = np.asarray(list(KINDS), dtype=object)


# Positions in an event row: time, kind, agent, sku, account, ref, quantity, value (cents),
# counterpart, detail; the rarer figures (days, amount, share, verdict) are kept by row.
_EVENT_DTYPES = (np.float64, np.int16, np.int32, np.int32, np.int32, np.int64, np.int64, np.int64, np.int32, np.int32)
_SIGNAL_DTYPES = (np.float64, np.int32, np.int32, np.int32, np.float64)


class Recorder:
    """Collects the event log and the signals of one run.

    Signals are numbers agents decide on and policies move (forecasts, trust, ...),
    recorded whenever they change, with ``sku`` -1 for company-wide ones.
    """

    def __init__(self) -> None:
        self._agents = _Names()  # agents' labels (and signal names)
        self._texts = _Names()  # the sentences of ``detail``
        self._events = _Columns(_EVENT_DTYPES)
        self._signals = _Columns(_SIGNAL_DTYPES)
        # row -> where a business event's typed figures are ((column, field index), ...) and its record
        self._figures: dict[int, tuple[tuple[tuple[str, int], ...], Any]] = {}

    # -- writing ----------------------------------------------------------------------------

    def name(self, label: str) -> int:
        """The code of an agent's label (agents keep theirs for the hot path)."""
        return self._agents.code(label)

    def text(self, sentence: str) -> int:
        """The code of a sentence for the ``detail`` column."""
        return self._texts.code(sentence)

    def flow(
        self,
        time: float,
        kind: int,
        agent: int,
        sku: int,
        account: int,
        ref: int,
        quantity: int,
        value_cents: int,
        counterpart: int = NA,
        detail: int = 0,
    ) -> None:
        """A flow event (:data:`sim.output.events.FLOWS`): codes for kind, agent and detail."""
        events = self._events
        rows = events.rows  # _Columns.add, inlined: this is the hottest call of a run
        rows.extend((time, kind, agent, sku, account, ref, quantity, value_cents, counterpart, detail))
        if len(rows) >= events.limit:
            events.move()

    def events_rows(self) -> tuple[list[Any], "_Columns"]:
        """The pending event rows and their columns, for a loop that appends flow rows itself.

        Such a loop appends whole rows in :meth:`flow`'s order and moves them when the list
        reaches ``limit`` (the lean textbook loop: a call less per event).
        """
        return self._events.rows, self._events

    def signal_rows(self) -> tuple[list[Any], "_Columns"]:
        """The pending signal rows and their columns (as :meth:`events_rows`), rows in :meth:`signal`'s order."""
        return self._signals.rows, self._signals

    def record(self, event: Any) -> None:
        """A typed business event (one of the records in :mod:`sim.output.events`)."""
        kind: Kind = KINDS[event.KIND]
        layout = kind.layout
        assert layout is not None, f"{kind.name} is a flow: record it with flow()"
        agent, sku, account, ref, quantity, value, counterpart, detail = layout.pick(event + ROW_PADDING)
        agent_code, detail_code = self._agents.codes.get(agent), self._texts.codes.get(detail)
        if agent_code is None or detail_code is None:  # a name or a sentence first seen
            agent_code, detail_code = self._agents.code(agent), self._texts.code(detail)
        events = self._events
        rows = events.rows  # _Columns.add, inlined as in flow()
        if layout.figures:  # kept as the record and where its figures are: columns only when tables are built
            self._figures[events.moved + len(rows) // events.width] = (layout.figures, event)
        rows.extend((event.time, kind.code, agent_code, sku, account, ref, quantity, value, counterpart, detail_code))
        if len(rows) >= events.limit:
            events.move()

    def signal(self, time: float, name: str, agent: str, sku: int, value: float) -> None:
        """Record the new value of a mechanism measure held by ``agent`` (per SKU, or -1)."""
        codes, signals = self._agents.codes, self._signals
        name_code, agent_code = codes.get(name), codes.get(agent)
        if name_code is None or agent_code is None:  # a name first seen
            name_code, agent_code = self._agents.code(name), self._agents.code(agent)
        rows = signals.rows
        rows.extend((time, name_code, agent_code, sku, value))
        if len(rows) >= signals.limit:
            signals.move()

    # -- reading ----------------------------------------------------------------------------

    @property
    def event_count(self) -> int:
        """Events recorded so far."""
        return len(self._events)

    def first_event_at(self, time: float) -> int:
        """The row of the first event at or after ``time`` (the log is in time order)."""
        return int(np.searchsorted(self._events.column(0), time, side="left"))

    def event_table(self, start: int = 0) -> "pd.DataFrame":
        """Every business event from row ``start`` on, in the order it happened; money in currency."""
        events = self._events
        time = events.column(0, start)
        kinds = events.column(1, start)
        table: dict[str, Any] = {
            "time": time,
            "day": np.floor(time).astype(np.int32),
            "event": _categorical(kinds, _KIND_NAMES),
            "agent": self._agents.categorical(events.column(2, start)),
            "sku": events.column(3, start),
            "account": events.column(4, start),
            "ref": events.column(5, start),
            "quantity": events.column(6, start),
            "value": events.column(7, start) / 100.0,
            "counterpart": events.column(8, start),
        }
        table |= self._figure_columns(start, len(time))
        table["detail"] = self._texts.categorical(events.column(9, start))
        import pandas as pd

        for name, dtype in INT_DTYPES.items():
            table[name] = np.asarray(table[name], dtype=dtype)  # no copy: the columns are of these types already
        return pd.DataFrame(table, columns=list(COLUMNS), copy=False)  # the columns as they are, not copied again

    def _figure_columns(self, start: int, rows: int) -> dict[str, np.ndarray]:
        columns = {
            name: np.full(rows, default, dtype=INT_DTYPES.get(name, np.float64)) for name, default in FIGURES.items()
        }
        for row, (figures, event) in self._figures.items():
            if start <= row < start + rows:
                for name, index in figures:
                    columns[name][row - start] = event[index]
        for name in MONEY:
            if name in columns:
                columns[name] = columns[name] / 100.0
        return columns

    def signal_table(self) -> "pd.DataFrame":
        """Every recorded change of a mechanism measure."""
        signals, names = self._signals, self._agents
        time = signals.column(0)
        import pandas as pd

        return pd.DataFrame(
            {
                "time": time,
                "day": np.floor(time).astype(np.int32),
                "signal": names.categorical(signals.column(1)),
                "agent": names.categorical(signals.column(2)),
                "sku": signals.column(3),
                "value": signals.column(4),
            }
        )
