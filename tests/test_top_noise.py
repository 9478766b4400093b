"""benchmarks/nbg_top_noise.py: the correlations it reports, on tables whose answer is known by construction."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from nbg_top_noise import agreement, draws_from_top, neighbour_means, top_share_indices  # noqa: E402


def chain_neighbours(n):
    """Row i's neighbours are i-1 and i+1: a smooth function of i is locally structured, white noise is not."""
    return [[j for j in (i - 1, i + 1) if 0 <= j < n] for i in range(n)]


def test_top_share_takes_the_largest_values():
    values = np.array([0.1, 0.9, 0.5, 0.7, 0.3, 0.8, 0.2, 0.6, 0.4, 0.0])
    assert sorted(top_share_indices(values, 0.3)) == [1, 3, 5]
    assert len(top_share_indices(values, 0.01)) == 2  # at least two: a correlation needs them


def test_neighbour_means_average_the_listed_rows_and_leave_the_isolated_undefined():
    values = np.array([1.0, 3.0, 8.0])
    means = neighbour_means(values, [[1, 2], [], [0]])
    assert means[0] == pytest.approx(5.5) and np.isnan(means[1]) and means[2] == pytest.approx(1.0)


def test_a_smooth_table_agrees_everywhere_and_a_noisy_top_does_not():
    n = 2000
    rng = np.random.default_rng(0)
    merit = np.linspace(0.0, 1.0, n)  # smooth along the chain
    smooth = agreement(merit, merit + 1e-6 * rng.normal(size=n), chain_neighbours(n), 0.1)
    assert smooth["val_test"] > 0.99 and smooth["val_neighbour_val"] > 0.99 and smooth["test_neighbour_test"] > 0.99
    # validation = merit + noise far larger than the merit's spread at the top; test = merit + other noise
    val = merit + 0.5 * rng.normal(size=n)
    test = merit + 0.5 * rng.normal(size=n)
    noisy = agreement(val, test, chain_neighbours(n), 0.1)
    assert noisy["val_test_all"] > 0.2  # the whole table still carries the merit
    assert abs(noisy["val_test"]) < 0.2 and abs(noisy["val_neighbour_val"]) < 0.2
    assert noisy["networks_in_top"] == 200


def test_draws_from_top_count_after_the_start_design_only():
    val_of = {k: float(k) for k in range(20)}
    runs = {"0": [19, 18, 17] + [0, 1, 15], "1": [0, 1, 2, 16, 17, 3]}
    drawn = draws_from_top(runs, val_of, threshold=15.0, start=3)
    assert drawn["runs"] == 2
    assert drawn["mean_count"] == pytest.approx(1.5)  # run 0: 15 only (19, 18, 17 are its start); run 1: 16 and 17
    assert drawn["mean_share"] == pytest.approx((1 / 3 + 2 / 3) / 2)
