"""BatchNormalization: PyTorch agreement in training and eval, moving statistics."""

import numpy as np
import pytest

from glassnet.layers import LAYERS, BatchNormalization


def _channels_first(torch, x):
    """(n, ..., c) → the (n, c, ...) PyTorch wants."""
    t = torch.tensor(x)
    return t if t.ndim == 2 else t.permute(0, 3, 1, 2).contiguous()


@pytest.mark.parametrize("shape", [(7, 5), (1, 4, 3, 2), (7, 5, 6, 16)])
def test_matches_torch_training_steps_moving_statistics_and_eval(shape, torch):
    rng = np.random.default_rng(len(shape) + shape[-1])
    features = shape[-1]
    momentum = 0.9
    layer = BatchNormalization(momentum=momentum, epsilon=1e-3, dtype="float64")
    layer.forward(rng.normal(size=shape))  # builds
    layer.build(np.random.default_rng(0), "float64", (None, *shape[1:]))
    gamma = rng.normal(size=features)
    beta = rng.normal(size=features)
    layer.params["gamma"][...] = gamma
    layer.params["beta"][...] = beta
    gamma_t = torch.tensor(gamma, requires_grad=True)
    beta_t = torch.tensor(beta, requires_grad=True)
    running_mean = torch.zeros(features, dtype=torch.float64)
    running_var = torch.ones(features, dtype=torch.float64)
    steps = 4
    for step in range(steps):
        x = rng.normal(loc=step, scale=1 + step, size=shape)
        y = layer.forward(x).copy()
        grad_y = rng.normal(size=shape)
        grad_x = layer.backward(grad_y)
        xt = _channels_first(torch, x).requires_grad_()
        gamma_t.grad = beta_t.grad = None
        yt = torch.nn.functional.batch_norm(
            xt, running_mean, running_var, gamma_t, beta_t, True, 1 - momentum, 1e-3
        )
        (yt * _channels_first(torch, grad_y)).sum().backward()
        back = (lambda t: t) if len(shape) == 2 else (lambda t: t.permute(0, 2, 3, 1))
        np.testing.assert_allclose(y, back(yt).detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(grad_x, back(xt.grad).numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.grads["gamma"], gamma_t.grad, atol=1e-10)
        np.testing.assert_allclose(layer.grads["beta"], beta_t.grad, atol=1e-10)
    np.testing.assert_allclose(
        layer.state["moving_mean"], running_mean.numpy(), rtol=0, atol=1e-12
    )
    # PyTorch's running_var averages the unbiased variance σ²·m/(m − 1); ours the
    # biased σ² (Keras). Both start at 1, so the parts that came from batches
    # differ by exactly that factor.
    m = int(np.prod(shape[:-1]))
    start = momentum**steps
    if m > 1:
        expected = start + (running_var.numpy() - start) * (m - 1) / m
        np.testing.assert_allclose(
            layer.state["moving_variance"], expected, rtol=0, atol=1e-12
        )
    # eval mode: the moving statistics, as torch's eval with the same statistics
    x = rng.normal(size=shape)
    yt = torch.nn.functional.batch_norm(
        _channels_first(torch, x),
        torch.tensor(layer.state["moving_mean"]),
        torch.tensor(layer.state["moving_variance"]),
        torch.tensor(gamma),
        torch.tensor(beta),
        False,
        0.0,
        1e-3,
    )
    back = (lambda t: t) if len(shape) == 2 else (lambda t: t.permute(0, 2, 3, 1))
    np.testing.assert_allclose(layer(x), back(yt).numpy(), rtol=0, atol=1e-10)


def test_moving_statistics_by_hand():
    # one feature, batches [0, 2] then [4, 8], momentum 0.5:
    # mean 1 → ½·0 + ½·1 = 0.5; then mean 6 → ½·0.5 + ½·6 = 3.25
    # variance (biased) 1 → ½·1 + ½·1 = 1; then 4 → ½·1 + ½·4 = 2.5
    layer = BatchNormalization(momentum=0.5, dtype="float64")
    layer.forward(np.array([[0.0], [2.0]]))
    layer.forward(np.array([[4.0], [8.0]]))
    np.testing.assert_allclose(layer.state["moving_mean"], [3.25])
    np.testing.assert_allclose(layer.state["moving_variance"], [2.5])
    # predict normalises with them and changes nothing
    y = layer(np.array([[3.25]]))
    np.testing.assert_allclose(y, [[0.0]])
    np.testing.assert_allclose(layer.state["moving_mean"], [3.25])


def test_state_is_not_a_parameter():
    layer = BatchNormalization()
    layer.forward(np.ones((4, 3)))
    assert sorted(layer.params) == ["beta", "gamma"]
    assert sorted(layer.state) == ["moving_mean", "moving_variance"]
    assert layer.n_params() == 6


def test_refuses_a_feature_count_that_changes():
    layer = BatchNormalization()
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"built for 3 features.*\(4, 5\)"):
        layer.forward(np.ones((4, 5)))


def test_bad_arguments_and_config():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        BatchNormalization(momentum=1.0)
    with pytest.raises(ValueError, match=r"epsilon must be a finite number"):
        BatchNormalization(epsilon=-1.0)
    layer = BatchNormalization(momentum=0.9, epsilon=1e-5)
    clone = LAYERS["BatchNormalization"].from_config(layer.get_config())
    assert clone.get_config() == {"momentum": 0.9, "epsilon": 1e-5}
    assert repr(clone) == "BatchNormalization(momentum=0.9, epsilon=1e-05)"
