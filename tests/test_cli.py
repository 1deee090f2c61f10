"""The ``glassnet`` command line, run for real in subprocesses.

Happy paths (train -> evaluate -> predict -> summary on a binary, a multi-class and a
regression CSV) and every bad input the command must refuse with one clear line on
stderr, exit code 2, no traceback, and an existing output file left byte for byte.
Data are tiny and epochs few: each subprocess costs a fraction of a second.
"""

from __future__ import annotations

import csv
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from glassnet.serialization import FORMAT_VERSION

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTINEL = b"an earlier file that must survive"
FAST = ["--hidden", "16", "--epochs", "30", "--lr", "0.05", "--batch-size", "16"]


def glassnet(*args, cwd, env=None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m glassnet ARGS`` in ``cwd``; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def _write_csv(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _read_csv(path_or_text) -> list[list[str]]:
    text = path_or_text if isinstance(path_or_text, str) else path_or_text.read_text()
    return list(csv.reader(text.splitlines()))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A folder with the three CSV files the happy paths train on."""
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    # binary: 'yes' above the line a + b = 0, with a margin so 30 epochs separate it
    X = rng.uniform(-1, 1, size=(200, 2))
    X = X[np.abs(X.sum(axis=1)) > 0.3][:80]
    labels = np.where(X.sum(axis=1) > 0, "yes", "no")
    _write_csv(
        folder / "binary.csv",
        ["a", "b", "label"],
        [[f"{a:.4f}", f"{b:.4f}", t] for (a, b), t in zip(X, labels, strict=True)],
    )
    # multi-class: three well separated clusters named by colour
    centres = {"red": (3, 0), "green": (0, 3), "blue": (-3, -3)}
    rows = []
    for name, centre in centres.items():
        for point in rng.normal(centre, 0.5, size=(30, 2)):
            rows.append([f"{point[0]:.4f}", f"{point[1]:.4f}", name])
    rows = [rows[i] for i in rng.permutation(len(rows))]
    _write_csv(folder / "colours.csv", ["x", "y", "colour"], rows)
    # regression: price = 2a - b exactly
    X = rng.uniform(-1, 1, size=(60, 2))
    _write_csv(
        folder / "prices.csv",
        ["a", "b", "price"],
        [[f"{a:.4f}", f"{b:.4f}", f"{2 * a - b:.4f}"] for a, b in X],
    )
    return folder


@pytest.fixture(scope="module")
def binary_model(work) -> Path:
    """Train on binary.csv once; several tests use the model."""
    result = glassnet(
        "train", "binary.csv", "--target", "label", "--seed", "0",
        *FAST, "--out", "binary.npz", cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # not a terminal: one plain progress line per epoch, on stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 30
    assert lines[0].startswith("Epoch 1/30 - loss: ")
    assert "val_accuracy: " in lines[-1]
    assert result.stdout == (
        "task: binary, target 'label', 2 classes (no, yes); inferred, --task "
        "overrides\nsaved the model to binary.npz\n"
    )
    return work / "binary.npz"


# ------------------------------------------------------------------- happy paths


def test_binary_train_evaluate_predict_summary(work, binary_model):
    result = glassnet("evaluate", binary_model, "binary.csv", cwd=work)
    assert result.returncode == 0, result.stderr
    scores = dict(line.split() for line in result.stdout.splitlines())
    assert set(scores) == {"loss", "accuracy"}
    assert float(scores["accuracy"]) >= 0.9

    # New data: the target column is optional and the columns may come in any order.
    truth = _read_csv(work / "binary.csv")
    _write_csv(work / "new.csv", ["b", "a"], [[b, a] for a, b, _ in truth[1:]])
    result = glassnet(
        "predict", binary_model, "new.csv", "--proba", "--out", "preds.csv", cwd=work
    )
    assert result.returncode == 0, result.stderr
    table = _read_csv(work / "preds.csv")
    assert table[0] == ["prediction", "p_no", "p_yes"]
    assert len(table) == len(truth)
    predicted = [row[0] for row in table[1:]]
    assert set(predicted) <= {"yes", "no"}
    agree = np.mean([p == row[2] for p, row in zip(predicted, truth[1:], strict=True)])
    assert agree >= 0.9
    for _, p_no, p_yes in table[1:]:
        assert float(p_no) + float(p_yes) == pytest.approx(1.0, abs=1e-6)

    result = glassnet("summary", binary_model, cwd=work)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Dense(2, 16, activation='relu')" in text
    assert "Dense(16, 1, activation='sigmoid')" in text
    assert "task: binary, target 'label'" in text
    assert "classes: no, yes" in text
    assert "loss: binary_crossentropy;" in text  # inferred from the two labels
    assert "trained: 30 epoch(s)" in text
    assert f"glassnet-model version {FORMAT_VERSION}" in text


def test_multiclass_string_labels(work):
    result = glassnet(
        "train", "colours.csv", "--target", "colour", "--seed", "1", *FAST,
        "--out", "colours.npz", "--quiet", cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""  # --quiet
    result = glassnet("evaluate", "colours.npz", "colours.csv", cwd=work)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.split("accuracy")[1].split()[0]) >= 0.95

    result = glassnet("predict", "colours.npz", "colours.csv", cwd=work)
    assert result.returncode == 0, result.stderr
    table = _read_csv(result.stdout)
    truth = _read_csv(work / "colours.csv")
    assert table[0] == ["prediction"]
    assert [row[0] for row in table[1:]] == [row[2] for row in truth[1:]]

    result = glassnet("summary", "colours.npz", cwd=work)
    assert "Dense(16, 3)" in result.stdout  # three logits
    assert "classes: blue, green, red" in result.stdout
    assert "loss: categorical_crossentropy" in result.stdout


def test_numeric_class_labels_come_back_as_the_files_labels(work):
    # labels 10, 20, 30 in the file: the model trains on 0..2 and predict must
    # map back to 10/20/30, not print the indices
    colours = _read_csv(work / "colours.csv")
    number = {"red": "10", "green": "20", "blue": "30"}
    _write_csv(work / "numbers.csv", ["x", "y", "code"],
               [[x, y, number[c]] for x, y, c in colours[1:]])  # fmt: skip
    result = glassnet(
        "train", "numbers.csv", "--target", "code", "--seed", "1", *FAST,
        "--out", "numbers.npz", "--quiet", cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = glassnet("summary", "numbers.npz", cwd=work).stdout
    assert "task: multiclass" in summary and "classes: 10, 20, 30" in summary
    assert "loss: categorical_crossentropy;" in summary
    result = glassnet("predict", "numbers.npz", "numbers.csv", "--proba", cwd=work)
    assert result.returncode == 0, result.stderr
    table = _read_csv(result.stdout)
    assert table[0] == ["prediction", "p_10", "p_20", "p_30"]
    truth = [number[c] for _, _, c in colours[1:]]
    assert [row[0] for row in table[1:]] == truth


def test_regression(work):
    result = glassnet(
        "train", "prices.csv", "--target", "price", "--seed", "2", "--hidden", "",
        "--epochs", "60", "--lr", "0.1", "--batch-size", "8", "--optimizer", "sgd",
        "--validation-split", "0", "--out", "prices.npz", "--quiet", cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = glassnet("evaluate", "prices.npz", "prices.csv", cwd=work)
    scores = dict(line.split() for line in result.stdout.splitlines())
    assert set(scores) == {"loss", "mae"}
    # A linear model fits price = 2a - b: the error is far below the target's
    # spread (std of 2a - b for a, b ~ U(-1, 1) is sqrt(5/3) ~ 1.3).
    assert float(scores["mae"]) < 0.05

    result = glassnet("predict", "prices.npz", "prices.csv", cwd=work)
    table = _read_csv(result.stdout)
    truth = _read_csv(work / "prices.csv")
    assert table[0] == ["prediction"]
    predicted = np.array([float(row[0]) for row in table[1:]])
    expected = np.array([float(row[2]) for row in truth[1:]])
    np.testing.assert_allclose(predicted, expected, atol=0.2)
    result = glassnet("summary", "prices.npz", cwd=work)
    assert "Dense(2, 1)" in result.stdout
    assert "task: regression" in result.stdout
    assert "loss: mse;" in result.stdout  # inferred from the numeric target


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal(work):
    import fcntl
    import struct
    import termios
    import threading

    leader, follower = os.openpty()
    # a fresh pseudo-terminal is 0 columns wide; tqdm would draw an empty bar
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
    chunks: list[bytes] = []

    def read_all():  # concurrently, so a full terminal buffer never blocks the child
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read_all)
    reader.start()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "glassnet", "train", "binary.csv", "--target",
             "label", "--seed", "0", *FAST, "--out", "tty.npz"],
            cwd=work, stdout=subprocess.PIPE, stderr=follower, timeout=300,
        )  # fmt: skip
    finally:
        os.close(follower)
        reader.join(timeout=30)
        os.close(leader)
    assert process.returncode == 0
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "30/30" in shown  # tqdm's counter
    assert "\r" in shown  # one bar redrawn in place, not one line per epoch
    assert "Epoch 1/30" not in shown
    assert "loss: " in shown


def test_mnist_end_to_end(tmp_path):
    if not (SHARED_DATA / "mnist").is_dir():
        pytest.skip("needs ../shared/data/mnist (the IDX files)")
    env = {"GLASSNET_DATA": str(SHARED_DATA)}
    result = glassnet(
        "train", "mnist", "--hidden", "16", "--epochs", "1", "--batch-size", "256",
        "--lr", "0.01", "--validation-split", "0", "--seed", "0",
        "--out", "digits.npz", "--quiet",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = glassnet("evaluate", "digits.npz", "mnist", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    # One epoch of a 784-16-10 MLP. LeCun's table has 4.7 % error for 300 hidden
    # units fully trained; one epoch of 16 units is still comfortably above 85 %.
    assert float(result.stdout.split("accuracy")[1].split()[0]) > 0.85


# -------------------------------------------------------------------- bad input


def _assert_refused(result, message: str):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("glassnet: error: ")
    assert message in lines[0] or re.search(message, lines[0]), lines[0]


@pytest.fixture(scope="module")
def bad_files(work) -> Path:
    folder = work / "bad"
    folder.mkdir()
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("a,b,label\n")
    (folder / "ragged.csv").write_text("a,b,label\n1,2,yes\n3,4\n")
    (folder / "words.csv").write_text("a,b,label\n1,2,yes\n3,oops,no\n")
    (folder / "nan.csv").write_text("a,b,label\n1,2,yes\n3,nan,no\n")
    (folder / "inf.csv").write_text("a,b,label\n1,2,yes\n-inf,4,no\n")
    (folder / "one.csv").write_text("a,b,label\n1,2,yes\n3,4,yes\n")
    (folder / "two.csv").write_text("a,b,label\n1,2,yes\n3,4,no\n")
    (folder / "one-row.csv").write_text("a,b,label\n1,2,3.5\n")
    (folder / "folder.csv").mkdir()
    return folder


# The bad inputs the issue lists, each run as a real command.
TRAIN_REFUSALS = {
    "missing file": (["nothing.csv"], "nothing.csv: no such file"),
    "directory": (["bad/folder.csv"], "folder.csv: is a directory"),
    "empty file": (["bad/empty.csv"], "empty.csv: the file is empty"),
    "header only": (["bad/header.csv"], "header.csv: has a header but no data rows"),
    "ragged rows": (["bad/ragged.csv"], "line 3 has 2 cells but the header has 3"),
    "non-numeric cell": (
        ["bad/words.csv"],
        "words.csv: line 3, column 'b': expected a number, found 'oops'",
    ),
    "NaN": (["bad/nan.csv"], "line 3, column 'b': 'nan' is not a finite number"),
    "inf": (["bad/inf.csv"], "line 3, column 'a': '-inf' is not a finite number"),
    "missing target column": (
        ["binary.csv", "--target", "lable"],
        "no target column 'lable'. Columns: 'a', 'b', 'label'",
    ),
    "one class": (["bad/one.csv"], "single class ('yes')"),
    "unknown activation": (
        ["binary.csv", "--activation", "relux"],
        "Unknown activation: 'relux'. Valid names: .*'relu', 'sigmoid'",
    ),
    "unknown optimizer": (
        ["binary.csv", "--optimizer", "adamm"],
        "Unknown optimizer: 'adamm'. Valid names: 'adagrad', 'adam', ",
    ),
    "epochs 0": (
        ["binary.csv", "--epochs", "0"],
        "--epochs must be an integer >= 1. Received: --epochs=0",
    ),
    "lr -1": (["binary.csv", "--lr", "-1"], "--lr must be a finite number > 0"),
    "hidden 0": (["binary.csv", "--hidden", "0"], "--hidden must be comma-separated"),
    "out is a folder": (["binary.csv", "--out", "bad"], "--out bad: is a folder"),
    "out folder missing": (
        ["binary.csv", "--out", "nowhere/model.npz"],
        "folder 'nowhere' does not exist",
    ),
}
# More refusals of the same kind, checked in-process (cli.main) to keep the suite
# fast: the subprocess cases above already show the message reaches stderr alone.
MORE_TRAIN_REFUSALS = {
    "no target given": (["binary.csv"], "--target COL is required for binary.csv"),
    "unknown loss": (["binary.csv", "--loss", "msee"], "Unknown loss: 'msee'"),
    "batch size 0": (["binary.csv", "--batch-size", "0"], "--batch-size must be"),
    "validation split 1": (
        ["binary.csv", "--validation-split", "1"],
        "--validation-split must be in",
    ),
    "resume without checkpoint": (
        ["binary.csv", "--resume"],
        "--resume needs --checkpoint DIR",
    ),
    "resume from nothing": (
        ["binary.csv", "--resume", "--checkpoint", "empty-ckpt"],
        "no checkpoint .*checkpoint.npz' to resume from",
    ),
    "checkpoint is a file": (
        ["binary.csv", "--checkpoint", "binary.csv"],
        "--checkpoint binary.csv: is a file, not a folder",
    ),
    "loss for another task": (
        ["prices.csv", "--target", "price", "--loss", "categorical_crossentropy"],
        "needs class labels; the target is numeric",
    ),
    "binary loss for three classes": (
        ["colours.csv", "--target", "colour", "--loss", "binary_crossentropy"],
        "needs a target with two classes; this one is multiclass",
    ),
    # used to say only "expected non-negative integer", not which flag
    "negative seed": (["binary.csv", "--seed", "-1"], "--seed must be an integer >= 0"),
    # used to be a MemoryError traceback with exit code 1, then "not enough
    # memory"; now refused before building, at the bound a model file can hold
    "huge hidden layers": (
        ["binary.csv", "--hidden", "3000000,3000000"],
        r"--hidden 3000000,3000000 makes a model of 9,000,015,000,001 parameters "
        r"for 2 features, more than a model file holds "
        r"\(MAX_PARAMETERS=100,000,000\); give smaller --hidden sizes",
    ),
    # used to say "test_size must leave at least one sample ... Received:
    # test_size=0.9", the library's argument, not the flag
    "validation split holds out every row": (
        ["bad/two.csv", "--validation-split", "0.9"],
        "^glassnet: error: --validation-split 0.9 would hold out all 2 rows of "
        "bad/two.csv, leaving none to train on; give at most 0.5, or 0 for no "
        "validation$",
    ),
    # used to say "n_samples must be an integer >= 2. Received: n_samples=1"
    "validation split of one row": (
        ["bad/one-row.csv"],
        "^glassnet: error: --validation-split 0.1: bad/one-row.csv has 1 row, too "
        "few to hold any out; give --validation-split 0$",
    ),
    # used to say "a regression target must hold numbers. Received: array of
    # shape (80,) and dtype <U3"
    "task regression for text": (
        ["binary.csv", "--task", "regression"],
        "^glassnet: error: --task regression needs a numeric target; 'label' "
        "holds text such as '(yes|no)'. Drop --task to classify it, or pick a "
        "numeric --target$",
    ),
    # used to be ignored silently: a built-in dataset's target is its label
    "target for mnist": (
        ["mnist", "--target", "price"],
        "--target price: mnist has one target, its 'label'; drop --target",
    ),
    # used to fail inside the loss: "binary_crossentropy targets must be in [0, 1]"
    "task binary for three classes": (
        ["colours.csv", "--target", "colour", "--task", "binary"],
        "--task binary needs a target with two classes; 'colour' has 3: "
        "'blue', 'green', 'red'. Use --task multiclass",
    ),
}


def _train_args(case: str, args: list[str]) -> list[str]:
    """The case's arguments plus a target, a sentinel --out and a tiny network."""
    if "--target" not in args and case != "no target given":
        args = [*args, "--target", "label"]
    defaults = {"--out": "sentinel.npz", "--hidden": "4", "--epochs": "2"}
    for flag, value in defaults.items():
        if flag not in args:
            args = [*args, flag, value]
    return ["train", *args]


@pytest.mark.parametrize("case", sorted(TRAIN_REFUSALS))
def test_train_refuses_bad_input(work, bad_files, case):
    args, message = TRAIN_REFUSALS[case]
    (work / "sentinel.npz").write_bytes(SENTINEL)
    result = glassnet(*_train_args(case, args), cwd=work)
    _assert_refused(result, message)
    assert "Epoch 1/" not in result.stderr  # refused before training began
    assert (work / "sentinel.npz").read_bytes() == SENTINEL
    assert not (work / "model.npz").exists()


@pytest.mark.parametrize("case", sorted(MORE_TRAIN_REFUSALS))
def test_train_refuses_more_bad_input(work, bad_files, case, monkeypatch, capsys):
    from glassnet import cli

    args, message = MORE_TRAIN_REFUSALS[case]
    (work / "sentinel.npz").write_bytes(SENTINEL)
    monkeypatch.chdir(work)
    assert cli.main(_train_args(case, args)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert re.search(message, captured.err), captured.err
    assert (work / "sentinel.npz").read_bytes() == SENTINEL


def test_train_checks_the_folder_a_symlinked_out_points_into_before_training(
    work, monkeypatch, capsys
):
    # --out through a link is written to the file the link names (atomic_write), so
    # that file's folder is the one that must exist, checked before any training
    from glassnet import cli

    link = work / "dangling-out.npz"
    link.symlink_to(work / "gone" / "model.npz")
    monkeypatch.chdir(work)
    try:
        code = cli.main(
            ["train", "binary.csv", "--target", "label", "--out", link.name]
        )
    finally:
        link.unlink()
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before the task line: nothing was trained
    assert f"folder {str(work / 'gone')!r} does not exist" in captured.err


def test_divergence_names_the_epoch_and_keeps_the_last_finite_checkpoint(work):
    (work / "sentinel.npz").write_bytes(SENTINEL)
    result = glassnet(
        "train", "prices.csv", "--target", "price", "--optimizer", "sgd",
        "--lr", "1e6", "--hidden", "4", "--epochs", "5", "--checkpoint", "blowup",
        "--out", "sentinel.npz", "--quiet", cwd=work,
    )  # fmt: skip
    _assert_refused(
        result,
        r"^glassnet: error: training diverged in epoch (\d+)/5: the "
        r"(loss became (inf|nan)|weights became inf or NaN)\. Try a lower learning "
        r"rate, e\.g\. --lr 100000 \(it was 1e\+06\)\. Nothing was written to "
        r"sentinel.npz; the last checkpoint in 'blowup' holds the last finite "
        r"weights\.$",
    )
    # the library's advice is for Python: the command line has no clipnorm
    assert "clipnorm" not in result.stderr and "restored" not in result.stderr
    assert (work / "sentinel.npz").read_bytes() == SENTINEL
    diverged = int(re.search(r"epoch (\d+)/5", result.stderr).group(1))  # 1-based
    assert diverged >= 1
    if diverged > 1:  # a checkpoint exists only when an epoch ended finitely
        import glassnet as gn

        model = gn.load(work / "blowup" / "checkpoint.npz")
        assert model.epoch == diverged - 1  # the epochs completed before it
        assert all(np.isfinite(p).all() for p, _ in model.parameters())
        assert np.isfinite(model.history.history["loss"]).all()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root may write anywhere",
)
def test_train_refuses_an_unwritable_folder_before_training(work, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = glassnet(
            "train", "binary.csv", "--target", "label", "--out", locked / "m.npz",
            cwd=work,
        )  # fmt: skip
    finally:
        locked.chmod(0o700)
    _assert_refused(result, "cannot write in folder")
    assert "Epoch 1/" not in result.stderr


def _damaged_models(model: bytes) -> dict[str, bytes]:
    flipped = bytearray(model)
    flipped[model.index(b"param/0/W.npy") + 120] ^= 0xFF
    return {
        "truncated": model[: len(model) // 2],
        "corrupted": bytes(flipped),
        "not glassnet": b"a,b,label\n1,2,yes\n",
        "empty": b"",
    }


@pytest.mark.parametrize(
    ("kind", "command", "message"),
    [
        ("truncated", "predict", "'model.npz' is truncated or corrupted"),
        ("corrupted", "evaluate", "'model.npz' is truncated or corrupted"),
        ("not glassnet", "summary", "'model.npz' is not a glassnet model file"),
        ("empty", "predict", "'model.npz' is empty"),
    ],
)
def test_bad_model_files_are_refused(work, binary_model, kind, command, message):
    folder = work / f"damaged-{kind.replace(' ', '-')}"
    folder.mkdir()
    (folder / "model.npz").write_bytes(_damaged_models(binary_model.read_bytes())[kind])
    (folder / "preds.csv").write_bytes(SENTINEL)
    data = [] if command == "summary" else [work / "binary.csv"]
    extra = ["--out", "preds.csv"] if command == "predict" else []
    result = glassnet(command, "model.npz", *data, *extra, cwd=folder)
    _assert_refused(result, message)
    assert (folder / "preds.csv").read_bytes() == SENTINEL


PREDICT_REFUSALS = {
    "missing model": (["predict", "nothing.npz", "binary.csv"], "does not exist"),
    "model is a folder": (["predict", "bad", "binary.csv"], "is a folder"),
    "missing column": (
        ["predict", "binary.npz", "cols.csv"],
        "missing column(s) 'b'; unexpected column(s) 'z'",
    ),
    "bad cell": (
        ["predict", "binary.npz", "bad/words.csv"],
        "line 3, column 'b': expected a number",
    ),
    "proba for regression": (
        ["predict", "prices-model.npz", "prices.csv", "--proba"],
        "the model does regression",
    ),
    "unknown label": (
        ["evaluate", "binary.npz", "labels.csv"],
        r"unknown label\(s\) \['maybe'\]",
    ),
    "evaluate without target": (
        ["evaluate", "binary.npz", "cols.csv"],
        "no target column 'label'",
    ),
    "out is a folder": (
        ["predict", "binary.npz", "binary.csv", "--out", "bad"],
        "--out bad: is a folder",
    ),
}


@pytest.fixture(scope="module")
def predict_files(work, bad_files):
    """Files for the predict/evaluate refusals; a regression model made in-process."""
    import glassnet as gn

    (work / "cols.csv").write_text("a,z\n1,2\n")
    (work / "labels.csv").write_text("a,b,label\n1,2,yes\n3,4,maybe\n")
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    model.metadata = {"features": ["a", "b"], "target": "price", "task": "regression"}
    model.save(work / "prices-model.npz")
    return work


@pytest.mark.parametrize("case", sorted(PREDICT_REFUSALS))
def test_predict_and_evaluate_refuse_bad_input(predict_files, binary_model, case):
    work = predict_files
    args, message = PREDICT_REFUSALS[case]
    if "--out" not in args:
        args = [*args, "--out", "preds.csv"] if args[0] == "predict" else args
    (work / "preds.csv").write_bytes(SENTINEL)
    result = glassnet(*args, cwd=work)
    _assert_refused(result, message)
    assert (work / "preds.csv").read_bytes() == SENTINEL


def test_missing_mnist_says_how_to_get_it(tmp_path):
    result = glassnet(
        "train", "mnist", "--out", "digits.npz", cwd=tmp_path,
        env={"GLASSNET_DATA": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)},
    )  # fmt: skip
    _assert_refused(result, "MNIST files not found.*GLASSNET_DATA")
    # a command to run, not the library's "pass path=..., or call mnist(...)"
    cache = tmp_path / "glassnet" / "mnist"
    assert result.stderr.rstrip().endswith(
        f", or download them once with: glassnet download mnist into {cache}."
    ), result.stderr
    assert "path=" not in result.stderr and "call mnist(" not in result.stderr


def test_resume_refuses_flags_or_data_that_differ(work, capsys, monkeypatch):
    from glassnet import cli

    monkeypatch.chdir(work)
    common = ["train", "binary.csv", "--target", "label", "--hidden", "4"]
    assert cli.main([*common, "--epochs", "1", "--checkpoint", "ck-flags",
                     "--quiet", "--out", "flags.npz"]) == 0  # fmt: skip
    assert cli.main([*common, "--epochs", "2", "--checkpoint", "ck-flags",
                     "--resume", "--lr", "0.5", "--out", "flags.npz"]) == 2  # fmt: skip
    assert "--resume: --lr 0.5 differs from the checkpoint's (default)" in (
        capsys.readouterr().err
    )
    assert cli.main(["train", "binary.csv", "--target", "b", "--epochs", "2",
                     "--checkpoint", "ck-flags", "--resume"]) == 2  # fmt: skip
    assert "--target b differs from the checkpoint's (label)" in capsys.readouterr().err
    assert cli.main(["train", "colours.csv", "--epochs", "2",
                     "--checkpoint", "ck-flags", "--resume"]) == 2  # fmt: skip
    assert "colours.csv: no target column 'label'" in capsys.readouterr().err


def test_resume_with_nothing_left_to_train_says_so(work):
    # It used to train nothing and say nothing. A complete run is done: a rerun
    # (after a crash between the last checkpoint and --out, say) says so, still
    # writes --out from the checkpoint and succeeds; asking for fewer epochs than
    # the checkpoint holds is refused, since the training cannot be taken back.
    import glassnet as gn

    common = ["train", "binary.csv", "--target", "label", "--hidden", "4",
              "--seed", "3", "--checkpoint", "ck-done"]  # fmt: skip
    result = glassnet(*common, "--epochs", "2", "--out", "first.npz", cwd=work)
    assert result.returncode == 0, result.stderr

    result = glassnet(*common, "--resume", "--epochs", "2", "--out", "again.npz",
                      cwd=work)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "glassnet: --resume: the checkpoint in 'ck-done' already holds 2 of "
        "--epochs 2; nothing to train (give a larger --epochs to continue)\n"
    )
    assert result.stdout == "saved the model to again.npz\n"  # no task: no training
    first, again = gn.load(work / "first.npz"), gn.load(work / "again.npz")
    assert again.epoch == 2
    assert again.history.history == first.history.history
    for (p, _), (q, _) in zip(first.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)

    (work / "sentinel.npz").write_bytes(SENTINEL)
    result = glassnet(*common, "--resume", "--epochs", "1", "--out", "sentinel.npz",
                      cwd=work)  # fmt: skip
    _assert_refused(
        result,
        "^glassnet: error: --resume: the checkpoint in 'ck-done' already holds 2 "
        "epochs, more than --epochs 1; give --epochs 2 or more to use it, or start "
        "afresh without --resume$",
    )
    assert (work / "sentinel.npz").read_bytes() == SENTINEL
    assert result.stdout == ""


def test_resume_with_nothing_left_to_train_and_quiet(work, capsys, monkeypatch):
    from glassnet import cli

    monkeypatch.chdir(work)
    common = ["train", "binary.csv", "--target", "label", "--hidden", "4",
              "--epochs", "1", "--checkpoint", "ck-quiet", "--quiet"]  # fmt: skip
    assert cli.main([*common, "--out", "q1.npz"]) == 0
    assert cli.main([*common, "--resume", "--out", "q2.npz"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (work / "q2.npz").is_file()


def test_train_says_the_task_before_the_progress(work):
    # stdout and stderr into one pipe: the task line must come first
    result = subprocess.run(
        [sys.executable, "-m", "glassnet", "train", "binary.csv", "--target",
         "label", "--hidden", "4", "--epochs", "2", "--out", "task.npz"],
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "task: binary, target 'label', 2 classes (no, yes); inferred, --task overrides"
    )
    assert lines[1].startswith("Epoch 1/2 - loss: ")
    assert lines[-1] == "saved the model to task.npz"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["prices.csv", "--target", "price"],
            "task: regression, target 'price'; inferred, --task overrides",
        ),
        (  # given, not inferred: no hint
            ["colours.csv", "--target", "colour", "--task", "multiclass"],
            "task: multiclass, target 'colour', 3 classes (blue, green, red)",
        ),
        (  # a long class list is cut after six
            ["eight.csv", "--target", "y"],
            "task: multiclass, target 'y', 8 classes (c0, c1, c2, c3, c4, c5, ...); "
            "inferred, --task overrides",
        ),
    ],
)
def test_train_task_line(work, capsys, monkeypatch, args, line):
    from glassnet import cli

    monkeypatch.chdir(work)
    _write_csv(work / "eight.csv", ["x", "y"],
               [[i, f"c{i % 8}"] for i in range(32)])  # fmt: skip
    argv = ["train", *args, "--hidden", "", "--epochs", "1", "--out", "t.npz"]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out == f"{line}\nsaved the model to t.npz\n"
    assert captured.err.startswith("Epoch 1/1 - loss: ")


def test_evaluate_a_model_saved_without_a_loss(work, capsys, monkeypatch):
    # used to be a RuntimeError traceback (exit code 1) that said to call
    # model.compile(loss=..., optimizer=...)
    import glassnet as gn
    from glassnet import cli

    monkeypatch.chdir(work)
    model = gn.Sequential([gn.Dense(2, 1, activation="sigmoid")], seed=0)
    model.metadata = {"features": ["a", "b"], "target": "label", "task": "binary"}
    model.classes_ = np.array(["no", "yes"])
    model.save("uncompiled.npz")
    assert cli.main(["evaluate", "uncompiled.npz", "binary.csv"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "glassnet: error: uncompiled.npz: the model was saved without a loss (never "
        "compiled), so there is nothing to score it with; glassnet predict works "
        "without one\n"
    )
    assert cli.main(["predict", "uncompiled.npz", "binary.csv"]) == 0
    assert capsys.readouterr().out.startswith("prediction\n")


def test_a_csv_model_refuses_mnist_naming_both(work, binary_model, capsys, monkeypatch):
    # it used to fail deep inside: "Standardizer expects inputs with 2 features"
    # (predict) or "unknown label(s) ['0', ...]" (evaluate)
    from glassnet import cli, datasets

    monkeypatch.chdir(work)
    images = np.zeros((3, 28, 28), np.uint8)
    labels = np.array([0, 1, 2], np.uint8)
    fake = lambda: ((images, labels), (images, labels))  # noqa: E731
    monkeypatch.setattr(datasets, "mnist", fake)
    for command in ("evaluate", "predict"):
        assert cli.main([command, str(binary_model), "mnist"]) == 2
        assert (
            "mnist has 784 features (pixel0, ...); the model was trained on 2 "
            "('a', 'b') from binary.csv" in capsys.readouterr().err
        )


def test_a_model_without_csv_columns_cannot_read_a_csv(work, capsys, monkeypatch):
    import glassnet as gn
    from glassnet import cli

    monkeypatch.chdir(work)
    model = gn.Sequential([gn.Dense(2, 1, activation="sigmoid")], seed=0)
    model.compile(loss="binary_crossentropy")
    model.save("library.npz")
    assert cli.main(["predict", "library.npz", "binary.csv"]) == 2
    assert "does not record the CSV columns" in capsys.readouterr().err


def test_predict_out_is_atomic(work, binary_model, capsys, monkeypatch):
    # The rename fails after the predictions were written in full: the earlier
    # file must survive byte for byte and no temporary file may be left.
    from glassnet import _files, cli

    monkeypatch.chdir(work)
    out = work / "atomic-preds.csv"
    out.write_bytes(SENTINEL)

    def no_rename(src, dst):
        assert Path(src).name.startswith(".atomic-preds.csv.")  # a recognisable temp
        assert Path(src).read_text().startswith("prediction\n")
        raise OSError("no space left on device")

    monkeypatch.setattr(_files.os, "replace", no_rename)
    assert (
        cli.main(["predict", str(binary_model), "binary.csv", "--out", str(out)]) == 2
    )
    assert "no space left on device" in capsys.readouterr().err
    assert out.read_bytes() == SENTINEL
    assert not [n for n in os.listdir(work) if n.startswith(".atomic-preds.csv.")]


# ------------------------------------------------------- reviewer: user files kept


def test_train_refuses_to_overwrite_its_own_data(work, capsys, monkeypatch):
    # --out DATA used to replace the user's CSV file with the model
    from glassnet import cli

    monkeypatch.chdir(work)
    data = work / "own-data.csv"
    data.write_bytes((work / "binary.csv").read_bytes())
    before = data.read_bytes()
    args = ["train", "./own-data.csv", "--target", "label", "--quiet"]
    assert cli.main([*args, "--epochs", "1", "--out", "own-data.csv"]) == 2
    assert "--out own-data.csv: is the input file" in capsys.readouterr().err
    assert data.read_bytes() == before


def test_predict_refuses_to_overwrite_its_model_or_data(
    work, binary_model, capsys, monkeypatch
):
    from glassnet import cli

    monkeypatch.chdir(work)
    model, data = work / "own-model.npz", work / "own-rows.csv"
    model.write_bytes(binary_model.read_bytes())
    data.write_bytes((work / "binary.csv").read_bytes())
    for out, what in ((model, "MODEL"), (data, "DATA")):
        before = out.read_bytes()
        assert cli.main(["predict", str(model), str(data), "--out", str(out)]) == 2
        assert f"is the input file ({what})" in capsys.readouterr().err
        assert out.read_bytes() == before


def test_zero_padded_class_labels_stay_as_written(work, capsys, monkeypatch):
    # "01" and "1" are different labels; read as integers they were one class
    # (a misleading single-class error), and "01"/"02" came back as 1/2
    from glassnet import cli

    monkeypatch.chdir(work)
    colours = _read_csv(work / "colours.csv")[1:]
    code = {"red": "01", "green": "1", "blue": "001"}
    _write_csv(work / "codes.csv", ["x", "y", "code"],
               [[x, y, code[c]] for x, y, c in colours])  # fmt: skip
    assert cli.main(["train", "codes.csv", "--target", "code", "--seed", "1", *FAST,
                     "--quiet", "--out", "codes.npz"]) == 0  # fmt: skip
    assert cli.main(["predict", "codes.npz", "codes.csv"]) == 0
    predicted = [row[0] for row in _read_csv(capsys.readouterr().out)[1:]]
    assert predicted == [code[c] for _, _, c in colours]


def test_predict_accepts_a_blank_target_column(work, binary_model, capsys, monkeypatch):
    # "the target column may be there or not": there but still empty, too
    from glassnet import cli

    monkeypatch.chdir(work)
    rows = _read_csv(work / "binary.csv")
    _write_csv(work / "to-fill.csv", rows[0], [[a, b, ""] for a, b, _ in rows[1:]])
    assert cli.main(["predict", str(binary_model), "to-fill.csv"]) == 0
    assert len(_read_csv(capsys.readouterr().out)) == len(rows)


def test_predict_out_into_a_pipe(work, binary_model, capsys, monkeypatch):
    # like --out /dev/stdout: the pipe is written into, not replaced by a file
    import stat

    from glassnet import cli

    monkeypatch.chdir(work)
    pipe = work / "predictions.pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert cli.main(["predict", str(binary_model), "binary.csv", "--out",
                         str(pipe)]) == 0  # fmt: skip
        assert os.read(reader, 1 << 16).startswith(b"prediction\n")
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)


