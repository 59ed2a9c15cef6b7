"""Named random streams split from one seed.

Every source of randomness draws from its own stream, named after what it drives
(``demand``, ``supply``, ``setup``, ...). Exogenous shocks thus stay the same when a
policy changes what agents do: two runs with the same seed face the same market
(common random numbers), which makes paired comparisons sharp.
"""

import hashlib

import numpy as np


def _name_key(name: str) -> int:
    """A stable integer for a stream name (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class RandomStreams:
    """Independent numpy generators, one per name (and optional index), from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def generator(self, name: str, index: int | None = None) -> np.random.Generator:
        """The generator for ``name`` (and ``index``): the same seed gives the same draws.

        The stream depends only on the seed, the name and the index, never on the
        order in which streams are asked for.
        """
        # A trailing 1 marks "indexed": SeedSequence ignores trailing zero words, so
        # [seed, name, 0] would otherwise be the same stream as [seed, name].
        key = [self.seed, _name_key(name)] if index is None else [self.seed, _name_key(name), index, 1]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(key)))
