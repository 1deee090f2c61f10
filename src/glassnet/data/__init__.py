"""Getting data into a network: CSV files, targets, standardisation, splits.

Everything here works on plain NumPy arrays, rows are samples. The pieces a model
keeps (a :class:`Standardizer`, a :class:`LabelEncoder`) turn into JSON-able configs
with ``get_config()`` and come back with ``from_config()``, so a saved model applies
to new data exactly the transformation it was trained with.

Every problem with a file raises :class:`glassnet.errors.DataError` naming the file
and, where there is one, the line and the column.

Import all of it from this package (``from glassnet.data import read_csv``); its
files hold one concept each: ``csv`` (:func:`read_csv`, :func:`read_header`,
:class:`CSVData`, :func:`select_columns`), ``encoding`` (:class:`ColumnEncoder`:
text columns one-hot, missing cells), ``impute`` (:class:`Imputer`), ``targets``
(:func:`infer_task`, :class:`LabelEncoder`, :func:`encode_target`,
:func:`one_hot`), ``weights`` (:func:`training_weights`), ``scaling``
(:class:`Standardizer`) and
``splits`` (:func:`split_indices`, :func:`train_test_split`,
:func:`validation_split`, :func:`minibatches`).
"""

from __future__ import annotations

from glassnet.data.csv import CSVData, read_csv, read_header, select_columns
from glassnet.data.encoding import MISSING, ColumnEncoder
from glassnet.data.impute import Imputer
from glassnet.data.scaling import Standardizer
from glassnet.data.splits import (
    minibatches,
    split_indices,
    train_test_split,
    validation_split,
)
from glassnet.data.targets import (
    TASKS,
    LabelEncoder,
    encode_target,
    infer_task,
    one_hot,
)
from glassnet.data.weights import target_classes, training_weights

__all__ = [
    "MISSING",
    "TASKS",
    "CSVData",
    "ColumnEncoder",
    "Imputer",
    "LabelEncoder",
    "Standardizer",
    "encode_target",
    "infer_task",
    "minibatches",
    "one_hot",
    "read_csv",
    "read_header",
    "select_columns",
    "split_indices",
    "target_classes",
    "training_weights",
    "train_test_split",
    "validation_split",
]
