"""Callbacks: driven by crafted loss sequences, and inside real fits."""

from __future__ import annotations

import io

import numpy as np
import pytest

import glassnet as gn
from glassnet.callbacks import (
    EarlyStopping,
    History,
    LambdaCallback,
    ModelCheckpoint,
    ProgressBar,
    ReduceLROnPlateau,
)
from glassnet.layers import Dense


class FakeModel:
    """Just what the monitoring callbacks touch: weights, epoch, optimizer, flag."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(1)]
        self.epoch = 0
        self.optimizer = gn.optimizers.SGD(learning_rate=1.0)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]


def drive(callback, values, key="val_loss"):
    """Feed one logged value per epoch; the model's weight is the epoch number."""
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin({})
    stopped_after = None
    for epoch, value in enumerate(values):
        model.weights = [np.array([float(epoch)])]
        model.epoch = epoch + 1
        callback.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            stopped_after = epoch
            break
    callback.on_train_end({})
    return model, stopped_after


def test_early_stopping_waits_patience_epochs_without_improvement():
    # best 4 at epoch 1; epochs 2 and 3 do not improve -> stop after epoch 3
    stop = EarlyStopping(patience=2)
    _, stopped = drive(stop, [5, 4, 4.5, 4.2, 3, 2])
    assert stopped == 3
    assert stop.best == 4 and stop.best_epoch == 1 and stop.stopped_epoch == 3


def test_early_stopping_patience_zero_stops_at_the_first_non_improvement():
    _, stopped = drive(EarlyStopping(patience=0), [5, 4, 4, 3])
    assert stopped == 2


def test_early_stopping_min_delta_ignores_tiny_improvements():
    # 4.95 and 4.91 improve on 5 by less than 0.1: not improvements
    _, stopped = drive(EarlyStopping(patience=2, min_delta=0.1), [5, 4.95, 4.91, 1])
    assert stopped == 2


def test_early_stopping_restores_the_best_weights():
    model, stopped = drive(
        EarlyStopping(patience=2, restore_best_weights=True), [5, 3, 4, 4, 4]
    )
    assert stopped == 3
    np.testing.assert_array_equal(model.weights, [[1.0]])  # epoch 1 was best


def test_early_stopping_mode_auto_maximises_accuracy():
    stop = EarlyStopping(monitor="val_accuracy", patience=1)
    assert stop.mode == "max"
    _, stopped = drive(stop, [0.5, 0.7, 0.6], key="val_accuracy")
    assert stopped == 2 and stop.best == 0.7


def test_monitoring_a_value_that_is_not_logged_says_what_is():
    with pytest.raises(ValueError, match=r"EarlyStopping monitors 'val_loss', which "
                       r"fit does not log \(val_ values need validation_data.*"
                       r"Logged: 'loss'"):  # fmt: skip
        drive(EarlyStopping(), [1.0], key="loss")


def test_reduce_lr_on_plateau_on_a_crafted_sequence():
    reduce = ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.2, min_delta=0)
    model = FakeModel()
    reduce.set_model(model)
    reduce.on_train_begin({})
    rates = []
    for epoch, value in enumerate([1, 1, 1, 1, 0.5, 0.5]):
        reduce.on_epoch_end(epoch, {"val_loss": value})
        rates.append(model.optimizer.learning_rate)
    # e0 best; e1, e2, e3 stall: 1 -> 0.5 -> 0.25 -> max(0.125, 0.2); e4 improves;
    # e5 stalls but the rate is already at min_lr
    assert rates == [1.0, 0.5, 0.25, 0.2, 0.2, 0.2]


def test_reduce_lr_cooldown_and_schedule_refusal():
    reduce = ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2)
    model, _ = drive(reduce, [1, 1, 1, 1, 1])
    # reduced at e1; e2, e3 cool down; e4 reduces again
    assert model.optimizer.learning_rate == 0.25
    scheduled = FakeModel()
    scheduled.optimizer = gn.optimizers.SGD(gn.optimizers.ExponentialDecay(0.1, 0.5))
    reduce.set_model(scheduled)
    with pytest.raises(TypeError, match="needs an optimizer with a fixed learning"):
        reduce.on_epoch_end(0, {"val_loss": 1.0})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: EarlyStopping(patience=-1), r"patience must be an integer >= 0"),
        (lambda: EarlyStopping(mode="up"), r"mode must be one of 'auto', 'min', "
         r"'max'\. Received: mode='up'"),
        (lambda: ReduceLROnPlateau(factor=1.0), r"factor must be in \(0, 1\)\. "
         r"Received: factor=1\.0"),
        (lambda: ReduceLROnPlateau(min_lr=-1), r"min_lr must be a finite number"),
    ],
)  # fmt: skip
def test_bad_callback_settings(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ----------------------------------------------------------------- inside fit


def _model():
    model = gn.Sequential([Dense(1, 1)], seed=0, dtype="float64")
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(0.1))
    X = np.linspace(-1, 1, 16)[:, None]
    return model, X, 2 * X


