"""glassnet.data: CSV reading, targets, standardisation, splits, one-hot."""

import json

import numpy as np
import pytest

from glassnet.data import (
    CSVData,
    LabelEncoder,
    Standardizer,
    encode_target,
    infer_task,
    minibatches,
    one_hot,
    read_csv,
    select_columns,
    split_indices,
    train_test_split,
    validation_split,
)
from glassnet.data import csv as csv_module
from glassnet.errors import DataError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------ read_csv


def test_read_csv_features_and_string_target(tmp_path):
    path = write(tmp_path, "weight,height,gender\n-2,-1,F\n25, 6 ,M\n\n17,4,M\n")
    table = read_csv(path, target="gender")
    assert table.feature_names == ["weight", "height"]
    assert table.X.dtype == np.float64
    assert table.X.tolist() == [[-2, -1], [25, 6], [17, 4]]
    assert table.y.tolist() == ["F", "M", "M"]
    assert table.target == "gender" and table.n_samples == 3


def test_read_csv_target_in_the_middle_and_numeric_targets(tmp_path):
    path = write(tmp_path, "a,label,b\n1.5,1,2e3\n-0.5,0,+4\n")
    table = read_csv(path, target="label")
    assert table.feature_names == ["a", "b"]
    assert table.X.tolist() == [[1.5, 2000.0], [-0.5, 4.0]]
    assert table.y.dtype == np.int64 and table.y.tolist() == [1, 0]
    floats = read_csv(write(tmp_path, "x,y\n1,0.5\n2,1.25\n"), target="y")
    assert floats.y.dtype == np.float64 and floats.y.tolist() == [0.5, 1.25]


def test_read_csv_zero_padded_codes_are_labels(tmp_path):
    # "01" and "1" are two labels; as integers they merged into one class
    codes = read_csv(write(tmp_path, "x,code\n1,01\n2,1\n3,007\n"), target="code")
    assert codes.y.tolist() == ["01", "1", "007"]
    assert encode_target(codes.y)[2].classes_.tolist() == ["007", "01", "1"]
    # asked for regression, the same text is still numbers
    task, values, _ = encode_target(codes.y, "regression")
    assert values.tolist() == [1.0, 1.0, 7.0]
    # more distinct values than a classifier takes: a padded number, as before
    rows = "".join(f"{i},{i:03d}\n" for i in range(25))
    many = read_csv(write(tmp_path, "x,y\n" + rows), target="y")
    assert many.y.dtype == np.int64 and many.y[:3].tolist() == [0, 1, 2]


def test_read_csv_skips_lines_of_only_spaces(tmp_path):
    # "blank lines are skipped": a line of spaces or a tab is blank too
    table = read_csv(write(tmp_path, "a,y\n1,0\n  \n2,1\n\t\n"), target="y")
    assert table.X.tolist() == [[1.0], [2.0]] and table.y.tolist() == [0, 1]
    # but in a one-column file such a line is a row with an empty cell
    with pytest.raises(DataError, match="line 3, column 'a': expected a number"):
        read_csv(write(tmp_path, "a\n1\n  \n"))


def test_read_csv_without_target_reads_every_column(tmp_path):
    table = read_csv(write(tmp_path, "a,b\n1,2\n"))
    assert table.feature_names == ["a", "b"] and table.y is None


