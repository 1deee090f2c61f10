"""The README's promises about its own set-up commands.

(The README's ``>>>`` sessions run as doctests: pytest collects README.md through
``--doctest-glob`` in pyproject.toml, so every figure they show is what the code
prints today.)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

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