def test_history_is_returned_and_kept_on_the_model():
    model, X, y = _model()
    history = model.fit(X, y, epochs=3)
    assert isinstance(history, History) and model.history is history
    assert history.epoch == [0, 1, 2] and len(history.history["loss"]) == 3


def test_a_callback_can_stop_training_and_batch_hooks_run_per_step():
    model, X, y = _model()
    batches = []

    def stop_after_two(epoch, logs):
        model.stop_training = epoch == 1

    hooks = LambdaCallback(
        on_epoch_end=stop_after_two,
        on_batch_end=lambda batch, logs: batches.append((batch, logs["size"])),
    )
    history = model.fit(X, y, epochs=10, batch_size=5, callbacks=[hooks])
    assert history.epoch == [0, 1]
    assert batches == [(0, 5), (1, 5), (2, 5), (3, 1)] * 2  # 16 = 5 + 5 + 5 + 1


def test_early_stopping_in_a_real_fit_with_restore():
    model, X, y = _model()
    stop = EarlyStopping(monitor="loss", patience=3, min_delta=1e-3,
                         restore_best_weights=True)  # fmt: skip
    seen = []  # the weights at each epoch's end, before EarlyStopping acts
    record = LambdaCallback(
        on_epoch_end=lambda e, logs: seen.append(model.get_weights())
    )
    history = model.fit(X, y, epochs=1000, callbacks=[record, stop])
    assert len(history.epoch) < 1000
    assert stop.stopped_epoch == history.epoch[-1]
    # the best epoch is the last one that improved the loss by more than min_delta
    losses, best = history.history["loss"], 0
    for epoch, value in enumerate(losses):
        if value < losses[best] - 1e-3:
            best = epoch
    assert stop.best_epoch == best < stop.stopped_epoch
    for restored, kept in zip(model.get_weights(), seen[best], strict=True):
        np.testing.assert_array_equal(restored, kept)
    assert not np.array_equal(model.get_weights()[0], seen[-1][0])


def test_reduce_lr_on_plateau_refuses_a_schedule_before_the_first_step():
    model, X, y = _model()
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(
        gn.optimizers.StepDecay(0.1, step_size=2)))  # fmt: skip
    before = model.get_weights()
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau needs an optimizer with "
                       r"a fixed learning rate, not a schedule\. Received: "
                       r"learning_rate=StepDecay\("):  # fmt: skip
        model.fit(X, y, epochs=3, callbacks=[ReduceLROnPlateau(monitor="loss")])
    assert model.optimizer.iterations == 0 and model.history.epoch == []
    np.testing.assert_array_equal(before[0], model.get_weights()[0])


