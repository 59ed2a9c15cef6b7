"""Analysis and measurement that run on the simulator from outside it: benchmarks, reports."""
