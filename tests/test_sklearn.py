"""glassnet.sklearn: scikit-learn's MLP estimators, trained by glassnet."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="the sklearn extra is not installed")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


# scikit-learn's own test suite checks its MLPs with max_iter=100 (its
# instance_generator's INIT_PARAMS) and marks no check as an expected failure
@parametrize_with_checks(
    [MLPClassifier(max_iter=100), MLPRegressor(max_iter=100)],
)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


neural_network = pytest.importorskip("sklearn.neural_network")


def _iris():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _pair(name, **params):
    """The same settings for scikit-learn's estimator and glassnet's."""
    theirs = getattr(neural_network, name)(**params)
    ours = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}[name]
    return theirs, ours(**params)


def _fit_both(theirs, ours, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return theirs.fit(*args, **kwargs), ours.fit(*args, **kwargs)


# SGD is the same update in both libraries, so with the same initial weights,
# shuffles and objective (log-loss or ½·squared error, alpha/(2·Σw)·ΣW² with the
# smaller last batch of 150 = 64 + 64 + 22 penalised by its own size) every
# epoch's loss agrees to rounding: a wrong L2 normalisation, loss scale or
# gradient scale shows in the first epoch.
@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"alpha": 0.5, "batch_size": 64},
        {"activation": "tanh", "nesterovs_momentum": False, "shuffle": False},
        {"early_stopping": True, "validation_fraction": 0.2},
    ],
)
def test_sgd_classifier_follows_scikit_learn_epoch_by_epoch(settings):
    X, y = _iris()
    params = dict(solver="sgd", max_iter=15, random_state=3, **settings)
    theirs, ours = _fit_both(*_pair("MLPClassifier", **params), X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), 1e-7)
    if settings.get("early_stopping"):
        assert ours.validation_scores_ == theirs.validation_scores_
        assert ours.best_validation_score_ == theirs.best_validation_score_
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-9)


@pytest.mark.parametrize(
    "settings",
    [
        {"activation": "logistic", "learning_rate": "invscaling"},
        {"learning_rate": "adaptive", "n_iter_no_change": 2, "tol": 0.05},
    ],
)
def test_sgd_rate_schedules_follow_scikit_learn(settings):
    # the same rates epoch by epoch; the losses part slightly because glassnet's
    # momentum applies a new rate to the whole velocity (see the module notes)
    X, y = _iris()
    params = dict(solver="sgd", max_iter=15, random_state=3, **settings)
    theirs, ours = _fit_both(*_pair("MLPClassifier", **params), X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=0.03)
    assert ours.n_iter_ == theirs.n_iter_
    rate = ours._optimizer.current_learning_rate()
    assert rate == pytest.approx(theirs._optimizer.learning_rate, rel=1e-12)
    assert rate < params.get("learning_rate_init", 0.001)


@pytest.mark.parametrize("target", ["binary", "multilabel", "weighted"])
def test_sgd_classifier_targets_and_weights_follow_scikit_learn(target):
    X, y = _iris()
    weight = None
    if target == "binary":
        y = np.where(y == 1, "versicolor", "other")
    elif target == "multilabel":
        y = np.column_stack([y == 1, y == 2, X[:, 0] > 0]).astype(int)
    else:
        weight = np.random.default_rng(0).uniform(0, 3, len(y))
    params = dict(solver="sgd", max_iter=10, random_state=0, alpha=0.01)
    theirs, ours = _fit_both(*_pair("MLPClassifier", **params), X, y, weight)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), 1e-7)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_sgd_regressor_follows_scikit_learn(n_outputs):
    from sklearn.datasets import make_regression

    X, y = make_regression(120, 5, n_targets=n_outputs, noise=1.0, random_state=0)
    params = dict(solver="sgd", max_iter=10, random_state=0, alpha=0.1)
    params["learning_rate_init"] = 1e-4
    theirs, ours = _fit_both(*_pair("MLPRegressor", **params), X, y / 100)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-7)


def test_adam_and_lbfgs_follow_scikit_learn_closely():
    X, y = _iris()
    # Adam: glassnet adds ε to the bias-corrected RMS, scikit-learn to the raw
    # one, so the curves agree to about ε/√(1−β₂ᵗ) relative, not to rounding
    theirs, ours = _fit_both(*_pair("MLPClassifier", max_iter=30, random_state=1), X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    theirs, ours = _fit_both(
        *_pair("MLPClassifier", solver="lbfgs", max_iter=40, random_state=1), X, y
    )
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-4)
    assert ours.n_iter_ == theirs.n_iter_


def test_classifier_api_as_scikit_learn_users_expect():
    import glassnet as gn

    X, y = _iris()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = MLPClassifier(max_iter=300, random_state=0).fit(X, labels)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert clf.predict(X[:1])[0] == "setosa"
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert clf.score(X, labels) >= 0.95
    assert isinstance(clf.model_, gn.Sequential)
    assert [c.shape for c in clf.coefs_] == [(4, 100), (100, 3)]
    assert [b.shape for b in clf.intercepts_] == [(100,), (3,)]
    clf.coefs_[1][...] = 0  # the model's own arrays: the logits now are the biases
    clf.intercepts_[1][...] = [0.0, 5.0, 0.0]
    assert set(clf.predict(X)) == {"versicolor"}
    binary = MLPClassifier(max_iter=50, random_state=0).fit(X, y == 2)
    assert binary.predict_proba(X).shape == (150, 2)
    assert binary.n_outputs_ == 1 and binary.out_activation_ == "logistic"


def test_max_iter_reached_warns_convergence_warning():
    X, y = _iris()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\)"):
        MLPClassifier(max_iter=3, random_state=0).fit(X, y)


def test_tol_stops_on_the_training_loss_as_scikit_learn():
    X, y = _iris()
    clf = MLPClassifier(tol=10.0, n_iter_no_change=2, random_state=0).fit(X, y)
    # the first epoch sets best_loss_ (it improves on inf); no later epoch
    # improves by 10, and the count exceeds n_iter_no_change=2 after epoch 4
    assert clf.n_iter_ == 4


def test_class_weight_is_sample_weight_per_class():
    X, y = _iris()
    y = y[:120]  # 50, 50, 20 samples
    X = X[:120]
    balanced = MLPClassifier(class_weight="balanced", max_iter=5, random_state=0)
    weights = 120 / (3 * np.bincount(y))
    weighted = MLPClassifier(max_iter=5, random_state=0)
    _fit_both(balanced, weighted, X, y)  # (fits both; only the weights differ)
    weighted.fit(X, y, sample_weight=weights[y])
    balanced.fit(X, y)
    np.testing.assert_allclose(balanced.loss_curve_, weighted.loss_curve_)
    as_dict = MLPClassifier(class_weight={0: 1, 1: 1, 2: 5}, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        as_dict.fit(X, y)
        weighted.fit(X, y, sample_weight=np.array([1.0, 1.0, 5.0])[y])
    np.testing.assert_allclose(as_dict.loss_curve_, weighted.loss_curve_)


def test_works_in_pipeline_gridsearch_cross_val_score_and_clone():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _iris()
    pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=300, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.min() > 0.85
    search = GridSearchCV(
        MLPClassifier(max_iter=200, random_state=0),
        {"hidden_layer_sizes": [(8,), (32,)], "alpha": [1e-4, 1e-2]},
        cv=3,
    ).fit(X, y)
    assert search.best_score_ > 0.85
    copy = clone(search.best_estimator_)
    assert copy.get_params() == search.best_estimator_.get_params()
    assert not hasattr(copy, "model_")


def test_pandas_dataframe_keeps_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _iris()
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = MLPClassifier(max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(frame, pd.Series(y).map({0: "a", 1: "b", 2: "c"}))
    assert list(clf.feature_names_in_) == ["sl", "sw", "pl", "pw"]
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[["pw", "pl", "sw", "sl"]])
    reg = MLPRegressor(max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(frame.iloc[:, :3], frame["pw"])
    assert reg.n_features_in_ == 3 and reg.predict(frame.iloc[:2, :3]).shape == (2,)


def test_partial_fit_needs_classes_first_and_then_continues():
    X, y = _iris()
    clf = MLPClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    clf.partial_fit(X[50:], y[50:])
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 2
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"alpha": -1.0}, r"alpha must be >= 0.0. Received: alpha=-1.0"),
        ({"solver": "newton"}, r"solver must be one of .*Received: solver='newton'"),
        ({"hidden_layer_sizes": (10, 0)}, r"hidden_layer_sizes must be positive"),
        ({"batch_size": 0}, r"batch_size must be 'auto' or an integer >= 1"),
        ({"validation_fraction": 1.0}, r"validation_fraction must be < 1.0"),
    ],
)
def test_bad_settings_are_refused_at_fit_naming_them(params, message):
    X, y = _iris()
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**params).fit(X, y)


def test_poisson_loss_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="no Poisson loss"):
        MLPRegressor(loss="poisson").fit([[0.0], [1.0]], [1.0, 2.0])


def test_benchmark_runs_in_quick_mode():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "tabular.py"
    result = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "| time ratio" in result.stdout
        and "generated table 5,000 x 50" in result.stdout
    )
