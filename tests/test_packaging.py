"""The distribution: what it installs (the package sim, its configs and templates), and a wheel that runs."""

import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT, describe

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_distribution_is_spsim_and_lists_every_package_of_sim() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert PYPROJECT["project"]["name"] == "spsim"
    on_disk = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "sim").rglob("__init__.py")} | {
        "sim.configs"
    }
    assert set(setuptools["packages"]) == on_disk
    assert setuptools["package-dir"] == {"sim.configs": "configs"}
    assert not any(package.startswith("experiments") for package in setuptools["packages"])


def test_every_console_script_is_a_function_of_sim_cli() -> None:
    import sim.cli

    scripts = PYPROJECT["project"]["scripts"]
    assert set(scripts) == {"spsim", *(f"spsim-{name}" for name in sim.cli.SUBCOMMANDS)}
    for target in scripts.values():
        module, _, function = target.partition(":")
        assert module == "sim.cli" and callable(getattr(sim.cli, function))


@pytest.mark.slow
def test_a_wheel_installed_elsewhere_runs_from_outside_the_checkout(tmp_path: Path) -> None:
    """Build the wheel, install it alone into a fresh venv (the dependencies from this one), run a debug run."""
    source, dist = tmp_path / "source", tmp_path / "dist"  # built from a copy: setuptools writes build/ beside it
    for folder in ("sim", "configs"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, describe(built)
    (wheel,) = dist.glob("spsim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sim/configs/config.yaml" in names and "sim/configs/scenario/textbook.yaml" in names
    assert "sim/views/templates/debrief.html.j2" in names and "sim/analysis/templates/report.html.j2" in names
    assert not any(name.startswith(("experiments/", "tests/")) for name in names)

    environment = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
    python = environment / "bin" / "python"
    # The dependencies come from this venv (no download): its site-packages, but not the checkout.
    site = [p for p in sys.path if p.endswith("site-packages")]
    (
        environment / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" / "deps.pth"
    ).write_text("\n".join(site) + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, describe(installed)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH",)}
    env["SPSIM_RESULTS"] = str(tmp_path / "results")
    where = subprocess.run(
        [str(python), "-c", "import sim; print(sim.__file__)"], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert str(environment) in where.stdout and str(ROOT) not in where.stdout, describe(where)
    spsim = environment / "bin" / "spsim"
    run_dir = tmp_path / "run"
    ran = subprocess.run(
        [str(spsim), "debug=default", "output.charts=false", f"hydra.run.dir={run_dir}"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=elsewhere,
        env=env,
        check=False,
    )
    assert ran.returncode == 0, describe(ran)
    assert (run_dir / "manifest.json").is_file() and '"status": "complete"' in (run_dir / "manifest.json").read_text()
    refused = subprocess.run([str(spsim), "seed=abc"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert refused.returncode == 2 and refused.stderr.startswith("spsim: error: seed"), describe(refused)
    shutil.rmtree(environment)