@pytest.mark.parametrize("stdout_is", ["file", "pipe"])
def test_train_out_to_stdout_keeps_status_lines_out_of_the_model(
    work, tmp_path, stdout_is
):
    # --out /dev/stdout sends the model through standard output: the task line and
    # "saved the model" must go to stderr, or they would corrupt the model file
    from glassnet import serialization

    args = [sys.executable, "-m", "glassnet", "train", "binary.csv", "--target"]
    args += ["label", "--hidden", "4", "--epochs", "2", "--out", "/dev/stdout"]
    received = tmp_path / "from-stdout.npz"
    if stdout_is == "file":
        with open(received, "wb") as sink:
            result = subprocess.run(
                args, cwd=work, stdout=sink, stderr=subprocess.PIPE, timeout=300
            )
    else:
        result = subprocess.run(args, cwd=work, capture_output=True, timeout=300)
        received.write_bytes(result.stdout)
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "task: binary, target 'label'" in err
    assert "saved the model to /dev/stdout" in err
    model = serialization.load(received)
    assert model.epoch == 2


def test_train_refuses_an_out_link_loop_before_training(tmp_path, monkeypatch, capsys):
    # atomic_write refuses a loop of links (ELOOP); the CLI's early check let it
    # through (realpath stops inside the loop) and training ran first
    from glassnet import cli

    rows = [[0, 1, "no"], [1, 0, "yes"], [0, 0, "no"], [1, 1, "yes"]]
    _write_csv(tmp_path / "d.csv", ["a", "b", "label"], rows)
    (tmp_path / "l1.npz").symlink_to("l2.npz")
    (tmp_path / "l2.npz").symlink_to("l1.npz")
    monkeypatch.chdir(tmp_path)
    args = ["train", "d.csv", "--target", "label", "--epochs", "1", "--out", "l1.npz"]
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no task line: refused before any training
    assert "--out l1.npz: its symbolic links form a loop" in captured.err