@pytest.mark.parametrize("name", gn.optimizers.names())
def test_reduce_lr_on_plateau_drives_every_optimizer(name):
    # min_delta=1e9: every epoch after the first is a plateau, so the rate halves
    # at the end of epochs 1, 2, 3. The same rates as a schedule (read per step
    # from the updates done) must train to the same weights: the optimizer really
    # uses a rate assigned to it mid-training.
    X = np.random.default_rng(0).normal(size=(24, 2))
    y = (X[:, 0] > X[:, 1]).astype(np.int64)
    steps = 3  # 24 samples / batch_size 8

    def train(learning_rate, callbacks):
        model = gn.Sequential([Dense(2, 4, activation="tanh"), Dense(4, 1)], seed=0,
                              dtype="float64")  # fmt: skip
        optimizer = gn.optimizers.get({"name": name, "learning_rate": learning_rate})
        model.compile(loss="binary_crossentropy_from_logits", optimizer=optimizer)
        rates = []
        logger = LambdaCallback(
            on_epoch_end=lambda e, logs: rates.append(
                model.optimizer.current_learning_rate()
            )
        )
        model.fit(X, y, epochs=5, batch_size=8, callbacks=[*callbacks, logger])
        return model.get_weights(), rates

    reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=1e9)
    reduced, rates = train(0.1, [reduce])
    assert rates == [0.1, 0.05, 0.025, 0.0125, 0.00625]
    scheduled, _ = train(lambda step: 0.1 * 0.5 ** max(0, step // steps - 1), [])
    fixed, _ = train(0.1, [])
    for a, b in zip(reduced, scheduled, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert max(np.abs(a - c).max() for a, c in zip(reduced, fixed, strict=True)) > 1e-4


def test_verbose_2_writes_one_plain_line_per_epoch_to_stderr(capsys):
    model, X, y = _model()
    model.compile(loss="mse", metrics=["mae"])
    model.fit(X, y, epochs=2, verbose=2)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Epoch 1/2 - loss: ") and " - mae: " in lines[0]


def test_progress_bar_plain_when_the_stream_is_not_a_terminal():
    model, X, y = _model()
    stream = io.StringIO()
    model.fit(X, y, epochs=3, callbacks=[ProgressBar(stream=stream)], verbose=1)
    assert stream.getvalue().count("\n") == 3
    assert stream.getvalue().splitlines()[2].startswith("Epoch 3/3 - loss: ")


def test_progress_bar_uses_tqdm_on_a_terminal():
    pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    model, X, y = _model()
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(0.1), metrics=["mae"])
    stream = Terminal()
    model.fit(X, y, epochs=4, callbacks=[ProgressBar(stream=stream)],
              validation_data=(X, y))  # fmt: skip
    text = stream.getvalue()
    assert "4/4" in text and "epoch" in text
    final = model.history.history
    for key in ("loss", "mae", "val_loss", "val_mae"):  # the last epoch's values
        assert f"{key}: {final[key][-1]:.4f}" in text


def test_model_checkpoint_writes_loadable_files(tmp_path):
    model, X, y = _model()
    every = ModelCheckpoint(tmp_path / "every", monitor="loss")
    (tmp_path / "every").mkdir()
    best = ModelCheckpoint(f"{tmp_path}/best/", monitor="loss", save_best_only=True)
    named = ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{loss:.2f}.npz"))
    model.fit(X, y, epochs=3, callbacks=[every, best, named])
    assert sorted(p.name for p in (tmp_path / "every").iterdir()) == [
        "epoch-0001.npz", "epoch-0002.npz", "epoch-0003.npz"]  # fmt: skip
    assert best.last_path.name == "best.npz"
    assert named.last_path.name.startswith("m-03-")
    loaded = gn.load(tmp_path / "every" / "epoch-0003.npz")
    assert loaded.epoch == 3
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_model_checkpoint_best_is_the_best_over_every_fit_it_served(tmp_path):
    # a second fit starting worse must not overwrite best.npz (Keras keeps
    # ModelCheckpoint.best across fit calls)
    model, X, y = _model()
    best = ModelCheckpoint(tmp_path, monitor="loss", save_best_only=True)
    model.fit(X, y, epochs=20, callbacks=[best])
    saved = (tmp_path / "best.npz").read_bytes()
    model.set_weights([np.full((1, 1), 10.0), np.zeros(1)])  # far worse
    model.fit(X, y, epochs=1, callbacks=[best])
    assert (tmp_path / "best.npz").read_bytes() == saved


@pytest.mark.parametrize("template", ["m-{val_loss:.3f}.npz", "m-{0}.npz"])
def test_model_checkpoint_names_a_path_field_that_fit_does_not_log(tmp_path, template):
    model, X, y = _model()
    checkpoint = ModelCheckpoint(str(tmp_path / template), save_best_only=False)
    with pytest.raises(ValueError, match=r"ModelCheckpoint path .* has a field fit "
                       r"does not log: .*Fields: 'epoch', 'loss'"):  # fmt: skip
        model.fit(X, y, epochs=2, callbacks=[checkpoint])


def test_monitoring_validation_values_without_validation_data_fails_before_training():
    model, X, y = _model()
    before = model.get_weights()
    message = r"EarlyStopping monitors 'val_loss', which needs validation_data"
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, epochs=3, callbacks=[EarlyStopping()])
    assert model.optimizer.iterations == 0
    np.testing.assert_array_equal(before[0], model.get_weights()[0])
