"""Where candidates come from: the whole space when it is small, an EA when it is not.

Scoring every network of a space exactly beats any search over a predictor, so a
space of up to ``max_enumerate`` encodings is enumerated once (and reduced to its
canonical networks). Larger spaces are explored by pymoo's NSGA-II on the optimistic
predicted objectives, seeded with the measured front, plus local mutations of that
front: both are the places a good unmeasured network is most likely to be.
"""

from __future__ import annotations

import weakref
from typing import Callable

import numpy as np

from paretonas.space import Space


_WHOLE_SPACE_POOLS: "weakref.WeakKeyDictionary[Space, tuple]" = weakref.WeakKeyDictionary()


def whole_space_pool(space: Space) -> tuple[np.ndarray, list[tuple]]:
    """Every canonical network of a small space, computed once per space object.

    Benchmarks create one sampler per seed on the same space; enumerating and
    canonicalising tens of thousands of configs once instead of per sampler matters.
    """
    if space not in _WHOLE_SPACE_POOLS:
        _WHOLE_SPACE_POOLS[space] = canonical_encodings(space, space.all_encodings())
    return _WHOLE_SPACE_POOLS[space]


def canonical_encodings(space: Space, encodings: np.ndarray) -> tuple[np.ndarray, list[tuple]]:
    """Canonical encodings of ``encodings``, first occurrence of each network kept.

    Returns the unique canonical encodings and their identity tuples; invalid configs
    (canonical form ``None``) are dropped.
    """
    seen: dict[tuple, int] = {}
    rows = []
    for vector in encodings:
        identity = canonical_identity(space, vector)
        if identity is None or identity in seen:
            continue
        seen[identity] = len(rows)
        rows.append(identity)
    out = np.array(rows, dtype=np.int64).reshape(len(rows), len(space))
    return out, rows


def canonical_identity(space: Space, vector: np.ndarray) -> tuple | None:
    """The canonical encoding of one encoding, as a hashable tuple (None if invalid)."""
    config = space.decode(vector)
    canonical = space.canonical(config)
    if canonical is None:
        return None
    return tuple(int(i) for i in space.encode(canonical))


def evolve_candidates(
    space: Space,
    score: Callable[[np.ndarray], np.ndarray],
    seeds: np.ndarray,
    rng: np.random.Generator,
    population: int = 64,
    generations: int = 25,
) -> np.ndarray:
    """Encodings that pymoo's NSGA-II finds good under ``score`` (rows to minimise)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling
    from pymoo.optimize import minimize

    upper = space.cardinalities - 1
    n_obj = score(space.sample(rng, 1)).shape[1]
    visited: list[np.ndarray] = []

    class _Predicted(Problem):
        def __init__(self):
            super().__init__(n_var=len(space), n_obj=n_obj, xl=np.zeros(len(space)), xu=upper, vtype=int)

        def _evaluate(self, X, out, *args, **kwargs):
            X = np.clip(np.round(X), 0, upper).astype(np.int64)
            visited.append(X)
            out["F"] = score(X)

    initial = np.vstack([seeds, space.sample(rng, max(0, population - len(seeds)))])[:population]
    algorithm = NSGA2(
        pop_size=population,
        sampling=initial.astype(float) if len(seeds) else IntegerRandomSampling(),
        crossover=SBX(prob=0.9, eta=15, vtype=float, repair=RoundingRepair()),
        mutation=PM(eta=20, vtype=float, repair=RoundingRepair()),
        eliminate_duplicates=True,
    )
    minimize(_Predicted(), algorithm, ("n_gen", generations), seed=int(rng.integers(2**31 - 1)), verbose=False)
    return np.unique(np.vstack(visited), axis=0)


def one_change_neighbours(space: Space, identity: tuple) -> list[tuple]:
    """The canonical networks one dimension away from a network, sorted.

    Good networks have good neighbours (NAS-Bench-Graph: a fifth of the one-change
    neighbours of a top-1% network are in the top 5%, against 5% by chance), so they
    are where a search exploits what it has measured.
    """
    found = set()
    for j, cardinality in enumerate(space.cardinalities):
        for value in range(int(cardinality)):
            if value == identity[j]:
                continue
            vector = np.array(identity, dtype=np.int64)
            vector[j] = value
            neighbour = canonical_identity(space, vector)
            if neighbour is not None and neighbour != tuple(identity):
                found.add(neighbour)
    return sorted(found)


def neighbourhood(space: Space, centres: np.ndarray, rng: np.random.Generator, per_centre: int = 20) -> np.ndarray:
    """Random one- and two-dimension mutations of each centre."""
    if len(centres) == 0:
        return np.empty((0, len(space)), dtype=np.int64)
    rows = [space.mutate(c, rng, rate=rate) for c in centres for rate in (0.0, 0.25) for _ in range(per_centre // 2)]
    return np.array(rows, dtype=np.int64)
