"""Tests of the analysis that runs on result folders (the experiments package)."""
