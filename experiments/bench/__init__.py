"""Speed and memory figures of the simulator: ``make bench`` -> ``results/bench/latest.json``.

Benchmarks are not tests (docs: DESIGN.md): nothing here fails a build. Each target (the
issue's, as constants at the top of each module) is printed with its measured value and
``ok`` or ``MISSED``, and every figure is written, with the facts of the machine that
measured it, to ``results/bench/latest.json``.

The machines are shared and noisy, so every timing is repeated and the best (least
disturbed) repeat is kept, and comparisons are ratios of timings taken in this one run:
the textbook model against a bare SimPy loop doing the same daily work, and scaling
exponents fitted over sizes measured side by side. Targets are judged on wall time; the
same ratios on CPU time are printed beside them as a cross-check.

Sections:
    1. One default run in-process (:mod:`.runs`): build, simulate, tables; peak memory.
    2. The textbook scenario over 100,000 days against a bare SimPy loop (:mod:`.textbook`):
       in-process, as a command, and its peak memory.
    3. Scaling of the default scenario in accounts and in simulated days (:mod:`.runs`).
    4. Extra cases, timed like the default run (:mod:`.runs`).
    5. and 6. The live workshop app, headless and in a browser (:mod:`.live`).
    7. ``spsim`` as a command (:mod:`.command`): an error and ``--help``, a default run with
       and without its chart, a sweep's parallel efficiency, 1,000 runs on 2 cores.
"""
