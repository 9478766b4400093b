"""The Pareto plot: what a person looks at first."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


BASELINE_LABELS = {  # the reference models every report shows, as the plot and the HTML name them
    "largest": "largest subnet, fp32",
    "largest_int8": "largest subnet, every layer int8",
    "largest_pruned_uniform": "largest subnet, every channel set pruned uniformly to the knee's MACs",
}
BASELINE_COLORS = {"largest": "#2ca02c", "largest_int8": "#ff7f0e", "largest_pruned_uniform": "#9467bd"}


def pareto_plot(path: Path, x_name: str, y_name: str, searched: list[dict], baseline: list[dict],
                front: list[dict], references: dict, knee: dict | None, strategy: str) -> Path:
    """Cost on x, accuracy on y: every measured subnet, the random baseline, the front
    (highlighted, as a staircase), the largest subnet and the knee."""
    fig, ax = plt.subplots(figsize=(7.5, 5), dpi=120)
    xy = lambda entries: ([e["metrics"][x_name] for e in entries], [e["metrics"][y_name] for e in entries])  # noqa
    if baseline:
        ax.scatter(*xy(baseline), marker="x", s=22, color="#9a9a9a", label=f"random search ({len(baseline)})")
    ax.scatter(*xy(searched), s=16, color="#7fa7d9", alpha=0.8, label=f"{strategy} search ({len(searched)})")
    if front:
        xs, ys = xy(sorted(front, key=lambda e: e["metrics"][x_name]))
        ax.step(xs, ys, where="post", color="#d62728", lw=1.5)
        ax.scatter(xs, ys, s=36, color="#d62728", zorder=3, label=f"Pareto front ({len(front)})")
    for name, reference in references.items():
        color = BASELINE_COLORS.get(name, "#8c564b")
        label = BASELINE_LABELS.get(name, name)
        ax.scatter([reference["metrics"][x_name]], [reference["metrics"][y_name]], marker="*", s=220,
                   color=color, edgecolor="black", zorder=4, label=label)
    if knee is not None:
        ax.scatter([knee["metrics"][x_name]], [knee["metrics"][y_name]], s=160, facecolor="none",
                   edgecolor="black", lw=2, zorder=5, label=f"knee (trial {knee['trial']})")
    ax.set_xlabel(x_name)
    ax.set_ylabel(y_name)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Accuracy against measured cost")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
