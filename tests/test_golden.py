"""The default, all-levers and textbook runs give exactly the stored tables (tests/golden.py)."""

import pytest

from tests.golden import GOLDEN, WIDE, run_fingerprint, stored

STORED = stored()


def check(name: str, raw: dict[str, object]) -> None:
    found = run_fingerprint(raw, STORED["columns"])
    differing = sorted(table for table, digest in found.items() if STORED["runs"][name][table] != digest)
    assert not differing, (
        f"{name}: {', '.join(differing)} changed. If the change is meant to move results, "
        "rewrite the fingerprints with `python -m tests.golden --write` and say why in the commit."
    )


@pytest.mark.parametrize("name", list(GOLDEN))
def test_run_matches_its_golden_fingerprint(name: str) -> None:
    check(name, GOLDEN[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(WIDE))
def test_every_market_and_lever_matches_its_fingerprint(name: str) -> None:
    check(name, WIDE[name])