def test_read_csv_strips_bom_and_quotes(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes('\ufeff"a","b"\r\n"1","x, y"\r\n'.encode())
    table = read_csv(path, target="b")
    assert table.feature_names == ["a"] and table.y.tolist() == ["x, y"]


def test_read_csv_semicolons(tmp_path):
    table = read_csv(write(tmp_path, "a;b\n1;2\n"), delimiter=";")
    assert table.X.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("", None, r"data\.csv: the file is empty \(expected a header line\)"),
        ("\n\n", None, "the file is empty"),
        ("a,b,y\n", "y", r"data\.csv: has a header but no data rows"),
        ("a,b,a\n1,2,3\n", None, r"duplicate column names: 'a'"),
        ("a,,y\n1,2,3\n", "y", r"header column 2 has no name"),
        (
            "a,b,y\n1,2,0\n3,4\n",
            "y",
            r"data\.csv: line 3 has 2 cells but the header has 3 columns",
        ),
        (
            "a,b,y\n1,2,0\n1,2,3,4\n",
            "y",
            r"line 3 has 4 cells but the header has 3 columns",
        ),
        (
            "a,b,y\n1,2,0\n3,four,1\n",
            "y",
            r"data\.csv: line 3, column 'b': expected a number, found 'four'",
        ),
        (
            "a,b,y\n1,,0\n",
            "y",
            r"line 2, column 'b': expected a number, found an empty cell",
        ),
        (
            "a,b,y\n1,nan,0\n",
            "y",
            r"line 2, column 'b': 'nan' is not a finite number "
            r"\(NaN and infinity are not allowed\)",
        ),
        (
            "a,b,y\n1,2,0\n-inf,2,1\n",
            "y",
            r"line 3, column 'a': '-inf' is not a finite",
        ),
        ("a,b,y\n1,2,0\n1,2,inf\n", "y", r"line 3, column 'y': 'inf' is not a finite"),
        ("a,b,y\n1,2,\n", "y", r"line 2, target column 'y': empty cell"),
        (
            "a,b,y\n1,2,0\n",
            "label",
            r"no target column 'label'\. Columns: 'a', 'b', 'y'\.$",
        ),
        ("a,b,Y\n1,2,0\n", "y", r"Columns: 'a', 'b', 'Y'\. Did you mean 'Y'\?"),
        ("y\n1\n", "y", r"no feature columns besides the target 'y'"),
        # a semicolon or tab file read as one column: say so, not just "no target"
        (
            "a;b;y\n1;2;0\n",
            "y",
            r"Columns: 'a;b;y'\. The cells seem separated by "
            r"';', not commas: save it comma-separated, or pass delimiter=';' "
            r"to read_csv$",
        ),
        ("a\tb\ty\n1\t2\t0\n", "y", r"separated by '\\t', not commas"),
    ],
)
def test_read_csv_bad_files(tmp_path, text, target, message):
    with pytest.raises(DataError, match=message):
        read_csv(write(tmp_path, text), target=target)


def test_read_csv_target_must_be_a_name(tmp_path):
    with pytest.raises(TypeError, match=r"target must be a column name \(str\)\. "):
        read_csv(write(tmp_path, "a,b\n1,2\n"), target=1)


def test_read_csv_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv: no such file"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a directory, not a CSV file"):
        read_csv(tmp_path)


