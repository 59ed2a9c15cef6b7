"""The live workshop app (extra ``[viz]``): a Mesa SolaraViz dashboard, play mode and the facilitator view.

Start it with ``make viz`` or ``spsim-viz``; it listens on 127.0.0.1 unless told otherwise.
"""
