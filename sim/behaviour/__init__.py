"""How agents decide: small rules with their parameters, free of simulation state."""
