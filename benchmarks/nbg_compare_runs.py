"""Two saved runs of NAS-Bench-Graph searches, compared seed by seed.

``nbg_variants.py`` compares a variant it runs with a saved default; this compares two
runs already saved (``nbg_targets.py``'s or a variant's JSON, or the default strategy's
runs in a ``paretonas bench nasbench-graph --json`` file), such as the default
before and after a change was adopted, on the seeds both hold. It reports each one's
mean HV ratio at ``--budget``, the mean per-seed difference with its standard error,
and how many seeds each side wins:

    python benchmarks/nbg_compare_runs.py --runs benchmarks/results/nbg_targets_seeds30to59.json \\
        --baseline benchmarks/results/nbg_targets_seeds30to59_before_additive_cost.json \\
        --out benchmarks/results/nbg_compare_additive_cost_seeds30to59.json

``--runs`` and ``--baseline`` each take several files, pooled (a seed in two files is an
error), so blocks of seeds run separately compare as one, e.g. a variant over 90 seeds:

    python benchmarks/nbg_compare_runs.py --datasets cora,citeseer,pubmed \\
        --runs benchmarks/results/nbg_variant_latent_std{,_seeds30to59,_seeds60to89}.json \\
        --baseline benchmarks/results/nbg_targets{_30seeds,_seeds30to59,_seeds60to89}.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import read_runs  # noqa: E402

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph  # noqa: E402
from paretonas.errors import ParetonasError  # noqa: E402


def compare(dataset: str, runs: dict[str, list], baseline: dict[str, list], budget: int) -> dict:
    seeds = sorted(set(runs) & set(baseline), key=int)
    if len(seeds) < 2:
        raise ParetonasError(f"{dataset}: the two files share {len(seeds)} seed(s); at least 2 are needed")
    short = [s for s in seeds if min(len(runs[s]), len(baseline[s])) < budget]
    if short:
        raise ParetonasError(f"{dataset}: seed(s) {', '.join(short[:5])} have fewer than --budget {budget} evaluations")
    bench = NasBenchGraph(dataset)
    exact = bench.reference(DEFAULT_OBJECTIVES)
    ratio = lambda keys: exact.hv_ratio(bench.objective_matrix(keys[:budget], DEFAULT_OBJECTIVES))
    ours, theirs = [ratio(runs[s]) for s in seeds], [ratio(baseline[s]) for s in seeds]
    diffs = [a - b for a, b in zip(ours, theirs)]
    return {
        "seeds": [int(s) for s in seeds],
        "hv_ratio": statistics.mean(ours),
        "baseline_hv_ratio": statistics.mean(theirs),
        "difference": statistics.mean(diffs),
        "difference_standard_error": statistics.stdev(diffs) / len(diffs) ** 0.5,
        "median_difference": statistics.median(diffs),
        "wins": sum(d > 0 for d in diffs),
        "losses": sum(d < 0 for d in diffs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", required=True, nargs="+", help="one or more files, their seeds pooled")
    parser.add_argument("--baseline", required=True, nargs="+", help="one or more files, their seeds pooled")
    parser.add_argument("--datasets", default=None, help="comma-separated (default: every dataset both files hold)")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        wanted = args.datasets.split(",") if args.datasets else None
        runs, baseline = read_runs(args.runs, "default", wanted), read_runs(args.baseline, "default", wanted)
        datasets = wanted or [d for d in runs if d in baseline]
        missing = [d for d in datasets if d not in runs or d not in baseline]
        if missing or not datasets:
            raise ParetonasError(f"dataset(s) {', '.join(missing) or '(none)'} not in both files; they share: "
                                 f"{', '.join(d for d in runs if d in baseline) or 'nothing'}")
        results = {d: compare(d, runs[d], baseline[d], args.budget) for d in datasets}
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    for dataset, r in results.items():
        print(f"{dataset:10} {r['hv_ratio']:.4f} vs {r['baseline_hv_ratio']:.4f} at {args.budget}: "
              f"{r['difference']:+.4f} ± {r['difference_standard_error']:.4f} (median {r['median_difference']:+.4f}; "
              f"{r['wins']} seeds better, {r['losses']} worse, of {len(r['seeds'])})")
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]), "runs": args.runs,
                                              "baseline": args.baseline, "budget": args.budget, "datasets": results},
                                             indent=1))


if __name__ == "__main__":
    main()
