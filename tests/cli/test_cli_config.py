"""glassnet train --config FILE.toml: keys like the flags, flags win, unknown keys rejected."""

import json

import pytest

from glassnet.cli import main
from glassnet.cli.config import read_config, resolve
from glassnet.cli.train_cmd import SPEC


def write(tmp_path, text):
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


def test_keys_with_dash_or_underscore_and_widths_as_list(tmp_path):
    path = write(
        tmp_path,
        'data = "iris"\nbatch-size = 16\nvalidation_split = 0.25\n'
        "hidden = [8, 4]\nstandardize = false\nlr = 1\n",
    )
    assert read_config(path, SPEC) == {
        "data": "iris",
        "batch_size": 16,
        "validation_split": 0.25,
        "hidden": "8,4",
        "standardize": False,
        "lr": 1.0,
    }


def test_resolve_order_defaults_then_file_then_flags():
    spec = {"epochs": (20, int), "lr": (0.001, float), "seed": (0, int)}
    got = resolve({"epochs": 2, "lr": None, "seed": None}, spec, {"epochs": 9, "lr": 0.5})
    assert got == {"epochs": 2, "lr": 0.5, "seed": 0}


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("epoch = 3\n", ValueError, "unknown key 'epoch' in config file"),
        ('epochs = "3"\n', TypeError, "config key 'epochs' expects an integer; got '3'"),
        ("standardize = 1\n", TypeError, "config key 'standardize' expects true or false"),
        ("hidden = 8\n", TypeError, "config key 'hidden' expects widths"),
        ("epochs = \n", ValueError, "is not valid TOML"),
        ("batch-size = 8\nbatch_size = 8\n", ValueError, "sets 'batch_size' twice"),
    ],
)
def test_bad_config_files_are_errors_naming_the_key(tmp_path, text, error, message):
    with pytest.raises(error, match=message):
        read_config(write(tmp_path, text), SPEC)


def test_flags_override_the_file_end_to_end(tmp_path, capsys):
    path = write(tmp_path, 'data = "iris"\nepochs = 7\nhidden = [8]\nlr = 0.02\nseed = 5\n')
    assert main(["train", "--config", str(path), "--epochs", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["history"]["history"]["loss"]) == 3  # the flag won
    assert result["settings"]["lr"] == 0.02 and result["settings"]["seed"] == 5  # the file
    assert result["settings"]["batch_size"] == 32  # the default


def test_unknown_key_through_the_cli_exits_2(tmp_path, capsys):
    path = write(tmp_path, 'data = "iris"\nlearning_rate = 0.1\n')
    assert main(["train", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'learning_rate'" in err and "batch-size" in err
    assert main(["train", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err
