"""Play mode: a person takes one seat (a buyer, or a sales lead) and the agents play the rest.

Pure Python, no browser: the live app (``sim.live``) and the tests drive the same
:class:`~sim.play.game.Game`. A game is saved as a normal run folder plus ``game.json``
and ``decisions.parquet``, so replays and reports work on it and it can be re-simulated.
"""
