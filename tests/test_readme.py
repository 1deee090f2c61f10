"""The README's promises about its own set-up commands.

(The README's ``>>>`` sessions run as doctests: pytest collects README.md through
``--doctest-glob`` in pyproject.toml, so every figure they show is what the code
prints today.)
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_has_exactly_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", setup, re.S)
    assert len(commands) == 2, commands
    assert commands[0].strip().endswith("glassnet demo")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci  # CI runs the README's test command verbatim
