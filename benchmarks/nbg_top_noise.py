"""How much of a NAS-Bench-Graph table's top is noise: the validation accuracy the search maximises against test accuracy and against the network's neighbours.

The search maximises validation accuracy. If, among the most accurate networks, that
value carried the architecture's merit, it would agree with test accuracy (another
measurement of the same trained network) and with the validation accuracy of the
network's one-change neighbours (similar architectures). Where it agrees with
neither, the top of the table is the noise of one training run, which no model of the
architecture can predict: a search can only measure many good networks and keep the
lucky ones. Per dataset, over the table's most accurate ``--top-share`` by validation
accuracy, this script prints and writes Spearman correlations:

* ``val_test``: validation against test accuracy (and ``val_test_all`` over the whole
  table, for scale);
* ``val_neighbour_val``: a network's validation accuracy against the mean validation
  accuracy of its one-change neighbours; ``test_neighbour_test`` the same for test.

With ``--runs``, it also reports how many of each run's networks lie in that top share
(from evaluation 11 on, the start design left out): how often a search draws from
the pool where the lucky networks are.

    python benchmarks/nbg_top_noise.py --datasets cora,citeseer,pubmed,proteins \\
        --out benchmarks/results/nbg_top_noise.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from paretonas.bench.nasbench_graph import DATASETS, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.search.samplers._predictor_guided._pool import one_change_neighbours

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import read_runs  # noqa: E402

START_DESIGN = 10


def top_share_indices(values: np.ndarray, share: float) -> np.ndarray:
    """Indices of the ``share`` largest values (at least two, so that a correlation is defined)."""
    count = max(2, int(round(share * len(values))))
    return np.argsort(-values, kind="stable")[:count]


def neighbour_means(values: np.ndarray, neighbours: list[list[int]]) -> np.ndarray:
    """Per row, the mean of ``values`` over its neighbours' indices (NaN where it has none)."""
    return np.array([values[list(near)].mean() if near else np.nan for near in neighbours])


def agreement(val: np.ndarray, test: np.ndarray, neighbours: list[list[int]], share: float) -> dict[str, float]:
    """The correlations of the module docstring, for one table given as arrays and neighbour index lists."""
    top = top_share_indices(val, share)
    near_val = neighbour_means(val, [neighbours[i] for i in top])
    near_test = neighbour_means(test, [neighbours[i] for i in top])
    has = np.isfinite(near_val)

    def rho(a, b) -> float:
        return float(spearmanr(a, b)[0])

    return {
        "val_test_all": rho(val, test),
        "val_test": rho(val[top], test[top]),
        "val_neighbour_val": rho(val[top][has], near_val[has]),
        "test_neighbour_test": rho(test[top][has], near_test[has]),
        "networks_in_top": int(len(top)),
    }


def table_neighbours(bench: NasBenchGraph, rows: list[int]) -> list[list[int]]:
    """For each table row in ``rows`` (an index into ``bench.keys``), the rows of its one-change neighbours; others empty."""
    space, keys = bench.space, bench.keys
    row_of = {key: row for row, key in enumerate(keys)}
    found: list[list[int]] = [[] for _ in keys]
    for row in set(rows):
        identity = tuple(int(v) for v in space.encode(bench.config_of_key(keys[row])))
        near = set()
        for encoding in one_change_neighbours(space, identity):
            key = bench.table_key(space.decode(encoding))
            if key is not None and key != keys[row] and key in row_of:
                near.add(row_of[key])
        found[row] = sorted(near)
    return found


def draws_from_top(runs: dict[str, list], val_of: dict, threshold: float, start: int = START_DESIGN) -> dict[str, float]:
    """Mean count and share, over runs, of networks measured after the start design whose validation accuracy reaches ``threshold``."""
    counts = [sum(val_of[key] >= threshold for key in keys[start:]) for keys in runs.values()]
    shares = [count / max(1, len(keys) - start) for count, keys in zip(counts, runs.values())]
    return {"runs": len(counts), "mean_count": float(np.mean(counts)), "mean_share": float(np.mean(shares))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", required=True, help=f"comma-separated, from: {', '.join(DATASETS)}")
    parser.add_argument("--top-share", type=float, default=0.1, help="the most accurate share of the table to look at")
    parser.add_argument("--runs", nargs="+", help="optional: runs (JSON with evaluated lists) to count draws from the top share")
    parser.add_argument("--strategy", default="default", help="which strategy's runs, for a paretonas bench JSON")
    parser.add_argument("--budget", type=int, default=100, help="evaluations per run counted with --runs")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    datasets = args.datasets.split(",")
    if not 0.0 < args.top_share <= 1.0:
        sys.exit(f"error: --top-share {args.top_share}: expected a share in (0, 1], e.g. 0.1")
    try:
        runs = read_runs(args.runs, args.strategy, datasets) if args.runs else None
        report = {"command": " ".join(["python"] + sys.argv), "top_share": args.top_share, "datasets": {}}
        for dataset in datasets:
            started = time.time()
            bench = NasBenchGraph(dataset)
            metrics = [bench.metrics_of_key(key) for key in bench.keys]
            val = np.array([m["val_accuracy"] for m in metrics])
            test = np.array([m["test_accuracy"] for m in metrics])
            top = top_share_indices(val, args.top_share)
            entry = agreement(val, test, table_neighbours(bench, list(top)), args.top_share)
            if runs is not None:
                val_of = dict(zip(bench.keys, val))
                cut = {seed: keys[: args.budget] for seed, keys in runs[dataset].items()}
                entry["draws_from_top"] = draws_from_top(cut, val_of, float(val[top].min()))
            report["datasets"][dataset] = entry
            draws = entry.get("draws_from_top")
            print(f"{dataset:10s} val~test {entry['val_test']:+.3f} (whole table {entry['val_test_all']:+.3f})  "
                  f"val~neighbours' val {entry['val_neighbour_val']:+.3f}  test~neighbours' test "
                  f"{entry['test_neighbour_test']:+.3f}"
                  + (f"  runs draw {draws['mean_count']:.1f} from the top ({draws['mean_share']:.3f})" if draws else "")
                  + f"  [{time.time() - started:.0f} s]", flush=True)
    except ParetonasError as error:
        sys.exit(f"error: {error}")
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
