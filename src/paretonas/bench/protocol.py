"""The evaluation protocol of DESIGN.md, on a tabular benchmark.

* budget = unique networks measured (a repeat is a free cache hit);
* quality = hypervolume of the found front / hypervolume of the exact front, with
  objectives min-max normalised over the whole table and reference point 1;
* random search runs beside the strategy, with the same budget and seeds;
* search on validation accuracy, report the test accuracy of the found front.

Each (strategy, seed) is its own Optuna study in the given storage, so a killed
benchmark continues where it stopped when the same command is run again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import optuna

from paretonas.bench.nasbench_graph import NasBenchGraph
from paretonas.search.loop import open_storage, run_search
from paretonas.search.objectives import Constraint, Objective
from paretonas.search.pareto import pareto_mask
from paretonas.search.samplers import create_sampler

CHECKPOINTS = (25, 50, 100, 200, 300, 500, 1000)
CURVE_POINTS = 100  # evaluation counts at which each run's HV ratio curve is sampled, for the plot

SeedDone = Callable[[str, int, dict], None]
Tick = Callable[[str, int, int, int], None]


@dataclass
class BenchmarkSettings:
    dataset: str
    strategy: str
    budget: int
    seeds: int
    objectives: Sequence[Objective]
    storage: str | optuna.storages.BaseStorage
    constraints: Sequence[Constraint] = ()
    seed_offset: int = 0


def checkpoints(budget: int) -> list[int]:
    return sorted({c for c in CHECKPOINTS if c <= budget} | {budget})


def curve_evaluations(budget: int) -> list[int]:
    """Evenly spaced evaluation counts from 1 to the budget (every one up to 100)."""
    return sorted({int(round(n)) for n in np.linspace(1, budget, min(budget, CURVE_POINTS))})


def strategies_to_run(strategy: str) -> list[str]:
    return [strategy] if strategy == "random" else [strategy, "random"]


def study_name(settings: BenchmarkSettings, strategy: str, seed: int) -> str:
    problem = "-".join([o.name for o in settings.objectives] + [str(c) for c in settings.constraints])
    return f"nbg-{settings.dataset}-{problem}-{strategy}-b{settings.budget}-seed{seed}"


def run_benchmark(
    settings: BenchmarkSettings,
    on_tick: Tick | None = None,
    on_seed_done: SeedDone | None = None,
) -> dict:
    bench = NasBenchGraph(settings.dataset)
    exact = bench.reference(settings.objectives, settings.constraints)
    storage = open_storage(settings.storage) if isinstance(settings.storage, str) else settings.storage
    points = checkpoints(settings.budget)
    curve = curve_evaluations(settings.budget)
    seeds = [settings.seed_offset + i for i in range(settings.seeds)]
    results = {}
    for strategy in strategies_to_run(settings.strategy):
        per_seed, started, ask_seconds, proposals = [], time.perf_counter(), 0.0, 0
        for seed in seeds:
            sampler = create_sampler(strategy, bench.space, settings.objectives, settings.constraints, seed=seed)
            tick = (lambda done, total, s=seed, st=strategy: on_tick(st, s, done, total)) if on_tick else None
            outcome = run_search(
                space=bench.space,
                evaluate=bench.evaluate,
                objectives=settings.objectives,
                constraints=settings.constraints,
                sampler=sampler,
                storage=storage,
                study_name=study_name(settings, strategy, seed),
                budget=settings.budget,
                progress=tick,
            )
            ask_seconds += outcome.ask_seconds
            proposals += outcome.trials
            keys = [bench.table_key(_params_of(outcome.study, k)) for k in outcome.evaluated_keys]
            record = _seed_record(bench, exact, settings, keys, points, curve, seed)
            per_seed.append(record)
            if on_seed_done:
                on_seed_done(strategy, seed, record)
        results[strategy] = _summarise(per_seed, points, time.perf_counter() - started, ask_seconds, proposals)
    if settings.strategy != "random":
        results[settings.strategy]["relative_improvement_over_random_at"] = {
            str(b): results[settings.strategy]["hv_ratio_at"][str(b)] / results["random"]["hv_ratio_at"][str(b)] - 1.0
            for b in points
        }
    return {
        "dataset": settings.dataset,
        "objectives": [str(o) for o in settings.objectives],
        "constraints": [str(c) for c in settings.constraints],
        "budget": settings.budget,
        "seeds": seeds,
        "exact_front_size": len(exact.front_keys),
        "exact_front": _rows_by_latency(bench, exact.front_keys),
        "curve_evaluations": curve,
        "results": results,
    }


def _params_of(study, key: str) -> dict:
    for trial in study.get_trials(deepcopy=False):
        if trial.user_attrs.get("key") == key:
            return trial.params
    raise KeyError(key)


def _rows_by_latency(bench, keys) -> list[dict]:
    return sorted((bench.metrics_of_key(k) | {"key": k} for k in keys), key=lambda r: r["latency_ms"])


def _seed_record(bench, exact, settings, keys, points, curve, seed) -> dict:
    """HV ratios of the feasible found front at each checkpoint and along the curve, and the front itself."""
    F = bench.objective_matrix(keys, settings.objectives)
    ok = bench.feasible(keys, settings.constraints)
    F_feasible = np.where(ok[:, None], F, np.inf)  # infeasible rows dominate nothing
    front = pareto_mask(F[ok]) if ok.any() else np.zeros(0, bool)
    front_keys = [k for k, f in zip([k for k, keep in zip(keys, ok) if keep], front) if f]
    front_rows = _rows_by_latency(bench, front_keys)
    prefix_ratio = {n: exact.hv_ratio(F_feasible[:n]) for n in {*points, *curve}}  # checkpoints mostly lie on the curve
    return {
        "seed": seed,
        "evaluated": keys,
        "hv_ratio": exact.hv_ratio(F_feasible),
        "hv_ratio_at": {str(b): prefix_ratio[b] for b in points},
        "hv_ratio_curve": [prefix_ratio[n] for n in curve],
        "front": front_rows,
        "exact_front_found": len(set(front_keys) & set(exact.front_keys)),
    }


def _summarise(per_seed, points, seconds, ask_seconds, proposals) -> dict:
    at = {str(b): [r["hv_ratio_at"][str(b)] for r in per_seed] for b in points}
    return {
        "hv_ratio_at": {b: float(np.mean(v)) for b, v in at.items()},
        "hv_ratio_std_at": {b: float(np.std(v)) for b, v in at.items()},
        "per_seed": per_seed,
        "test_accuracy_of_front": [[row["test_accuracy"] for row in r["front"]] for r in per_seed],
        "seconds": seconds,
        "strategy_seconds_per_proposal": ask_seconds / max(proposals, 1),
    }
