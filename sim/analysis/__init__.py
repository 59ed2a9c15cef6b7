"""Analysis of results: sweeps' tables and reports, sensitivity, optimisation, exploratory modelling.

Library code that reads run folders or runs many simulations for a question; the
simulation itself (model, agents, policies, books, output) never imports it.
"""
