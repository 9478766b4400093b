"""benchmarks/nbg_variants.py's leave-one-out z-scores: the closed form equals refitting without each point."""

import sys
from pathlib import Path

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from nbg_variants import best_share, leave_one_out_z  # noqa: E402

from paretonas.predict import fit_predictor  # noqa: E402


def test_closed_form_leave_one_out_matches_a_refit_without_each_point():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(25, 6)).astype(float)
    y = X @ rng.normal(size=6) + 0.3 * rng.normal(size=25)
    fitted = fit_predictor(X, y, candidates=("gp",), seed=0)
    z = leave_one_out_z(fitted)
    gp = fitted.model
    for i in (0, 7, 24):
        keep = np.arange(len(y)) != i
        # same kernel, same normalisation of y as the full fit: only point i left out
        refit = GaussianProcessRegressor(kernel=gp.kernel_, optimizer=None, normalize_y=False, alpha=gp.alpha)
        y_normalised = (y - gp._y_train_mean) / gp._y_train_std
        refit.fit(X[keep], y_normalised[keep])
        mean, std = refit.predict(X[i : i + 1], return_std=True)
        # return_std includes the fitted white noise, as a leave-one-out residual does
        assert np.isclose(z[i], (y_normalised[i] - mean[0]) / std[0], rtol=1e-4)


def test_other_model_families_have_no_leave_one_out_z():
    X = np.eye(8)
    y = np.arange(8.0)
    assert leave_one_out_z(fit_predictor(X, y, candidates=("bayesian_ridge",))) is None


def test_best_share_takes_the_smallest_values_and_at_least_five():
    y = np.array([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 0.0])
    assert sorted(best_share(y, 0.25)) == sorted([7, 1, 5, 3, 0])
    assert len(best_share(np.arange(40.0), 0.25)) == 10
