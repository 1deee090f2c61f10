"""glassnet in a Jupyter kernel: a small notebook run end to end with nbclient.

One kernel for the module: the notebook runs once and each test reads its
outputs. Skips, naming the packages, without nbclient, nbformat and ipykernel
(all three in the test extra).
"""

from __future__ import annotations

import pytest

import glassnet as gn

nbformat = pytest.importorskip(
    "nbformat", reason='needs nbformat: pip install -e ".[test]"'
)
nbclient = pytest.importorskip(
    "nbclient", reason='needs nbclient: pip install -e ".[test]"'
)
pytest.importorskip("ipykernel", reason='needs ipykernel: pip install -e ".[test]"')
pytest.importorskip("matplotlib", reason='needs matplotlib: pip install -e ".[test]"')

CELLS = [
    # 0: a model alone in a cell shows its HTML: the table and a drawing
    """import numpy as np
import glassnet as gn
model = gn.Sequential([gn.Dense(2, 4, activation="tanh"),
                       gn.Dense(4, 1, activation="sigmoid")], seed=0)
model.compile("binary_crossentropy", "adam")
model""",
    # 1: summary() alone shows the table itself, not a quoted string
    "model.summary()",
    # 2: a progress bar, verbose=1, in a kernel without ipywidgets
    """rng = np.random.default_rng(0)
X = rng.normal(size=(64, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(float)
history = model.fit(X, y, epochs=5, batch_size=16, verbose=1, validation_split=0.25)""",
    # 3: a plot returns its Figure, which the notebook shows; no file needed
    """from glassnet.plotting import plot_loss
figure = plot_loss(history)
figure""",
    # 4: the validation curve is on it
    "[line.get_label() for line in figure.axes[0].lines]",
    # 5: verbose="auto" is a bar too
    "history = model.fit(X, y, epochs=3, verbose='auto')",
]


@pytest.fixture(scope="module")
def outputs():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3")
    client.execute()
    return [cell.outputs for cell in notebook.cells]


def data_of(cell_outputs, kind):
    return [o["data"][kind] for o in cell_outputs if kind in o.get("data", {})]


def stderr_of(cell_outputs):
    return "".join(o["text"] for o in cell_outputs if o.get("name") == "stderr")


def test_a_model_shows_its_table_and_a_drawing(outputs):
    (page,) = data_of(outputs[0], "text/html")
    assert "<table>" in page and "<svg" in page
    # 2*4 + 4 weights and biases, then 4*1 + 1
    assert "Dense(2, 4, activation=&#x27;tanh&#x27;)" in page
    assert "Total params: 17" in page
    assert page.count("<circle") == 2 + 4 + 1


def test_summary_shows_the_table(outputs):
    (text,) = data_of(outputs[1], "text/plain")
    model = gn.Sequential(
        [gn.Dense(2, 4, activation="tanh"), gn.Dense(4, 1, activation="sigmoid")]
    )
    assert text == str(model.summary())
    assert text.startswith("Layer") and not text.startswith("'")


def test_progress_bars_draw_text_without_warnings(outputs):
    for cell in (outputs[2], outputs[5]):
        err = stderr_of(cell)
        assert "epoch" in err and "Warning" not in err and "IProgress" not in err
    assert "5/5" in stderr_of(outputs[2]) and "3/3" in stderr_of(outputs[5])


def test_plot_returns_a_figure_with_the_validation_curve(outputs):
    assert data_of(outputs[3], "image/png")  # the figure itself, drawn inline
    (labels,) = data_of(outputs[4], "text/plain")
    assert labels == "['loss', 'val_loss']"


# ------------------------------------------------- the same, without a kernel
def test_summary_print_fn_gets_each_line_and_the_text_comes_back():
    model = gn.Sequential([gn.Dense(3, 2), gn.Dense(2, 1)])
    lines = []
    text = model.summary(print_fn=lines.append)
    assert lines == text.splitlines() and isinstance(text, str)
    assert repr(text) == str(text)  # shown as the table
    assert lines[-1] == "Total params: 11 (float32)"  # 3*2 + 2, 2*1 + 1


def test_plots_draw_into_a_given_axes_and_save_nothing_without_a_path(tmp_path):
    from matplotlib.figure import Figure

    from glassnet.plotting import plot_decision_boundary, plot_loss, plot_network

    model = gn.Sequential([gn.Dense(2, 3, activation="tanh"), gn.Dense(3, 1)], seed=0)
    model.compile("mse", "sgd")
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_network(model, ax=left) is figure
    X = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    assert plot_decision_boundary(model, X, [0, 1, 0], ax=right) is figure
    assert left.lines and right.collections
    alone = plot_loss({"loss": [3.0, 2.0, 1.0]})
    assert isinstance(alone, Figure) and alone._repr_png_()[:4] == b"\x89PNG"
    assert [line.get_label() for line in alone.axes[0].lines] == ["loss"]
    assert list(tmp_path.iterdir()) == []


def test_a_log_file_gets_plain_lines(tmp_path):
    log = tmp_path / "train.log"
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    model.compile("mse", "sgd")
    with open(log, "w") as stream:
        bar = gn.callbacks.ProgressBar(stream=stream)
        model.fit([[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0], epochs=3, callbacks=[bar])
    text = log.read_text()
    assert "\r" not in text
    assert [line.split(" - ")[0] for line in text.splitlines()] == [
        "Epoch 1/3",
        "Epoch 2/3",
        "Epoch 3/3",
    ]


def test_short_reprs(tmp_path):
    from glassnet.data import read_csv

    stop = gn.callbacks.EarlyStopping(patience=3)
    assert repr(stop).startswith("EarlyStopping(monitor='val_loss'")
    assert "patience=3" in repr(stop)
    assert repr(gn.callbacks.ProgressBar()) == "ProgressBar(stream=None, plain=None)"
    file = tmp_path / "t.csv"
    rows = "".join(f"{i},{i * 2},{i % 2}\n" for i in range(50))
    file.write_text("a,b,label\n" + rows)
    data = read_csv(file, target="label")
    assert repr(data) == (
        f"CSVData({str(file)!r}: 50 rows, features ['a', 'b'], target 'label')"
    )
