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


def test_transfer_predictor_learns_from_fp32_and_keeps_the_original():
    """Quantized accuracy = fp32 accuracy of the architecture minus a policy cost. A
    predictor pre-trained on plenty of fp32 samples and fine-tuned on a few quantized
    ones must rank held-out quantized configs better than one trained on those few alone."""
    from paretonas.predict import AccuracyPredictor, kendall_tau

    rng = np.random.default_rng(0)
    n_arch, n_policy = 12, 6
    arch_weights = rng.normal(size=n_arch)
    policy_weights = -np.abs(rng.normal(scale=0.2, size=n_policy))

    def sample(n, fp32):
        arch = rng.integers(0, 2, size=(n, n_arch)).astype(float)
        policy = np.zeros((n, n_policy)) if fp32 else rng.integers(0, 2, size=(n, n_policy)).astype(float)
        X = np.hstack([arch, policy])
        return X, arch @ arch_weights + policy @ policy_weights + rng.normal(scale=0.05, size=n)

    X_fp32, y_fp32 = sample(400, True)
    X_few, y_few = sample(15, False)
    X_test, y_test = sample(200, False)
    pretrained = AccuracyPredictor.pretrained_on(X_fp32, y_fp32, seed=0)
    before = pretrained.predict(X_test)
    transfer = pretrained.fine_tuned(X_few, y_few)
    np.testing.assert_array_equal(pretrained.predict(X_test), before)  # fine-tuning works on a copy
    scratch = AccuracyPredictor(seed=0).fit(X_few, y_few)
    tau_transfer = kendall_tau(y_test, transfer.predict(X_test))
    tau_scratch = kendall_tau(y_test, scratch.predict(X_test))
    assert tau_transfer > tau_scratch + 0.1 and tau_transfer > 0.7, (tau_transfer, tau_scratch)


def test_additive_cost_model_recovers_per_choice_costs_from_few_networks(cell_space, additive_latency):
    from paretonas.predict import AdditiveCostModel

    space = cell_space
    everything = space.all_encodings()
    train = everything[np.random.default_rng(0).choice(len(everything), 20, replace=False)]
    model = AdditiveCostModel(space.count_feature_columns()).fit(space.features(train), additive_latency(space, train))
    mean, std = model.predict(space.features(everything), return_std=True)
    assert np.allclose(mean, additive_latency(space, everything), rtol=1e-9)
    assert np.allclose(std, 0.0, atol=1e-6)  # no residual: no noise, and the coefficients are pinned down
    with pytest.raises(ValueError, match="positive costs only"):
        model.fit(space.features(train), -additive_latency(space, train))


def test_additive_cost_model_ranks_the_fast_end_that_an_absolute_fit_loses(cell_space, additive_latency):
    """Multiplicative noise on costs spanning two orders of magnitude: the relative fit
    keeps the order of the cheap networks, a one-hot ridge of the same data does not."""
    from paretonas.predict import AdditiveCostModel
    from paretonas.predict._models import bayesian_ridge

    space = cell_space
    everything = space.all_encodings()
    rng = np.random.default_rng(3)
    train = everything[rng.choice(len(everything), 40, replace=False)]
    y = additive_latency(space, train, noise=0.05, rng=rng)
    truth = additive_latency(space, everything)
    fast = truth < 2.0  # no GAT
    model = AdditiveCostModel(space.count_feature_columns()).fit(space.features(train), y)
    ours, std = model.predict(space.features(everything), return_std=True)
    ridge = bayesian_ridge().fit(space.onehot(train), y).predict(space.onehot(everything))
    assert kendall_tau(truth[fast], ours[fast]) > 0.9
    assert kendall_tau(truth[fast], ours[fast]) > kendall_tau(truth[fast], ridge[fast]) + 0.2
    assert std[~fast].min() > std[fast].max()  # the noise is relative: slow networks are less certain in ms


def test_fit_additive_cost_applies_to_positive_targets_with_count_features_only(cell_space, additive_latency):
    from paretonas.predict import fit_additive_cost

    space = cell_space
    X = space.features(space.all_encodings()[:30])
    y = additive_latency(space, space.all_encodings()[:30])
    fitted = fit_additive_cost(X, y, space.count_feature_columns())
    assert fitted is not None and fitted.name == "additive_cost" and fitted.cv_tau > 0.9
    assert fit_additive_cost(X, -y, space.count_feature_columns()) is None  # an accuracy in minimisation space
    assert fit_additive_cost(X, y, []) is None  # no dimensions share a choice list
