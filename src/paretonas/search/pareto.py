"""Pareto fronts and hypervolume.

Everything here works in *minimisation* space: callers flip maximised objectives with
:attr:`Objective.sign` first. The hypervolume itself is pymoo's indicator, which is
exact in any dimension; we only add the normalisation conventions of the evaluation
protocol.
"""

from __future__ import annotations

import numpy as np
from pymoo.indicators.hv import HV


def pareto_mask(F: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``F`` (minimisation).

    Exact duplicates of a non-dominated point are all kept: they are the same trade-off.
    """
    F = np.asarray(F, dtype=float)
    if F.ndim != 2:
        raise ValueError(f"expected a 2D array of objective values, got shape {F.shape}")
    n = len(F)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        if not keep[i]:
            continue
        dominated = np.all(F[i] <= F, axis=1) & np.any(F[i] < F, axis=1)
        keep &= ~dominated
    return keep


def pareto_front(F: np.ndarray) -> np.ndarray:
    F = np.asarray(F, dtype=float)
    return F[pareto_mask(F)] if len(F) else F.reshape(0, F.shape[-1] if F.ndim == 2 else 0)


def hypervolume(F: np.ndarray, reference: np.ndarray) -> float:
    """Volume dominated by ``F`` and bounded by ``reference`` (minimisation)."""
    F = np.asarray(F, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if len(F) == 0:
        return 0.0
    F = F[np.all(F < reference, axis=1)]
    if len(F) == 0:
        return 0.0
    return float(HV(ref_point=reference)(F))


def normalize(F: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Min-max normalisation; a constant objective maps to 0."""
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    span = np.where(upper > lower, upper - lower, 1.0)
    return (np.asarray(F, dtype=float) - lower) / span


def staircase_2d(front: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The region a 2-objective ``front`` dominates, as steps: ``edges`` (len k+1) and ``heights`` (len k).

    Step ``i`` spans ``edges[i]..edges[i+1]`` along the first objective; a point below
    ``heights[i]`` on the second adds area there. A point's hypervolume gain is a sum
    of per-step rectangles, which is what makes it cheap to vectorise.
    """
    rx, ry = float(reference[0]), float(reference[1])
    front = np.asarray(front, dtype=float).reshape(-1, 2)
    front = front[np.all(front < [rx, ry], axis=1)]
    front = front[np.argsort(front[:, 0], kind="stable")]
    edges = np.concatenate([[-np.inf], front[:, 0], [rx]])
    heights = np.concatenate([[ry], np.minimum.accumulate(front[:, 1])])
    return edges, heights


def hypervolume_improvement_2d(points: np.ndarray, front: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Exact hypervolume gained by adding each row of ``points`` to ``front`` (2 objectives).

    Vectorised over candidates: the region the front dominates is a staircase, so the
    gain of one point is a sum of rectangle areas over the staircase's steps. This is
    what lets a strategy score every candidate of a space each round.
    """
    points = np.asarray(points, dtype=float)
    rx = float(reference[0])
    edges, heights = staircase_2d(front, reference)
    left = np.maximum(edges[None, :-1], points[:, :1])
    right = np.minimum(edges[None, 1:], rx)
    width = np.clip(right - left, 0.0, None)
    height = np.clip(heights[None, :] - points[:, 1:2], 0.0, None)
    return (width * height).sum(axis=1)
