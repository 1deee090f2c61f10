"""Fixtures every test module may use.

``torch``: PyTorch, the reference for the cross-checks against ``torch.nn`` and
``torch.optim``. It comes with the ``torch`` extra, not with ``test``, so a
contributor's ``pip install -e ".[test]"`` stays light; without it every test that
asks for this fixture is skipped with the command that installs it. A test takes
PyTorch only through this fixture (a helper the test calls may then
``import torch`` inside its body); tests/test_extras.py checks that.
"""

from __future__ import annotations

import pytest

TORCH_MISSING = (
    "PyTorch cross-checks need the torch extra: pip install -e '.[test,torch]'"
)


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module, or a skip that names the extra to install."""
    return pytest.importorskip("torch", reason=TORCH_MISSING)
