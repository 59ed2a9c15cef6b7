"""Charts drawn from a run's result tables (never from a live model)."""
