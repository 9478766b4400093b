import numpy as np
import pytest

from paretonas.predict import OutputWarp, cross_validated_tau, fit_predictor, kendall_tau
from paretonas.predict._models import bayesian_ridge


def test_output_warp_round_trip_and_monotone():
    rng = np.random.default_rng(0)
    y = -(rng.random(80) ** 6)  # a long tail, like accuracies of broken networks
    warp = OutputWarp(y)
    assert warp.enabled
    assert np.allclose(warp.inverse(warp.forward(y)), y, atol=1e-10)
    z = np.linspace(-4, 4, 50)
    assert np.all(np.diff(warp.inverse(z)) > 0)  # order preserved, beyond the data too
    off = OutputWarp(y, enabled=False)
    assert np.array_equal(off.forward(y), y) and np.array_equal(off.inverse(y), y)


def test_model_selection_prefers_the_model_that_ranks_better():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(60, 12)).astype(float)
    additive = X @ rng.normal(size=12)
    chosen = fit_predictor(X, additive, candidates=("gp", "bayesian_ridge"))
    assert chosen.cv_tau > 0.8
    mean, std = chosen.predict(X)
    assert kendall_tau(additive, mean) > 0.9 and (std >= 0).all()
    assert cross_validated_tau(bayesian_ridge(), X, rng.normal(size=60)) < 0.3  # noise is not learnable


def test_unknown_predictor_is_an_error():
    with pytest.raises(ValueError, match=r"unknown predictor\(s\) \['xgb'\]"):
        fit_predictor(np.zeros((5, 2)), np.arange(5.0), candidates=("xgb",))
