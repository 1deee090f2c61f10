"""Sequential: PyTorch as the reference, determinism, bad input, the glass box."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.callbacks import LambdaCallback
from glassnet.errors import TrainingDiverged
from glassnet.layers import Dense, Dropout

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus"]
LOSSES = ["mse", "mae", "binary_crossentropy", "binary_crossentropy_from_logits",
          "categorical_crossentropy"]  # fmt: skip


def _xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array([0, 1, 1, 0])


# ======================================================= PyTorch as the reference


def _torch_activation(name):
    import torch

    F = torch.nn.functional
    return {
        None: lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
        "elu": F.elu,
        "gelu": F.gelu,
        "softplus": lambda z: F.softplus(z, threshold=1000),  # no cut-off, like ours
    }[name]


def _torch_loss(name, out, y):
    import torch

    F = torch.nn.functional
    if name == "mse":
        return F.mse_loss(out, y)
    if name == "mae":
        return F.l1_loss(out, y)
    if name == "binary_crossentropy":
        return F.binary_cross_entropy(out, y)
    if name == "binary_crossentropy_from_logits":
        return F.binary_cross_entropy_with_logits(out, y)
    return F.cross_entropy(out, y)


def _random_case(rng, loss):
    n_layers = int(rng.integers(1, 5))
    sizes = rng.integers(2, 7, size=n_layers + 1).tolist()
    acts = [str(rng.choice(ACTIVATIONS)) for _ in range(n_layers - 1)]
    acts.append("sigmoid" if loss == "binary_crossentropy" else None)
    model = gn.Sequential(
        [
            Dense(a, b, activation=f)
            for a, b, f in zip(sizes[:-1], sizes[1:], acts, strict=True)
        ],
        seed=int(rng.integers(10**6)),
        dtype="float64",
    )
    model.compile(loss=loss)
    X = rng.normal(size=(9, sizes[0]))
    if loss == "categorical_crossentropy":
        y = rng.integers(0, sizes[-1], size=9)
    elif loss.startswith("binary"):
        y = rng.integers(0, 2, size=(9, sizes[-1])).astype(float)
    else:
        y = rng.normal(size=(9, sizes[-1]))
    return model, X, y, acts


def _torch_forward(model, acts, X):
    import torch

    params = [torch.tensor(w, requires_grad=True) for w in model.get_weights()]
    out = torch.tensor(X)
    for i, act in enumerate(acts):
        out = _torch_activation(act)(out @ params[2 * i] + params[2 * i + 1])
    return params, out


@pytest.mark.parametrize("loss", LOSSES)
def test_forward_loss_and_every_gradient_match_torch_autograd(loss, torch):
    rng = np.random.default_rng(len(loss))
    for _ in range(4):
        model, X, y, acts = _random_case(rng, loss)
        params, out = _torch_forward(model, acts, X)
        np.testing.assert_allclose(model.predict(X), out.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)  # fmt: skip
        target = torch.tensor(y) if loss != "categorical_crossentropy" else (
            torch.tensor(y, dtype=torch.int64))  # fmt: skip
        reference = _torch_loss(loss, out, target)
        reference.backward()
        value, grads = model.loss_and_gradients(X, y)
        assert value == pytest.approx(reference.item(), rel=1e-10, abs=1e-12)
        for mine, theirs in zip(grads, params, strict=True):
            np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10,
                                       atol=1e-12)  # fmt: skip


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: gn.optimizers.SGD(0.1), lambda p, t: t.optim.SGD(p, lr=0.1)),
        (lambda: gn.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
         lambda p, t: t.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
        (lambda: gn.optimizers.Adam(0.01), lambda p, t: t.optim.Adam(p, lr=0.01)),
    ],
    ids=["sgd", "nesterov", "adam"],
)  # fmt: skip
def test_training_steps_match_torch(ours, theirs, torch):
    rng = np.random.default_rng(0)
    model = gn.Sequential(
        [Dense(3, 5, activation="tanh"), Dense(5, 3)], seed=1, dtype="float64"
    )
    model.compile(loss="categorical_crossentropy", optimizer=ours())
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 3, size=10)
    params, _ = _torch_forward(model, ["tanh", None], X)
    optimizer = theirs(params, torch)
    for _ in range(3):  # 3 epochs of batches 4, 4, 2 in order, as fit runs them
        for start in range(0, 10, 4):
            optimizer.zero_grad()
            out = torch.tanh(torch.tensor(X[start : start + 4]) @ params[0] + params[1])
            out = out @ params[2] + params[3]
            torch.nn.functional.cross_entropy(
                out, torch.tensor(y[start : start + 4])
            ).backward()
            optimizer.step()
    model.fit(X, y, epochs=3, batch_size=4, shuffle=False)
    for mine, reference in zip(model.get_weights(), params, strict=True):
        np.testing.assert_allclose(mine, reference.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)  # fmt: skip


# ======================================================= training behaviour


def test_first_epoch_loss_is_the_loss_before_any_update_for_one_full_batch():
    X, y = _xor()
    model = gn.Sequential([Dense(2, 3, activation="tanh"), Dense(3, 1)], seed=0,
                          dtype="float64")  # fmt: skip
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(0.5))
    before = model.evaluate(X, y)["loss"]
    history = model.fit(X, y, epochs=2, batch_size=4, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-12)
    assert history.history["loss"][1] != history.history["loss"][0]


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    X = np.arange(5, dtype=float)[:, None]
    y = np.zeros(5)
    model = gn.Sequential([Dense(1, 1, weight_init="zeros")], dtype="float64")
    model.set_weights([[[1.0]], [0.0]])
    # SGD with rate 0 leaves w = 1: batch losses of [0,1,2,3] and [4] are
    # mean(0,1,4,9) = 3.5 and 16, so the epoch's loss is (4·3.5 + 1·16)/5 = 6
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(1e-300))
    history = model.fit(X, y, epochs=1, batch_size=4, shuffle=False)
    assert history.history["loss"] == [pytest.approx(6.0)]


def test_same_seed_same_weights_bit_for_bit_and_different_seeds_differ():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 4)).astype(np.float32), rng.integers(0, 3, size=50)

    def train(seed):
        model = gn.Sequential(
            [Dense(4, 16, activation="relu"), Dropout(0.3), Dense(16, 3)], seed=seed
        )
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        model.fit(X, y, epochs=3, batch_size=8)
        return model.get_weights()

    first, again, other = train(7), train(7), train(8)
    for a, b in zip(first, again, strict=True):
        assert a.tobytes() == b.tobytes()
    assert any(a.tobytes() != b.tobytes() for a, b in zip(first, other, strict=True))


def test_resuming_with_initial_epoch_continues_bit_identically():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=(30, 1))

    def model():
        m = gn.Sequential([Dense(3, 4, activation="tanh"), Dense(4, 1)], seed=3)
        m.compile(loss="mse", optimizer=gn.optimizers.Adam(0.01))
        return m

    straight = model()
    straight.fit(X, y, epochs=4, batch_size=7)
    resumed = model()
    resumed.fit(X, y, epochs=2, batch_size=7)
    assert resumed.epoch == 2
    history = resumed.fit(X, y, epochs=4, batch_size=7, initial_epoch=resumed.epoch)
    assert history.epoch == [2, 3]
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


def test_float32_training_keeps_dtype_and_parameter_identity():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 2, size=40)  # float64 in
    model = gn.Sequential([Dense(3, 8, activation="relu"), Dense(8, 2)], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    pairs = model.parameters()
    model.fit(X, y, epochs=2, batch_size=16)
    assert all(p is q and g is h for (p, g), (q, h) in
               zip(pairs, model.parameters(), strict=True))  # fmt: skip
    assert all(p.dtype == np.float32 and g.dtype == np.float32 for p, g in pairs)
    assert model.layers[0].outputs.dtype == np.float32
    assert model.predict(X).dtype == np.float32


def test_validation_data_and_split_are_logged():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, size=40)
    model = gn.Sequential([Dense(2, 4, activation="tanh"), Dense(4, 2)], seed=0)
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=2, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # the held-out part is the last 10 samples, and val_loss is evaluate's loss there
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(X[30:], y[30:])["loss"], rel=1e-6
    )
    history = model.fit(X[:30], y[:30], epochs=1, validation_data=(X[30:], y[30:]))
    assert len(history.history["val_accuracy"]) == 1


def test_divergence_restores_the_last_finite_weights():
    X = np.linspace(-10, 10, 20)[:, None]
    y = 100 * X
    model = gn.Sequential([Dense(1, 4), Dense(4, 1)], seed=0, dtype="float64")
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=10.0))
    at_epoch_start = {}
    record = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: at_epoch_start.update(
            {epoch: model.get_weights()}
        )
    )
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch \d+/50.*lower "
                       r"learning rate \(it is 10\)") as info:  # fmt: skip
        model.fit(X, y, epochs=50, batch_size=5, callbacks=[record])
    epoch = info.value.epoch
    assert not np.isfinite(info.value.loss)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    # the start of that epoch, or of the one before when its first batch diverged
    restored = int(re.search(r"start of epoch (\d+)", str(info.value)).group(1)) - 1
    assert restored in (epoch, epoch - 1)
    for a, b in zip(model.get_weights(), at_epoch_start[restored], strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(model.evaluate(X, y)["loss"])  # weights worth keeping


def test_divergence_message_counts_epochs_like_the_progress_bar():
    # Epochs 2 and 3 (1-based) run finitely, then the weights are blown up at the
    # end of epoch 3, so epoch 4 of 6 is the one that diverges: the bar printed
    # "Epoch 2/6" and "Epoch 3/6", the error says "epoch 4/6", and the attribute
    # keeps the 0-based index 3 that callbacks saw.
    import io

    X = np.linspace(-1, 1, 8)[:, None]
    model = gn.Sequential([Dense(1, 1)], seed=0, dtype="float64")
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=0.1))

    def blow_up(epoch, logs):
        if epoch == 2:
            model.set_weights([np.full((1, 1), 1e200), np.zeros(1)])

    bar = gn.callbacks.ProgressBar(stream=io.StringIO(), plain=True)
    with pytest.raises(TrainingDiverged, match=r"^training diverged in epoch 4/6: "):
        model.fit(X, X, epochs=6, initial_epoch=1,
                  callbacks=[bar, LambdaCallback(on_epoch_end=blow_up)])  # fmt: skip
    assert [line.split(" - ")[0] for line in bar.stream.getvalue().splitlines()] == [
        "Epoch 2/6",
        "Epoch 3/6",
    ]
    # The weights of epoch 3's start come back (epoch 4's first batch diverged:
    # the last step of 3 broke them), so two epochs are done, as the optimizer's
    # one step since initial_epoch=1 says (8 samples, one batch per epoch). It
    # used to stay 3, with three history entries: one epoch ahead of the weights.
    assert model.epoch == 2
    assert model.optimizer.iterations == model.epoch - 1
    assert model.history.epoch == [1] and len(model.history.history["loss"]) == 1


def test_divergence_in_the_first_batch_restores_weights_with_a_finite_loss():
    # The last step of epoch 2 (1-based) blows the weights up, so the first batch
    # of epoch 3 diverges: the weights "at the start of epoch 3" are the bad ones.
    # What comes back must be the start of epoch 2 (whose batches all had a finite
    # loss), with the optimizer state of then, so a lower rate can carry on.
    X = np.linspace(-1, 1, 8)[:, None]
    model = gn.Sequential([Dense(1, 1)], seed=0, dtype="float64")
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(0.1, momentum=0.9))
    starts = {}

    def record(epoch, logs):
        starts[epoch] = (model.get_weights(), model.optimizer.get_state())

    def blow_up(epoch, logs):
        if epoch == 1:
            model.set_weights([np.full((1, 1), 1e200), np.zeros(1)])

    callbacks = [LambdaCallback(on_epoch_begin=record, on_epoch_end=blow_up)]
    with pytest.raises(TrainingDiverged, match=r"epoch 3/5.*start of epoch 2\b"):
        model.fit(X, X, epochs=5, batch_size=4, callbacks=callbacks)
    weights, state = starts[1]
    for a, b in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(model.evaluate(X, X)["loss"])
    assert model.optimizer.iterations == state["iterations"] == 2
    momentum = model.optimizer.get_state()["slots"]["momentum"]
    np.testing.assert_array_equal(momentum[0], state["slots"]["momentum"][0])
    model.optimizer.learning_rate = 0.01
    model.fit(X, X, epochs=2, batch_size=4)  # trains on: no second divergence


def test_weights_broken_by_the_last_step_of_an_epoch_are_divergence():
    # the loss 1e38 is finite in float32, but its gradient times the rate is not:
    # the one step of the one epoch makes the weights inf, and no later loss
    # would ever say so, so fit must not return them as a trained model
    model = gn.Sequential([Dense(1, 1)], seed=0)
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=1e20))
    before = model.get_weights()
    with pytest.raises(TrainingDiverged, match=r"epoch 1/1: the weights became "
                       r"inf or NaN.*start of epoch 1\b") as info:  # fmt: skip
        model.fit(np.ones((2, 1)), np.full((2, 1), 1e19), batch_size=2)
    assert info.value.epoch == 0
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_fit_after_adding_a_layer_asks_for_a_new_optimizer():
    X, y = np.zeros((4, 2)), np.zeros((4, 3))
    model = gn.Sequential([Dense(2, 3)], seed=0)
    model.compile(loss="mse", optimizer="adam")
    model.fit(X, y)
    model.add(Dense(3, 3))
    with pytest.raises(ValueError, match="state was created for .*new optimizer"):
        model.fit(X, y)
    model.compile(loss="mse", optimizer="adam")
    model.fit(X, y)


def test_divergence_attribute_is_the_0_based_epoch():
    X = np.linspace(-1, 1, 8)[:, None]
    model = gn.Sequential([Dense(1, 1)], seed=0, dtype="float64")
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=0.1))
    model.set_weights([np.full((1, 1), 1e200), np.zeros(1)])
    with pytest.raises(TrainingDiverged, match="epoch 1/3") as info:
        model.fit(X, X, epochs=3)
    assert info.value.epoch == 0


# ======================================================= bad input


def _compiled():
    model = gn.Sequential([Dense(2, 4, activation="relu"), Dense(4, 3)], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    return model


GOOD_X = [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]]
GOOD_Y = [0, 1, 2, 1]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"X": [[0.0, np.nan], [1, 0], [2, 2], [3, 1]]}, ValueError,
         r"X must not contain NaN or infinity\. Received: X\[0, 1\]=.*nan"),
        ({"X": [[0.0, 1], [np.inf, 0], [2, 2], [3, 1]]}, ValueError,
         r"X must not contain NaN or infinity\. Received: X\[1, 0\]=.*inf"),
        ({"y": [0, np.nan, 2, 1]}, ValueError,
         r"y must not contain NaN or infinity\. Received: y\[1\]=.*nan"),
        ({"X": [["a", "b"]] * 4}, TypeError,
         r"X must hold numbers \(int or float\)\. Received: X with dtype <U1"),
        ({"y": ["cat", "dog", "cat", "dog"]}, TypeError,
         r"y must hold numbers \(int or float\)\. Received: y with dtype <U3"),
        ({"X": np.array([[1.0, None]] * 4, dtype=object)}, TypeError,
         # used to show "first value 1.0": a number, not the cell at fault
         r"X must hold numbers \(int or float\)\. Received: X with dtype object, "
         r"X\[0, 1\]=None"),
        ({"y": [0, 1, 2]}, ValueError,
         r"X and y must have the same number of samples\. Received: X with 4 "
         r"samples, y with 3 samples"),
        ({"X": np.empty((0, 2)), "y": []}, ValueError,
         r"X must hold at least one sample\. Received: X with shape \(0, 2\)"),
        ({"y": [0, 3, 2, 1]}, ValueError,
         r"labels must be integers in \[0, 3\) for 3 outputs\. Received: 3 \(y\[1\]\)"),
        ({"X": [[0.0, 1, 5]] * 4}, ValueError,
         r"X must have 2 features \(columns\), the input size of Dense\(2, 4, "
         r"activation='relu'\)\. Received: X with shape \(4, 3\)"),
        ({"epochs": 0}, ValueError, r"epochs must be an integer >= 1\. "
         r"Received: epochs=0"),
        ({"batch_size": 2.5}, TypeError, r"batch_size must be an integer >= 1\. "
         r"Received: batch_size=2\.5"),
        ({"validation_split": 1.5}, ValueError, r"validation_split must be a finite "
         r"number >= 0 and <= 1\. Received: validation_split=1\.5"),
        ({"validation_split": 0.1}, ValueError, r"validation_split must leave at least"
         r" one sample on each side\. Received: validation_split=0\.1 for 4 samples"),
        ({"validation_data": ([[1.0, 2.0]], [5])}, ValueError,
         r"labels must be integers in \[0, 3\)"),
        ({"verbose": 3}, ValueError, r"verbose must be 0, 1, 2 or 'auto'\. "
         r"Received: verbose=3"),
        ({"callbacks": [print]}, TypeError, r"callbacks\[0\] must be a "
         r"glassnet\.callbacks\.Callback"),
        ({"callbacks": gn.callbacks.History()}, TypeError, r"callbacks must be a "
         r"list of Callback objects\. Received: callbacks=History\("),
        ({"callbacks": "history"}, TypeError, r"callbacks must be a list"),
    ],
    ids=["nan-X", "inf-X", "nan-y", "str-X", "str-y", "object-X", "lengths", "empty",
         "label", "features", "epochs", "batch", "split", "split-small", "val-labels",
         "verbose", "callback", "one-callback", "str-callbacks"],
)  # fmt: skip
def test_bad_fit_input_is_refused_before_any_step(kwargs, error, message):
    model = _compiled()
    before = model.get_weights()
    args = {"X": GOOD_X, "y": GOOD_Y, **kwargs}
    with pytest.raises(error, match=message):
        model.fit(args.pop("X"), args.pop("y"), **args)
    assert model.optimizer.iterations == 0
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("y_val", "message"),
    [
        ([0.0, 2.0], r"^binary_crossentropy targets must be in \[0, 1\] \(0/1 labels "
         r"or probabilities\)\. Received: validation_data\[1\]\[1, 0\]=2\.0$"),
        ([np.nan, 1.0], r"^validation_data\[1\] must not contain NaN or infinity\. "
         r"Received: validation_data\[1\]\[0\]=nan$"),
        ([[0.0, 1.0], [1.0, 0.0]], r"^validation_data\[1\] must have shape "
         r"\(n_samples, 1\).*Received: validation_data\[1\] with shape \(2, 2\)$"),
    ],
    ids=["out-of-range", "nan", "width"],
)  # fmt: skip
def test_bad_validation_targets_are_named_as_validation_data(y_val, message):
    # the messages of y's checks, with every "y" (and only those) renamed
    model = gn.Sequential([Dense(2, 1, activation="sigmoid")], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    with pytest.raises(ValueError, match=message):
        model.fit(GOOD_X, [0, 1, 1, 0], validation_data=(GOOD_X[:2], y_val))
    assert model.optimizer.iterations == 0


def test_fit_and_evaluate_before_compile():
    model = gn.Sequential([Dense(2, 1)])
    with pytest.raises(RuntimeError, match=r"fit needs a loss: call model\.compile"):
        model.fit(GOOD_X, [0, 1, 1, 0])
    with pytest.raises(RuntimeError, match=r"evaluate needs a loss"):
        model.evaluate(GOOD_X, [0, 1, 1, 0])
    with pytest.raises(RuntimeError, match=r"predict needs at least one layer"):
        gn.Sequential().predict(GOOD_X)  # not X returned unchanged


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"loss": "msee"}, ValueError, r"Unknown loss: 'msee'\. Valid names: .*'mse'"),
        ({"loss": "mse", "optimizer": "sgdd"}, ValueError,
         r"Unknown optimizer: 'sgdd'\. Valid names: .*'sgd'"),
        ({"loss": "mse", "metrics": ["acuracy"]}, ValueError,
         r"Unknown metric: 'acuracy'\. Valid names: .*'accuracy'"),
        ({"loss": "mse", "metrics": "accuracy"}, TypeError,
         r"metrics must be a list of names or functions\. Received: "
         r"metrics='accuracy'"),
    ],
)  # fmt: skip
def test_compile_refuses_unknown_names(kwargs, error, message):
    with pytest.raises(error, match=message):
        gn.Sequential([Dense(2, 1)]).compile(**kwargs)


def test_compile_refuses_softmax_before_categorical_crossentropy():
    model = gn.Sequential([Dense(4, 3, activation="softmax")])
    with pytest.raises(ValueError, match=r"categorical_crossentropy takes logits.*"
                       r"Drop the softmax activation from the last layer"):  # fmt: skip
        model.compile(loss="categorical_crossentropy")
    model.compile(loss="mse")  # fine with other losses


def test_add_checks_that_layers_fit_together():
    model = gn.Sequential([Dense(2, 3)])
    message = (
        r"layer 1 does not fit the output of the "
        r"layer before it, Dense\(2, 3\): Dense\(4, 1\) expects inputs "
        r"of shape \(None, 4\)\. Received: input_shape=\(None, 3\)"
    )
    with pytest.raises(ValueError, match=message):
        model.add(Dense(4, 1))
    assert len(model.layers) == 1  # the refused layer is not kept
    with pytest.raises(TypeError, match=r"layer must be a glassnet Layer"):
        model.add("dense")


def test_add_refuses_a_layer_already_in_the_model():
    # twice in one stack, its parameters would appear twice in parameters() and
    # the second backward would overwrite the first's gradients: silently wrong
    dense = Dense(2, 2)
    with pytest.raises(ValueError, match=r"Dense\(2, 2\) is already layer 0 of "
                       r"this model"):  # fmt: skip
        gn.Sequential([dense, dense])


# ======================================================= the glass box


def test_summary_lists_layers_shapes_and_counts():
    model = gn.Sequential(
        [Dense(784, 256, activation="relu"), Dropout(0.2),
         Dense(256, 128, activation="relu"), Dense(128, 10)]
    )  # fmt: skip
    text = model.summary()
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "Output", "shape", "Params"]
    assert "Dense(784, 256, activation='relu')" in lines[2]
    assert "(None, 256)" in lines[2] and lines[2].endswith("200,960")  # 784·256+256
    assert lines[3].startswith("Dropout(0.2)") and lines[3].endswith(" 0")
    assert lines[4].endswith("32,896")  # 256·128 + 128
    assert "(None, 10)" in lines[5] and lines[5].endswith("1,290")  # 128·10 + 10
    assert lines[-1] == "Total params: 235,146 (float32)"


def test_get_and_set_weights_round_trip():
    model = gn.Sequential([Dense(2, 3), Dense(3, 1)], seed=0)
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(2, 3), (3,), (3, 1), (1,)]
    weights[0][0, 0] = 42.0  # a copy: the model does not change
    assert model.layers[0].params["W"][0, 0] != 42.0
    W = model.layers[0].params["W"]
    model.set_weights(weights)
    assert model.layers[0].params["W"] is W and W[0, 0] == 42.0
    with pytest.raises(ValueError, match=r"weights must hold 4 arrays, one per "
                       r"parameter\. Received: 3 arrays"):  # fmt: skip
        model.set_weights(weights[:3])
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(3,\)\. "
                       r"Received: shape \(2,\)"):  # fmt: skip
        model.set_weights([weights[0], np.zeros(2), weights[2], weights[3]])


def test_predict_one_sample_and_probabilities():
    model = gn.Sequential([Dense(2, 3)], seed=0, dtype="float64")
    model.compile(loss="categorical_crossentropy")
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    assert model.predict(X[0]).shape == (3,)
    np.testing.assert_array_equal(model.predict(X[0]), model.predict(X)[0])
    proba = model.predict_proba(X)
    logits = model.predict(X)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, expected, rtol=1e-12)
    np.testing.assert_allclose(model.predict(X, batch_size=1), logits, rtol=1e-15)


def test_layers_show_inputs_outputs_and_grads_after_a_step():
    X, y = _xor()
    model = gn.Sequential([Dense(2, 3, activation="sigmoid"), Dense(3, 1)], seed=0,
                          dtype="float64")  # fmt: skip
    model.compile(loss="mse")
    loss, grads = model.loss_and_gradients(X, y)
    hidden = model.layers[0]
    np.testing.assert_array_equal(hidden.inputs, X)
    z = X @ hidden.params["W"] + hidden.params["b"]
    np.testing.assert_allclose(hidden.outputs, 1 / (1 + np.exp(-z)), rtol=1e-14)
    for grad, (_, live) in zip(grads, model.parameters(), strict=True):
        np.testing.assert_array_equal(grad, live)
        assert grad is not live


def test_preprocessing_is_applied_in_fit_evaluate_and_predict():
    from glassnet.data import Standardizer

    X = np.array([[100.0, 1.0], [200.0, 3.0]])
    model = gn.Sequential([Dense(2, 1, weight_init="zeros")], dtype="float64")
    model.set_weights([[[1.0], [1.0]], [0.0]])
    model.preprocessing = Standardizer().fit(X)
    # standardized rows are [-1, -1] and [1, 1]: outputs -2 and 2
    np.testing.assert_allclose(model.predict(X), [[-2.0], [2.0]])
    model.compile(loss="mse")
    assert model.evaluate(X, [-2.0, 2.0])["loss"] == pytest.approx(0.0)


def test_save_and_load_give_the_same_predictions(tmp_path):
    X, y = _xor()
    model = gn.Sequential([Dense(2, 4, activation="tanh"), Dense(4, 1)], seed=0)
    model.compile(loss="mse", optimizer="adam")
    model.fit(X, y, epochs=3)
    model.save(tmp_path / "model.npz")
    loaded = gn.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_parameter_array_put_in_by_hand_is_trained():
    X, y = _xor()
    model = gn.Sequential([Dense(2, 3, activation="tanh"), Dense(3, 1)], seed=0,
                          dtype="float64")  # fmt: skip
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(0.1))
    model.fit(X, y, epochs=1)
    mine = np.full((2, 3), 0.5)
    model.layers[0].params["W"] = mine  # replaces the array fit was updating
    model.fit(X, y, epochs=2)
    W = model.layers[0].params["W"]
    assert not np.allclose(W, 0.5)  # training moved the new values...
    np.testing.assert_array_equal(
        W, model.get_weights()[0]
    )  # ...through the array the layer holds
    assert model.loss_and_gradients(X, y)[1][0].shape == (2, 3)


# ======================================================= shapes of any rank


def _images(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4, 3, 2)), rng.integers(0, 3, size=n)


def test_input_shape_builds_every_layer_at_once():
    model = gn.Sequential(
        [gn.Flatten(), Dense(8, activation="relu"), Dense(3)], input_shape=(4, 3, 2)
    )
    assert model.built
    assert model.input_shape == (None, 4, 3, 2)
    assert model.output_shape == (None, 3)
    assert model.layers[1].params["W"].shape == (24, 8)
    assert [layer.input_shape for layer in model.layers] == [
        (None, 4, 3, 2), (None, 24), (None, 8)
    ]  # fmt: skip


def test_a_model_builds_from_the_first_input_it_sees():
    X, y = _images()
    model = gn.Sequential([gn.Flatten(), Dense(8, activation="relu"), Dense(3)], seed=1)
    assert not model.built and model.input_shape is None
    assert model.parameters() == []
    model.compile(loss="categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])  # fmt: skip
    history = model.fit(X, y, epochs=2, batch_size=4)
    assert model.built and model.input_shape == (None, 4, 3, 2)
    assert set(history.history) == {"loss", "accuracy"}
    assert model.predict(X).shape == (12, 3)
    assert model.predict(X[0]).shape == (3,)  # one sample: no batch axis


def test_same_seed_same_weights_whether_built_early_or_late():
    X, y = _images()
    early = gn.Sequential([gn.Flatten(), Dense(5), Dense(3)], seed=4,
                          input_shape=(4, 3, 2))  # fmt: skip
    late = gn.Sequential([gn.Flatten(), Dense(5), Dense(3)], seed=4)
    for model in (early, late):
        model.compile(loss="categorical_crossentropy", optimizer="sgd")
        model.fit(X, y, epochs=2, batch_size=5)
    for a, b in zip(early.get_weights(), late.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_dense_n_in_states_the_input_shape_through_dropout():
    model = gn.Sequential([Dropout(0.2), Dense(4, 2)], seed=0)
    assert model.built and model.input_shape == (None, 4)


def test_build_checks_shapes_before_building_anything():
    model = gn.Sequential([gn.Reshape((2, 3)), Dense(4), Dense(6, 2)])
    with pytest.raises(ValueError, match=r"layer 2 does not fit the output of the "
                       r"layer before it, Dense\(4\): Dense\(6, 2\) expects inputs "
                       r"of shape \(None, \.\.\., 6\)\. Received: input_shape="
                       r"\(None, 2, 4\)"):  # fmt: skip
        model.build((None, 6))
    assert not model.built and model.layers[1].params == {}
    with pytest.raises(ValueError, match=r"layer 0 does not fit the model's input: "
                       r"Reshape\(\(2, 3\)\) expects"):  # fmt: skip
        model.build((None, 5))


def test_model_refuses_an_input_of_another_shape():
    model = gn.Sequential([gn.Flatten(), Dense(2)], input_shape=(4, 3, 2))
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 4, 3, 2\), "
                       r"the model's input shape \(None, 4, 3, 2\)\. Received: X "
                       r"with shape \(5, 4, 3\)"):  # fmt: skip
        model.predict(np.ones((5, 4, 3)))
    message = (
        r"this model is built for inputs of shape "
        r"\(None, 4, 3, 2\)\. Received: input_shape=\(None, 24\)"
    )
    with pytest.raises(ValueError, match=message):
        model.build((None, 24))


@pytest.mark.parametrize(
    "shape, error",
    [((0, 3), ValueError), ("28x28", TypeError), ((2.0,), TypeError), ((), TypeError)],
)
def test_bad_input_shape_is_refused(shape, error):
    with pytest.raises(error, match=r"input_shape must be the shape of one sample, "
                       r"without the batch axis: a tuple of integers >= 1 such as "
                       r"\(28, 28, 1\)\. Received: input_shape="):  # fmt: skip
        gn.Sequential([Dense(2)], input_shape=shape)


def test_an_unbuilt_model_needs_a_batch_axis():
    model = gn.Sequential([gn.Flatten(), Dense(2)])
    model.compile(loss="mse")
    with pytest.raises(ValueError, match=r"X must have a batch axis and at least one "
                       r"more: shape \(n_samples, n_features, \.\.\.\)\. Received: X "
                       r"with shape \(4,\)"):  # fmt: skip
        model.fit(np.ones(4), np.ones(4))


def test_losses_need_a_2d_output():
    model = gn.Sequential([Dense(2)], input_shape=(4, 3))
    model.compile(loss="mse")
    with pytest.raises(ValueError, match=r"the losses compare outputs of shape "
                       r"\(n_samples, n_outputs\), but this model's output shape is "
                       r"\(None, 4, 2\): add a Flatten\(\)"):  # fmt: skip
        model.fit(np.ones((5, 4, 3)), np.ones((5, 2)))


def test_summary_shows_every_output_shape_and_how_an_unbuilt_model_builds():
    layers = [gn.Reshape((6, 2)), Dense(5, activation="tanh"), gn.Flatten(), Dense(1)]
    model = gn.Sequential(layers)
    lines = model.summary().splitlines()
    assert [line.split("   ")[0].strip() for line in lines[2:6]] == [
        "Reshape((6, 2))", "Dense(5, activation='tanh')", "Flatten()", "Dense(1)"
    ]  # fmt: skip
    assert all(" ? " in line for line in lines[2:6])
    assert lines[-1].startswith("Not built yet")
    model.build((None, 3, 4))
    text = model.summary()
    for shape in ["(None, 6, 2)", "(None, 6, 5)", "(None, 30)", "(None, 1)"]:
        assert shape in text
    # 2·5 + 5 = 15 and 30·1 + 1 = 31 parameters
    assert "Total params: 46 (float32)" in text and "Not built" not in text


def test_gradients_of_a_model_on_4d_input_match_finite_differences():
    X, y = _images(n=5)
    model = gn.Sequential(
        [Dense(3, activation="tanh"), gn.Reshape((-1,)), Dropout(0.3),
         Dense(6, activation="sigmoid"), gn.Flatten(), Dense(3)],
        seed=0, dtype="float64",
    )  # fmt: skip
    model.compile(loss="categorical_crossentropy")
    assert gn.gradcheck(model, X, y) < 1e-6
    loss, grads = model.loss_and_gradients(X, y)
    assert [g.shape for g in grads] == [p.shape for p, _ in model.parameters()]
    assert grads[0].shape == (2, 3) and np.isfinite(loss)


def test_accuracy_waits_for_the_output_width_of_an_unbuilt_model():
    X, y = _images()
    model = gn.Sequential([gn.Flatten(), Dense(1, activation="sigmoid")], seed=0)
    model.compile(loss="mse", metrics=["accuracy"])  # 1 output: binary accuracy
    scores = model.evaluate(X, (y > 0).astype(float))
    assert set(scores) == {"loss", "accuracy"}
    with pytest.raises(ValueError, match=r"Unknown metric: 'acuracy'"):
        model.compile(loss="mse", metrics=["acuracy"])


# ======================================================= Keras habits


def test_compile_in_keras_order_gets_a_hint():
    model = gn.Sequential([Dense(2, 1)])
    with pytest.raises(TypeError, match=r"compile takes the loss first: compile\(loss, "
                       r"optimizer\), the other way round from Keras's compile\("
                       r"optimizer, loss\); or use keywords, compile\(loss=\.\.\., "
                       r"optimizer=\.\.\.\)\. Received: loss='adam', "
                       r"optimizer='mse'"):  # fmt: skip
        model.compile("adam", "mse")
    with pytest.raises(TypeError, match=r"compile takes the loss first"):
        model.compile(gn.optimizers.Adam(), "mse")
    model.compile(optimizer="adam", loss="mse")  # keywords: any order
    assert model.loss.name == "mse" and model.optimizer.name == "adam"


def test_class_style_names_resolve():
    model = gn.Sequential([Dense(2, 1, activation="Sigmoid")])
    model.compile("BinaryCrossentropy", "Adam")
    assert (model.loss.name, model.optimizer.name) == ("binary_crossentropy", "adam")
    model.compile(loss="MeanSquaredError", optimizer="RMSprop")
    assert (model.loss.name, model.optimizer.name) == ("mse", "rmsprop")
    assert Dense(2, activation="LeakyReLU").activation.name == "leaky_relu"
    with pytest.raises(ValueError, match=r"Unknown loss: 'Huber'\. Valid names: "):
        model.compile(loss="Huber")


def test_fit_accepts_verbose_auto_as_a_progress_bar(capsys):
    X, y = _xor()
    model = gn.Sequential([Dense(2, 1, activation="sigmoid")], seed=0)
    model.compile(loss="binary_crossentropy")
    history = model.fit(X, y, epochs=2, verbose="auto")
    assert len(history.history["loss"]) == 2
    assert "2/2" in capsys.readouterr().err  # the bar's epoch count


# ------------------------------------------- hostile arguments (issue 14)


def test_values_past_float32_are_named_as_such_not_as_infinity():
    # used to warn twice (overflow in cast) and then say "X must not contain NaN
    # or infinity ... X[0, 0]=inf" of data holding no infinity
    model = gn.Sequential([Dense(2, 1)], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    X = np.array([[1.0, 2.0], [3.0, -1e39]])
    message = (
        r"^X\[1, 1\]=-1e\+39 is out of float32's range \(\|x\| <= 3.4e\+38\)\. Use "
        r"a float64 model \(dtype='float64'\) or rescale the data"
    )
    for call in (model.fit, model.evaluate):
        with pytest.raises(ValueError, match=message):
            call(X, np.zeros(2))
    with pytest.raises(ValueError, match=message):
        model.predict(X)
    # a float64 model takes it; a real infinity keeps its own message
    wide = gn.Sequential([Dense(2, 1)], seed=0, dtype="float64")
    assert np.isfinite(wide.predict(X)[0]).all()
    with pytest.raises(ValueError, match=r"must not contain NaN or infinity"):
        model.predict(np.array([[1.0, np.inf]]))


def test_fit_and_evaluate_before_compile_say_to_compile():
    from glassnet.errors import GlassnetError, NotReadyError

    model = gn.Sequential([Dense(2, 1)], seed=0)
    for call in (model.fit, model.evaluate):
        # used to be a bare RuntimeError, outside glassnet's errors
        with pytest.raises(NotReadyError, match=r"call model.compile\(loss=") as info:
            call(np.zeros((2, 2)), np.zeros(2))
        assert isinstance(info.value, (GlassnetError, RuntimeError))
    with pytest.raises(NotReadyError, match="needs at least one layer"):
        gn.Sequential().predict(np.zeros((1, 2)))


@pytest.mark.parametrize(
    "make",
    [
        lambda: gn.Sequential(seed=-1),
        lambda: Dense(2, 2, seed=-1),
        lambda: gn.Dropout(0.5, seed=-1),
        lambda: gn.data.split_indices(4, 0.5, seed=-1),
        lambda: gn.datasets.moons(4, seed=-1),
    ],
    ids=["Sequential", "Dense", "Dropout", "split_indices", "moons"],
)
def test_a_negative_seed_is_refused_by_name(make):
    # used to be NumPy's "expected non-negative integer", naming no argument
    with pytest.raises(ValueError, match=r"^seed must be None or an integer >= 0\. "):
        make()


def test_non_numbers_are_shown_where_they_are():
    class Frame:  # what check_array sees of a pandas DataFrame
        columns = ["height", "city"]

        def __array__(self, dtype=None, copy=None):
            return np.array([[1.5, "Oslo"], [1.7, "Rome"]], dtype=object)

    model = gn.Sequential([Dense(2, 1)], seed=0)
    # used to say "first value 1.5": a number, from the other column
    with pytest.raises(TypeError, match=r"X\[0, 1\]='Oslo' \(column 'city'\)$"):
        model.predict(Frame())


def test_a_masked_array_is_refused_not_unmasked():
    model = gn.Sequential([Dense(2, 1)], seed=0)
    X = np.ma.masked_array([[1.0, 2.0], [3.0, 4.0]], mask=[[0, 0], [0, 1]])
    # used to train on the hidden 4.0 silently
    with pytest.raises(
        ValueError, match=r"1 masked value\(s\), the first at X\[1, 1\]"
    ):
        model.predict(X)
    assert model.predict(np.ma.masked_array([[1.0, 2.0]])).shape == (1, 1)


def test_divergence_restore_brings_back_the_epoch_and_history_too():
    # Epoch 3's first batch diverges (the weights were blown up at the end of
    # epoch 2), so the start of epoch 2 comes back: one epoch done, and the
    # optimizer's count, model.epoch and the history must all say so.
    X = np.linspace(-1, 1, 20)[:, None]
    model = gn.Sequential([Dense(1, 1)], seed=0, dtype="float64")
    model.compile(loss="mse", optimizer=gn.optimizers.Adam(0.01))

    def blow_up(epoch, logs):
        if epoch == 1:
            model.set_weights([np.full((1, 1), 1e200), np.zeros(1)])

    with pytest.raises(TrainingDiverged, match="restored to those at the start of ep"):
        model.fit(X, X, epochs=5, batch_size=5, shuffle=False,
                  callbacks=[LambdaCallback(on_epoch_end=blow_up)])  # fmt: skip
    steps_per_epoch = 4
    assert model.optimizer.iterations == 1 * steps_per_epoch
    assert model.epoch == 1
    assert model.history.epoch == [0] and len(model.history.history["loss"]) == 1


def test_fortran_ordered_x_trains_and_predicts_the_same_bits():
    # used to end a weight 6e-8 away, and predict 2e-7 away (other BLAS paths)
    X = np.random.default_rng(1).normal(size=(50, 3)).astype(np.float32)
    y = X.sum(axis=1)

    def fit(X):
        model = gn.Sequential([Dense(3, 4, activation="relu"), Dense(4, 1)], seed=0)
        model.compile(loss="mse", optimizer="adam")
        model.fit(X, y, epochs=3, batch_size=32, shuffle=False)
        return model.get_weights(), model.predict(X), model.evaluate(X, y)

    c_order, f_order = fit(np.ascontiguousarray(X)), fit(np.asfortranarray(X))
    for a, b in zip(c_order[0] + [c_order[1]], f_order[0] + [f_order[1]], strict=True):
        assert a.tobytes() == b.tobytes()
    assert c_order[2] == f_order[2]


def test_a_value_that_standardising_takes_past_the_range_is_named():
    # used to warn "overflow encountered in divide", then call X[0, 0] infinite
    from glassnet.data import Standardizer

    model = gn.Sequential([Dense(1, 1)], seed=0, dtype="float64")
    model.preprocessing = Standardizer().fit([[0.0], [1e-10]])  # scale 5e-11
    with pytest.raises(
        ValueError,
        match=r"^X\[1, 0\]=1e\+300 is out of float64's range once standardised",
    ):
        model.predict([[0.5], [1e300]])
    with pytest.raises(ValueError, match=r"must not contain NaN or infinity"):
        model.predict([[np.inf]])


# ------------------------------------------------------------- sample and class weights


def _weighted_model(seed=0):
    model = gn.Sequential(
        [gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 3)], seed=seed, dtype="float64"
    )
    model.compile(loss="categorical_crossentropy", optimizer=gn.optimizers.SGD(0.1))
    return model


_RNG = np.random.default_rng(5)
_XW = _RNG.normal(size=(6, 3))
_YW = np.array([0, 1, 2, 1, 0, 2])
_WW = np.array([0.5, 2.0, 0.0, 1.0, 3.0, 1.5])


def test_weighted_fit_steps_along_the_weighted_finite_difference_gradient():
    # one full batch of SGD: w ← w − η·∂L/∂w with L = Σᵢ wᵢ·lᵢ / n, the
    # gradient taken by central differences of that weighted loss
    model = _weighted_model()
    start = model.get_weights()

    def weighted_loss(weights):
        model.set_weights(weights)
        out = model.predict(_XW)
        return model.loss.forward(_YW, out, sample_weight=_WW)

    numerical = []
    for i, array in enumerate(start):
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            plus = [w.copy() for w in start]
            minus = [w.copy() for w in start]
            plus[i][index] += 1e-6
            minus[i][index] -= 1e-6
            grad[index] = (weighted_loss(plus) - weighted_loss(minus)) / 2e-6
        numerical.append(grad)
    model.set_weights(start)
    model.fit(_XW, _YW, epochs=1, batch_size=6, shuffle=False, sample_weight=_WW)
    for after, before, grad in zip(model.get_weights(), start, numerical, strict=True):
        np.testing.assert_allclose(after, before - 0.1 * grad, rtol=1e-6, atol=1e-9)


def test_doubling_every_weight_doubles_the_step():
    a, b = _weighted_model(), _weighted_model()
    b.optimizer.learning_rate = 0.2
    a.fit(_XW, _YW, epochs=3, batch_size=2, shuffle=False, sample_weight=2 * _WW)
    b.fit(_XW, _YW, epochs=3, batch_size=2, shuffle=False, sample_weight=_WW)
    for p, q in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12)
    # and the logged loss is the weighted one: twice as large
    assert a.history.history["loss"][0] == pytest.approx(
        2 * b.history.history["loss"][0], rel=1e-12
    )


def test_class_weight_is_a_weight_per_class():
    a, b = _weighted_model(), _weighted_model()
    a.fit(_XW, _YW, epochs=2, batch_size=4, class_weight={0: 2.0, 2: 0.5})
    b.fit(_XW, _YW, epochs=2, batch_size=4, sample_weight=[2, 1, 0.5, 1, 2, 0.5])
    for p, q in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(p, q)  # same seed: same shuffles, same steps
    c, d = _weighted_model(), _weighted_model()
    c.fit(_XW, _YW, epochs=1, class_weight="balanced")  # 2 of each: all weights 1
    d.fit(_XW, _YW, epochs=1)
    for p, q in zip(c.get_weights(), d.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12)


def test_validation_split_takes_its_weights_along():
    model = _weighted_model()
    weights = np.ones(6)
    weights[-2:] = 0  # the held-out rows: their weights must not reach training
    model.fit(_XW, _YW, epochs=1, validation_split=1 / 3, sample_weight=weights)
    assert "val_loss" in model.history.history


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sample_weight": np.ones(5)}, r"sample_weight must hold one weight per "),
        ({"sample_weight": -np.ones(6)}, r"sample_weight must be non-negative"),
        ({"sample_weight": np.zeros(6)}, r"every sample with weight 0"),
        ({"class_weight": [1, 2, 3]}, r"class_weight must be a dict"),
        ({"class_weight": {0: -1}}, r"class_weight values must be finite"),
    ],
)
def test_bad_weights_are_refused_before_training(kwargs, message):
    model = _weighted_model()
    start = model.get_weights()
    with pytest.raises(ValueError, match=message):
        model.fit(_XW, _YW, epochs=1, **kwargs)
    for p, q in zip(model.get_weights(), start, strict=True):
        np.testing.assert_array_equal(p, q)


def test_class_weight_needs_class_targets():
    model = gn.Sequential([gn.Dense(3, 1)], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match="class_weight needs class targets"):
        model.fit(_XW, _XW[:, 0], class_weight={0: 1.0})


def test_the_training_loop_reaches_into_no_private_attribute_of_the_model():
    import inspect

    from glassnet import _training

    source = inspect.getsource(_training)
    assert not re.findall(r"model\._\w+", source)


def test_evaluate_in_passes_gives_the_scores_of_all_rows_at_once():
    # accuracy is right/total exactly, however many passes evaluate takes; a sum
    # of per-pass means gave 0.9931000000000018 for 9,931 of 10,000 in two passes
    rng = np.random.default_rng(0)
    X = rng.normal(size=(997, 4))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(np.int64)
    model = gn.Sequential([gn.Dense(4, 2)], seed=0)
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    right = int((model.predict(X).argmax(axis=1) == y).sum())
    for batch_size in (7, 100, 997):
        scores = model.evaluate(X, y, batch_size=batch_size)
        assert scores["accuracy"] == right / len(X)
        assert scores["loss"] == model.loss(y, model.predict(X))
