"""How the default strategy sees the exact front's networks it never measures.

When a run misses one end of the front (the fastest networks on physics, cs and
arxiv; the most accurate on cora and photo), the hypervolume split of
``nbg_deficit.py`` says *where* the loss is but not *why* the search never went
there. This script replays the default strategy and, at every model fit, looks up
the chosen exact-front networks (``--end fast``: the N fastest, ``--end accurate``:
the N most accurate) among the candidates. For each one it records its acquisition
score (its optimistic hypervolume gain), how many candidates score strictly higher
(its rank; many candidates tie at 0), and its
believed and optimistic accuracy and latency. Both are given in the strategy's units,
where 0 is the best value measured so far and 1 the worst, so that above 1 means
"believed worse than anything measured". A network that is never picked either has
a low rank because its beliefs are wrong, or has a fair rank and is outbid.

On arxiv (seed 0) the six fastest front networks (fc and skip cells, and three skips
then one GIN or GraphConv layer, normalised latency 0-0.002) have correct latency
beliefs (about 0 by the end). The three with one GIN or GraphConv layer are 0.32-0.44
in truth. The warped-output surrogate believes them less accurate than the worst
network measured (1.2-1.5). The raw-output one believes 88882 and 88886 are
0.63-0.77. With either, 1,300-2,700 of the 26,000 candidates outscore those two from
fit 10 to fit 15.
Each fit is reported once per surrogate of the portfolio, at its first pick of the
batch.

    python benchmarks/nbg_front_watch.py --dataset arxiv --seed 0 --end fast --out benchmarks/results/nbg_front_watch_arxiv.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import optuna

from paretonas.bench.nasbench_graph import DATASETS, DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.search import PredictorGuidedSampler, run_search
from paretonas.search.samplers._predictor_guided._pool import canonical_identity


class WatchingSampler(PredictorGuidedSampler):
    """The default strategy, unchanged, noting where ``watched`` networks stand at each fit."""

    def __init__(self, *args, watched: dict[tuple, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.watched = watched  # canonical identity -> table key
        self.fits: list[dict] = []

    def _candidates(self, *args, **kwargs):
        encodings, ids = super()._candidates(*args, **kwargs)
        self._candidate_ids, self._picks_scored = ids, 0
        return encodings, ids

    def _gain(self, view, front, reference):
        gain = super()._gain(view, front, reference)
        # picks alternate over the surrogates in this order (PredictorGuidedSampler._surrogates)
        names = ["warped", "raw"] if self.warp_outputs == "portfolio" else ["warped" if self.warp_outputs else "raw"]
        if self._picks_scored < len(names):  # each surrogate's first pick of the batch: the models as just fitted
            if self._picks_scored == 0:
                self.fits.append({})
            self.fits[-1][names[self._picks_scored]] = self._snapshot(view, gain)
        self._picks_scored += 1
        return gain

    def _snapshot(self, view, gain) -> dict:
        ordered = np.sort(gain)
        rank = len(gain) - np.searchsorted(ordered, gain, side="right")  # candidates scored strictly higher
        position = {identity: i for i, identity in enumerate(self._candidate_ids)}
        networks = {}
        for identity, key in self.watched.items():
            i = position.get(identity)
            if i is None:
                networks[str(key)] = {"measured_or_pending": True}
                continue
            networks[str(key)] = {
                "rank": int(rank[i]),
                "gain": float(gain[i]),
                "accuracy_believed": float(view["believed"][i, 0]),
                "accuracy_optimistic": float(view["optimistic"][i, 0]),
                "latency_believed": float(view["believed"][i, 1]),
                "latency_optimistic": float(view["optimistic"][i, 1]),
            }
        return {"candidates": len(gain), "best_gain": float(gain.max()), "networks": networks}


def watched_networks(bench: NasBenchGraph, end: str, count: int) -> dict[tuple, int]:
    exact = bench.reference(DEFAULT_OBJECTIVES)
    order = {"fast": lambda k: bench.metrics_of_key(k)["latency_ms"],
             "accurate": lambda k: -bench.metrics_of_key(k)["val_accuracy"]}[end]
    keys = sorted(exact.front_keys, key=order)[:count]
    return {canonical_identity(bench.space, bench.space.encode(bench.config_of_key(k))): k for k in keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="arxiv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--end", choices=("fast", "accurate"), default="fast")
    parser.add_argument("--count", type=int, default=6, help="how many exact-front networks to watch")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.dataset not in DATASETS:
        sys.exit(f"error: unknown dataset {args.dataset!r} for --dataset; choose one of: {', '.join(DATASETS)}")
    if args.count < 1:
        sys.exit(f"error: --count must be 1 or more, got {args.count}")

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bench = NasBenchGraph(args.dataset)
    watched = watched_networks(bench, args.end, args.count)
    sampler = WatchingSampler(bench.space, DEFAULT_OBJECTIVES, seed=args.seed, watched=watched)
    outcome = run_search(space=bench.space, evaluate=bench.evaluate, objectives=DEFAULT_OBJECTIVES, sampler=sampler,
                         storage=optuna.storages.InMemoryStorage(), study_name="watch", budget=args.budget)
    params_of = {t.user_attrs.get("key"): t.params for t in outcome.study.get_trials(deepcopy=False)}
    evaluated = [bench.table_key(params_of[k]) for k in outcome.evaluated_keys]  # table keys, in measuring order
    all_latency = np.array([bench.metrics_of_key(k)["latency_ms"] for k in bench.keys])
    low, high = all_latency.min(), all_latency.max()
    table_rows = {str(k): bench.config_of_key(k) | {
        "val_accuracy": bench.metrics_of_key(k)["val_accuracy"],
        "latency_table_normalised": float((bench.metrics_of_key(k)["latency_ms"] - low) / (high - low)),
        "measured_at": evaluated.index(k) + 1 if k in evaluated else None} for k in watched.values()}

    for number, fit in enumerate(sampler.fits, 1):
        for surrogate, seen_by in fit.items():
            cells = []
            for key, seen in seen_by["networks"].items():
                cells.append(f"{key} measured" if "rank" not in seen else
                             f"{key} #{seen['rank']} ({seen['gain']:.4f}) acc {seen['accuracy_believed']:.2f}/"
                             f"{seen['accuracy_optimistic']:.2f} lat {seen['latency_believed']:+.3f}/{seen['latency_optimistic']:+.3f}")
            print(f"fit {number:2d} {surrogate:6s} ({seen_by['candidates']} candidates): " + "; ".join(cells))
    print("watched (#candidates scored higher (its score); accuracy and latency believed/optimistic, 0 = best measured, 1 = worst):")
    for key, row in table_rows.items():
        print(f"  {key} {row}")
    report = {"command": " ".join([sys.executable.split("/")[-1], *sys.argv]), "dataset": args.dataset,
              "seed": args.seed, "budget": args.budget, "end": args.end, "watched": table_rows, "fits": sampler.fits}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
