import numpy as np
import pytest

from paretonas.search import hypervolume, hypervolume_improvement_2d, pareto_front, pareto_mask


def test_pareto_mask_hand_case():
    F = np.array([[1, 5], [2, 2], [3, 3], [5, 1], [2, 2], [4, 1.5], [6, 6]])
    # (3,3) is dominated by (2,2); (6,6) by everything; the duplicate (2,2) is kept
    assert pareto_mask(F).tolist() == [True, True, False, True, True, True, False]


def test_pareto_front_three_objectives():
    F = np.array([[1, 1, 9], [1, 9, 1], [9, 1, 1], [2, 2, 9], [1, 1, 1]])
    assert pareto_front(F).tolist() == [[1, 1, 1]]


def test_hypervolume_staircase_by_hand():
    # steps: x in [1,2) height 1, [2,3) height 2, [3,4) height 3 -> 6
    F = np.array([[1, 3], [2, 2], [3, 1]])
    assert hypervolume(F, np.array([4, 4])) == pytest.approx(6.0)


def test_hypervolume_ignores_points_outside_reference():
    F = np.array([[0.5, 0.5], [2.0, 0.1]])
    assert hypervolume(F, np.array([1, 1])) == pytest.approx(0.25)
    assert hypervolume(np.empty((0, 2)), np.array([1, 1])) == 0.0


def test_hypervolume_3d_by_hand():
    assert hypervolume(np.array([[0, 0, 0]]), np.array([1, 2, 3])) == pytest.approx(6.0)
    # two boxes 1x1x2 and 2x1x1 overlapping in a 1x1x1 cube: 2 + 2 - 1
    F = np.array([[0, 0, 1], [1, 0, 0]])
    assert hypervolume(F, np.array([2, 1, 3])) == pytest.approx(2 * 1 * 2 + 1 * 1 * 3 - 1 * 1 * 2)


def test_hypervolume_improvement_matches_recomputation():
    rng = np.random.default_rng(3)
    ref = np.array([1.1, 1.1])
    for _ in range(20):
        front = pareto_front(rng.random((8, 2)))
        points = rng.random((50, 2)) * 1.2
        gains = hypervolume_improvement_2d(points, front, ref)
        base = hypervolume(front, ref)
        expected = [hypervolume(np.vstack([front, p]), ref) - base for p in points]
        assert np.allclose(gains, expected, atol=1e-12)


def test_hypervolume_improvement_of_dominated_point_is_zero():
    front = np.array([[0.2, 0.2]])
    assert hypervolume_improvement_2d(np.array([[0.5, 0.5]]), front, np.array([1, 1]))[0] == 0.0
    assert hypervolume_improvement_2d(np.array([[0.5, 0.5]]), np.empty((0, 2)), np.array([1, 1]))[0] == pytest.approx(0.25)
