"""The command line on tables: text columns, missing cells, scaling, early stopping,
the reading flags, example files, downloads, and every command the README and
--help show."""

from __future__ import annotations

import gzip
import os
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import cli, data
from glassnet.errors import DataError

REPO = Path(__file__).resolve().parents[1]
_CANDIDATES = [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
SHARED_DATA = Path(
    os.environ.get("GLASSNET_DATA")
    or next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _people(path: Path, rows) -> Path:
    lines = ["id,weight,height,sex,label"]
    lines += [",".join(map(str, row)) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _separable(n=40, seed=0):
    """Rows (id, weight, height, sex, label): label = yes when weight + height > 0."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        w, h = rng.normal(size=2)
        rows.append(
            (i, f"{w:.3f}", f"{h:.3f}", "FM"[i % 2], "yes" if w + h > 0 else "no")
        )
    return rows


# ------------------------------------------------------------- the encoder itself


def test_column_encoder_hand_worked():
    cells = np.array([["60", "male"], ["55", "female"], ["NA", "male"]])
    encoder = data.ColumnEncoder(impute="mean").fit(cells, ["weight", "sex"])
    # weight: mean of 60 and 55 = 57.5 fills NA; sex: sorted categories
    assert encoder.fill_ == {"weight": 57.5}
    assert encoder.feature_names_out() == ["weight", "sex=female", "sex=male"]
    new = np.array([["50", "female"], ["", "other"], ["7", "male"]])
    assert encoder.transform(new).tolist() == [
        [50.0, 1.0, 0.0],
        [57.5, 0.0, 0.0],  # the unseen category: all zeros, never a shift
        [7.0, 0.0, 1.0],
    ]
    assert encoder.unseen_ == [("sex", "other", 1)]
    again = data.ColumnEncoder.from_config(encoder.get_config())
    np.testing.assert_array_equal(again.transform(new), encoder.transform(new))


@pytest.mark.parametrize(
    "strategy, expected", [("mean", 4.0), ("median", 3.0), ("most_frequent", 3.0)]
)
def test_impute_strategies(strategy, expected):
    # column 1, 3, 3, 9 and one missing: mean 16/4, median (3 + 3)/2, mode 3
    cells = np.array([["1"], ["3"], ["?"], ["3"], ["9"]])
    encoder = data.ColumnEncoder(impute=strategy).fit(cells, ["x"])
    assert encoder.transform(cells)[2, 0] == expected


def test_encoder_refusals_name_the_cell():
    with pytest.raises(DataError, match=r"t.csv: line 9, column 'x': missing value"):
        data.ColumnEncoder().fit(
            np.array([["1"], ["N/A"]]), ["x"], path="t.csv", lines=[4, 9]
        )
    with pytest.raises(DataError, match=r"line 3, column 'x': expected a number, "):
        data.ColumnEncoder().fit(np.array([["1"], ["oops"]]), ["x"])
    fitted = data.ColumnEncoder().fit(np.array([["1"], ["2"]]), ["x"])
    with pytest.raises(DataError, match=r"line 2, column 'x': missing value"):
        fitted.transform(np.array([[""]]))
    with pytest.raises(ValueError, match="impute must be None or one of"):
        data.ColumnEncoder(impute="zero")


# ------------------------------------------------------------- train and predict


def test_text_columns_missing_cells_and_unseen_categories(here, capsys):
    rows = _separable()
    rows[3] = (3, "NA", rows[3][2], rows[3][3], rows[3][4])
    _people(here / "p.csv", rows)
    code, _, err = _run(capsys, "train", "p.csv", "--target", "label", "--seed", "0")
    assert code == 2
    assert err == (
        "glassnet: error: p.csv: line 5, column 'weight': missing value ('NA'); "
        "fill it in, pass --drop weight, or pass --impute mean, median or "
        "most_frequent\n"
    )
    code, _, err = _run(
        capsys, "train", "p.csv", "--target", "label", "--seed", "0",
        "--drop", "id", "--impute", "median", "--quiet", "--out", "m.npz",
    )  # fmt: skip
    assert code == 0, err
    model = gn.load(here / "m.npz")
    present = [float(r[1]) for i, r in enumerate(rows) if i != 3]
    columns = model.metadata["columns"]
    assert columns["fill"] == {"weight": pytest.approx(float(np.median(present)))}
    assert columns["categories"] == {"sex": ["F", "M"]}
    assert model.metadata["features"] == ["weight", "height", "sex"]
    assert model.metadata["ignored"] == ["id"]
    assert model.layers[0].params["W"].shape[0] == 4  # weight, height, sex=F, sex=M

    (here / "new.csv").write_text("id,weight,height,sex\n7,2,2,X\n8,-2,-2,M\n")
    code, out, err = _run(capsys, "predict", "m.npz", "new.csv", "--proba")
    assert code == 0, err
    assert err == (
        "glassnet: warning: new.csv: column 'sex': 1 row(s) hold 'X', a category "
        "not seen in training (F, M); their 'sex' columns are all zero\n"
    )
    lines = out.splitlines()
    assert lines[0] == "prediction,p_no,p_yes"
    assert [line.split(",")[0] for line in lines[1:]] == ["yes", "no"]
    for cell in (c for line in lines[1:] for c in line.split(",")[1:]):
        digits = re.sub(r"e[-+]\d+$", "", cell).replace(".", "").lstrip("0")
        assert len(digits) <= 6, cell  # 6 significant digits, not float32's 17


def test_regression_target_is_standardised_and_predicted_in_its_units(here, capsys):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=200)
    price = 150_000 + 40_000 * x  # a target far from unit scale
    lines = ["x,price"] + [f"{a:.4f},{b:.2f}" for a, b in zip(x, price, strict=True)]
    (here / "h.csv").write_text("\n".join(lines) + "\n")
    code, _, err = _run(
        capsys, "train", "h.csv", "--target", "price", "--hidden", "8",
        "--seed", "0", "--lr", "0.01", "--quiet", "--out", "h.npz",
    )  # fmt: skip
    assert code == 0, err
    scaling = gn.load(here / "h.npz").metadata["target_scaling"]
    assert scaling["mean"] == pytest.approx(price.mean(), rel=1e-6)
    assert scaling["scale"] == pytest.approx(price.std(), rel=1e-6)
    code, out, _ = _run(capsys, "predict", "h.npz", "h.csv")
    predicted = np.array([float(v) for v in out.splitlines()[1:]])
    # within 2 % of the target's spread, in dollars (not standardised units)
    assert np.abs(predicted - price).mean() < 0.02 * 80_000
    code, out, _ = _run(capsys, "evaluate", "h.npz", "h.csv")
    mae = float(dict(line.split() for line in out.splitlines())["mae"])
    assert mae == pytest.approx(np.abs(predicted - price).mean(), rel=1e-3)


def test_early_stopping_keeps_the_best_epoch(here, capsys):
    _people(here / "p.csv", _separable(60))
    code, out, err = _run(
        capsys, "train", "p.csv", "--target", "label", "--drop", "id,sex",
        "--hidden", "32", "--lr", "0.05", "--patience", "3", "--seed", "0",
        "--epochs", "500", "--out", "m.npz",
    )  # fmt: skip
    assert code == 0, err
    model = gn.load(here / "m.npz")
    val = model.history.history["val_loss"]
    best = model.metadata["best_epoch"]
    assert best == int(np.argmin(val)) + 1
    assert model.epoch == best + 3 < 500  # stopped after 3 epochs without progress
    assert f"in epoch {best} of {model.epoch}; the model keeps" in out
    # the saved weights are the best epoch's: evaluating gives its val_loss
    code, out, _ = _run(capsys, "summary", "m.npz")
    assert f"training: best epoch {best} (" in out and "seed 0; batch size 32" in out


def test_patience_zero_trains_every_epoch(here, capsys):
    _people(here / "p.csv", _separable(30))
    code, _, err = _run(
        capsys, "train", "p.csv", "--target", "label", "--drop", "id",
        "--patience", "0", "--epochs", "7", "--quiet", "--out", "m.npz",
    )  # fmt: skip
    assert code == 0, err
    model = gn.load(here / "m.npz")
    assert model.epoch == 7 and "best_epoch" not in model.metadata


def test_features_drop_delimiter_encoding_and_gzip(here, capsys):
    rows = _separable()
    text = "id;weight;height;sex;label\n" + "".join(
        f"{i};{w};{h};{'é' if s == 'F' else 'ü'};{y}\n" for i, w, h, s, y in rows
    )
    (here / "p.csv.gz").write_bytes(gzip.compress(text.encode("latin-1")))
    common = ["train", "p.csv.gz", "--target", "label", "--quiet", "--seed", "0"]
    code, _, err = _run(capsys, *common, "--features", "weight,sex")
    assert code == 2 and "not utf-8" in err and "--encoding NAME" in err
    code, _, err = _run(capsys, *common, "--encoding", "latin-1")
    assert code == 2 and "or pass --delimiter ';'" in err  # advice names the flag
    code, _, err = _run(
        capsys, *common, "--delimiter", ";", "--encoding", "latin-1",
        "--features", "weight,sex", "--out", "m.npz",
    )  # fmt: skip
    assert code == 0, err
    model = gn.load(here / "m.npz")
    assert model.metadata["features"] == ["weight", "sex"]
    assert model.metadata["ignored"] == ["id", "height"]
    assert model.metadata["columns"]["categories"] == {"sex": ["é", "ü"]}
    code, out, err = _run(
        capsys, "evaluate", "m.npz", "p.csv.gz", "--delimiter", ";",
        "--encoding", "latin-1",
    )  # fmt: skip
    assert code == 0, err and "accuracy" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--drop", "nope"], "p.csv: no column(s) 'nope' to drop. Columns: 'id'"),
        (["--drop", "label"], "the target column 'label' cannot be dropped"),
        (
            ["--features", "weight,nope"],
            "--features: p.csv has no feature column(s) 'nope'",
        ),
        (["--features", ""], "--features must name columns"),
        (["--delimiter", "::"], "--delimiter must be one character"),
        (["--patience", "-1"], "--patience"),
        (["--impute", "zero"], "invalid choice: 'zero'"),
    ],
)
def test_tabular_flags_refuse_bad_values(here, capsys, args, message):
    _people(here / "p.csv", _separable(10))
    with pytest.raises(SystemExit) if "invalid choice" in message else _nothing():
        code, _, err = _run(capsys, "train", "p.csv", "--target", "label", *args)
        assert code == 2 and message in err, err
    if "invalid choice" in message:
        assert message in capsys.readouterr().err


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_missing_target_cell_is_refused_not_a_class(here, capsys):
    rows = _separable(10)
    rows[4] = (*rows[4][:4], "NA")
    _people(here / "p.csv", rows)
    code, _, err = _run(capsys, "train", "p.csv", "--target", "label")
    assert code == 2
    assert "p.csv: line 6, target column 'label': missing value ('NA')" in err


# ------------------------------------------------------------- example, download


def test_example_writes_the_files_and_keeps_existing_ones(here, capsys):
    code, out, _ = _run(capsys, "example")
    assert code == 0 and out.count("wrote ") == 4
    flowers = data.read_csv(here / "flowers.csv", "species")
    test = data.read_csv(here / "flowers-test.csv", "species")
    assert flowers.n_samples == 120 and test.n_samples == 30
    assert sorted(np.unique(test.y, return_counts=True)[1].tolist()) == [10, 10, 10]
    people = data.read_csv(here / "people.csv", "gender", drop=["name"])
    assert people.X.tolist() == [[133, 65], [160, 72], [152, 70], [120, 60]]
    (here / "people.csv").write_text("mine\n")
    code, _, err = _run(capsys, "example")
    assert "kept people.csv" in err and (here / "people.csv").read_text() == "mine\n"


def test_download_fetches_checks_and_reports(here, capsys, monkeypatch):
    from glassnet import datasets

    source = SHARED_DATA / "mnist"
    if not (source / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("needs the MNIST IDX files (../shared/data or GLASSNET_DATA)")
    fetched = []

    def local(url, out):  # a file "server": no network here
        fetched.append(url)
        out.write((source / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(datasets, "_fetch", local)
    code, out, err = _run(capsys, "download", "mnist", "--dir", "d")
    assert code == 0, err
    assert "60,000 training and 10,000 test images in d/mnist" in out
    assert len(fetched) == 4 and sorted(os.listdir(here / "d" / "mnist")) == sorted(
        f"{stem}.gz" for stem in datasets._STEMS
    )
    assert "export GLASSNET_DATA=d" in out


def test_download_failure_is_one_line_and_keeps_nothing(here, capsys, monkeypatch):
    from glassnet import datasets

    def broken(url, out):
        out.write(b"not the file")

    monkeypatch.setattr(datasets, "_fetch", broken)
    code, _, err = _run(capsys, "download", "fashion-mnist", "--dir", "d")
    assert code == 2 and "SHA-256 mismatch" in err and "Traceback" not in err
    assert not any((here / "d").rglob("*.gz"))


# ------------------------------------------------------------- the documented commands


def _documented_commands() -> list[str]:
    """Every glassnet command in the README's CLI section and the --help examples."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### From the command line") :]
    section = section[: section.index("### Model files")]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.S):
        commands += [line for line in block.splitlines() if line.startswith("glassnet")]
    parser = cli.build_parser()
    for line in parser.epilog.splitlines():
        if line.strip().startswith("glassnet "):
            commands.append(line.strip())
    subparsers = parser._subparsers._group_actions[0].choices
    for sub in subparsers.values():
        for line in (sub.epilog or "").splitlines():
            if line.strip().startswith("glassnet "):
                commands.append(line.strip())
    return commands


def test_every_documented_command_works_as_written(here, capsys, monkeypatch):
    commands = _documented_commands()
    assert any("flowers-test.csv" in c for c in commands)
    assert cli.main(["example"]) == 0
    ran = 0
    for command in commands:
        argv = shlex.split(command, comments=True)[1:]
        if "mnist" in argv or "fashion-mnist" in argv or argv[0] == "export":
            continue  # downloads and long trainings, and the onnx extra: tested apart
        if argv[0] == "demo" and "--plot" in argv:
            pytest.importorskip("matplotlib")
        if "&&" in argv:
            argv = argv[: argv.index("&&")]
        if "--epochs" in argv and argv[0] == "train":  # fewer epochs: same paths
            argv[argv.index("--epochs") + 1] = "5"
        if argv[0] == "train" and "--resume" in argv:
            continue  # resuming is tested with its checkpoint in test_cli
        if argv[0] == "playground":
            continue  # serves until Ctrl-C: tests/test_playground.py runs it
        capsys.readouterr()
        code = cli.main([*argv, "--quiet"] if argv[0] == "train" else argv)
        assert code == 0, (command, capsys.readouterr().err)
        ran += 1
    assert ran >= 12


def test_tables_benchmark_runs_in_quick_mode():
    import subprocess
    import sys

    pytest.importorskip("sklearn")
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "tables.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"\| iris +\| 150 x 4 +\| accuracy \| \d", result.stdout)
