"""The install extras: a contributor's ``.[test]`` has no PyTorch, and the suite runs
without it.

PyTorch (2.8 GB with its CUDA wheels on a plain Linux machine) is only the reference
of the cross-checks against ``torch.nn`` and ``torch.optim``, so it has its own extra,
``torch``; those tests take it through the ``torch`` fixture of tests/conftest.py,
which skips them with the install command when it is missing. These tests read
pyproject.toml and the test sources, so a new test dependency or a new cross-check
that would pull PyTorch back into ``.[test]``, or break a run without it, fails here
whatever is installed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def _extras():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject needs 3.11+")
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["optional-dependencies"]


def _names(requirements):
    """Distribution names of requirement strings, lower case, extras dropped."""
    return {re.match(r"[A-Za-z0-9._-]+", r).group().lower() for r in requirements}


def test_torch_has_its_own_extra_and_only_bench_shares_it():
    extras = _extras()
    assert extras["torch"] == ["torch==2.13.0"]
    assert "torch" not in _names(extras["test"])
    assert "torch==2.13.0" in extras["bench"]  # the benchmarks time PyTorch itself
    pulled_by = sorted(name for name, reqs in extras.items() if "torch" in _names(reqs))
    assert pulled_by == ["bench", "torch"]


def test_test_extra_runs_the_suite():
    # light, but real: the runner, the linter the suite calls, property tests
    assert {"pytest", "ruff", "hypothesis"} <= _names(_extras()["test"])


def _names_the_extra(keyword):
    """Whether an importorskip keyword is a reason that says how to install torch."""
    reason = getattr(keyword.value, "value", None)
    return (
        keyword.arg == "reason"
        and isinstance(reason, str)
        and ("[test,torch]" in reason)
    )


def _torch_imports(tree):
    """(line, what) for every way a module takes PyTorch other than the fixture."""
    found = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    nested = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            if any(m.split(".")[0] == "torch" for m in modules):
                if id(node) not in nested:
                    found.append((node.lineno, "a module-level import of torch"))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "importorskip"
            and node.args
            and getattr(node.args[0], "value", None) == "torch"
            and not any(_names_the_extra(k) for k in node.keywords)
        ):
            found.append(
                (node.lineno, 'importorskip("torch") whose reason is not the install')
            )
    for function in functions:
        if function.name.startswith("test_"):
            for node in ast.walk(function):
                if isinstance(node, ast.Import) and any(
                    a.name.split(".")[0] == "torch" for a in node.names
                ):
                    found.append((node.lineno, f"import torch in {function.name}"))
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TESTS.glob("**/*.py") if p.name != "conftest.py"),  # the fixture
    ids=lambda p: str(p.relative_to(TESTS)),
)
def test_tests_take_pytorch_through_the_fixture(path):
    source = path.read_text(encoding="utf-8")
    found = _torch_imports(ast.parse(source, filename=str(path)))
    assert not found, (
        f"{path.name} would fail without the torch extra ("
        + "; ".join(f"line {line}: {what}" for line, what in found)
        + "): take PyTorch through the `torch` fixture of tests/conftest.py "
        "(def test_x(..., torch)), which skips with the install command"
    )


def test_the_check_finds_each_way_of_taking_torch():
    source = (
        "import torch.nn\n"
        "import pytest\n"
        "def helper():\n    import torch\n"  # allowed: called by a fixture user
        "def test_a():\n    import torch\n"
        "def test_b():\n    pytest.importorskip('torch')\n"
        "def test_c():\n    pytest.importorskip('torch', reason='reference')\n"
        "def test_d():\n    pytest.importorskip('torch', reason='.[test,torch]')\n"
    )
    lines = [line for line, _ in _torch_imports(ast.parse(source))]
    assert sorted(lines) == [1, 6, 8, 10]
