"""The shipped configs, installed as the package ``sim.configs`` (see sim/config_files.py): YAML only."""
