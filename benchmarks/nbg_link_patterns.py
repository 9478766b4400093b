"""Where a NAS-Bench-Graph table's accurate networks lie by link pattern, and where a run set spends its budget.

A search that spends its evaluations where the *median* network is good can miss a
link pattern whose *tail* is best: pubmed's four most accurate networks are all link
0012, which gets random search's share of the default's budget, while link 0000,
capped lower, gets a quarter of it. This script prints, per link pattern, the table's
accuracy statistics (mean, 99th percentile, best, members of the table's top 1%) and,
for each run set, its evaluations per run in that pattern over the first
``--budget`` unique evaluations, plus how many runs measured one of the table's
``--top`` most accurate networks.

    python benchmarks/nbg_link_patterns.py --dataset pubmed --top 4 \\
        --runs benchmarks/results/nbg_targets_30seeds.json \\
        --compare benchmarks/results/nbg_nsga2_dynast_pubmed_30seeds.json:nsga2_dynast \\
        --out benchmarks/results/nbg_link_patterns_pubmed.json
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import add_run_arguments, read_runs  # noqa: E402

from paretonas.bench.nasbench_graph import NasBenchGraph  # noqa: E402
from paretonas.errors import ParetonasError  # noqa: E402
from paretonas.search.samplers import PredictorGuidedSampler  # noqa: E402


def unique_prefix(keys: list, budget: int) -> list[int]:
    """The first ``budget`` distinct table keys of an evaluation order (peers' lists may repeat)."""
    seen: dict[int, None] = {}
    for key in keys:
        seen.setdefault(int(key), None)
        if len(seen) == budget:
            break
    return list(seen)


def link_table(bench: NasBenchGraph) -> tuple[dict[int, str], dict[int, float], list[dict]]:
    """Each key's link pattern and accuracy, and per link pattern the table's statistics."""
    link = {k: bench.config_of_key(k)["link"] for k in bench.keys}
    accuracy = {k: bench.metrics_of_key(k)["val_accuracy"] for k in bench.keys}
    top_share = np.quantile(list(accuracy.values()), 0.99)
    rows = []
    for pattern in sorted(set(link.values())):
        values = np.array([accuracy[k] for k in bench.keys if link[k] == pattern])
        rows.append({"link": pattern, "networks": len(values), "mean": float(values.mean()),
                     "q99": float(np.quantile(values, 0.99)), "best": float(values.max()),
                     "in_top_1_percent": int((values >= top_share).sum())})
    return link, accuracy, rows


#: The default's evaluation order: a start of ``n_initial`` networks, then batches of
#: ``batch_size`` whose last pick is the local pick; read from the sampler, so it follows its defaults.
_DEFAULTS = inspect.signature(PredictorGuidedSampler).parameters
DEFAULT_START, DEFAULT_BATCH = _DEFAULTS["n_initial"].default, _DEFAULTS["batch_size"].default


def pick_kind(position: int) -> str:
    """Which of the default's picks made the evaluation at ``position`` (0-based)."""
    if position < DEFAULT_START:
        return "start"
    return "local" if (position - DEFAULT_START) % DEFAULT_BATCH == DEFAULT_BATCH - 1 else "hypervolume"


def spending(runs: dict[str, list], link: dict[int, str], top: set[int], budget: int) -> dict:
    """Evaluations per run in each link pattern (also split by the default's kind of pick), and runs that measured a ``top`` network."""
    prefixes = [unique_prefix(keys, budget) for keys in runs.values()]
    counts = Counter(link[k] for keys in prefixes for k in keys)
    by_kind = Counter((pick_kind(i), link[k]) for keys in prefixes for i, k in enumerate(keys))
    kinds = {kind: {p: by_kind[kind, p] / len(prefixes) for p in sorted(counts)} for kind in ("start", "hypervolume", "local")}
    return {"runs": len(prefixes), "per_run": {p: counts[p] / len(prefixes) for p in sorted(counts)},
            "per_run_by_default_pick_kind": kinds,
            "runs_with_top": sum(any(k in top for k in keys) for keys in prefixes)}


def joined_front_flags(points: np.ndarray) -> list[bool]:
    """Whether each row of ``points`` (minimisation, in evaluation order) joined the front when measured: no earlier row at least as good in every objective."""
    return [not (points[:i] <= point).all(axis=1).any() for i, point in enumerate(points)]


def joined_front(keys: list[int], accuracy: dict[int, float], latency: dict[int, float]) -> list[bool]:
    """Whether each evaluation joined the measured front when it was made: no earlier network as accurate and as fast."""
    return joined_front_flags(np.array([(-accuracy[k], latency[k]) for k in keys]).reshape(-1, 2))


def join_rates(runs: dict[str, list], link: dict[int, str], accuracy: dict, latency: dict, budget: int) -> dict:
    """Per link pattern, the share of its evaluations after the start that joined the measured front.

    Tells a link pattern whose crowding pays (cs's 0011 and 0111: about a quarter of
    their measurements join) from one that is good on average and capped at the top
    (pubmed's 0000: a tenth); ``paying_link_spread`` in ``nbg_variants.py`` is built on it.
    """
    made, joined = Counter(), Counter()
    for keys in runs.values():
        prefix = unique_prefix(keys, budget)
        for i, (k, j) in enumerate(zip(prefix, joined_front(prefix, accuracy, latency))):
            if i >= DEFAULT_START:
                made[link[k]] += 1
                joined[link[k]] += j
    overall = sum(joined.values()) / max(sum(made.values()), 1)
    return {"overall": overall, "per_link": {p: {"per_run": made[p] / len(runs), "joined_share": joined[p] / made[p]}
                                             for p in sorted(made)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    add_run_arguments(parser)
    parser.add_argument("--compare", action="append", default=[], metavar="FILE:STRATEGY",
                        help="another run set (a peer's JSON and its strategy name)")
    parser.add_argument("--budget", type=int, default=100, help="unique evaluations per run counted")
    parser.add_argument("--top", type=int, default=4, help="how many of the table's most accurate networks to look for")
    parser.add_argument("--pick-kinds", action="store_true",
                        help="also print each link's evaluations by the default's kind of pick (meaningful for the "
                             "default's runs and its variants that keep its start and batch sizes)")
    parser.add_argument("--join-rates", action="store_true",
                        help="also print, per link, the share of its evaluations after the start that joined the "
                             "measured front when made (accuracy max, latency min)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        bench = NasBenchGraph(args.dataset)
        link, accuracy, rows = link_table(bench)
        top = set(sorted(accuracy, key=accuracy.get, reverse=True)[: args.top])
        sets = {"+".join(Path(p).name for p in args.runs): read_runs(args.runs, args.strategy, [args.dataset])[args.dataset]}
        for item in args.compare:
            path, sep, strategy = item.rpartition(":")
            if not sep:
                raise ParetonasError(f"--compare {item!r}: expected FILE:STRATEGY")
            sets[f"{Path(path).name}:{strategy}"] = read_runs(path, strategy, [args.dataset])[args.dataset]
    except ParetonasError as error:
        sys.exit(f"error: {error}")
    spent = {label: spending(runs, link, top, args.budget) for label, runs in sets.items()}
    print(f"{args.dataset}: evaluations per run in each link pattern, first {args.budget} unique")
    print(f"{'link':6} {'networks':>8} {'mean':>7} {'q99':>7} {'best':>7} {'top1%':>5} " + " ".join(f"{label[:28]:>28}" for label in spent))
    for row in rows:
        print(f"{row['link']:6} {row['networks']:8d} {row['mean']:7.4f} {row['q99']:7.4f} {row['best']:7.4f} "
              f"{row['in_top_1_percent']:5d} " + " ".join(f"{s['per_run'].get(row['link'], 0.0):28.1f}" for s in spent.values()))
    if args.pick_kinds:
        for label, s in spent.items():
            print(f"{label}: per run, by the default's kind of pick (start / hypervolume / local)")
            for row in rows:
                print(f"  {row['link']:6} " + " ".join(f"{s['per_run_by_default_pick_kind'][kind].get(row['link'], 0.0):6.1f}"
                                                     for kind in ("start", "hypervolume", "local")))
    if args.join_rates:
        latency = {k: bench.metrics_of_key(k)["latency_ms"] for k in bench.keys}
        for label, runs in sets.items():
            rates = join_rates(runs, link, accuracy, latency, args.budget)
            spent[label]["join_rates"] = rates
            print(f"{label}: share of evaluations after the start that joined the measured front "
                  f"(overall {rates['overall']:.2f}); per run, share")
            for pattern, r in rates["per_link"].items():
                print(f"  {pattern:6} {r['per_run']:6.1f} {r['joined_share']:6.2f}")
    for label, s in spent.items():
        print(f"{label}: {s['runs_with_top']} of {s['runs']} runs measured one of the table's {args.top} most accurate")
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "dataset": args.dataset, "budget": args.budget,
                                          "top": args.top, "links": rows, "run_sets": spent}, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
