"""``glassnet demo`` end to end, and glassnet.plotting's loss curve.

The expected numbers are the article's (../shared/ARTICLE.md); the default seed
was chosen so that the run prints the post's predictions, Emily 0.951 and Frank
0.039.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from glassnet import errors
from glassnet.article import ALL_Y_TRUES, DATA, OurNeuralNetwork
from glassnet.cli import DEMO_SEED, main
from glassnet.plotting import OptionalDependencyError, plot_loss

EPOCH_LINE = re.compile(r"^Epoch (\d+) loss: (\d\.\d{3})$", re.MULTILINE)


def run_demo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "glassnet", "demo", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess:
    return run_demo()


def test_demo_exits_cleanly(demo):
    assert demo.returncode == 0, demo.stderr
    assert demo.stderr == ""


def test_demo_prints_the_articles_numbers_in_order(demo):
    out = demo.stdout
    steps = [
        "y = f(7) = 0.9990889488055994",  # 1. the neuron
        "o1 = f(0.9526) = 0.7216325609518421",  # 2. the network
        "(1 + 0 + 0 + 1) / 4 = 0.5",  # 3. the MSE example
        "0.04742587317756678",  # 4. the backprop table: h1
        "0.02146953526581111",  # ... ∂L/∂w1
        "Epoch 0 loss: ",  # 5. training
        "Emily: ",  # 6. predictions
        "Frank: ",
    ]
    positions = [out.find(step) for step in steps]
    assert -1 not in positions, [
        s for s, p in zip(steps, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions)
    for post in ("0.0474", "0.524", "-0.952", "0.249", "-0.0904", "0.0214"):
        assert re.search(rf"\s{re.escape(post)}\s", out), post


def test_demo_prints_one_hundred_epoch_lines(demo):
    epochs = [(int(e), float(loss)) for e, loss in EPOCH_LINE.findall(demo.stdout)]
    assert [e for e, _ in epochs] == list(range(0, 1000, 10))
    assert 0.1 < epochs[0][1] < 0.5  # the post starts near 0.26
    assert epochs[-1][1] <= 0.003  # and ends near 0
    assert f"seed {DEMO_SEED}" in demo.stdout


def test_demo_predicts_emily_and_frank_like_the_article(demo):
    assert re.search(r"^Emily: 0\.951 - F\b", demo.stdout, re.MULTILINE)
    assert re.search(r"^Frank: 0\.039 - M\b", demo.stdout, re.MULTILINE)


def test_demo_plot_saves_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "loss.png"
    result = run_demo("--plot", str(path), "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Loss curve saved to {path}" in result.stdout
    assert len(EPOCH_LINE.findall(result.stdout)) == 100


def test_demo_seed_sets_the_training_run(capsys):
    assert main(["demo", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    expected = OurNeuralNetwork(seed=5).train(DATA, ALL_Y_TRUES)
    printed = [(int(e), loss) for e, loss in EPOCH_LINE.findall(out)]
    assert printed == [(e, f"{loss:.3f}") for e, loss in expected]
    assert main(["demo", "--seed", "5"]) == 0
    assert capsys.readouterr().out == out  # same seed, same output


def test_demo_imports_nothing_heavy():
    code = (
        "import sys, contextlib, io\n"
        "from glassnet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['demo']) == 0\n"
        "heavy = {'matplotlib', 'torch', 'sklearn', 'scipy', 'pandas'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------- bad input


def test_demo_rejects_negative_seed_before_printing(capsys):
    assert main(["demo", "--seed", "-1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "glassnet: error: seed must be None or an integer >= 0. Received: seed=-1\n"
    )


def test_demo_rejects_non_integer_seed(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--seed", "abc"])
    assert exit_info.value.code == 2
    assert "invalid int value: 'abc'" in capsys.readouterr().err


def test_demo_plot_without_matplotlib_says_how_to_install(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    assert main(["demo", "--plot", str(tmp_path / "loss.png")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "glassnet: error: plotting needs matplotlib, which is not installed. "
        'Install it with: pip install "glassnet[plot]"\n'
    )
    assert not (tmp_path / "loss.png").exists()


def test_demo_plot_into_missing_folder(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "nowhere" / "loss.png"
    assert main(["demo", "--plot", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("glassnet: error: --plot: the folder ")
    assert err.rstrip().endswith("nowhere' does not exist")


def test_demo_plot_onto_a_folder_fails_before_the_walk_through(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["demo", "--plot", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # it used to print the whole walk-through, then fail
    assert err.startswith("glassnet: error: --plot ") and "is a folder" in err


def test_demo_plot_with_an_unknown_format_fails_before_the_walk_through(
    tmp_path, capsys
):
    pytest.importorskip("matplotlib")
    assert main(["demo", "--plot", str(tmp_path / "loss.txt")]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # nothing printed, nothing trained
    assert err.startswith(
        "glassnet: error: --plot: matplotlib cannot write 'txt' images. Use one of: "
    )
    assert "png" in err and "svg" in err
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------- plot_loss


def test_plot_loss_accepts_the_history_shapes(tmp_path):
    pytest.importorskip("matplotlib")

    class History:  # Keras-like: one loss per epoch
        history = {"loss": [0.3, 0.2, 0.1]}

    shapes = {
        "pairs.png": [(0, 0.26), (10, 0.1), (20, 0.05)],
        "losses.png": [0.26, 0.1, 0.05],
        "history.png": History(),
        "curve.svg": [(0, 1.0)],
    }
    for name, history in shapes.items():
        plot_loss(history, tmp_path / name)
    for name in ("pairs.png", "losses.png", "history.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "curve.svg").read_bytes()


def test_plot_loss_rejects_empty_history(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match=r"history must hold at least one loss"):
        plot_loss([], tmp_path / "loss.png")

    class Untrained:  # a History before any epoch: it used to raise KeyError 'loss'
        history = {}

    with pytest.raises(ValueError, match=r"history must hold at least one loss"):
        plot_loss(Untrained(), tmp_path / "loss.png")
    assert not list(tmp_path.iterdir())


def test_plot_loss_accepts_a_history_dict(tmp_path):
    # model.history.history, as Keras users pass it: it was read as its keys
    pytest.importorskip("matplotlib")
    plot_loss({"loss": [0.3, 0.2], "accuracy": [0.5, 0.9]}, tmp_path / "loss.png")
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_loss_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(
        OptionalDependencyError, match=r'pip install "glassnet\[plot\]"'
    ):
        plot_loss([(0, 0.2)], tmp_path / "loss.png")
    assert issubclass(OptionalDependencyError, ImportError)
    assert issubclass(OptionalDependencyError, errors.GlassnetError)
