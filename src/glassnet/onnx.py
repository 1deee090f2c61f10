"""Export a trained model to ONNX, to run where glassnet is not installed.

:func:`export` writes one ``.onnx`` file that holds the whole prediction: the
stored preprocessing (the standardiser's mean and scale), every layer, the loss's
output transform (softmax or sigmoid for a classifier trained on logits) and, for
a classifier, the class label. Any ONNX runtime (onnxruntime, a browser, a phone)
then reproduces ``predict_proba`` from the raw feature columns:

* a classifier's graph has the outputs ``probabilities`` (n, k), one column per
  class (a single sigmoid output becomes ``[1 − p, p]``), and ``label`` (n,):
  ``classes_[argmax]`` (strings or numbers, as the model stores them; the class
  index when the model has no ``classes_``);
* any other model's graph has one output, ``predictions`` (the model's output
  shape), the values in the units of the training targets.

The input is ``X`` with the model's input shape (``model.input_shape``, so the
model must be built) in its dtype (float32 or float64); the batch size is free.
Images stay channels-last, as glassnet takes them; float32 Conv2D and pooling
run as ONNX's channels-first operators between two transposes, float64 ones
(which onnxruntime lacks) as a product per kernel offset on strided slices.

A model that ``glassnet train`` made from a table (its ``metadata["columns"]``)
takes one (n, 1) input per column instead, named as in the file: numbers (NaN
where missing) or strings, one-hot encoded and filled in the graph as
``ColumnEncoder`` does; a regression target trained scaled
(``metadata["target_scaling"]``) comes out in its own units.

The graph uses only operators that every runtime has in both float types
(onnxruntime has no float64 ``Erf``, ``Elu`` or ``Softplus``): ELU, softplus
and GELU are written with ``Exp``, ``Log`` and arithmetic, with expm1 and log1p
made exact by Kahan's correction and GELU's Φ(x) by the same Chebyshev series
for erfcx that :mod:`glassnet.activations` evaluates, so the graph follows
glassnet's own arithmetic and keeps its precision in the tails.

A model that holds anything the export cannot express (a layer or activation
class of the user's own, an unknown preprocessing) is refused with a
``ValueError`` that names it, before anything is written.

Example
-------
>>> import numpy as np
>>> import glassnet as gn
>>> from glassnet import onnx as gn_onnx
>>> model = gn.Sequential([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 2)], seed=0)
>>> model.compile(loss="categorical_crossentropy")
>>> proto = gn_onnx.to_onnx(model)              # needs the onnx package
>>> [output.name for output in proto.graph.output]
['probabilities', 'label']
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from glassnet import __version__, activations, losses
from glassnet._files import atomic_write
from glassnet._numerics import ERFCX_CHEBYSHEV, ERFCX_SCALE
from glassnet._validation import describe
from glassnet.data import MISSING, ColumnEncoder, Standardizer
from glassnet.layers import (
    Activation,
    AveragePooling2D,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    MaxPooling2D,
    RandomTranslation,
    Reshape,
)

__all__ = ["DEFAULT_OPSET", "MIN_OPSET", "export", "to_onnx"]

#: The oldest operator set the graph needs (``Softmax`` over the last axis alone).
MIN_OPSET = 13
#: The operator set used when none is asked for: recent enough for every
#: operator here, old enough for every onnxruntime since 1.12.
DEFAULT_OPSET = 17


def export(model: Any, path: str | os.PathLike, opset: int | None = None) -> None:
    """Write ``model`` to ``path`` as an ONNX file, atomically.

    Parameters
    ----------
    model : Sequential or a fitted glassnet.sklearn estimator
        A built model with at least one layer; its ``preprocessing`` and
        ``classes_`` (as the command line stores them) go into the graph. An
        ``MLPClassifier``/``MLPRegressor`` exports its ``model_`` with its
        ``classes_`` (a multi-label classifier's ``label`` is the 0/1 matrix
        that its ``predict`` gives).
    path : str or os.PathLike
        The ``.onnx`` file to write; an existing file is replaced only by a
        complete new one.
    opset : int, optional
        The ONNX operator set, from 13 to the newest the installed ``onnx``
        knows (default 17).

    Raises
    ------
    ImportError
        When the ``onnx`` package is missing (``pip install "glassnet[onnx]"``).
    ValueError
        For a layer, activation or preprocessing the export cannot express
        (named), a model without layers or not built, an estimator not fitted,
        or an opset out of range. Nothing is written then.
    TypeError
        For anything but a Sequential or a glassnet.sklearn estimator.

    Example
    -------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> import glassnet as gn
    >>> from glassnet import onnx as gn_onnx
    >>> model = gn.Sequential([gn.Dense(2, 1, activation="sigmoid")], seed=0)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.onnx"
    >>> gn_onnx.export(model, path)
    >>> import onnxruntime                                 # any ONNX runtime
    >>> session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    >>> session.run(None, {"X": np.array([[0.0, 0.0]], np.float32)})
    [array([[0.5]], dtype=float32)]
    """
    content = to_onnx(model, opset).SerializeToString()
    atomic_write(path, lambda file: file.write(content))


def to_onnx(model: Any, opset: int | None = None) -> Any:
    """The ONNX ``ModelProto`` of ``model``, checked by ``onnx.checker``.

    See :func:`export` for the parameters; this builds the same graph in memory
    (to hand to ``onnxruntime.InferenceSession(proto.SerializeToString())``).
    """
    onnx = _import_onnx()
    opset = _check_opset(onnx, opset)
    source = _source(model)
    model = source.network
    layers = list(model.layers)
    if not layers:
        raise ValueError(
            "export needs a model with at least one layer. "
            f"Received: model={describe(model)}"
        )
    converters = [_converter(i, layer) for i, layer in enumerate(layers)]
    if not model.built:
        raise ValueError(
            "export needs a built model: its input shape decides the graph's input "
            "(and a Dense(units) layer has no weights before). Pass input_shape= to "
            "Sequential, call model.build((None, ...)) or predict once. Received: "
            f"a model with input_shape={model.input_shape}"
        )
    dtype = np.dtype(model.dtype)
    graph = _Graph(onnx, dtype)

    if source.columns is not None:
        x, inputs = _encode_columns(graph, source.columns)
    else:
        x = "X"
        inputs = [
            graph.helper.make_tensor_value_info(
                "X", graph.elem_type, _dims(model.input_shape)
            )
        ]
    if source.preprocessing is not None:
        x = _standardize(graph, source.preprocessing, x)
    for convert, layer in zip(converters, layers, strict=True):
        x = convert(graph, layer, x)
    x = graph.channels_last(x)
    outputs = _outputs(graph, source, x, _dims(model.output_shape))

    proto = onnx.helper.make_model(
        onnx.helper.make_graph(
            graph.nodes,
            "glassnet",
            inputs,
            outputs,
            initializer=graph.initializers,
        ),
        opset_imports=[onnx.helper.make_opsetid("", opset)]
        + ([onnx.helper.make_opsetid("ai.onnx.ml", 2)] if graph.uses_ml else []),
        producer_name="glassnet",
        producer_version=__version__,
        doc_string=f"glassnet model: {source.description}",
    )
    # the oldest file format that carries this opset: older runtimes read it too
    proto.ir_version = onnx.helper.find_min_ir_version_for(list(proto.opset_import))
    onnx.helper.set_model_props(proto, _properties(source))
    onnx.checker.check_model(proto, full_check=True)
    return proto


# ------------------------------------------------------------------- the parts


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError(
            'ONNX export needs the onnx package: pip install "glassnet[onnx]"'
        ) from None
    return onnx


def _check_opset(onnx: Any, opset: Any) -> int:
    newest = onnx.defs.onnx_opset_version()
    if opset is None:
        return min(DEFAULT_OPSET, newest)
    if (
        isinstance(opset, bool)
        or not isinstance(opset, (int, np.integer))
        or not MIN_OPSET <= opset <= newest
    ):
        raise ValueError(
            f"opset must be an integer from {MIN_OPSET} to {newest} (the newest the "
            f"installed onnx knows). Received: opset={opset!r}"
        )
    return int(opset)


def _dims(shape: tuple) -> list:
    """A Keras shape as ONNX dims: the batch axis "n", unknown axes named."""
    return ["n", *(f"d{i}" if d is None else d for i, d in enumerate(shape[1:], 1))]


class _Source(NamedTuple):
    """What the graph computes, from a Sequential or a fitted estimator."""

    network: Any  # the Sequential whose layers run
    preprocessing: Any  # a Standardizer or None
    loss: Any  # whose output transform ends the network
    classes: Any  # class labels, or None
    kind: str  # "classes", "indices" (a classifier without labels), "multilabel",
    # or "values"
    metadata: dict
    description: str
    columns: Any = None  # a data.ColumnEncoder: one graph input per table column
    target_scaling: tuple[float, float] | None = None  # values = raw·scale + mean


def _source(model: Any) -> _Source:
    """Read what to export from a Sequential or a glassnet.sklearn estimator."""
    from glassnet.network import Sequential

    if isinstance(model, Sequential):
        loss = model.loss
        classifier = isinstance(
            loss, (losses.BinaryCrossentropy, losses.CategoricalCrossentropy)
        )
        if model.classes_ is not None:
            kind = "classes"
        else:
            kind = "indices" if classifier else "values"
        meta = dict(model.metadata or {})
        columns = None
        if "columns" in meta:  # glassnet train's encoding of a table's cells
            columns = ColumnEncoder.from_config(meta["columns"])
        scaling = meta.get("target_scaling")
        if scaling is not None and kind == "values":
            scaling = (float(scaling["mean"]), float(scaling["scale"]))
        else:
            scaling = None
        return _Source(
            model,
            model.preprocessing,
            loss,
            model.classes_,
            kind,
            meta,
            repr(model),
            columns,
            scaling,
        )
    network = getattr(model, "model_", None)
    if hasattr(model, "get_params") and isinstance(network, Sequential):
        # a fitted glassnet.sklearn estimator: its network ends in logits (or
        # values), its loss gives the probabilities, its classes_ the labels
        classes = getattr(model, "classes_", None)
        if classes is None:
            kind = "values"
        elif getattr(model, "n_outputs_", 1) > 1 and (
            getattr(model, "out_activation_", None) == "logistic"
        ):
            kind = "multilabel"  # one independent 0/1 decision per column
        else:
            kind = "classes"
        return _Source(
            network, None, network.loss, classes, kind, {}, type(model).__name__
        )
    if hasattr(model, "get_params") and hasattr(model, "hidden_layer_sizes"):
        raise ValueError(
            f"export needs a fitted estimator: call fit first. Received: {model!r}"
        )
    raise TypeError(
        "export takes a glassnet Sequential or a fitted glassnet.sklearn "
        f"MLPClassifier/MLPRegressor. Received: model={describe(model)}"
    )


def _properties(source: _Source) -> dict[str, str]:
    """What a deployment needs to know beside the graph: the columns, the target."""
    meta = source.metadata
    properties = {"glassnet_version": __version__}
    for key in ("features", "target", "task", "columns", "target_scaling"):
        if key in meta:
            properties[key] = json.dumps(meta[key])
    if source.classes is not None:
        properties["classes"] = json.dumps(np.asarray(source.classes).tolist())
    return properties


class _Graph:
    """Nodes and constant tensors, added one operation at a time."""

    def __init__(self, onnx: Any, dtype: np.dtype) -> None:
        self.helper, self.numpy_helper = onnx.helper, onnx.numpy_helper
        self.dtype = dtype
        self.elem_type = self.helper.np_dtype_to_tensor_dtype(dtype)
        self.nodes: list = []
        self.initializers: list = []
        self._scalars: dict[float, str] = {}
        # glassnet's images are channels-last (n, h, w, c); ONNX's Conv and pooling
        # take channels-first. The graph transposes once into that layout before
        # the first such layer and back only where a layer needs the order
        # glassnet sees (Flatten, Reshape, Dense, softmax, the output).
        self.channels_first = False
        self.uses_ml = False  # the ai.onnx.ml domain (LabelEncoder for text)

    def _name(self, hint: str) -> str:
        # "gn/" keeps them apart from the inputs, which may be column names
        return f"gn/{hint}_{len(self.nodes) + len(self.initializers)}"

    def constant(self, value: Any, hint: str, dtype: Any = None) -> str:
        """A constant tensor (in the model's dtype unless told otherwise)."""
        array = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self._name(hint)
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def scalar(self, value: float) -> str:
        """A scalar constant of the model's dtype, shared by every use."""
        key = float(value)
        if key not in self._scalars:
            self._scalars[key] = self.constant(key, "c")
        return self._scalars[key]

    def channels_last(self, x: str) -> str:
        """``x`` in glassnet's layout (a transpose back from NCHW when needed)."""
        if self.channels_first:
            self.channels_first = False
            return self.op("Transpose", x, perm=[0, 2, 3, 1])
        return x

    def channels_first_of(self, x: str) -> str:
        """``x`` as ONNX's image operators take it: (n, c, h, w)."""
        if not self.channels_first:
            self.channels_first = True
            return self.op("Transpose", x, perm=[0, 3, 1, 2])
        return x

    def op(self, op_type: str, *inputs: str, **attributes: Any) -> str:
        """Add one node; return the name of its (single) output."""
        output = self._name(op_type.lower())
        if op_type == "LabelEncoder":
            self.uses_ml = True
            attributes["domain"] = "ai.onnx.ml"
        self.nodes.append(
            self.helper.make_node(op_type, list(inputs), [output], **attributes)
        )
        return output


def _standardize(graph: _Graph, preprocessing: Any, x: str) -> str:
    """(X − mean) / scale, as ``Standardizer.transform`` computes it."""
    if type(preprocessing) is not Standardizer:
        raise ValueError(
            f"cannot export the preprocessing {preprocessing!r}: the export knows "
            "glassnet.data.Standardizer only"
        )
    x = graph.op("Sub", x, graph.constant(preprocessing.mean_, "mean"))
    return graph.op("Div", x, graph.constant(preprocessing.scale_, "scale"))


_OUTPUT_NAMES = ("probabilities", "label", "predictions")


def _missing_spellings() -> list[str]:
    """Every upper/lower-case spelling of data.MISSING ("na", "NA", "Na", ...).

    Listed rather than lowercased in the graph: ONNX's StringNormalizer needs a
    locale that a server may not have installed.
    """
    import itertools

    spellings = set()
    for word in MISSING:
        choices = [sorted({c.lower(), c.upper()}) for c in word]
        spellings.update("".join(p) for p in itertools.product(*choices))
    return sorted(spellings)


def _encode_columns(graph: _Graph, encoder: ColumnEncoder) -> tuple[str, list]:
    """One input per table column, encoded as ``ColumnEncoder.transform`` does.

    A number column is an (n, 1) float input, NaN for a missing cell (filled
    with the stored value when the model was trained with ``--impute``). A text
    column is an (n, 1) string input, its cells stripped of spaces as the
    command line reads them: each becomes one 0/1 column per training category,
    all zero for a category never seen; a missing cell ("", "NA", ... in any
    case) takes the stored most frequent category when there is one.
    """
    make = graph.helper.make_tensor_value_info
    string = graph.helper.np_dtype_to_tensor_dtype(np.dtype(object))
    inputs, blocks = [], []
    for column, kind in zip(encoder.columns_, encoder.kinds_, strict=True):
        if column in _OUTPUT_NAMES or column.startswith("gn/"):
            raise ValueError(
                f"cannot export a model with a column named {column!r}: the graph "
                f"takes each column as an input of that name, and {column!r} is "
                "taken by the graph itself. Rename the column and train again"
            )
        fill = encoder.fill_.get(column)
        if kind == "number":
            inputs.append(make(column, graph.elem_type, ["n", 1]))
            x = column
            if fill is not None:
                x = graph.op("Where", graph.op("IsNaN", x), graph.scalar(fill), x)
            blocks.append(x)
            continue
        inputs.append(make(column, string, ["n", 1]))
        cells = graph.op("Reshape", column, graph.constant([-1], "flat", np.int64))
        if fill is not None:
            spellings = _missing_spellings()
            missing = graph.op(
                "LabelEncoder",
                cells,
                keys_strings=spellings,
                values_int64s=[1] * len(spellings),
                default_int64=0,
            )
            missing = graph.op(
                "Cast",
                missing,
                to=graph.helper.np_dtype_to_tensor_dtype(np.dtype(bool)),
            )
            fill_cell = graph.constant(
                np.array([str(fill)], dtype=object), "fill", object
            )
            cells = graph.op("Where", missing, fill_cell, cells)
        categories = encoder.categories_[column]
        index = graph.op(
            "LabelEncoder",
            cells,
            keys_strings=list(categories),
            values_int64s=list(range(len(categories))),
            default_int64=-1,  # unseen: matches no column below
        )
        index = graph.op("Unsqueeze", index, graph.constant([1], "axis", np.int64))
        hot = graph.op(
            "Equal",
            index,
            graph.constant(np.arange(len(categories)), "range", np.int64),
        )
        blocks.append(graph.op("Cast", hot, to=graph.elem_type))
    x = blocks[0] if len(blocks) == 1 else graph.op("Concat", *blocks, axis=1)
    return x, inputs


def _outputs(graph: _Graph, source: _Source, x: str, dims: list) -> list:
    """The graph's outputs: probabilities and label, or the predictions."""
    make = graph.helper.make_tensor_value_info
    loss = source.loss
    if loss is not None and type(loss) not in _OUTPUT_TRANSFORMS:
        raise ValueError(
            f"cannot export the loss {loss!r}'s output transform: the export knows "
            f"the built-in losses ({', '.join(sorted(losses.names()))})"
        )
    transform = None if loss is None else _OUTPUT_TRANSFORMS[type(loss)](loss)
    if transform is not None:
        x = transform(graph, x)
    if source.kind == "values":
        if source.target_scaling is not None:  # trained on (y − mean)/scale
            mean, scale = source.target_scaling
            x = graph.op(
                "Add", graph.op("Mul", x, graph.scalar(scale)), graph.scalar(mean)
            )
        graph.nodes.append(graph.helper.make_node("Identity", [x], ["predictions"]))
        return [make("predictions", graph.elem_type, dims)]
    if len(dims) != 2:
        raise ValueError(
            "cannot export a classifier whose outputs are not one row of class "
            f"scores per sample. Received: output shape {source.network.output_shape}"
        )
    int64 = graph.helper.np_dtype_to_tensor_dtype(np.dtype(np.int64))
    if source.kind == "multilabel":  # as scikit-learn: label j where p_j > 0.5
        graph.nodes.append(graph.helper.make_node("Identity", [x], ["probabilities"]))
        chosen = graph.op("Greater", "probabilities", graph.scalar(0.5))
        graph.nodes.append(
            graph.helper.make_node("Cast", [chosen], ["label"], to=int64)
        )
        return [
            make("probabilities", graph.elem_type, dims),
            make("label", int64, dims),
        ]
    if dims[1] == 1:  # one sigmoid output is P(class 1): [1 − p, p]
        x = graph.op("Concat", graph.op("Sub", graph.scalar(1.0), x), x, axis=1)
        dims = ["n", 2]
    graph.nodes.append(graph.helper.make_node("Identity", [x], ["probabilities"]))
    index = graph.op("ArgMax", "probabilities", axis=1, keepdims=0)
    if source.kind == "indices":
        graph.nodes.append(graph.helper.make_node("Identity", [index], ["label"]))
        label_type = int64
    else:
        classes = _class_array(source.classes)
        table = graph.constant(classes, "classes", dtype=classes.dtype)
        graph.nodes.append(
            graph.helper.make_node("Gather", [table, index], ["label"], axis=0)
        )
        label_type = graph.helper.np_dtype_to_tensor_dtype(classes.dtype)
    return [
        make("probabilities", graph.elem_type, dims),
        make("label", label_type, ["n"]),
    ]


def _class_array(classes: Any) -> np.ndarray:
    """The labels as an ONNX tensor can hold them: strings, int64, bool or float64."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "USO":
        return np.array([str(c) for c in classes.tolist()], dtype=object)
    if classes.dtype.kind in "iu":
        return classes.astype(np.int64)
    if classes.dtype.kind == "b":
        return classes
    return classes.astype(np.float64)


# ---------------------------------------------------------------- activations


def _sigmoid(graph: _Graph, x: str) -> str:
    """eˣ / (1 + eˣ) with x capped where eˣ is finite, as ``activations.Sigmoid``.

    onnxruntime's own float32 ``Sigmoid`` loses the left tail (σ(−16) comes out
    1.7 times too large), which this formula keeps to full relative precision.
    """
    cap = float(np.floor(np.log(np.finfo(graph.dtype).max)))
    e = graph.op("Exp", graph.op("Min", x, graph.scalar(cap)))
    return graph.op("Div", e, graph.op("Add", e, graph.scalar(1.0)))


def _expm1(graph: _Graph, x: str) -> str:
    """eˣ − 1 to full relative precision near 0 (Kahan: (u − 1)·x / log u)."""
    u = graph.op("Exp", x)
    u_minus_1 = graph.op("Sub", u, graph.scalar(1.0))
    corrected = graph.op(
        "Div", graph.op("Mul", u_minus_1, x), graph.op("Log", u)
    )  # 0/0 where u == 1, which the Where below never picks
    return graph.op("Where", graph.op("Equal", u, graph.scalar(1.0)), x, corrected)


def _log1p(graph: _Graph, x: str) -> str:
    """log(1 + x) to full relative precision near 0 (Kahan: log w · x / (w − 1))."""
    w = graph.op("Add", x, graph.scalar(1.0))
    corrected = graph.op(
        "Div",
        graph.op("Mul", graph.op("Log", w), x),
        graph.op("Sub", w, graph.scalar(1.0)),
    )  # 0/0 where w == 1, which the Where below never picks
    return graph.op("Where", graph.op("Equal", w, graph.scalar(1.0)), x, corrected)


def _elu(graph: _Graph, x: str, alpha: float) -> str:
    """max(x, 0) + α·expm1(min(x, 0)), as ``activations.ELU`` computes it."""
    negative = _expm1(graph, graph.op("Min", x, graph.scalar(0.0)))
    negative = graph.op("Mul", negative, graph.scalar(alpha))
    return graph.op("Add", graph.op("Max", x, graph.scalar(0.0)), negative)


def _softplus(graph: _Graph, x: str) -> str:
    """max(x, 0) + log1p(e^−|x|), as ``activations.Softplus`` computes it."""
    tail = graph.op("Exp", graph.op("Neg", graph.op("Abs", x)))
    return graph.op("Add", graph.op("Max", x, graph.scalar(0.0)), _log1p(graph, tail))


def _gelu(graph: _Graph, x: str) -> str:
    """x·Φ(x) with Φ from erfcx's Chebyshev series, as ``activations.GELU``.

    With z = |x|/√2 and h = ½·erfcx(z)·e^(−z²): Φ = m + h(1 − 2m), m = [x ≥ 0].
    """
    scalar = graph.scalar
    z = graph.op("Mul", graph.op("Abs", x), scalar(1 / np.sqrt(2.0)))
    gauss = graph.op("Exp", graph.op("Neg", graph.op("Mul", z, z)))
    t = graph.op(
        "Div",
        graph.op("Sub", z, scalar(ERFCX_SCALE)),
        graph.op("Add", z, scalar(ERFCX_SCALE)),
    )
    two_t = graph.op("Add", t, t)
    terms = 25 if graph.dtype == np.float64 else 12  # as glassnet evaluates it
    coefficients = ERFCX_CHEBYSHEV[:terms]
    # Clenshaw: b_k = 2t·b_{k+1} − b_{k+2} + c_k, from b = 0 (None: still zero)
    b1: str | None = None
    b2: str | None = None
    for c in coefficients[:0:-1]:
        new = scalar(c) if b2 is None else graph.op("Sub", scalar(c), b2)
        if b1 is not None:
            new = graph.op("Add", new, graph.op("Mul", two_t, b1))
        b1, b2 = new, b1
    erfcx = graph.op("Sub", graph.op("Mul", t, b1), b2)
    erfcx = graph.op("Add", erfcx, scalar(coefficients[0]))
    half_tail = graph.op("Mul", graph.op("Mul", erfcx, gauss), scalar(0.5))
    upper = graph.op(
        "Cast",
        graph.op("GreaterOrEqual", x, scalar(0.0)),
        to=graph.elem_type,
    )
    cdf = graph.op("Add", graph.op("Mul", upper, scalar(-2.0)), scalar(1.0))
    cdf = graph.op("Add", graph.op("Mul", cdf, half_tail), upper)
    return graph.op("Mul", x, cdf)


# exact classes: a user's subclass (a ReLU6, say) computes something else
_ACTIVATIONS: dict[type, Callable[[_Graph, str, Any], str]] = {
    activations.Linear: lambda graph, x, act: x,
    activations.Sigmoid: lambda graph, x, act: _sigmoid(graph, x),
    activations.Tanh: lambda graph, x, act: graph.op("Tanh", x),
    activations.ReLU: lambda graph, x, act: graph.op("Relu", x),
    # max(x, αx) with 0 ≤ α ≤ 1, the same two operations as LeakyReLU._apply
    activations.LeakyReLU: lambda graph, x, act: graph.op(
        "Max", x, graph.op("Mul", x, graph.scalar(act.alpha))
    ),
    activations.ELU: lambda graph, x, act: _elu(graph, x, act.alpha),
    activations.Softplus: lambda graph, x, act: _softplus(graph, x),
    activations.GELU: lambda graph, x, act: _gelu(graph, x),
    activations.Softmax: lambda graph, x, act: graph.op(
        "Softmax", graph.channels_last(x), axis=-1
    ),
}

_OUTPUT_TRANSFORMS: dict[type, Callable[[Any], Any]] = {
    losses.MeanSquaredError: lambda loss: None,
    losses.MeanAbsoluteError: lambda loss: None,
    losses.BinaryCrossentropy: lambda loss: _sigmoid if loss.from_logits else None,
    losses.CategoricalCrossentropy: lambda loss: (
        lambda graph, x: graph.op("Softmax", x, axis=-1)
    ),
}


def _activation(where: str, act: Any) -> Callable[[_Graph, str], str]:
    convert = _ACTIVATIONS.get(type(act))
    if convert is None:
        raise ValueError(
            f"cannot export {where}: its activation {act!r} is not one of glassnet's "
            f"built-in activations ({', '.join(sorted(a.name for a in _ACTIVATIONS))})"
            ", whose formulas the export knows"
        )
    return lambda graph, x: convert(graph, x, act)


# --------------------------------------------------------------------- layers


def _dense(where: str, layer: Dense) -> Callable:
    activation = _activation(where, layer.activation)

    def convert(graph: _Graph, _: Dense, x: str) -> str:
        x = graph.op(
            "MatMul", graph.channels_last(x), graph.constant(layer.params["W"], "W")
        )
        if layer.use_bias:
            x = graph.op("Add", x, graph.constant(layer.params["b"], "b"))
        return activation(graph, x)

    return convert


def _activation_layer(where: str, layer: Activation) -> Callable:
    activation = _activation(where, layer.activation)
    return lambda graph, _, x: activation(graph, x)


def _flatten(graph: _Graph, layer: Flatten, x: str) -> str:
    return graph.op("Flatten", graph.channels_last(x), axis=1)


def _reshape(graph: _Graph, layer: Reshape, x: str) -> str:
    # 0 keeps the batch axis as it is, -1 is inferred, as in Reshape itself
    shape = graph.constant([0, *layer.target_shape], "shape", dtype=np.int64)
    return graph.op("Reshape", graph.channels_last(x), shape)


# Keras' "same" puts an odd extra row or column at the bottom/right: SAME_UPPER
_AUTO_PAD = {"valid": "VALID", "same": "SAME_UPPER"}


def _windows(graph: _Graph, layer: Any, x: str, kernel, pad_value: float) -> list:
    """The kernel offsets' slices of channels-last ``x``, as glassnet takes them.

    Slice (i, j) holds, at every output position at once, the input pixel that
    kernel element (i, j) meets; "same" padding first borders ``x`` with
    ``pad_value`` (Keras' split: an odd extra row or column at the bottom/right).
    """
    (h, w), (kh, kw), (sh, sw) = layer.input_shape[1:3], kernel, layer.strides
    oh, ow = layer.output_shape(layer.input_shape)[1:3]
    top, left = (
        max((o - 1) * s + k - n, 0) for o, s, k, n in ((oh, sh, kh, h), (ow, sw, kw, w))
    )
    if layer.padding == "same" and (top or left):
        (top, bottom), (left, right) = (
            (top // 2, top - top // 2),
            (left // 2, left - left // 2),
        )
        pads = graph.constant([0, top, left, 0, 0, bottom, right, 0], "pads", np.int64)
        x = graph.op("Pad", x, pads, graph.scalar(pad_value))
    slices = []
    for i in range(kh):
        for j in range(kw):
            bounds = [
                [i, j],
                [i + sh * (oh - 1) + 1, j + sw * (ow - 1) + 1],
                [1, 2],
                [sh, sw],
            ]
            names = [graph.constant(b, "slice", np.int64) for b in bounds]
            slices.append(graph.op("Slice", x, *names))
    return slices


def _conv(where: str, layer: Conv2D) -> Callable:
    activation = _activation(where, layer.activation)

    def convert(graph: _Graph, _: Conv2D, x: str) -> str:
        if graph.dtype == np.float64:  # onnxruntime has no float64 Conv
            x = graph.channels_last(x)
            W = layer.params["W"]
            terms = [
                graph.op(
                    "MatMul",
                    piece,
                    graph.constant(W[i // W.shape[1], i % W.shape[1]], "W"),
                )
                for i, piece in enumerate(
                    _windows(graph, layer, x, layer.kernel_size, 0.0)
                )
            ]
            x = terms[0] if len(terms) == 1 else graph.op("Sum", *terms)
            if layer.use_bias:
                x = graph.op("Add", x, graph.constant(layer.params["b"], "b"))
            return activation(graph, x)
        # glassnet's kernel is (kh, kw, in, filters); ONNX's (filters, in, kh, kw)
        W = np.transpose(layer.params["W"], (3, 2, 0, 1))
        inputs = [graph.channels_first_of(x), graph.constant(W, "W")]
        if layer.use_bias:
            inputs.append(graph.constant(layer.params["b"], "b"))
        x = graph.op(
            "Conv",
            *inputs,
            kernel_shape=list(layer.kernel_size),
            strides=list(layer.strides),
            auto_pad=_AUTO_PAD[layer.padding],
        )
        return activation(graph, x)

    return convert


def _pool(graph: _Graph, layer: Any, x: str) -> str:
    maximum = isinstance(layer, MaxPooling2D)
    if graph.dtype == np.float64:  # onnxruntime has no float64 pooling
        x = graph.channels_last(x)
        pieces = _windows(graph, layer, x, layer.pool_size, -np.inf if maximum else 0.0)
        if maximum:
            return pieces[0] if len(pieces) == 1 else graph.op("Max", *pieces)
        total = pieces[0] if len(pieces) == 1 else graph.op("Sum", *pieces)
        return graph.op("Div", total, graph.constant(_counts(layer), "counts"))
    op = "MaxPool" if maximum else "AveragePool"
    # AveragePool's count_include_pad=0 (its default) averages the real pixels
    # only, as glassnet and Keras do at a "same" border; MaxPool ignores padding
    return graph.op(
        op,
        graph.channels_first_of(x),
        kernel_shape=list(layer.pool_size),
        strides=list(layer.strides),
        auto_pad=_AUTO_PAD[layer.padding],
    )


def _counts(layer: Any) -> np.ndarray:
    """The real (unpadded) pixels under each pooling window, shape (oh, ow, 1)."""
    (h, w), (kh, kw), (sh, sw) = layer.input_shape[1:3], layer.pool_size, layer.strides
    oh, ow = layer.output_shape(layer.input_shape)[1:3]
    ones = np.ones((h, w))
    if layer.padding == "same":
        extra = [
            max((o - 1) * s + k - n, 0)
            for o, s, k, n in ((oh, sh, kh, h), (ow, sw, kw, w))
        ]
        ones = np.pad(ones, [(e // 2, e - e // 2) for e in extra])
    counts = sum(
        ones[i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw]
        for i in range(kh)
        for j in range(kw)
    )
    return counts[:, :, None]


def _global_average(graph: _Graph, layer: Any, x: str) -> str:
    if graph.dtype == np.float64:
        x = graph.channels_last(x)
        h, w, c = layer.input_shape[1:]
        rows = graph.op("Reshape", x, graph.constant([0, h * w, c], "shape", np.int64))
        total = graph.op(
            "ReduceSum", rows, graph.constant([1], "axes", np.int64), keepdims=0
        )
        return graph.op("Div", total, graph.scalar(h * w))
    x = graph.op("GlobalAveragePool", graph.channels_first_of(x))
    graph.channels_first = False  # (n, c, 1, 1) flattened is (n, c) in any layout
    return graph.op("Flatten", x, axis=1)


def _batch_norm(graph: _Graph, layer: BatchNormalization, x: str) -> str:
    """(x − moving mean)·γ/√(moving variance + ε) + β, as glassnet's predict."""
    dtype = graph.dtype
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    mean, variance = layer.state["moving_mean"], layer.state["moving_variance"]
    scale = gamma / np.sqrt(variance + dtype.type(layer.epsilon))
    shape = (-1, 1, 1) if graph.channels_first else (-1,)  # along the channels
    x = graph.op("Sub", x, graph.constant(mean.reshape(shape), "mean"))
    x = graph.op("Mul", x, graph.constant(scale.reshape(shape), "scale"))
    return graph.op("Add", x, graph.constant(beta.reshape(shape), "beta"))


_LAYERS: dict[type, Callable[[str, Any], Callable]] = {
    Conv2D: _conv,
    MaxPooling2D: lambda where, layer: _pool,
    AveragePooling2D: lambda where, layer: _pool,
    GlobalAveragePooling2D: lambda where, layer: _global_average,
    BatchNormalization: lambda where, layer: _batch_norm,
    Dense: _dense,
    Flatten: lambda where, layer: _flatten,
    Reshape: lambda where, layer: _reshape,
    Dropout: lambda where, layer: lambda graph, _, x: x,  # the identity at predict
    RandomTranslation: lambda where, layer: lambda graph, _, x: x,  # the same
    Activation: _activation_layer,
}


def _converter(i: int, layer: Any) -> Callable:
    """The function that adds ``layer``'s nodes, or a ValueError naming it."""
    where = f"layer {i}, {layer!r}"
    make = _LAYERS.get(type(layer))
    if make is None:
        raise ValueError(
            f"cannot export {where}: the export knows the layers "
            f"{', '.join(cls.__name__ for cls in _LAYERS)}, not "
            f"{type(layer).__module__}.{type(layer).__qualname__}"
        )
    return make(where, layer)