def test_read_csv_binary_garbage(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    with pytest.raises(
        DataError, match=r"image\.csv: not utf-8 text \(byte 0x89 cannot be decoded\)"
    ):
        read_csv(path)


def test_read_csv_other_encodings(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("x,ville\n1,Orléans\n".encode("latin-1"))
    with pytest.raises(DataError, match="for another encoding pass encoding="):
        read_csv(path, target="ville")
    assert read_csv(path, target="ville", encoding="latin-1").y.tolist() == ["Orléans"]


def test_read_csv_with_model_features_reorders_and_names_wrong_columns(tmp_path):
    path = write(tmp_path, "b,a,y\n2,1,cat\n")
    table = read_csv(path, target="y", features=["a", "b"])
    assert table.feature_names == ["a", "b"] and table.X.tolist() == [[1.0, 2.0]]
    with pytest.raises(
        DataError,
        match=r"missing column\(s\) 'c'; unexpected column\(s\) 'b'\. "
        r"Expected: 'a', 'c'",
    ):
        read_csv(path, target="y", features=["a", "c"])


def test_read_csv_predict_data_may_lack_the_target(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n")
    table = read_csv(path, target="y", features=["a", "b"], require_target=False)
    assert table.y is None and table.target is None
    with pytest.raises(DataError, match="no target column 'y'"):
        read_csv(path, target="y", features=["a", "b"])


def test_read_csv_predict_data_may_leave_the_target_blank(tmp_path):
    # a target column still to be filled in: predict must not refuse the file
    path = write(tmp_path, "a,y,b\n1,,2\n3,yes,4\n")
    table = read_csv(path, target="y", features=["b", "a"], require_target=False)
    assert table.y is None and table.X.tolist() == [[2.0, 1.0], [4.0, 3.0]]
    with pytest.raises(DataError, match="line 2, target column 'y': empty cell"):
        read_csv(path, target="y", features=["b", "a"])


def test_select_columns():
    table = CSVData("t.csv", ["b", "a", "c"], np.array([[2.0, 1.0, 3.0]]))
    chosen = select_columns(table, ["a", "b", "c"])
    assert chosen.X.tolist() == [[1.0, 2.0, 3.0]]
    assert chosen.feature_names == ["a", "b", "c"]
    with pytest.raises(DataError, match=r"t\.csv: .*unexpected column\(s\) 'c'"):
        select_columns(table, ["a", "b"])
    with pytest.raises(DataError, match=r"missing column\(s\) 'd'"):
        select_columns(table, ["a", "b", "c", "d"])


# ------------------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("y", "task"),
    [
        (["cat", "dog"], "binary"),
        (np.array(["a", "b", "c", "a"]), "multiclass"),
        ([0, 1, 1], "binary"),
        ([3, 1, 2], "multiclass"),
        ([0.0, 1.0, 1.0], "binary"),  # whole-number floats are labels
        ([True, False], "binary"),
        ([0.5, 1.5, 1.5], "regression"),
        (np.arange(50), "regression"),  # many distinct integers: a quantity
        (np.array([[0], [1]]), "binary"),
    ],
)
def test_infer_task(y, task):
    assert infer_task(y) == task


def test_infer_task_single_class():
    with pytest.raises(DataError, match=r"the target has a single class \('yes'\)"):
        infer_task(["yes", "yes"])
    with pytest.raises(DataError, match=r"single class \(1\)"):
        infer_task([1, 1, 1])


def test_label_encoder_round_trip_and_config():
    encoder = LabelEncoder().fit(["virginica", "setosa", "versicolor", "setosa"])
    assert encoder.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    codes = encoder.transform(["versicolor", "setosa", "virginica"])
    assert codes.dtype == np.int64 and codes.tolist() == [1, 0, 2]
    assert encoder.inverse_transform(codes).tolist() == [
        "versicolor",
        "setosa",
        "virginica",
    ]
    config = json.loads(json.dumps(encoder.get_config()))
    again = LabelEncoder.from_config(config)
    assert again.transform(["virginica"]).tolist() == [2]


def test_label_encoder_numbers_and_errors():
    encoder = LabelEncoder().fit(np.array([5, 3, 5]))
    assert encoder.transform([3, 5]).tolist() == [0, 1]
    assert json.dumps(encoder.get_config()) == '{"classes": [3, 5]}'
    with pytest.raises(DataError, match=r"unknown label\(s\) \[4\]; the known"):
        encoder.transform([3, 4])
    with pytest.raises(ValueError, match=r"indices must be integers in \[0, 2\)"):
        encoder.inverse_transform([2])
    with pytest.raises(ValueError, match="LabelEncoder is not fitted yet"):
        LabelEncoder().transform([1])


def test_encode_target():
    task, codes, encoder = encode_target(np.array(["M", "F", "F", "X"]))
    assert task == "multiclass" and codes.tolist() == [1, 0, 0, 2]
    assert encoder.classes_.tolist() == ["F", "M", "X"]
    task, values, encoder = encode_target(np.array([0.5, 1.5]))
    assert task == "regression" and encoder is None
    assert values.dtype == np.float64
    task, values, _ = encode_target([1, 0, 1], task="regression")
    assert values.tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="task must be one of 'binary'"):
        encode_target([0, 1], task="ranking")
    with pytest.raises(DataError, match="a regression target must hold numbers"):
        encode_target(["a", "b"], task="regression")
    with pytest.raises(DataError, match="single class"):
        encode_target(["a", "a"], task="binary")


def test_one_hot():
    # Rows pick the column of their label: 2 -> [0, 0, 1], 0 -> [1, 0, 0].
    assert one_hot([2, 0, 1], 3).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert one_hot(np.array([1, 3])).shape == (2, 4)
    assert one_hot([0], 2).dtype == np.float32
    assert one_hot([0], 2, dtype="float64").dtype == np.float64
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 3\)"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="labels must be a 1-D array of integers"):
        one_hot([0.5], 2)


