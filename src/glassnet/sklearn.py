"""scikit-learn's ``MLPClassifier`` and ``MLPRegressor``, trained by glassnet.

Swap one import and keep the rest of the code::

    from glassnet.sklearn import MLPClassifier   # was: from sklearn.neural_network

The estimators take scikit-learn's parameters with their names, defaults and
meanings, set the same fitted attributes (``coefs_``, ``loss_curve_``,
``n_iter_``, ...), and work in ``Pipeline``, ``GridSearchCV``, ``clone`` and
``cross_val_score``. They minimise scikit-learn's objective, term for term:

* the loss of a batch of n samples (weights w, Σw = s; without weights every w
  is 1 and s = n) is Σᵢ wᵢ·lᵢ / s, with lᵢ the log-loss of sample i (summed
  over the outputs for multi-label targets) or half its squared error (averaged
  over the outputs) for regression;
* ``alpha`` adds alpha/(2s)·ΣW² over every weight matrix (not the biases): the
  Dense layers' L2 term λ·ΣW² with λ = alpha/(2s), set for each batch, so that a
  smaller last batch is penalised as scikit-learn penalises it;
* the output layer is softmax for several classes, logistic for two classes and
  for multi-label targets, the identity for regression; the gradient reaching
  it is scikit-learn's (prediction − target)·w/s;
* weights start uniform in ±sqrt(6/(fan_in + fan_out)) (sqrt(2/...) for
  ``activation="logistic"``), drawn, like the shuffles and the early-stopping
  split, from ``random_state`` in scikit-learn's order.

Training uses glassnet's layers and optimizers (fused, float32 kept as float32),
so ``solver="sgd"`` follows scikit-learn's loss curve to rounding and Adam to
within its ε (glassnet's Adam adds ε to the bias-corrected RMS, scikit-learn's to
the raw one). When the SGD rate changes (``learning_rate="invscaling"`` or
``"adaptive"``) the two part slightly: glassnet's momentum (PyTorch's form)
applies the new rate to the whole velocity, scikit-learn's to new gradients.
The trained network is :attr:`model_`, a :class:`~glassnet.network.Sequential`:
save it, summarise it, export it.

Differences, all additions: ``solver`` also takes glassnet's ``"rmsprop"``,
``"adagrad"`` and ``"adamw"``; ``activation`` any glassnet activation name;
``MLPClassifier`` takes ``class_weight`` (``"balanced"`` or a dict), multiplied
into ``sample_weight``. ``MLPRegressor(loss="poisson")`` is not supported.
``verbose=True`` prints scikit-learn's lines on stdout, as scikit-learn does.

Example
-------
>>> import numpy as np
>>> from glassnet.sklearn import MLPClassifier
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
>>> y = np.array(["no", "yes", "yes", "no"] * 10)
>>> clf = MLPClassifier(hidden_layer_sizes=(16,), activation="tanh",
...                     learning_rate_init=0.05, max_iter=300, random_state=0)
>>> clf.fit(X, y).predict([[0.0, 1.0], [1.0, 1.0]])
array(['yes', 'no'], dtype='<U3')
>>> clf.predict_proba([[1.0, 0.0]]).shape  # one column per class, as scikit-learn
(1, 2)
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np

try:
    import scipy.optimize
    import scipy.sparse
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError as error:  # pragma: no cover - the sklearn extra is missing
    raise ImportError(
        "glassnet.sklearn needs scikit-learn: pip install 'glassnet[sklearn]'"
    ) from error
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils import shuffle as shuffled
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from glassnet import optimizers
from glassnet.layers import Dense
from glassnet.network import Sequential

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh"}
_SOLVERS = ("adam", "sgd", "lbfgs", "rmsprop", "adagrad", "adamw")
_PREDICT_ROWS = 8192  # rows per pass when densifying sparse input


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: checks, training, predicting."""

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    # ------------------------------------------------------------------ checks
    def _reject(self, name: str, rule: str) -> None:
        raise ValueError(
            f"{type(self).__name__}: {name} must be {rule}. "
            f"Received: {name}={getattr(self, name)!r}"
        )

    def _check_number(self, name, low, high=None, *, integer=False, open_low=False):
        value = getattr(self, name)
        kind = Integral if integer else Real
        if isinstance(value, bool) or not isinstance(value, kind):
            self._reject(name, "an integer" if integer else "a number")
        if not np.isfinite(value) or value < low or (open_low and value == low):
            self._reject(name, f"{'>' if open_low else '>='} {low}")
        if high is not None and value >= high:
            self._reject(name, f"< {high}")

    def _check_params(self) -> list[int]:
        """Check every setting (at fit, as scikit-learn does); return the sizes."""
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else sizes
        try:
            sizes = list(sizes)
        except TypeError:
            self._reject("hidden_layer_sizes", "an int or a sequence of ints")
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            self._reject("hidden_layer_sizes", "positive integers")
        if not isinstance(self.activation, str):
            self._reject("activation", "'identity', 'logistic', 'tanh' or 'relu'")
        if self.solver not in _SOLVERS:
            self._reject("solver", f"one of {', '.join(map(repr, _SOLVERS))}")
        if self.learning_rate not in ("constant", "invscaling", "adaptive"):
            self._reject("learning_rate", "'constant', 'invscaling' or 'adaptive'")
        batch = self.batch_size
        if batch != "auto" and (
            isinstance(batch, bool) or not isinstance(batch, Integral) or batch < 1
        ):
            self._reject("batch_size", "'auto' or an integer >= 1")
        self._check_number("alpha", 0.0)
        self._check_number("learning_rate_init", 0.0, open_low=True)
        self._check_number("power_t", 0.0)
        self._check_number("max_iter", 1, integer=True)
        self._check_number("tol", 0.0)
        self._check_number("momentum", 0.0)
        if self.momentum > 1:
            self._reject("momentum", "in [0, 1]")
        self._check_number("validation_fraction", 0.0, 1.0, open_low=True)
        self._check_number("beta_1", 0.0, 1.0)
        self._check_number("beta_2", 0.0, 1.0)
        self._check_number("epsilon", 0.0, open_low=True)
        self._check_number("n_iter_no_change", 1, integer=True)
        self._check_number("max_fun", 1, integer=True)
        for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                self._reject(name, "True or False")
        return sizes

    def _check_solver(self) -> bool:
        return self.solver != "lbfgs"

    def _sample_weight(self, sample_weight: Any, X: np.ndarray, y: Any) -> Any:
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if sample_weight.ndim != 1 or len(sample_weight) != X.shape[0]:
                raise ValueError(
                    f"sample_weight must have shape ({X.shape[0]},), one weight per "
                    f"sample. Received: sample_weight with shape "
                    f"{sample_weight.shape}"
                )
            if not np.isfinite(sample_weight).all() or (sample_weight < 0).any():
                raise ValueError(
                    "sample_weight must be finite and non-negative. Received: "
                    f"min {sample_weight.min()!r}, max {sample_weight.max()!r}"
                )
            if not sample_weight.any():
                raise ValueError(
                    "sample_weight must contain at least one non-zero weight. "
                    "Received: every weight zero"
                )
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None:
            weights = compute_sample_weight(class_weight, y)
            if sample_weight is not None:
                weights = weights * sample_weight
            sample_weight = weights
        return sample_weight

    # ----------------------------------------------------------------- building
    def _initialize(self, n_features: int, n_outputs: int, sizes, dtype, rng) -> None:
        """A fresh Sequential with scikit-learn's initial weights, and the logs."""
        activation = _ACTIVATIONS.get(self.activation, self.activation)
        units = [n_features, *sizes, n_outputs]
        layers = [
            Dense(n_in, n_out, activation=activation if i < len(sizes) else None)
            for i, (n_in, n_out) in enumerate(zip(units[:-1], units[1:], strict=True))
        ]
        self.model_ = Sequential(layers, dtype=dtype)
        factor = 2.0 if self.activation == "logistic" else 6.0
        for layer in layers:
            bound = np.sqrt(factor / (layer.n_in + layer.n_out))
            layer.params["W"][...] = rng.uniform(-bound, bound, layer.params["W"].shape)
            layer.params["b"][...] = rng.uniform(-bound, bound, layer.n_out)
        self.model_.compile(loss=self._loss_name(n_outputs))
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(units)
        self.out_activation_ = self._out_activation(n_outputs)
        self.n_iter_ = 0
        self.t_ = 0
        if self.solver != "lbfgs":
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
                self._best_weights = self.model_.get_weights()
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _new_optimizer(self) -> optimizers.Optimizer:
        rate = self.learning_rate_init
        if self.solver == "sgd":
            return optimizers.SGD(
                rate,
                momentum=self.momentum,
                nesterov=bool(self.nesterovs_momentum and self.momentum > 0),
            )
        if self.solver in ("adam", "adamw"):
            return optimizers.get(
                {
                    "name": self.solver,
                    "learning_rate": rate,
                    "beta_1": self.beta_1,
                    "beta_2": self.beta_2,
                    "epsilon": self.epsilon,
                }
            )
        return optimizers.get({"name": self.solver, "learning_rate": rate})

    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrices, layer by layer (the model's own arrays)."""
        check_is_fitted(self, "model_")
        return [layer.params["W"] for layer in self.model_.layers]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vectors, layer by layer (the model's own arrays)."""
        check_is_fitted(self, "model_")
        return [layer.params["b"] for layer in self.model_.layers]

    # ----------------------------------------------------------------- training
    def _fit(self, X, y, sample_weight=None, incremental=False):
        sizes = self._check_params()
        first_pass = not hasattr(self, "model_") or (
            not self.warm_start and not incremental
        )
        X, y, targets = self._validate_input(X, y, incremental, reset=first_pass)
        sample_weight = self._sample_weight(sample_weight, X, y)
        rng = check_random_state(self.random_state)
        n_outputs = self._n_outputs(targets)
        if first_pass:
            self._initialize(X.shape[1], n_outputs, sizes, X.dtype, rng)
        elif self.n_outputs_ != n_outputs:
            raise ValueError(
                f"y has {n_outputs} outputs, but the fitted network has "
                f"{self.n_outputs_}. Received: y with {n_outputs} outputs"
            )
        if not scipy.sparse.issparse(X):
            X = np.asarray(X, dtype=self.model_.dtype)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, targets, sample_weight)
            else:
                self._fit_stochastic(X, y, targets, sample_weight, rng, incremental)
        if not all(np.isfinite(p).all() for p, _ in self.model_.parameters()):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed (standardised)."
            )
        return self

    def _batch_loss(self, X, targets, weight, scales):
        """Forward, scikit-learn's loss and backward on one batch; return the loss.

        ``scales`` = (value scale, gradient scale) turning glassnet's loss into
        scikit-learn's (see the module docstring).
        """
        n = X.shape[0]
        total = n if weight is None else float(weight.sum())
        if total <= 0:
            return None  # every weight zero: nothing to learn from this batch
        model = self.model_
        l2 = self.alpha / (2.0 * total)
        for layer in model.layers:
            layer.l2 = l2
        out = model.forward(X)
        if weight is None:
            value = model.loss.forward(targets, out)
        else:
            value = model.loss.forward(targets, out, sample_weight=weight * (n / total))
        value = value * scales[0] + sum(
            layer.regularization_loss() for layer in model.layers
        )
        grad = model.loss.backward()
        if scales[1] != 1:
            grad *= grad.dtype.type(scales[1])
        model.backward(grad)
        return value

    def _fit_stochastic(self, X, y, targets, sample_weight, rng, incremental):
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._new_optimizer()
            self._rate = self.learning_rate_init
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X_val = y_val = weight_val = None
        if self.early_stopping:
            stratify = targets if self._stratify(targets) else None
            parts = [X, y, targets] + ([] if sample_weight is None else [sample_weight])
            split = train_test_split(
                *parts,
                random_state=rng,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
            X, X_val, _, y_val, targets = split[:5]
            if sample_weight is not None:
                sample_weight, weight_val = split[6], split[7]
            if X_val.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' "
                    f"or the size of your dataset. Received: validation_fraction="
                    f"{self.validation_fraction!r} leaves {X_val.shape[0]} sample(s)"
                )
        n = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is "
                    "going to be clipped",
                    stacklevel=3,
                )
            batch_size = int(np.clip(self.batch_size, 1, n))
        scales = self._scales()
        pairs = self.model_.parameters()
        order = np.arange(n)
        step = self._optimizer.step
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            if self.shuffle:
                order = shuffled(order, random_state=rng)
            accumulated = 0.0
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                xb = X[idx]
                if scipy.sparse.issparse(xb):
                    xb = xb.toarray()
                wb = None if sample_weight is None else sample_weight[idx]
                value = self._batch_loss(xb, targets[idx], wb, scales)
                if value is None:
                    continue
                accumulated += value * len(idx)
                step(pairs)
            self.n_iter_ += 1
            self.loss_ = accumulated / n
            self.t_ += n
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            self._update_no_improvement_count(X_val, y_val, weight_val)
            if self.learning_rate == "invscaling" and self.solver == "sgd":
                self._rate = self.learning_rate_init / (self.t_ + 1) ** self.power_t
                self._optimizer.learning_rate = self._rate
            if self._no_improvement_count > self.n_iter_no_change:
                what = "Validation score" if self.early_stopping else "Training loss"
                message = (
                    f"{what} did not improve more than tol={self.tol:f} for "
                    f"{self.n_iter_no_change} consecutive epochs."
                )
                if self._trigger_stopping(message):
                    break
                self._no_improvement_count = 0
            if incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        if self.early_stopping:
            self.model_.set_weights(self._best_weights)

    def _trigger_stopping(self, message: str) -> bool:
        """Stop, or for SGD with ``learning_rate='adaptive'`` divide the rate by 5."""
        if self.solver != "sgd" or self.learning_rate != "adaptive":
            if self.verbose:
                print(message + " Stopping.")
            return True
        if self._rate <= 1e-6:
            if self.verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self._rate /= 5.0
        self._optimizer.learning_rate = self._rate
        if self.verbose:
            print(message + f" Setting learning rate to {self._rate:f}")
        return False

    def _update_no_improvement_count(self, X_val, y_val, weight_val) -> None:
        if self.early_stopping:
            score = self._score_arrays(X_val, y_val, weight_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_weights = self.model_.get_weights()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])

    def _fit_lbfgs(self, X, targets, sample_weight) -> None:
        """Full-batch L-BFGS-B on the same objective (scipy.optimize.minimize)."""
        if scipy.sparse.issparse(X):
            X = X.toarray()
        params = [param for param, _ in self.model_.parameters()]
        grads = [grad for _, grad in self.model_.parameters()]
        scales = self._scales()

        def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
            offset = 0
            for param in params:
                param[...] = flat[offset : offset + param.size].reshape(param.shape)
                offset += param.size
            value = self._batch_loss(X, targets, sample_weight, scales)
            if value is None:
                return 0.0, np.zeros_like(flat)
            return value, np.concatenate([g.ravel() for g in grads]).astype(float)

        start = np.concatenate([p.ravel() for p in params]).astype(float)
        result = scipy.optimize.minimize(
            objective,
            start,
            method="L-BFGS-B",
            jac=True,
            options={
                "maxfun": self.max_fun,
                "maxiter": self.max_iter,
                "gtol": self.tol,
            },
        )
        objective(result.x)
        self.n_iter_ = int(result.nit)
        self.loss_ = float(result.fun)
        if result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={result.status}): {result.message}. Increase max_iter "
                "or scale the data.",
                ConvergenceWarning,
                stacklevel=3,
            )

    # --------------------------------------------------------------- predicting
    def _raw(self, X: Any) -> np.ndarray:
        """The network's outputs after the output activation, for checked X."""
        model = self.model_
        if not scipy.sparse.issparse(X):
            out = model.predict(np.asarray(X, dtype=model.dtype))
        else:
            out = np.concatenate(
                [
                    model.predict(X[i : i + _PREDICT_ROWS].toarray())
                    for i in range(0, X.shape[0], _PREDICT_ROWS)
                ]
            )
        return model.loss.output_transform(out)

    def _check_X(self, X: Any) -> Any:
        check_is_fitted(self, "model_")
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )

    def _score_arrays(self, X, y, sample_weight) -> float:
        predicted = self._predict_checked(X)
        if predicted.dtype.kind == "f" and not np.isfinite(predicted).all():
            return np.nan
        return float(self._score_function(y, predicted, sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier: scikit-learn's, trained by glassnet.

    The log-loss of softmax outputs (several classes), of one logistic output
    (two classes) or of one logistic output per label (multi-label indicator
    targets), plus alpha/(2·Σw)·ΣW², minimised by minibatch Adam or SGD (or
    L-BFGS). Parameters, defaults and fitted attributes are scikit-learn's
    ``sklearn.neural_network.MLPClassifier`` (see its documentation for each);
    the module docstring lists the additions.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Units per hidden layer.
    activation : {"relu", "tanh", "logistic", "identity"} or glassnet name
    solver : {"adam", "sgd", "lbfgs", "rmsprop", "adagrad", "adamw"}
    alpha : float, default 1e-4
        Strength of the L2 penalty alpha/(2·Σw)·ΣW².
    batch_size : int or "auto"
        "auto" is min(200, n_samples).
    learning_rate : {"constant", "invscaling", "adaptive"}
        The SGD schedule: η_t = η₀/(t + 1)^power_t (t samples seen) for
        "invscaling"; η divided by 5 after ``n_iter_no_change`` epochs without
        improvement for "adaptive".
    learning_rate_init, power_t, momentum, nesterovs_momentum : float, bool
    beta_1, beta_2, epsilon : float
        Adam's settings.
    max_iter : int, default 200
        Epochs (stochastic solvers) or iterations (L-BFGS); reaching it warns
        ``ConvergenceWarning``.
    shuffle : bool
    random_state : int, RandomState or None
        Decides the initial weights, the shuffles and the early-stopping split.
    tol : float, default 1e-4
    n_iter_no_change : int, default 10
        Stop when the training loss (or, with ``early_stopping``, the validation
        accuracy) has not improved by ``tol`` for this many epochs.
    early_stopping : bool
    validation_fraction : float
        Held out (stratified) when ``early_stopping``; the best epoch's weights
        are kept.
    verbose, warm_start : bool
    max_fun : int
        L-BFGS's limit on loss evaluations.
    class_weight : dict, "balanced" or None
        Multiplies each sample's weight by its class's weight.

    Attributes
    ----------
    classes_ : ndarray
    model_ : Sequential
        The trained network (its last layer is linear: logits).
    coefs_, intercepts_ : list of ndarray
        The model's weight matrices and bias vectors (its own arrays).
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_
    n_iter_, t_, n_layers_, n_outputs_, out_activation_
    n_features_in_, feature_names_in_

    Example
    -------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_iris(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(),
    ...                      MLPClassifier(max_iter=1000, random_state=0))
    >>> round(pipe.fit(X, y).score(X, y), 2) >= 0.95
    True
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        class_weight: Any = None,
    ) -> None:
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )
        self.class_weight = class_weight

    _score_function = staticmethod(accuracy_score)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes "
                        f"as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        binary = self._label_binarizer.transform(y)
        if self._label_binarizer.y_type_ == "multiclass":
            targets = np.argmax(binary, axis=1)  # integer labels: the fast path
        else:
            targets = binary.astype(X.dtype)
        return X, y, targets

    def _n_outputs(self, targets) -> int:
        return len(self.classes_) if targets.ndim == 1 else targets.shape[1]

    def _stratify(self, targets) -> bool:
        # as scikit-learn: only one output (two classes) is stratified
        return self.n_outputs_ == 1

    def _loss_name(self, n_outputs: int) -> str:
        if self._label_binarizer.y_type_ == "multiclass":
            return "categorical_crossentropy"
        return "binary_crossentropy_from_logits"

    def _out_activation(self, n_outputs: int) -> str:
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _scales(self) -> tuple[float, float]:
        # glassnet averages binary cross-entropy over the outputs too;
        # scikit-learn sums it over the labels
        k = 1 if self.out_activation_ == "softmax" else self.n_outputs_
        return (k, k)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train on X and the class labels y (any labels: strings, ints, ...).

        Parameters
        ----------
        X : array_like or sparse matrix of shape (n_samples, n_features)
        y : array_like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multi-label targets.
        sample_weight : array_like of shape (n_samples,), optional
            Non-negative weights; a weight of k counts a sample k times.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda self: self._check_solver())
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """One epoch over (X, y), continuing from the current weights.

        ``classes`` (every label that will ever appear) is required on the
        first call, as in scikit-learn.
        """
        if not hasattr(self, "classes_") or not hasattr(self, "model_"):
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit. "
                    "Received: classes=None"
                )
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(
            unique_labels(classes), self.classes_
        ):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to "
                f"partial_fit, was: {self.classes_!r}"
            )
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _predict_checked(self, X) -> np.ndarray:
        proba = self._raw(X)
        if self.n_outputs_ == 1:
            proba = proba.ravel()
        return self._label_binarizer.inverse_transform(proba)

    def predict(self, X: Any) -> np.ndarray:
        """The predicted class of each row (labels as given to fit)."""
        return self._predict_checked(self._check_X(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Two classes give two columns (1 − p, p), as in scikit-learn.
        """
        proba = self._raw(self._check_X(X))
        if self.n_outputs_ == 1:
            p = proba.ravel()
            return np.vstack([1 - p, p]).T
        return proba

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor: scikit-learn's, trained by glassnet.

    Half the squared error (averaged over samples and outputs) plus
    alpha/(2·Σw)·ΣW², with a linear output layer. Parameters, defaults and
    fitted attributes are scikit-learn's ``sklearn.neural_network.MLPRegressor``
    (see :class:`MLPClassifier` for each; there is no ``class_weight``).

    Parameters
    ----------
    loss : {"squared_error"}
        scikit-learn's "poisson" is not supported.
    hidden_layer_sizes, activation, solver, alpha, ... : see MLPClassifier
        The validation score of ``early_stopping`` is R².

    Attributes
    ----------
    model_ : Sequential
    coefs_, intercepts_, loss_, best_loss_, loss_curve_, n_iter_, ...

    Example
    -------
    >>> import numpy as np
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh",
    ...                    solver="lbfgs", random_state=0).fit(X, 3 * X[:, 0] + 1)
    >>> round(float(reg.predict([[0.5]])[0]), 1)
    2.5
    """

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
    ) -> None:
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )
        self.loss = loss

    _score_function = staticmethod(r2_score)

    def _check_params(self) -> list[int]:
        if self.loss != "squared_error":
            self._reject("loss", "'squared_error' (glassnet has no Poisson loss)")
        return super()._check_params()

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        targets = y.reshape(len(y), -1).astype(X.dtype)
        return X, y, targets

    def _n_outputs(self, targets) -> int:
        return targets.shape[1]

    def _stratify(self, targets) -> bool:
        return False

    def _loss_name(self, n_outputs: int) -> str:
        return "mse"

    def _out_activation(self, n_outputs: int) -> str:
        return "identity"

    def _scales(self) -> tuple[float, float]:
        # scikit-learn: L = ½·mean (ŷ − y)², but ∂L/∂ŷ = (ŷ − y)/n for every
        # output; glassnet's mse has 2(ŷ − y)/(n·k)
        return (0.5, self.n_outputs_ / 2)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train on X and the real targets y, shape (n,) or (n, n_outputs).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda self: self._check_solver())
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over (X, y), continuing from the current weights."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _predict_checked(self, X) -> np.ndarray:
        out = self._raw(X)
        return out.ravel() if out.shape[1] == 1 else out

    def predict(self, X: Any) -> np.ndarray:
        """The predicted targets: shape (n,) for one output, else (n, n_outputs)."""
        return self._predict_checked(self._check_X(X))
