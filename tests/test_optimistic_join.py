"""The benchmark variants that join a batch pick to the front beyond its believed value."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from nbg_variants import HalfOptimisticJoinSampler, OptimisticJoinSampler  # noqa: E402

from paretonas.search.samplers import PredictorGuidedSampler  # noqa: E402

VIEW = {"believed": np.array([[0.4, 0.2], [0.6, 0.1]]), "optimistic": np.array([[0.2, 0.1], [0.3, 0.05]])}


def test_default_joins_at_believed_value():
    sampler = object.__new__(PredictorGuidedSampler)
    np.testing.assert_array_equal(sampler._joined_value(VIEW, 1), [0.6, 0.1])


def test_optimistic_join_joins_at_optimistic_bound():
    sampler = object.__new__(OptimisticJoinSampler)
    np.testing.assert_allclose(sampler._joined_value(VIEW, 1), [0.3, 0.05])


def test_half_optimistic_join_joins_halfway():
    sampler = object.__new__(HalfOptimisticJoinSampler)
    np.testing.assert_allclose(sampler._joined_value(VIEW, 0), [0.3, 0.15])
