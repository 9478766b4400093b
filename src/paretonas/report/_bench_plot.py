"""The benchmark plot: how fast each strategy closes in on the exact front, and what it found.

A table of HV ratios at a few checkpoints hides what a person comparing strategies
wants to see: where one pulls ahead, how much the seeds disagree, and which part of
the front a strategy misses (the fast end, the accurate end). Drawn only from a
benchmark's results dict, so a saved JSON can be plotted again without the table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paretonas.report._plot import plt  # pyplot on the Agg backend: no display needed

STRATEGY_COLORS = {"random": "#8c8c8c"}
OTHER_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def bench_plot(path: Path, results: dict) -> Path:
    """Left: HV ratio against unique evaluations (mean, and the range over seeds).
    Right: the exact front and, per strategy, the found front of its median seed."""
    strategies = list(results["results"])
    colors = _colors(strategies)
    fig, (curves, fronts) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=120)
    _draw_curves(curves, results, strategies, colors)
    _draw_fronts(fronts, results, strategies, colors)
    fig.suptitle(f"NAS-Bench-Graph {results['dataset']}: budget {results['budget']}, {len(results['seeds'])} seeds")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _colors(strategies: list[str]) -> dict[str, str]:
    others = iter(OTHER_COLORS * len(strategies))
    return {name: STRATEGY_COLORS.get(name) or next(others) for name in strategies}


def _draw_curves(ax, results: dict, strategies: list[str], colors: dict[str, str]) -> None:
    evaluations = np.array(results["curve_evaluations"])
    later = evaluations >= max(10, evaluations[-1] // 10)  # the first few picks would squash the rest flat
    lowest = 1.0
    for name in strategies:
        curves = np.array([run["hv_ratio_curve"] for run in results["results"][name]["per_seed"]])
        lowest = min(lowest, float(curves[:, later].min()) if later.any() else float(curves.min()))
        ax.fill_between(evaluations, curves.min(axis=0), curves.max(axis=0), color=colors[name], alpha=0.15, lw=0)
        final = curves[:, -1].mean()
        ax.plot(evaluations, curves.mean(axis=0), color=colors[name], lw=2, label=f"{name} (mean {final:.4f})")
    ax.set_ylim(max(0.0, lowest - 0.1 * (1.0 - lowest)), 1.0)
    ax.set_xlabel("unique architectures measured")
    ax.set_ylabel("HV ratio (found / exact front)")
    ax.set_title("Sample efficiency (band: range over seeds)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)


def _draw_fronts(ax, results: dict, strategies: list[str], colors: dict[str, str]) -> None:
    y_objective, x_objective = (o.split(":") for o in results["objectives"][:2])
    x, y = x_objective[0], y_objective[0]
    projected = len(results["objectives"]) > 2
    exact = results["exact_front"]
    _staircase(ax, exact, x, y, color="black", marker="o", label=f"exact front ({len(exact)})", stairs=not projected)
    for name in strategies:
        runs = results["results"][name]["per_seed"]
        median = sorted(runs, key=lambda run: run["hv_ratio"])[(len(runs) - 1) // 2]
        _staircase(ax, median["front"], x, y, color=colors[name], marker="s", stairs=not projected,
                   label=f"{name}, seed {median['seed']} (HV ratio {median['hv_ratio']:.4f})")
    latencies = [r[x] for r in exact]
    if x == "latency_ms" and min(latencies) > 0 and max(latencies) / min(latencies) > 20:
        ax.set_xscale("log")  # NAS-Bench-Graph's latencies span two decades: the fast end would be one dot
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title("Fronts (median seed)" + (", first two objectives" if projected else ""))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)


def _staircase(ax, rows: list[dict], x: str, y: str, *, color: str, marker: str, label: str, stairs: bool) -> None:
    rows = sorted(rows, key=lambda r: r[x])
    xs, ys = [r[x] for r in rows], [r[y] for r in rows]
    if stairs:
        ax.step(xs, ys, where="post", color=color, lw=1.2, alpha=0.8)
    ax.scatter(xs, ys, s=24, marker=marker, color=color, zorder=3, label=label)
