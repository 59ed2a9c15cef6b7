"""Demand statistics a planner keeps: a moving window of daily demand."""

import math
from collections import deque


class MovingWindow:
    """Mean and standard deviation of the last ``size`` daily observations.

    Running sums keep each update O(1); a window of 0 keeps nothing (the planner then
    relies on what it is told, as in the textbook base-stock policy).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: deque[float] = deque()
        self._sum = 0.0
        self._sum_squares = 0.0

    def push(self, value: float) -> None:
        """Add today's observation, dropping the oldest once the window is full."""
        if self.size == 0:
            return
        values = self._values
        values.append(value)
        self._sum += value
        self._sum_squares += value * value
        if len(values) > self.size:
            old = values.popleft()
            self._sum -= old
            self._sum_squares -= old * old

    def __len__(self) -> int:
        return len(self._values)

    def mean(self, prior: float) -> float:
        """Mean of the window, or ``prior`` while it is empty."""
        n = len(self._values)
        return self._sum / n if n else prior

    def sd(self, prior: float) -> float:
        """Sample standard deviation, or ``prior`` with fewer than two observations."""
        n = len(self._values)
        if n < 2:
            return prior
        variance = (self._sum_squares - self._sum * self._sum / n) / (n - 1)
        return math.sqrt(variance) if variance > 0 else 0.0
