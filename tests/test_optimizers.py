"""Tests for glassnet.optimizers.

Expectations come from three places: PyTorch's ``torch.optim`` run on the same weights
and gradients (skipped when torch is absent), the update formulas worked out by hand
for one or two steps, and an uninterrupted run (for checkpoint resumes).
"""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

from glassnet import optimizers as opt

SHAPES = [(3, 4), (4,), (4, 2), (2,)]
N_STEPS = 20


def make_problem(seed=0, dtype=np.float64):
    """Random weights and a fixed sequence of random gradients of varying size."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=shape).astype(dtype) for shape in SHAPES]
    # Scales spread the global norm (≈ 5 before scaling) across 0.25..3, so that a
    # clipnorm of 1 clips some steps and not others.
    scales = rng.uniform(0.05, 0.6, size=N_STEPS)
    grads = [
        [(scale * rng.normal(size=shape)).astype(dtype) for shape in SHAPES]
        for scale in scales
    ]
    return params, grads


def run_ours(optimizer, params, grad_seq):
    """Parameters after each step (the inputs are left untouched)."""
    params = [p.copy() for p in params]
    history, lrs = [], []
    for grads in grad_seq:
        lrs.append(optimizer.current_learning_rate())
        optimizer.step(list(zip(params, [g.copy() for g in grads], strict=True)))
        history.append([p.copy() for p in params])
    return history, lrs


def run_torch(torch, make, params, grad_seq, clipnorm=None):
    """The same run with torch.optim (+ a scheduler stepped after each step)."""
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    optimizer, scheduler = make(torch, tensors)
    history, lrs = [], []
    for grads in grad_seq:
        for tensor, grad in zip(tensors, grads, strict=True):
            tensor.grad = torch.tensor(grad, dtype=torch.float64)
        if clipnorm is not None:
            torch.nn.utils.clip_grad_norm_(tensors, clipnorm)
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        history.append([t.detach().numpy().copy() for t in tensors])
    return history, lrs


def _plain(cls, **kwargs):
    return lambda torch, ps: (getattr(torch.optim, cls)(ps, **kwargs), None)


def _scheduled(cls, sched, opt_kwargs, sched_kwargs):
    def make(torch, ps):
        optimizer = getattr(torch.optim, cls)(ps, **opt_kwargs)
        scheduler = getattr(torch.optim.lr_scheduler, sched)(optimizer, **sched_kwargs)
        return optimizer, scheduler

    return make


# id -> (glassnet factory, torch factory, clipnorm)
TORCH_CASES = {
    "sgd": (lambda: opt.SGD(0.1), _plain("SGD", lr=0.1), None),
    # SGD's default learning rate is Keras' 0.01 (torch's is 0.001): pass it along.
    "sgd_default": (lambda: opt.SGD(), _plain("SGD", lr=0.01), None),
    "sgd_weight_decay": (
        lambda: opt.SGD(0.1, weight_decay=0.1),
        _plain("SGD", lr=0.1, weight_decay=0.1),
        None,
    ),
    "sgd_momentum": (
        lambda: opt.SGD(0.1, momentum=0.9),
        _plain("SGD", lr=0.1, momentum=0.9),
        None,
    ),
    "sgd_nesterov": (
        lambda: opt.SGD(0.1, momentum=0.9, nesterov=True),
        _plain("SGD", lr=0.1, momentum=0.9, nesterov=True),
        None,
    ),
    "sgd_nesterov_weight_decay": (
        lambda: opt.SGD(0.05, momentum=0.8, nesterov=True, weight_decay=0.2),
        _plain("SGD", lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.2),
        None,
    ),
    "sgd_momentum_dampening_weight_decay": (
        lambda: opt.SGD(0.1, momentum=0.9, dampening=0.3, weight_decay=0.05),
        _plain("SGD", lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05),
        None,
    ),
    "adam": (lambda: opt.Adam(), _plain("Adam"), None),
    "adam_settings": (
        lambda: opt.Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6, weight_decay=0.1),
        _plain("Adam", lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        None,
    ),
    "adam_amsgrad": (
        lambda: opt.Adam(0.01, amsgrad=True),
        _plain("Adam", lr=0.01, amsgrad=True),
        None,
    ),
    "adamw": (lambda: opt.AdamW(0.01), _plain("AdamW", lr=0.01), None),
    "adamw_decay_amsgrad": (
        lambda: opt.AdamW(0.01, weight_decay=0.3, amsgrad=True),
        _plain("AdamW", lr=0.01, weight_decay=0.3, amsgrad=True),
        None,
    ),
    "rmsprop": (lambda: opt.RMSprop(), _plain("RMSprop"), None),
    "rmsprop_momentum": (
        lambda: opt.RMSprop(0.01, momentum=0.9),
        _plain("RMSprop", lr=0.01, momentum=0.9),
        None,
    ),
    "rmsprop_centered": (
        lambda: opt.RMSprop(0.01, alpha=0.9, centered=True),
        _plain("RMSprop", lr=0.01, alpha=0.9, centered=True),
        None,
    ),
    "rmsprop_all": (
        lambda: opt.RMSprop(
            0.01,
            alpha=0.95,
            epsilon=1e-6,
            weight_decay=0.1,
            momentum=0.5,
            centered=True,
        ),
        _plain(
            "RMSprop",
            lr=0.01,
            alpha=0.95,
            eps=1e-6,
            weight_decay=0.1,
            momentum=0.5,
            centered=True,
        ),
        None,
    ),
    "adagrad": (lambda: opt.Adagrad(0.1), _plain("Adagrad", lr=0.1), None),
    "adagrad_all": (
        lambda: opt.Adagrad(
            0.1,
            lr_decay=0.05,
            weight_decay=0.1,
            initial_accumulator_value=0.2,
            epsilon=1e-8,
        ),
        _plain(
            "Adagrad",
            lr=0.1,
            lr_decay=0.05,
            weight_decay=0.1,
            initial_accumulator_value=0.2,
            eps=1e-8,
        ),
        None,
    ),
    "sgd_momentum_clipnorm": (
        lambda: opt.SGD(0.1, momentum=0.9, clipnorm=1.0),
        _plain("SGD", lr=0.1, momentum=0.9),
        1.0,
    ),
    "adam_clipnorm": (
        lambda: opt.Adam(0.01, clipnorm=0.7),
        _plain("Adam", lr=0.01),
        0.7,
    ),
    "sgd_step_decay": (
        lambda: opt.SGD(opt.StepDecay(0.1, step_size=6, gamma=0.5), momentum=0.9),
        _scheduled(
            "SGD",
            "StepLR",
            {"lr": 0.1, "momentum": 0.9},
            {"step_size": 6, "gamma": 0.5},
        ),
        None,
    ),
    "sgd_exponential_decay": (
        lambda: opt.SGD(opt.ExponentialDecay(0.2, decay_rate=0.9)),
        _scheduled("SGD", "ExponentialLR", {"lr": 0.2}, {"gamma": 0.9}),
        None,
    ),
    "adam_cosine_decay": (
        lambda: opt.Adam(opt.CosineDecay(0.05, decay_steps=N_STEPS, alpha=0.1)),
        _scheduled(
            "Adam",
            "CosineAnnealingLR",
            {"lr": 0.05},
            {"T_max": N_STEPS, "eta_min": 0.005},
        ),
        None,
    ),
    "rmsprop_cosine_decay": (
        lambda: opt.RMSprop(opt.CosineDecay(0.01, decay_steps=N_STEPS)),
        _scheduled("RMSprop", "CosineAnnealingLR", {"lr": 0.01}, {"T_max": N_STEPS}),
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(TORCH_CASES))
def test_twenty_steps_match_torch_optim(case, torch):
    ours_factory, torch_factory, clipnorm = TORCH_CASES[case]
    params, grad_seq = make_problem(seed=len(case))
    ours, our_lrs = run_ours(ours_factory(), params, grad_seq)
    theirs, their_lrs = run_torch(torch, torch_factory, params, grad_seq, clipnorm)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-12, atol=0)
    for step, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
        for i, (a, b) in enumerate(zip(mine, reference, strict=True)):
            np.testing.assert_allclose(
                a, b, rtol=0, atol=1e-10, err_msg=f"step {step}, parameter {i}"
            )
    # The run must actually have moved the weights, or the comparison proves little.
    assert (
        max(np.abs(a - b).max() for a, b in zip(ours[-1], params, strict=True)) > 1e-3
    )


def test_clip_cases_clip_some_steps_and_not_others():
    _, grad_seq = make_problem(seed=len("adam_clipnorm"))
    norms = [math.sqrt(sum(float((g**2).sum()) for g in grads)) for grads in grad_seq]
    assert min(norms) < 0.7 < max(norms)


# --------------------------------------------------------------- formulas by hand
def pair(w, g):
    return np.array(w, dtype=float), np.array(g, dtype=float)


def test_sgd_one_step_by_hand():
    w, g = pair([1.0, -2.0], [0.5, -1.0])
    opt.SGD(learning_rate=0.1).step([(w, g)])
    # 1 - 0.1·0.5 = 0.95; -2 - 0.1·(-1) = -1.9
    np.testing.assert_allclose(w, [0.95, -1.9], rtol=1e-15)


def test_sgd_weight_decay_by_hand():
    w, g = pair([2.0], [0.5])
    opt.SGD(learning_rate=0.1, weight_decay=0.25).step([(w, g)])
    # d = 0.5 + 0.25·2 = 1.0; w = 2 - 0.1·1 = 1.9
    np.testing.assert_allclose(w, [1.9], rtol=1e-15)


def test_sgd_momentum_two_steps_by_hand():
    w, g = pair([1.0], [1.0])
    sgd = opt.SGD(learning_rate=0.1, momentum=0.9)
    sgd.step([(w, g)])  # b = g = 1; w = 1 - 0.1 = 0.9
    g[...] = 2.0
    sgd.step([(w, g)])  # b = 0.9·1 + 2 = 2.9; w = 0.9 - 0.29 = 0.61
    np.testing.assert_allclose(w, [0.61], rtol=1e-14)


def test_sgd_nesterov_two_steps_by_hand():
    w, g = pair([1.0], [1.0])
    sgd = opt.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    sgd.step([(w, g)])  # b = 1; w = 1 - 0.1·(1 + 0.9·1) = 0.81
    np.testing.assert_allclose(w, [0.81], rtol=1e-14)
    g[...] = 2.0
    sgd.step([(w, g)])  # b = 0.9 + 2 = 2.9; w = 0.81 - 0.1·(2 + 2.61) = 0.349
    np.testing.assert_allclose(w, [0.349], rtol=1e-14)


def test_sgd_dampening_by_hand():
    w, g = pair([0.0], [1.0])
    sgd = opt.SGD(learning_rate=1.0, momentum=0.5, dampening=0.5)
    sgd.step([(w, g)])  # the first buffer is the gradient itself: b = 1, w = -1
    sgd.step([(w, g)])  # b = 0.5·1 + 0.5·1 = 1, w = -2
    np.testing.assert_allclose(w, [-2.0], rtol=1e-15)


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    w, g = pair([1.0], [0.5])
    adam = opt.Adam(learning_rate=lr)
    adam.step([(w, g)])
    # m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25: w = 1 - 0.1·0.5/(0.5 + 1e-8)
    np.testing.assert_allclose(w, [1 - lr * 0.5 / (0.5 + eps)], rtol=1e-14)
    w_before = w[0]
    g[...] = -1.0
    adam.step([(w, g)])
    m = 0.9 * 0.05 + 0.1 * -1.0  # -0.055
    v = 0.999 * 0.00025 + 0.001 * 1.0  # 0.00124975
    m_hat, v_hat = m / (1 - b1**2), v / (1 - b2**2)
    np.testing.assert_allclose(
        w, [w_before - lr * m_hat / (math.sqrt(v_hat) + eps)], rtol=1e-13
    )


def test_adam_weight_decay_is_l2_but_adamw_decouples_it():
    # With a zero gradient, Adam's L2 term goes through the normalisation
    # (d = λw = 0.5, first step moves ≈ η), while AdamW only shrinks w by (1 - ηλ).
    w_adam, g = pair([1.0], [0.0])
    opt.Adam(learning_rate=0.1, weight_decay=0.5).step([(w_adam, g)])
    np.testing.assert_allclose(w_adam, [1 - 0.1 * 0.5 / (0.5 + 1e-8)], rtol=1e-14)
    w_adamw = np.array([1.0])
    opt.AdamW(learning_rate=0.1, weight_decay=0.5).step([(w_adamw, g)])
    np.testing.assert_allclose(w_adamw, [0.95], rtol=1e-15)


def test_amsgrad_keeps_the_largest_second_moment():
    lr, b1, b2 = 0.1, 0.9, 0.5
    w, g = pair([0.0], [4.0])
    adam = opt.Adam(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=0.0, amsgrad=True)
    adam.step([(w, g)])  # v = 0.5·16 = 8
    g[...] = 0.0
    before = w[0]
    adam.step([(w, g)])  # v = 4 falls, v_max stays 8; m = 0.9·0.4 = 0.36
    expected = before - lr / (1 - b1**2) * 0.36 / (math.sqrt(8) / math.sqrt(1 - b2**2))
    np.testing.assert_allclose(w, [expected], rtol=1e-14)


def test_rmsprop_centered_one_step_by_hand():
    w, g = pair([1.0], [2.0])
    opt.RMSprop(learning_rate=0.1, alpha=0.75, epsilon=0.0, centered=True).step(
        [(w, g)]
    )
    # s = 0.25·4 = 1, ḡ = 0.25·2 = 0.5, a = sqrt(1 - 0.25) ; w = 1 - 0.1·2/a
    np.testing.assert_allclose(w, [1 - 0.2 / math.sqrt(0.75)], rtol=1e-14)


def test_rmsprop_momentum_two_steps_by_hand():
    w, g = pair([0.0], [1.0])
    rms = opt.RMSprop(learning_rate=0.1, alpha=0.0, epsilon=0.0, momentum=0.5)
    rms.step([(w, g)])  # α = 0: s = g², d/a = 1; b = 1; w = -0.1
    rms.step([(w, g)])  # b = 0.5 + 1 = 1.5; w = -0.1 - 0.15 = -0.25
    np.testing.assert_allclose(w, [-0.25], rtol=1e-14)


def test_adagrad_lr_decay_by_hand():
    w, g = pair([0.0], [3.0])
    ada = opt.Adagrad(learning_rate=1.0, lr_decay=1.0, epsilon=0.0)
    ada.step([(w, g)])  # S = 9, w = -1·3/3 = -1
    g[...] = 4.0
    ada.step([(w, g)])  # S = 25, η_t = 1/(1 + 1) = 0.5, w = -1 - 0.5·4/5 = -1.4
    np.testing.assert_allclose(w, [-1.4], rtol=1e-14)


def test_clip_by_global_norm_by_hand():
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    norm = opt.clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    factor = 1.0 / (5.0 + 1e-6)  # torch's clip_grad_norm_ adds 1e-6
    np.testing.assert_allclose(grads[0], [3 * factor, 0.0], rtol=1e-15)
    np.testing.assert_allclose(grads[1], [[4 * factor]], rtol=1e-15)


def test_clip_by_global_norm_leaves_small_gradients_alone():
    grads = [np.array([0.3, -0.4])]
    assert opt.clip_by_global_norm(grads, 1.0) == pytest.approx(0.5)
    assert grads[0].tolist() == [0.3, -0.4]


def test_clipnorm_changes_the_update_as_expected():
    w, g = pair([0.0, 0.0], [30.0, 40.0])
    opt.SGD(learning_rate=1.0, clipnorm=5.0).step([(w, g)])
    # the step is the gradient scaled to norm ≈ 5: [-3, -4]
    np.testing.assert_allclose(w, [-3.0, -4.0], rtol=1e-6)


# ------------------------------------------------------------------- schedules
def test_step_decay_values():
    schedule = opt.StepDecay(1.0, step_size=2, gamma=0.5)
    assert [schedule(k) for k in range(6)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_exponential_decay_values():
    smooth = opt.ExponentialDecay(1.0, decay_rate=0.5, decay_steps=2)
    stairs = opt.ExponentialDecay(1.0, decay_rate=0.5, decay_steps=2, staircase=True)
    assert smooth(3) == pytest.approx(0.5**1.5, rel=1e-15)
    assert [stairs(k) for k in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_cosine_decay_values():
    schedule = opt.CosineDecay(1.0, decay_steps=10, alpha=0.1)
    # 0.1 + 0.9·(1 + cos(π·k/10))/2: 1 at k=0, 0.55 at the middle, the floor from 10 on
    assert schedule(0) == pytest.approx(1.0, rel=1e-15)
    assert schedule(5) == pytest.approx(0.55, rel=1e-15)
    assert schedule(10) == pytest.approx(0.1, rel=1e-15)
    assert schedule(25) == pytest.approx(0.1, rel=1e-15)


def test_schedule_is_read_at_the_number_of_updates_done():
    w, g = pair([0.0], [1.0])
    sgd = opt.SGD(opt.StepDecay(1.0, step_size=1, gamma=0.5))
    for _ in range(3):
        sgd.step([(w, g)])  # learning rates 1, 0.5, 0.25
    np.testing.assert_allclose(w, [-1.75], rtol=1e-15)
    assert sgd.iterations == 3
    assert sgd.current_learning_rate() == 0.125


def test_assigning_a_float_learning_rate_mid_training():
    w, g = pair([0.0], [1.0])
    sgd = opt.SGD(opt.ExponentialDecay(1.0, 0.5))
    sgd.step([(w, g)])  # lr 1
    sgd.learning_rate = 0.25  # what ReduceLROnPlateau does
    assert sgd.learning_rate == 0.25
    assert sgd.current_learning_rate() == 0.25
    sgd.step([(w, g)])
    sgd.step([(w, g)])
    np.testing.assert_allclose(w, [-1.5], rtol=1e-15)
    assert sgd.get_config()["learning_rate"] == 0.25
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        sgd.learning_rate = -1
    assert sgd.learning_rate == 0.25


def test_plain_callable_schedule_works_but_cannot_be_saved():
    w, g = pair([0.0], [1.0])
    sgd = opt.SGD(lambda step: 0.1 * (step + 1))
    sgd.step([(w, g)])
    sgd.step([(w, g)])
    np.testing.assert_allclose(w, [-0.3], rtol=1e-15)
    with pytest.raises(TypeError, match="plain callable, which cannot be saved"):
        sgd.get_config()


# ---------------------------------------------------------------- dtype and memory
ALL_FEATURES = [
    lambda: opt.SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01, clipnorm=2.0),
    lambda: opt.SGD(0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    lambda: opt.SGD(opt.StepDecay(0.05, 2)),
    lambda: opt.Adam(0.01, weight_decay=0.01, amsgrad=True, clipnorm=1.0),
    lambda: opt.AdamW(opt.CosineDecay(0.01, 10), amsgrad=True),
    lambda: opt.RMSprop(0.01, weight_decay=0.01, momentum=0.9, centered=True),
    lambda: opt.Adagrad(0.05, lr_decay=0.01, weight_decay=0.01),
]


@pytest.mark.parametrize("factory", ALL_FEATURES)
def test_float32_stays_float32_and_updates_in_place(factory):
    params32, grad_seq32 = make_problem(seed=3, dtype=np.float32)
    optimizer = factory()
    params = [p.copy() for p in params32]
    addresses = [p.ctypes.data for p in params]
    for grads in grad_seq32[:5]:
        optimizer.step(list(zip(params, grads, strict=True)))
    assert [p.dtype for p in params] == [np.float32] * len(params)
    assert [p.ctypes.data for p in params] == addresses
    state = optimizer.get_state()
    assert all(a.dtype == np.float32 for v in state["slots"].values() for a in v)
    # and it computes the same thing as float64, to float32 precision
    params64, grad_seq64 = make_problem(seed=3, dtype=np.float64)
    reference, _ = run_ours(factory(), params64, grad_seq64[:5])
    for a, b in zip(params, reference[-1], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


def test_hyperparameters_are_python_floats():
    # A NumPy float64 scalar times a float32 array is float64 under NEP 50; a Python
    # float is not. Storing Python floats keeps float32 arithmetic in float32.
    adam = opt.Adam(np.float64(0.01), beta_1=np.float64(0.9), epsilon=np.float32(1e-7))
    assert type(adam.learning_rate) is float
    assert type(adam.beta_1) is float and type(adam.epsilon) is float


@pytest.mark.parametrize("factory", [f for f in ALL_FEATURES if f().clipnorm is None])
def test_step_leaves_gradients_alone_without_clipnorm(factory):
    optimizer = factory()  # (clipnorm scales gradients in place, by design)
    params, grad_seq = make_problem(seed=4)
    grads = [g.copy() for g in grad_seq[0]]
    optimizer.step(list(zip(params, grads, strict=True)))
    for a, b in zip(grads, grad_seq[0], strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ checkpoints
def save_and_load(optimizer):
    """Round-trip config + state through JSON and an .npz without pickle."""
    state = optimizer.get_state()
    header = json.dumps(
        {
            "config": {"name": optimizer.name, **optimizer.get_config()},
            "iterations": state["iterations"],
            "slots": {k: len(v) for k, v in state["slots"].items()},
        }
    )
    buffer = io.BytesIO()
    np.savez(
        buffer,
        **{f"{k}/{i}": a for k, v in state["slots"].items() for i, a in enumerate(v)},
    )
    buffer.seek(0)
    arrays = np.load(buffer, allow_pickle=False)
    header = json.loads(header)
    restored = opt.get(header["config"])
    restored.set_state(
        {
            "iterations": header["iterations"],
            "slots": {
                k: [arrays[f"{k}/{i}"] for i in range(n)]
                for k, n in header["slots"].items()
            },
        }
    )
    return restored


@pytest.mark.parametrize("factory", ALL_FEATURES)
def test_resume_from_state_equals_uninterrupted_run(factory):
    params, grad_seq = make_problem(seed=5)
    straight, _ = run_ours(factory(), params, grad_seq)

    first = factory()
    half, _ = run_ours(first, params, grad_seq[:10])
    resumed = save_and_load(first)
    assert resumed.iterations == 10
    rest, _ = run_ours(resumed, half[-1], grad_seq[10:])
    for a, b in zip(rest[-1], straight[-1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_set_state_into_an_optimizer_that_already_stepped():
    params, grad_seq = make_problem(seed=6)
    straight, _ = run_ours(opt.Adam(0.01), params, grad_seq[:4])
    source = opt.Adam(0.01)
    half, _ = run_ours(source, params, grad_seq[:2])
    target = opt.Adam(0.01)
    run_ours(target, params, grad_seq[10:13])  # unrelated history, built state
    target.set_state(source.get_state())
    rest, _ = run_ours(target, half[-1], grad_seq[2:4])
    for a, b in zip(rest[-1], straight[-1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_state_before_the_first_step_is_empty():
    assert opt.Adam().get_state() == {"iterations": 0, "slots": {}}


def test_get_state_returns_copies():
    w, g = pair([1.0], [1.0])
    sgd = opt.SGD(0.1, momentum=0.9)
    sgd.step([(w, g)])
    state = sgd.get_state()
    sgd.step([(w, g)])
    assert state["slots"]["momentum"][0].tolist() == [1.0]


def test_set_state_refuses_slots_of_another_optimizer():
    w, g = pair([1.0], [1.0])
    sgd = opt.SGD(0.1, momentum=0.9)
    sgd.step([(w, g)])
    with pytest.raises(ValueError, match=r"must have the slots \['m', 'v'\]"):
        opt.Adam().set_state(sgd.get_state())


def test_set_state_refuses_wrong_shapes():
    state = {"iterations": 3, "slots": {"sum": [np.zeros(3)]}}
    ada = opt.Adagrad()
    ada.set_state(state)
    w, g = pair([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"'sum'\[0\] has shape \(3,\).*\(2,\)"):
        ada.step([(w, g)])
    built = opt.Adagrad()
    built.step([(w, g)])
    with pytest.raises(ValueError, match="does not match the parameters"):
        built.set_state(state)


def test_set_state_refuses_garbage():
    with pytest.raises(ValueError, match="state must be a dict with 'iterations'"):
        opt.SGD().set_state([1, 2])
    with pytest.raises(ValueError, match=r"state\['iterations'\] must be an integer"):
        opt.SGD().set_state({"iterations": -1, "slots": {}})


# --------------------------------------------------------------------- step input
def test_step_refuses_a_different_number_of_pairs():
    params, grad_seq = make_problem()
    sgd = opt.SGD(0.1, momentum=0.9)
    sgd.step(list(zip(params, grad_seq[0], strict=True)))
    with pytest.raises(ValueError, match="received 3 .* created for 4"):
        sgd.step(list(zip(params[:3], grad_seq[1][:3], strict=True)))


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad"])
def test_step_refuses_parameters_of_other_shapes_than_its_state(name):
    # the same number of pairs but other arrays (a model that grew a layer, or a
    # second model): a clear error, not NumPy's "could not be broadcast"
    optimizer = opt.get(name)
    optimizer.step([(np.zeros(3), np.ones(3))])
    with pytest.raises(ValueError, match=r"shapes \[\(4,\)\].*created for \[\(3,\)\]"):
        optimizer.step([(np.zeros(4), np.ones(4))])


@pytest.mark.parametrize("name", ["adam", "rmsprop", "adagrad"])
def test_weight_decay_switched_on_after_the_first_step(name):
    # the reference: an optimizer built with the decay, from the same state (its
    # fresh-build path is the one checked against torch.optim above)
    g1, g2 = np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.8, 1.5])
    changed, w = opt.get(name), np.array([1.0, 2.0, -1.0])
    changed.step([(w, g1)])
    reference = opt.get({"name": name, "weight_decay": 0.1})
    reference.set_state(changed.get_state())
    w_reference = w.copy()
    changed.weight_decay = 0.1
    changed.step([(w, g2)])
    reference.step([(w_reference, g2)])
    np.testing.assert_array_equal(w, w_reference)


@pytest.mark.parametrize(
    ("name", "setting", "value"),
    [("sgd", "momentum", 0.9), ("adam", "amsgrad", 1), ("rmsprop", "centered", 1)],
)
def test_a_setting_that_needs_new_state_after_the_first_step_is_explained(
    name, setting, value
):
    optimizer, w = opt.get(name), np.ones(2)
    optimizer.step([(w, np.ones(2))])
    setattr(optimizer, setting, value)
    with pytest.raises(ValueError, match=r"needs state \('.+'\) that was not made "
                       r"at its first step"):  # fmt: skip
        optimizer.step([(w, np.ones(2))])


def test_step_refuses_mismatched_gradient_shape():
    with pytest.raises(ValueError, match=r"pairs\[0\]: the gradient has shape \(3,\)"):
        opt.Adam().step([(np.zeros(2), np.zeros(3))])


def test_step_refuses_integer_parameters():
    with pytest.raises(TypeError, match=r"pairs\[0\]\[0\] must be a float ndarray"):
        opt.SGD().step([(np.zeros(2, dtype=int), np.zeros(2))])


# ------------------------------------------------------------------- validation
BAD = [
    (lambda: opt.SGD(-1), ValueError, r"^Invalid learning rate: -1 \("),
    (lambda: opt.SGD(float("nan")), ValueError, "Invalid learning rate: nan"),
    (lambda: opt.Adam(float("inf")), ValueError, "Invalid learning rate: inf"),
    (
        lambda: opt.SGD("fast"),
        TypeError,
        "learning_rate must be a finite number >= 0 or a schedule.*"
        "Received: learning_rate='fast'",
    ),
    (lambda: opt.SGD(0.1, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda: opt.SGD(0.1, momentum=1.5), ValueError, "Invalid momentum value: 1.5"),
    (
        lambda: opt.SGD(0.1, momentum="0.9"),
        TypeError,
        "momentum must be a finite number.*Received: momentum='0.9'",
    ),
    (
        lambda: opt.SGD(0.1, nesterov=True),
        ValueError,
        "Nesterov momentum requires a momentum > 0 and zero dampening",
    ),
    (
        lambda: opt.SGD(0.1, momentum=0.9, nesterov=True, dampening=0.1),
        ValueError,
        "Nesterov momentum requires a momentum > 0 and zero dampening",
    ),
    (lambda: opt.SGD(nesterov="yes"), TypeError, "nesterov must be True or False"),
    (
        lambda: opt.SGD(weight_decay=-1e-4),
        ValueError,
        "Invalid weight_decay value: -0.0001",
    ),
    (lambda: opt.SGD(dampening=2), ValueError, "Invalid dampening value: 2"),
    (
        lambda: opt.Adam(beta_1=1.0),
        ValueError,
        "Invalid beta parameter at index 0: 1.0",
    ),
    (
        lambda: opt.Adam(beta_2=-0.1),
        ValueError,
        "Invalid beta parameter at index 1: -0.1",
    ),
    (lambda: opt.Adam(epsilon=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    (
        lambda: opt.AdamW(weight_decay=float("nan")),
        ValueError,
        "Invalid weight_decay value: nan",
    ),
    (lambda: opt.Adam(amsgrad=1), TypeError, "amsgrad must be True or False"),
    (lambda: opt.RMSprop(alpha=1.5), ValueError, "Invalid alpha value: 1.5"),
    (lambda: opt.RMSprop(momentum=-1), ValueError, "Invalid momentum value: -1"),
    (lambda: opt.RMSprop(centered=None), TypeError, "centered must be True or False"),
    (lambda: opt.Adagrad(lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
    (
        lambda: opt.Adagrad(initial_accumulator_value=-0.1),
        ValueError,
        "Invalid initial_accumulator_value value: -0.1",
    ),
    (
        lambda: opt.SGD(clipnorm=0),
        ValueError,
        "clipnorm must be a finite number > 0. Received: clipnorm=0",
    ),
    (lambda: opt.Adam(clipnorm="1"), TypeError, "Received: clipnorm='1'"),
    (
        lambda: opt.StepDecay(0.1, step_size=0),
        ValueError,
        "step_size must be an integer >= 1. Received: step_size=0",
    ),
    (
        lambda: opt.StepDecay(0.1, 2, gamma=1.5),
        ValueError,
        "gamma must be a finite number > 0 and <= 1. Received: gamma=1.5",
    ),
    (
        lambda: opt.ExponentialDecay(-0.1, 0.9),
        ValueError,
        "Invalid learning rate: -0.1",
    ),
    (
        lambda: opt.ExponentialDecay(0.1, 0.0),
        ValueError,
        "decay_rate must be a finite number > 0 and <= 1. Received: decay_rate=0.0",
    ),
    (
        lambda: opt.ExponentialDecay(0.1, 0.5, staircase="no"),
        TypeError,
        "staircase must be True or False",
    ),
    (
        lambda: opt.CosineDecay(0.1, 10, alpha=2),
        ValueError,
        "alpha must be a finite number >= 0 and <= 1. Received: alpha=2",
    ),
    (
        lambda: opt.CosineDecay(0.1, decay_steps=2.5),
        TypeError,
        "decay_steps must be an integer >= 1. Received: decay_steps=2.5",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD)
def test_bad_hyperparameters_raise_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_learning_rate_zero_is_allowed_like_torch():
    w, g = pair([1.0], [1.0])
    opt.SGD(0.0, momentum=0.9).step([(w, g)])
    assert w.tolist() == [1.0]


# --------------------------------------------------------------------- registry
def test_names():
    assert opt.names() == ["adagrad", "adam", "adamw", "rmsprop", "sgd"]
    assert opt.schedule_names() == ["cosine_decay", "exponential_decay", "step_decay"]


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_get_by_name_gives_torch_defaults(name):
    optimizer = opt.get(name)
    assert optimizer.name == name
    defaults = {"sgd": 0.01, "adam": 0.001, "adamw": 0.001, "rmsprop": 0.01}
    assert optimizer.learning_rate == defaults.get(name, 0.01)
    assert opt.get(name) is not optimizer


def test_adamw_default_weight_decay_is_torchs():
    assert opt.AdamW().weight_decay == 0.01
    assert opt.Adam().weight_decay == 0.0


def test_get_is_case_insensitive_and_returns_instances_as_is():
    assert isinstance(opt.get("Adam"), opt.Adam)
    sgd = opt.SGD(0.3)
    assert opt.get(sgd) is sgd


def test_get_refuses_unknown_names_listing_valid_ones():
    with pytest.raises(
        ValueError,
        match="Unknown optimizer: 'adamx'. Valid names: "
        "'adagrad', 'adam', 'adamw', 'rmsprop', 'sgd'",
    ):
        opt.get("adamx")
    with pytest.raises(ValueError, match="Unknown schedule: 'linear'. Valid names: "):
        opt.get_schedule({"name": "linear"})


def test_get_refuses_other_types_and_bad_config():
    with pytest.raises(
        TypeError, match="optimizer must be a name.*Received: optimizer=3"
    ):
        opt.get(3)
    with pytest.raises(TypeError, match="Invalid config for optimizer 'sgd'.*'lr'"):
        opt.get({"name": "sgd", "lr": 0.1})


CONFIGURED = [
    opt.SGD(0.2, momentum=0.5, nesterov=True, weight_decay=0.1, clipnorm=3.0),
    opt.Adam(0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-6, amsgrad=True),
    opt.AdamW(opt.CosineDecay(0.01, 100, alpha=0.05), weight_decay=0.2),
    opt.RMSprop(opt.StepDecay(0.01, 5, 0.5), alpha=0.9, momentum=0.1, centered=True),
    opt.Adagrad(
        opt.ExponentialDecay(0.1, 0.9, 10, staircase=True), lr_decay=0.01, epsilon=1e-9
    ),
]


@pytest.mark.parametrize("optimizer", CONFIGURED, ids=lambda o: o.name)
def test_config_round_trip_through_json(optimizer):
    config = json.loads(json.dumps({"name": optimizer.name, **optimizer.get_config()}))
    rebuilt = opt.get(config)
    assert type(rebuilt) is type(optimizer)
    assert rebuilt.get_config() == optimizer.get_config()
    assert repr(rebuilt) == repr(optimizer)
    if not isinstance(optimizer.learning_rate, float):
        assert rebuilt.learning_rate == optimizer.learning_rate
        assert rebuilt.learning_rate is not optimizer.learning_rate


def test_schedule_config_round_trip():
    for schedule in [
        opt.StepDecay(0.1, 3, 0.2),
        opt.ExponentialDecay(0.1, 0.5, 4, True),
        opt.CosineDecay(0.3, 7, 0.1),
    ]:
        rebuilt = opt.get_schedule({"name": schedule.name, **schedule.get_config()})
        assert rebuilt == schedule
        assert [rebuilt(k) for k in range(10)] == [schedule(k) for k in range(10)]


def test_repr_is_readable():
    assert repr(opt.SGD(0.1, momentum=0.9, nesterov=True)) == (
        "SGD(learning_rate=0.1, momentum=0.9, nesterov=True, weight_decay=0.0, "
        "dampening=0.0)"
    )
    assert "learning_rate=StepDecay(initial_learning_rate=0.1" in repr(
        opt.Adam(opt.StepDecay(0.1, 2))
    )