@pytest.mark.parametrize("n_rows", [3, 9])
def test_validation_split_advice_is_a_value_the_command_accepts(
    tmp_path, monkeypatch, capsys, n_rows
):
    # The largest valid fraction is (n-1)/n (the held-out count is rounded up);
    # 2/3 printed as 0.6667 is above it, and that advice was refused in turn.
    from glassnet import cli

    rows = [[i, i % 2, "yes" if i % 2 else "no"] for i in range(n_rows)]
    _write_csv(tmp_path / "d.csv", ["a", "b", "label"], rows)
    monkeypatch.chdir(tmp_path)
    base = ["train", "d.csv", "--target", "label", "--epochs", "1", "--quiet"]
    assert cli.main([*base, "--validation-split", "0.999"]) == 2
    err = capsys.readouterr().err
    advised = err.split("give at most ", 1)[1].split(",", 1)[0]
    assert float(advised) <= (n_rows - 1) / n_rows
    assert math.ceil(float(advised) * n_rows) == n_rows - 1  # still the largest
    assert cli.main([*base, "--validation-split", advised]) == 0, capsys.readouterr()


@pytest.mark.skipif(
    sys.platform == "win32", reason="symbolic links need privileges on Windows"
)
def test_predict_out_through_a_link_updates_the_linked_file(
    tmp_path, monkeypatch, capsys
):
    from glassnet import cli

    monkeypatch.chdir(tmp_path)
    rows = ["x1,x2,label"] + [f"{i % 3},{i % 2},{i % 2}" for i in range(8)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    train = ["train", "data.csv", "--target", "label", "--hidden", "2"]
    assert cli.main([*train, "--epochs", "1", "--quiet", "--out", "m.npz"]) == 0
    (tmp_path / "kept").mkdir()
    target = tmp_path / "kept" / "preds.csv"
    target.write_bytes(SENTINEL)
    (tmp_path / "preds.csv").symlink_to(target)
    assert cli.main(["predict", "m.npz", "data.csv", "--out", "preds.csv"]) == 0
    capsys.readouterr()
    assert (tmp_path / "preds.csv").is_symlink()
    assert target.read_text().startswith("prediction\n")
    assert len(target.read_text().splitlines()) == 9


# ------------------------------------------- hostile files and flags (issue 14)


def _edit_header(source: Path, target: Path, edit=None, text: bytes | None = None):
    """Copy the model file ``source`` to ``target`` with its JSON header edited."""
    import io
    import json

    with np.load(source, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    header = json.loads(arrays["__header__"].tobytes())
    if edit is not None:
        edit(header)
    raw = text if text is not None else json.dumps(header).encode()
    arrays["__header__"] = np.frombuffer(raw, np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    target.write_bytes(buffer.getvalue())
    return target


def _run(capsys, *argv) -> tuple[int, str, str]:
    from glassnet import cli

    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("edit", "text", "message"),
    [
        (None, b"[" * 5000 + b"]" * 5000, "nested more than MAX_HEADER_DEPTH=32"),
        (lambda h: h.update(classes=[]), None, "'classes' must be null or a list"),
        (lambda h: h.update(classes=-1), None, "Received: classes=-1"),
        (lambda h: h.update(classes="relu"), None, "Received: classes='relu'"),
        (
            lambda h: h["metadata"].update(features=[1, 2]),
            None,
            "metadata 'features' must be a list of column names",
        ),
    ],
    ids=["nested", "no-classes", "classes-int", "classes-str", "features"],
)
def test_edited_headers_are_one_line_errors_in_every_command(
    work, binary_model, capsys, monkeypatch, edit, text, message
):
    # nested: RecursionError tracebacks; classes: IndexError in predict
    monkeypatch.chdir(work)
    _edit_header(binary_model, work / "edited.npz", edit, text)
    for command in (
        ["summary", "edited.npz"],
        ["evaluate", "edited.npz", "binary.csv"],
        ["predict", "edited.npz", "binary.csv"],
    ):
        code, out, err = _run(capsys, *command)
        assert (code, out) == (2, ""), err
        assert err.startswith("glassnet: error: model file 'edited.npz' ")
        assert message in err and err.count("\n") == 1


def test_summary_of_a_header_without_glassnet_version(
    work, binary_model, capsys, monkeypatch
):
    # used to be KeyError: 'glassnet_version'
    monkeypatch.chdir(work)
    _edit_header(binary_model, work / "old.npz", lambda h: h.pop("glassnet_version"))
    code, out, err = _run(capsys, "summary", "old.npz")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        f"file: glassnet-model version {FORMAT_VERSION}, written by glassnet "
        "(version not recorded)"
    )


def test_resume_from_a_checkpoint_written_in_python(work, capsys, monkeypatch):
    # used to be KeyError: 'settings'
    import glassnet as gn

    monkeypatch.chdir(work)
    model = gn.Sequential([gn.Dense(2, 1, activation="sigmoid")], seed=0)
    model.compile("binary_crossentropy", "adam")
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    folder = work / "py-ck"
    folder.mkdir()
    checkpoint = gn.callbacks.ModelCheckpoint(str(folder / "checkpoint.npz"))
    model.fit(X, y, callbacks=[checkpoint])
    code, out, err = _run(
        capsys, "train", "binary.csv", "--target", "label", "--checkpoint", folder,
        "--resume", "--out", "never.npz",
    )  # fmt: skip
    assert (code, out) == (2, ""), err
    assert err == (
        f"glassnet: error: --resume: '{folder / 'checkpoint.npz'}' was not written "
        "by glassnet train (its metadata has no training settings), so it cannot be "
        "resumed from the command line; resume it in Python with glassnet.load(...) "
        "and fit(..., initial_epoch=model.epoch), or start afresh without --resume\n"
    )
    assert not (work / "never.npz").exists()


def test_a_feature_wider_than_float64_squares_trains_a_usable_model(
    tmp_path, capsys, monkeypatch
):
    # used to warn of overflow, exit 0 and write an infinite scale that every
    # later command refused as corrupted
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wide.csv").write_text(
        "a,b,label\n1e200,1,x\n-1e200,2,y\n1e200,3,x\n-1e200,4,y\n"
    )
    code, _, err = _run(
        capsys, "train", "wide.csv", "--target", "label", "--validation-split", "0",
        "--epochs", "2", "--hidden", "4", "--seed", "0", "--quiet",
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, out, err = _run(capsys, "predict", "model.npz", "wide.csv")
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 5
    code, out, err = _run(capsys, "evaluate", "model.npz", "wide.csv")
    assert (code, err) == (0, "")


def test_checkpoint_into_the_data_file_is_refused(work, capsys, monkeypatch):
    # used to replace the CSV being trained on with a checkpoint
    monkeypatch.chdir(work)
    folder = work / "ck-data"
    folder.mkdir()
    data = folder / "checkpoint.npz"
    data.write_bytes((work / "binary.csv").read_bytes())
    code, _, err = _run(
        capsys, "train", data, "--target", "label", "--checkpoint", folder,
        "--epochs", "1",
    )  # fmt: skip
    assert code == 2
    assert err == (
        f"glassnet: error: --checkpoint {data}: is the input file (DATA); writing "
        "there would destroy it. Give another file name\n"
    )
    assert data.read_bytes() == (work / "binary.csv").read_bytes()


def test_huge_integer_labels_never_merge(tmp_path, capsys, monkeypatch):
    # 99999999999999999999 and 100000000000000000000 were both 1e+20
    monkeypatch.chdir(tmp_path)
    labels = ["99999999999999999999", "100000000000000000000", "5"] * 6
    rows = "".join(f"{i % 3},{i % 2},{label}\n" for i, label in enumerate(labels))
    (tmp_path / "big.csv").write_text("a,b,label\n" + rows)
    code, out, err = _run(
        capsys, "train", "big.csv", "--target", "label", "--epochs", "1",
        "--hidden", "4", "--seed", "0",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith(
        "task: multiclass, target 'label', 3 classes (100000000000000000000, 5, "
        "99999999999999999999)"
    )
    code, out, err = _run(capsys, "predict", "model.npz", "big.csv")
    assert set(out.splitlines()[1:]) <= set(labels)


def test_a_file_without_line_breaks_is_refused_in_bounded_memory(tmp_path):
    # /dev/zero used to grow without bound (2.9 GB in 4 s), then advise --hidden
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = glassnet(
        "train", "/dev/zero", "--target", "label", cwd=tmp_path, preexec_fn=limit
    )
    _assert_refused(
        result,
        "^glassnet: error: /dev/zero: line 1 holds NUL bytes: a binary file, not "
        "CSV text",
    )
    (tmp_path / "long.csv").write_text("a" * ((1 << 24) + 10))
    result = glassnet(
        "train", "long.csv", "--target", "label", cwd=tmp_path, preexec_fn=limit
    )
    _assert_refused(
        result,
        "^glassnet: error: long.csv: line 1 runs past 16,777,216 characters "
        "without a line break .the bound MAX_LINE_CHARS.: not a CSV file$",
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--hidden", "²"], "--hidden must be comma-separated layer sizes >= 1"),
        (["--hidden", "8,٣"], None),  # Arabic-Indic three: a decimal, accepted
    ],
)
def test_hidden_sizes_in_other_scripts(work, capsys, monkeypatch, flags, message):
    # '²' used to give "invalid literal for int() with base 10" without the flag
    monkeypatch.chdir(work)
    code, _, err = _run(
        capsys, "train", "binary.csv", "--target", "label", "--epochs", "1",
        "--quiet", "--out", "digits.npz", *flags,
    )  # fmt: skip
    if message is None:
        assert (code, err) == (0, "")
    else:
        assert code == 2 and message in err and "Received: --hidden=²" in err


def test_csv_advice_names_what_the_command_accepts(tmp_path, capsys, monkeypatch):
    import gzip

    monkeypatch.chdir(tmp_path)
    (tmp_path / "semi.csv").write_text("a;b;label\n1;2;x\n3;4;y\n")
    (tmp_path / "packed.csv").write_bytes(gzip.compress(b"a,b,label\n1,2,x\n"))
    (tmp_path / "latin.csv").write_bytes("a,b,label\n1,2,caf\xe9\n".encode("latin-1"))
    flags = {"delimiter", "encoding"} & set(_train_flags())
    expected = {
        # used to say "Did you mean 'a;b;label'?"
        "semi.csv": "The cells seem separated by ';', not commas: save it "
        "comma-separated"
        + (", or pass --delimiter ';'" if "delimiter" in flags else ""),
        # a gzip file is read directly (tabular's --delimiter/--encoding too):
        # its one row has one class, and the message says so, not "gzip"
        "packed.csv": "the target has a single class ('x')",
        "latin.csv": "save it as UTF-8"
        + (", or pass --encoding NAME" if "encoding" in flags else ""),
    }
    for name, message in expected.items():
        code, _, err = _run(capsys, "train", name, "--target", "label")
        assert code == 2 and message in err, err
        assert "read_csv" not in err and "encoding=" not in err


def _train_flags() -> list[str]:
    from glassnet import cli

    parser = cli.build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    return [action.dest for action in train._actions]


def test_symlink_loops_are_named_as_loops(tmp_path, capsys, monkeypatch):
    # a MODEL that is a loop of links used to be reported as missing
    monkeypatch.chdir(tmp_path)
    os.symlink("b.npz", tmp_path / "a.npz")
    os.symlink("a.npz", tmp_path / "b.npz")
    os.symlink("a.npz", tmp_path / "loop.csv")
    code, _, err = _run(capsys, "summary", "a.npz")
    assert code == 2 and "model file 'a.npz': its symbolic links form a loop" in err
    code, _, err = _run(capsys, "train", "loop.csv", "--target", "y")
    assert code == 2 and "loop.csv: its symbolic links form a loop" in err
    os.symlink("gone.npz", tmp_path / "dangling.npz")
    code, _, err = _run(capsys, "summary", "dangling.npz")
    assert code == 2
    assert "'dangling.npz' is a link to 'gone.npz', which does not exist" in err


def test_a_full_disk_keeps_the_trained_model_and_names_the_file(
    work, tmp_path, capsys, monkeypatch
):
    # used to be "[Errno 28] No space left on device", after training, no file
    import tempfile

    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code, _, err = _run(
        capsys, "train", "binary.csv", "--target", "label", "--epochs", "2",
        "--quiet", "--seed", "0", "--out", "/dev/full",
    )  # fmt: skip
    kept = tmp_path / "glassnet-recovered-full.npz"
    assert code == 2
    assert err == (
        "glassnet: error: --out: cannot write '/dev/full': No space left on device; "
        f"the trained model was saved to {str(kept)!r} instead\n"
    )
    import glassnet as gn

    assert gn.load(kept).epoch == 2


def test_an_out_that_cannot_be_replaced_is_written_beside(
    work, tmp_path, capsys, monkeypatch
):
    # an immutable --out (chattr +i): the rename is refused after training
    import errno

    from glassnet import _files

    replace = os.replace

    def refuse(source, target):
        if str(target).endswith("fixed.npz"):
            raise PermissionError(errno.EPERM, "Operation not permitted")
        return replace(source, target)

    monkeypatch.setattr(_files.os, "replace", refuse)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_bytes((work / "binary.csv").read_bytes())
    (tmp_path / "fixed.npz").write_bytes(SENTINEL)
    code, _, err = _run(
        capsys, "train", "data.csv", "--target", "label", "--epochs", "1", "--quiet",
        "--out", "fixed.npz",
    )  # fmt: skip
    assert code == 2
    assert err == (
        "glassnet: error: --out: cannot write 'fixed.npz': Operation not permitted; "
        "the trained model was saved to 'fixed.recovered.npz' instead\n"
    )
    assert (tmp_path / "fixed.npz").read_bytes() == SENTINEL
    assert (tmp_path / "fixed.recovered.npz").stat().st_size > 0
    # with a checkpoint, that is where the trained model is
    code, _, err = _run(
        capsys, "train", "data.csv", "--target", "label", "--epochs", "1", "--quiet",
        "--out", "fixed.npz", "--checkpoint", "ck",
    )  # fmt: skip
    assert err == (
        "glassnet: error: --out: cannot write 'fixed.npz': Operation not permitted; "
        "the trained model is in the checkpoint 'ck/checkpoint.npz' (1/1 epochs): "
        "copy it to fixed.npz when there is room\n"
    )


def test_a_checkpoint_that_cannot_be_written_says_what_is_kept(
    work, tmp_path, capsys, monkeypatch
):
    import errno

    from glassnet import _files

    replace, calls = os.replace, []

    def full_at_second(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return replace(source, target)

    monkeypatch.setattr(_files.os, "replace", full_at_second)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_bytes((work / "binary.csv").read_bytes())
    code, _, err = _run(
        capsys, "train", "data.csv", "--target", "label", "--epochs", "3", "--quiet",
        "--checkpoint", "ck",
    )  # fmt: skip
    assert code == 2
    assert err == (
        "glassnet: error: cannot write 'ck/checkpoint.npz': No space left on device; "
        "training stopped in epoch 2/3 and nothing was written to model.npz; it holds "
        "the first 1 epoch(s): --resume continues from it\n"
    )


def test_a_value_past_float32_is_named_by_row_and_column(
    work, binary_model, capsys, monkeypatch
):
    # used to be two RuntimeWarnings, then "X must not contain NaN or infinity
    # ... X[1, 0]=inf" for a file holding no infinity
    monkeypatch.chdir(work)
    (work / "far.csv").write_text("a,b,label\n0.1,0.2,yes\n1e39,0.3,no\n")
    for command in ("predict", "evaluate"):
        code, out, err = _run(capsys, command, binary_model, "far.csv")
        assert (code, out) == (2, "")
        assert err == (
            "glassnet: error: far.csv: data row 2, column 'a': 1e+39 is out of range "
            "for the model: standardised as in training it exceeds float32's "
            "largest number (3.4e+38). Check that value\n"
        )


@pytest.mark.parametrize(
    ("setting", "value", "rule"),
    [
        ("batch_size", "x", "an integer >= 1"),
        ("validation_split", "0.2", "a number in \\[0, 1\\)"),
        ("hidden", [0], "a list of layer sizes >= 1"),
    ],
)
def test_resume_from_a_checkpoint_with_corrupted_settings(
    work, tmp_path, capsys, monkeypatch, setting, value, rule
):
    # validation_split '0.2' used to end in "'>' not supported between
    # instances of 'str' and 'int'", naming neither the file nor the setting
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_bytes((work / "binary.csv").read_bytes())
    args = ["train", "data.csv", "--target", "label", "--epochs", "1", "--quiet"]
    assert _run(capsys, *args, "--checkpoint", "ck")[0] == 0
    checkpoint = tmp_path / "ck" / "checkpoint.npz"
    _edit_header(
        checkpoint,
        checkpoint,
        lambda h: h["metadata"]["settings"].update({setting: value}),
    )
    code, out, err = _run(
        capsys, *args, "--epochs", "2", "--checkpoint", "ck", "--resume"
    )
    assert (code, out) == (2, "")
    assert re.fullmatch(
        "glassnet: error: --resume: the checkpoint 'ck/checkpoint.npz' has corrupted "
        f"training settings: {setting} must be {rule}. Received: {setting}=.*; start "
        "afresh without --resume\n",
        err,
    ), err