# ----------------------------------------------------------------- standardisation


def test_standardizer_by_hand():
    X = np.array([[1.0, 10.0, 7.0], [3.0, 20.0, 7.0], [5.0, 60.0, 7.0]])
    scaler = Standardizer().fit(X)
    # column 0: mean 3, deviations -2, 0, 2, variance 8/3
    # column 1: mean 30, deviations -20, -10, 30, variance 1400/3
    # column 2: constant, so scale 1 and it becomes zeros
    np.testing.assert_allclose(scaler.mean_, [3.0, 30.0, 7.0])
    np.testing.assert_allclose(
        scaler.scale_, [np.sqrt(8 / 3), np.sqrt(1400 / 3), 1.0], rtol=1e-15
    )
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z[:, 0], np.array([-2, 0, 2]) / np.sqrt(8 / 3))
    np.testing.assert_allclose(Z[:, 1], np.array([-20, -10, 30]) / np.sqrt(1400 / 3))
    assert Z[:, 2].tolist() == [0.0, 0.0, 0.0]
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-14)


def test_standardizer_matches_sklearn():
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 4))
    ours = Standardizer().fit_transform(X)
    np.testing.assert_allclose(
        ours, preprocessing.StandardScaler().fit_transform(X), rtol=1e-12, atol=1e-12
    )


def test_standardizer_keeps_float32_and_one_sample():
    scaler = Standardizer().fit([[0.0, 0.0], [2.0, 4.0]])
    assert scaler.transform(np.ones((3, 2), np.float32)).dtype == np.float32
    assert scaler.transform([2.0, 4.0]).tolist() == [1.0, 1.0]  # 1-D: one sample
    assert scaler.transform(np.array([[2, 4]])).dtype == np.float64


def test_standardizer_config_is_json_and_exact():
    X = np.random.default_rng(1).normal(size=(7, 3)) * [1e-3, 1.0, 1e6]
    scaler = Standardizer().fit(X)
    config = json.loads(json.dumps({"name": scaler.name, **scaler.get_config()}))
    again = Standardizer.from_config(config)
    assert np.array_equal(again.mean_, scaler.mean_)
    assert np.array_equal(again.scale_, scaler.scale_)
    assert np.array_equal(again.transform(X), scaler.transform(X))


def test_standardizer_errors():
    with pytest.raises(ValueError, match="Standardizer is not fitted yet"):
        Standardizer().transform([[1.0]])
    scaler = Standardizer().fit([[1.0, 2.0]])
    with pytest.raises(
        ValueError, match=r"expects inputs with 2 features .* Received: shape \(1, 3\)"
    ):
        scaler.transform([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="X must not contain NaN"):
        Standardizer().fit([[np.nan]])
    with pytest.raises(ValueError, match="a Standardizer config needs"):
        Standardizer.from_config({"mean": [0.0], "scale": [0.0]})


# -------------------------------------------------------------------------- splits


def test_split_indices_partition_and_seed():
    train, test = split_indices(10, 0.3, seed=4)
    assert len(test) == 3 and len(train) == 7
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(10))
    again = split_indices(10, 0.3, seed=4)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert len(split_indices(10, 0.21)[1]) == 3  # ceil(2.1), like scikit-learn
    assert len(split_indices(10, 4)[1]) == 4


