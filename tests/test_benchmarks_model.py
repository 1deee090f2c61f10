"""The benchmarks' memory model and JAX peer, checked against hand counts and glassnet.

No timing is asserted: the byte counts are worked by hand for a tiny network, the
floor's arithmetic from made-up bandwidths, and the JAX trainer's update against
glassnet's on the same weights and data (one full batch, so order cannot matter).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def common():
    sys.path.insert(0, str(BENCH))
    try:
        import _common

        yield _common
    finally:
        sys.path.remove(str(BENCH))


def test_step_bytes_by_hand(common):
    # 4-3-2 network, batch 5: 4·3+3 + 3·2+2 = 23 parameters of 4 bytes
    sgd = common.step_bytes((4, 3, 2), 5, "sgd")
    # rows read and written (5·4 floats each way) and int64 labels both ways
    assert sgd["gather"] == 2 * 5 * 4 * 4 + 2 * 5 * 8
    assert sgd["update"] == 3 * 23 * 4  # read p, g; write p
    # hidden 3: bias+ReLU 2 passes' worth, backward 3 (bias gradient in it);
    # output 2: bias add 2, loss 2, bias gradient 1; labels read by the loss
    assert sgd["elementwise"] == 5 * 5 * 3 * 4 + 5 * 5 * 2 * 4 + 5 * 8
    adam = common.step_bytes((4, 3, 2), 5, "adam")
    assert adam["update"] == 7 * 23 * 4  # read p, g, m, v; write p, m, v
    assert adam["gather"] == sgd["gather"]


def test_memory_floor_adds_bytes_at_the_better_bandwidth(common):
    floor = common.MemoryFloor((4, 3, 2), 5, 12, "sgd")  # 2 full steps + 2 rows
    assert floor.probe_sizes() == {"params": 23, "data": 48}
    full, rest = (common.step_bytes((4, 3, 2), b, "sgd") for b in (5, 2))
    moved = floor.bytes_per_epoch()
    for key in ("gather", "update", "elementwise"):
        assert moved[key] == 2 * full[key] + rest[key]
    bw = {
        ("data", "copy", 1): 1.0,
        ("data", "copy", 2): 2.0,  # the better one counts
        ("params", "triad", 1): 4.0,
        ("params", "triad", 2): 3.0,
    }
    expected = (
        0.5 + moved["gather"] / 2e9 + (moved["update"] + moved["elementwise"]) / 4e9
    )
    assert floor.seconds(0.5, bw) == pytest.approx(expected, rel=1e-12)


def test_stream_bandwidth_reports_every_cell(common):
    bw = common.stream_bandwidth({"small": 4096})
    assert set(bw) == {
        ("small", kind, threads) for kind in ("copy", "triad") for threads in (1, 2)
    }
    assert all(value > 0 and np.isfinite(value) for value in bw.values())


def test_jax_trainer_takes_glassnets_step(common):
    pytest.importorskip("jax", reason="JAX is a bench extra")
    pytest.importorskip("optax", reason="optax is a bench extra")
    import _jax

    rng = np.random.default_rng(0)
    X = rng.random((32, 6), dtype=np.float32)
    y = rng.integers(0, 3, 32)
    sizes = (6, 5, 3)
    for name, lr in (("sgd", 0.5), ("adam", 0.01)):
        model = common.glassnet_mlp(sizes, seed=1)
        start = model.get_weights()
        model.compile(
            loss="categorical_crossentropy",
            optimizer=common.glassnet_optimizer(name, lr),
        )
        for mode in ("scan", "step"):
            trainer = _jax.JaxTrainer(X, y, start, 32, name, lr, mode)
            assert trainer.compile_seconds > 0
            trainer.epoch()
            trainer.epoch()
            got = trainer.weights()
            if mode == "scan":
                model.fit(X, y, epochs=2, batch_size=32, shuffle=False)
                want = model.get_weights()
                # the weights moved, and as glassnet's did
                assert not np.allclose(want[0], start[0])
            for a, b in zip(got, want, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
