"""The README's promises about its own set-up commands.

(The README's ``>>>`` sessions run as doctests: pytest collects README.md through
``--doctest-glob`` in pyproject.toml, so every figure they show is what the code
prints today.)
"""

from __future__ import annotations

import ast
import importlib
import os
import re
from pathlib import Path

import pytest

from glassnet import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"


def _setup_section():
    text = README.read_text(encoding="utf-8")
    return text.split("## Set up", 1)[1].split("\n## ", 1)[0]


def _setup_commands():
    return [c.strip() for c in re.findall(r"```bash\n(.*?)```", _setup_section(), re.S)]


def test_readme_has_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2, commands
    demo, tests = commands
    assert "\n" not in demo and "\n" not in tests  # one line each, copied as one
    assert demo.startswith("python3 -m venv .venv && ")
    assert demo.endswith(".venv/bin/glassnet demo")
    assert tests.startswith("python3 -m venv .venv && ")
    assert '-e ".[test,torch]"' in tests  # everything CI runs, cross-checks included
    assert tests.endswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = CI.read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines()]
    assert _setup_commands()[1] in lines
    assert "set -euo pipefail" in lines  # a failing step fails CI
    assert os.access(CI, os.X_OK)


def test_readme_names_the_light_test_install():
    prose = re.sub(r"```.*?```", "", _setup_section(), flags=re.S)
    assert '".[test]"' in prose


# ------------------------------------------- every name the README uses exists


def _code():
    """(fenced blocks as (language, source), inline code spans) of the README.

    A ``>>>`` session's source is its prompt lines, without the prompts.
    """
    text = README.read_text(encoding="utf-8")
    blocks = []
    for language, body in re.findall(r"```(\w*)\n(.*?)```", text, re.S):
        if ">>> " in body:
            body = "\n".join(
                line[4:] for line in body.splitlines() if line[:4] in (">>> ", "... ")
            )
        blocks.append((language, body))
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return blocks, re.findall(r"`([^`\n]+)`", prose)


def _python_names(source, bound):
    """The glassnet names a Python source uses: imports, and attribute chains on
    what it imported from glassnet (``gn.optimizers.Adam``, ``data.read_csv``).
    ``bound`` (alias -> dotted name) gains the source's imports. A sketch that is
    not Python as a whole (``{"a": x, ...}``) is read line by line, and a line that
    is not Python either by its dotted names."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        if "\n" not in source.strip():
            return _dotted_names(source, bound)
        return set().union(
            *(_python_names(line, bound) for line in source.splitlines())
        )
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "glassnet":
                    names.add(alias.name)
                    bound[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "glassnet"
        ):
            for alias in node.names:
                names.add(f"{node.module}.{alias.name}")
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        chain = []
        while isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        if chain and isinstance(node, ast.Name) and node.id in bound:
            names.add(".".join([bound[node.id], *reversed(chain)]))
    return names


def _dotted_names(text, bound):
    """Dotted names in ``text`` that start with a name ``bound`` to glassnet."""
    names = set()
    for chain in re.findall(r"(?<![\w.])[A-Za-z_]\w*(?:\.\w+)+", text):
        first, _, rest = chain.partition(".")
        if first in bound:
            names.add(f"{bound[first]}.{rest}")
    return names


def _readme_names():
    blocks, spans = _code()
    names, bound = set(), {"glassnet": "glassnet"}
    for language, source in blocks:
        if language == "python":
            names |= _python_names(source, bound)
    # prose: `glassnet.errors.DataError`, `gn.save(model, path)`, `datasets.people()`
    for span in spans:
        names |= _dotted_names(span, bound)
    # private names (``glassnet._kernels``, optional) are not API the README promises
    return sorted(n for n in names if not any(p.startswith("_") for p in n.split(".")))


def _resolve(dotted):
    parts = dotted.split(".")
    value = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=2):
        try:
            value = getattr(value, part)
        except AttributeError:
            value = importlib.import_module(".".join(parts[:i]))
    return value


def test_readme_uses_glassnet_names():
    names = _readme_names()
    for expected in [
        "glassnet.Sequential",
        "glassnet.optimizers.Adam",
        "glassnet.data.read_csv",
        "glassnet.article.Neuron",
        "glassnet.errors.ModelFileError",
    ]:
        assert expected in names  # the scan sees the README's kinds of use
    assert len(names) > 20


@pytest.mark.parametrize("name", _readme_names())
def test_every_name_the_readme_uses_imports(name):
    _resolve(name)


def test_the_name_scan_sees_a_wrong_name():
    source = "import glassnet as gn\nfrom glassnet import data\ndata.nothing(gn.Nope)"
    names = _python_names(source, {})
    assert {"glassnet.data.nothing", "glassnet.Nope"} <= names
    with pytest.raises((AttributeError, ImportError)):
        _resolve("glassnet.Nope")
    sketch = "import glassnet as gn\nrow = {1: gn.Nope, ...,\n       2: x}"
    assert _python_names(sketch, {}) == {"glassnet", "glassnet.Nope"}


def _readme_commands():
    blocks, spans = _code()
    lines = [
        line
        for language, source in blocks
        if language in ("bash", "text")
        for line in source.splitlines()
    ]
    lines += [span for span in spans if span.startswith("glassnet ")]
    found = set()
    for line in lines:
        found |= set(re.findall(r"(?:^|\$ |/|&& )glassnet ([a-z][a-z-]*)", line))
    return sorted(found)


@pytest.mark.parametrize("command", _readme_commands())
def test_every_command_the_readme_uses_exists(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0, capsys.readouterr().err


def test_readme_uses_the_commands():
    assert {"demo", "train", "evaluate", "predict", "summary"} <= set(
        _readme_commands()
    )


def test_every_extra_the_readme_names_exists():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject needs 3.11+")
    with open(ROOT / "pyproject.toml", "rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]
    text = README.read_text(encoding="utf-8")
    named = re.findall(r"(?:glassnet|\.)\[([\w,]+)\]", text)
    assert named
    for group in named:
        for extra in group.split(","):
            assert extra in extras, f"README names the extra [{extra}]"
