"""benchmarks/nbg_latency_feature.py: the added column and the ranking figures it reports."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from nbg_latency_feature import ranking_figures, with_latency  # noqa: E402


def test_weight_zero_leaves_the_features_alone_and_others_add_one_standardised_column():
    features = np.eye(4)
    log_latency = np.array([0.0, 1.0, 2.0, 10.0])
    assert with_latency(features, log_latency, np.arange(4), 0.0) is features
    fitted_rows = np.array([0, 1, 2])  # standardised on these only: mean 1, std sqrt(2/3)
    added = with_latency(features, log_latency, fitted_rows, 2.0)
    assert added.shape == (4, 5) and np.array_equal(added[:, :4], features)
    assert added[:, 4] == pytest.approx(2.0 * (log_latency - 1.0) / np.sqrt(2 / 3))


def test_a_perfect_ranking_puts_the_top_at_percentile_zero_and_a_reversed_one_at_the_bottom():
    accuracy = np.arange(200.0)  # minimisation space: row 0 is the best, the top 1% is rows 0 and 1
    perfect = ranking_figures(accuracy.copy(), accuracy)
    assert perfect["tau"] == pytest.approx(1.0) and perfect["top_percentile"] == pytest.approx(0.5 / 200)
    reversed_ = ranking_figures(-accuracy, accuracy)
    assert reversed_["tau"] == pytest.approx(-1.0) and reversed_["top_percentile"] == pytest.approx(198.5 / 200)