def test_stratified_split_keeps_class_proportions():
    # 60 / 30 / 10 samples; 20 % to test gives exactly 12 / 6 / 2.
    y = np.repeat(np.array(["a", "b", "c"]), [60, 30, 10])
    X = np.arange(100).reshape(100, 1)
    for seed in range(5):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, 0.2, seed=seed, stratify=True
        )
        classes, counts = np.unique(y_test, return_counts=True)
        assert classes.tolist() == ["a", "b", "c"] and counts.tolist() == [12, 6, 2]
        assert np.array_equal(y[X_test[:, 0]], y_test)
        assert len(y_train) == 80


def test_stratified_split_largest_remainders():
    # 7 test places among 10 / 10 / 5: exact shares 2.8, 2.8, 1.4 -> floors 2, 2, 1
    # and the two extra places go to the largest remainders (0.8, 0.8): 3, 3, 1.
    y = np.repeat([0, 1, 2], [10, 10, 5])
    _, test = split_indices(25, 7, seed=0, stratify=y)
    assert np.bincount(y[test]).tolist() == [3, 3, 1]


def test_validation_split_and_errors():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    (X_fit, y_fit), (X_val, y_val) = validation_split(X, y, 0.2, seed=0, stratify=True)
    assert X_fit.shape == (8, 2) and X_val.shape == (2, 2)
    assert sorted(y_val.tolist()) == [0, 1]
    with pytest.raises(ValueError, match=r"test_size must leave at least one sample"):
        train_test_split(X, y, 0.0)
    with pytest.raises(ValueError, match="test_size must leave at least one sample"):
        train_test_split(X, y, 10)
    with pytest.raises(ValueError, match=r"test_size must be a finite number"):
        train_test_split(X, y, 1.5)
    with pytest.raises(ValueError, match="X and y must have the same number"):
        train_test_split(X, y[:5])


