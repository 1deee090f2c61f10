"""The command line's help texts and usage errors (in-process: fast)."""

from __future__ import annotations

import pytest

from glassnet import cli

COMMANDS = ["demo", "train", "evaluate", "predict", "summary", "export"]


def test_no_command_prints_help_with_examples_and_exits_2(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: glassnet ")
    for command in COMMANDS:
        assert f"\n    {command} " in out
        assert f"\n  glassnet {command} " in out or f"\n  glassnet {command}\n" in out
    assert "Run 'glassnet COMMAND --help' for a command's options." in out
    assert "Exit codes: 0 success, 2 bad input" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_examples(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: glassnet {command} ")
    examples = out.split("\nexamples:\n", 1)[1].splitlines()
    assert examples and all(
        line.startswith(f"  glassnet {command}") for line in examples
    ), examples


def test_train_help_lists_the_registry_names(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # undo the wrapping
    assert "--activation NAME hidden activation: elu, gelu," in out
    assert "relu, sigmoid, softmax, softplus, tanh (default: relu)" in out
    assert "adagrad, adam, adamw, rmsprop, sgd (default: adam)" in out
    assert "--epochs N at most N passes over the training data (default: 1000;" in out


def test_train_without_data_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["train"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "glassnet train: error: the following arguments are required: DATA" in err


def test_train_a_csv_without_target_says_which_flag(tmp_path, capsys):
    assert cli.main(["train", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet: error: --target COL is required for ")


@pytest.mark.parametrize(
    ("flag", "value", "family"),
    [
        ("--activation", "relux", "activation"),
        ("--optimizer", "adamm", "optimizer"),
        ("--loss", "msee", "loss"),
    ],
)
def test_unknown_names_name_the_flag(tmp_path, capsys, flag, value, family):
    data = tmp_path / "d.csv"
    data.write_text("a,y\n1,0\n2,1\n")
    argv = ["train", str(data), "--target", "y", flag, value]
    assert cli.main([*argv, "--out", str(tmp_path / "m.npz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"glassnet: error: {flag}: Unknown {family}: '{value}'.")
    assert "Valid names: " in err
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("command", ["evaluate", "predict", "summary"])
def test_a_csv_given_as_model_hints_at_the_order(tmp_path, capsys, command):
    data = tmp_path / "d.csv"
    data.write_text("a,y\n1,0\n2,1\n")
    argv = [command, str(data)] + ([] if command == "summary" else [str(data)])
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "is not a glassnet model file" in err
    assert f"The model file comes first: glassnet {command} MODEL" in err
