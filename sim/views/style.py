"""One look for every chart: large type for a projector, one colour per department."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

SALES = "#d95f02"  # orange: sales, customers, demand
PURCHASING = "#1b9e77"  # green: purchasing, suppliers, stock
COMPANY = "#4c4c9d"  # indigo: company-wide money and service
NEUTRAL = "#7f7f7f"
WARMUP = "#eeeeee"


def apply() -> None:
    """Matplotlib defaults for every chart of the project."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "font.size": 13,
            "axes.titlesize": 15,
            "axes.titleweight": "bold",
            "axes.labelsize": 13,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "legend.fontsize": 11,
            "legend.frameon": False,
        }
    )