def test_minibatches():
    assert [b.tolist() for b in minibatches(7, 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    batches = list(minibatches(7, 3, np.random.default_rng(0)))
    expected = np.random.default_rng(0).permutation(7)
    assert np.array_equal(np.concatenate(batches), expected)
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1"):
        list(minibatches(7, 0))


def test_read_csv_in_chunks_keeps_rows_and_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_module, "_CHUNK_CELLS", 5)  # chunks of one 3-cell row
    rows = [[i, 2 * i, i % 2] for i in range(7)]
    text = "a,b,y\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows)
    table = read_csv(write(tmp_path, text + "\n"), target="y")
    assert table.X.tolist() == [[a, b] for a, b, _ in rows]
    assert table.y.tolist() == [y for _, _, y in rows]
    with pytest.raises(DataError, match=r"line 8, column 'b': expected a number"):
        read_csv(write(tmp_path, text.replace("6,12,0", "6,x,0")), target="y")
    with pytest.raises(DataError, match=r"line 7, column 'a': 'inf' is not"):
        read_csv(write(tmp_path, text.replace("5,10,1", "inf,10,1")), target="y")


def test_read_csv_single_feature_column(tmp_path):
    table = read_csv(write(tmp_path, "x,y\n1.5,a\n2.5,b\n"), target="y")
    assert table.X.tolist() == [[1.5], [2.5]]


# ------------------------------------------- hostile files and arguments (issue 14)


def test_standardizer_on_values_whose_squares_overflow():
    # 1e200 squared is inf: the scale used to be inf (and warned of overflow)
    X = np.array([[1e200, 1.0], [-1e200, 2.0], [1e200, 3.0], [-1e200, 4.0]])
    scaler = Standardizer().fit(X)
    # column 0: mean 0, population std 1e200 exactly; column 1 by the plain formula
    assert scaler.mean_.tolist() == [0.0, 2.5]
    assert scaler.scale_[0] == pytest.approx(1e200, rel=1e-15)
    assert scaler.scale_[1] == np.std([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(scaler.transform(X)[:, 0], [1, -1, 1, -1])
    with pytest.raises(DataError, match=r"X\[:, 0\] spans from -1.7e\+308 to 1.7e"):
        Standardizer().fit([[1.7e308], [1.7e308], [-1.7e308]])


def test_read_csv_refuses_a_bogus_encoding_and_repeated_features(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,2,3\n")
    # used to be LookupError: unknown encoding: bogus
    with pytest.raises(ValueError, match="Received: encoding='bogus'"):
        read_csv(path, "y", encoding="bogus")
    # used to be accepted, reading column a twice
    with pytest.raises(ValueError, match="features must name each column once.*'a'"):
        read_csv(path, "y", features=["a", "a"])


def test_read_csv_keeps_integer_labels_past_int64_as_written(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,y\n1,99999999999999999999\n2,100000000000000000000\n3,5\n")
    assert read_csv(path, "y").y.tolist() == [
        "99999999999999999999",
        "100000000000000000000",
        "5",
    ]
    # more distinct values than classes: numbers (regression), as before
    many = "".join(f"{i},{10**20 + i * 10**5}\n" for i in range(30))
    path.write_text("a,y\n" + many)
    assert read_csv(path, "y").y.dtype == np.float64


def test_read_csv_says_what_a_non_text_file_is(tmp_path, monkeypatch):
    import gzip

    path = tmp_path / "t.csv"
    for content, message in [
        (gzip.compress(b"a,y\n1,2\n")[:-6], "t.csv: a damaged gzip file"),
        (b"PK\x03\x04rest", "the file is a zip archive"),
        (b"a,y\n1,\x00\n", "line 2 holds NUL bytes: a binary file"),
        ("a,y\n".encode("utf-16"), "starts with a UTF-16 byte-order mark"),
        ("a,y\n".encode("utf-16-le"), "line 1 holds NUL bytes"),
    ]:
        path.write_bytes(content)
        with pytest.raises(DataError, match=message):
            read_csv(path, "y")
    monkeypatch.setattr(csv_module, "MAX_LINE_CHARS", 8)
    path.write_text("a,y\n1,2\n123456789,1\n")
    with pytest.raises(DataError, match="line 3 runs past 8 characters"):
        read_csv(path, "y")


def test_read_csv_names_link_loops_and_dangling_links(tmp_path):
    import os

    os.symlink("b.csv", tmp_path / "a.csv")
    os.symlink("a.csv", tmp_path / "b.csv")
    with pytest.raises(DataError, match="a.csv: its symbolic links form a loop"):
        read_csv(tmp_path / "a.csv", "y")
    os.symlink("gone.csv", tmp_path / "c.csv")
    with pytest.raises(DataError, match="is a link to 'gone.csv', which does not"):
        read_csv(tmp_path / "c.csv", "y")


def test_read_csv_hints_at_the_separator_before_a_close_name(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b;label\n1;2;x\n")
    with pytest.raises(DataError) as info:
        read_csv(path, "label")
    assert "Did you mean" not in str(info.value)
    assert "pass delimiter=';' to read_csv" in str(info.value)


def test_a_wrong_utf16_encoding_names_the_file(tmp_path):
    # UnicodeError (not UnicodeDecodeError) escaped, unnamed: "UTF-16 stream
    # does not start with BOM"
    from glassnet.data import read_header

    path = tmp_path / "t.csv"
    path.write_text("a,y\n1,2\n")
    with pytest.raises(DataError, match=r"t.csv: not utf-16 text \(UTF-16 stream"):
        read_csv(path, "y", encoding="utf-16")
    with pytest.raises(DataError, match=r"t.csv: cannot be read as CSV text"):
        read_header(path, encoding="utf-16")
