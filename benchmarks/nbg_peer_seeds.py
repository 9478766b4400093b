"""A peer of ``../shared/peers/nbg_peers.py`` on more seeds, keeping what it evaluated.

The issue's peer figures are means over 5 seeds, and ``nbg_peers.py`` keeps only those
means. To know whether a target is a steady figure or a lucky one, and *where* a peer's
front beats ours, this runs one peer on any seed range and writes, per seed, its HV
ratio at 50/100/200 and the table keys it evaluated in order, in the layout of
``paretonas bench nasbench-graph --json``. So ``benchmarks/nbg_deficit.py --runs FILE
--strategy linas_dynast --budget 200 --allow-fewer`` splits the peer's deficit along
the latency axis exactly as it does ours.

A peer may stop short of 200 unique evaluations: LINAS runs a fixed number of loops and
its population re-proposes networks already measured, which are free. Its figure "at
200" is then the HV ratio of all it evaluated, as in ``nbg_peers.py`` (the issue's
table); the length of each ``evaluated`` list says how many that was.

It runs in the peers' own virtual environment (see ``../shared/peers/README.md``:
DyNAS-T 1.6.0 installed without dependencies, plus ``pandas`` and ``requests``, which
its search modules import), not the project's:

    /path/to/peers-venv/bin/python benchmarks/nbg_peer_seeds.py --dataset cora --seeds 30 \\
        --workers 2 --out benchmarks/results/nbg_linas_cora_30seeds.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

PEERS_DIR = Path(__file__).resolve().parents[2] / "shared" / "peers"
BUDGETS = (50, 100, 200)


def _peers():
    sys.path.insert(0, str(PEERS_DIR))
    import nbg_peers

    return nbg_peers


def run_seed(args: tuple[str, str, int]) -> dict:
    dataset, method, seed = args
    peers = _peers()
    bench = peers.Bench(dataset)
    started = time.perf_counter()
    peers.METHODS[method](bench, max(BUDGETS), seed)
    curve, _ = bench.hv_curve(list(BUDGETS))
    return {
        "seed": seed,
        "hv_ratio_at": {str(b): float(v) for b, v in curve.items()},
        "hv_ratio": float(curve[max(BUDGETS)]),
        "evaluated": [int(k) for k in bench.order],
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="cora")
    parser.add_argument("--method", default="linas_dynast", help="a method of nbg_peers.py")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--seed0", type=int, default=0, help="first seed (nbg_peers.py uses 0..4)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if not (PEERS_DIR / "nbg_peers.py").exists():
        print(f"error: {PEERS_DIR / 'nbg_peers.py'} not found (the peers live beside the project's root)", file=sys.stderr)
        return 2
    methods = _peers().METHODS
    if args.method not in methods:
        print(f"error: unknown --method {args.method!r}; nbg_peers.py has: {', '.join(sorted(methods))}", file=sys.stderr)
        return 2

    jobs = [(args.dataset, args.method, s) for s in range(args.seed0, args.seed0 + args.seeds)]
    per_seed = []
    with Pool(args.workers) as pool:
        for row in pool.imap(run_seed, jobs):
            per_seed.append(row)
            curve = " ".join(f"@{b}: {v:.4f}" for b, v in row["hv_ratio_at"].items())
            print(f"{args.dataset} {args.method} seed {row['seed']}: {curve} ({row['seconds']:.0f} s)", flush=True)

    summary = {}
    for b in BUDGETS:
        values = [r["hv_ratio_at"][str(b)] for r in per_seed]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        summary[str(b)] = (statistics.mean(values), spread / len(values) ** 0.5)
    print(f"{args.dataset} {args.method}, {len(per_seed)} seeds: "
          + " ".join(f"@{b}: {m:.4f} ± {se:.4f}" for b, (m, se) in summary.items()))
    result = {
        "dataset": args.dataset,
        "objectives": ["val_accuracy:max", "latency_ms:min"],
        "budget": max(BUDGETS),
        "seeds": [r["seed"] for r in per_seed],
        "command": " ".join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:])),
        "results": {
            args.method: {
                "hv_ratio_at": {b: m for b, (m, _) in summary.items()},
                "hv_ratio_se_at": {b: se for b, (_, se) in summary.items()},
                "per_seed": per_seed,
            }
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
