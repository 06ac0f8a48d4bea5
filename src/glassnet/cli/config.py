"""Settings for ``glassnet train`` from a TOML file, overridden by flags on the command line.

A config file holds the same settings as the flags, named like them with ``-`` or ``_``::

    # digits.toml
    data = "digits"
    hidden = [128, 64]        # or "128,64"
    epochs = 20
    lr = 0.003
    early-stopping = 5

Resolution order, last wins: the built-in defaults, then the file, then the flags actually
typed. The command's flags all default to None, so "not typed" is easy to tell apart from
"typed the default value". Unknown keys and values of the wrong type are errors that name the
key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# A setting's spec: (default, kind); kind is int, float, bool, str, or "widths" (list or str).
Spec = Mapping[str, tuple[Any, Any]]


def normalize_key(key: str) -> str:
    """A flag or config name as a Python identifier: ``early-stopping`` -> ``early_stopping``.

    Examples
    --------
    >>> normalize_key("--batch-size")
    'batch_size'
    """
    return key.lstrip("-").replace("-", "_")


def _check_value(key: str, value: Any, kind: Any) -> Any:
    if kind == "widths":
        if isinstance(value, list) and all(
            isinstance(v, int | str) and not isinstance(v, bool) for v in value
        ):
            return ",".join(str(v) for v in value)
        if isinstance(value, str):
            return value
        raise TypeError(
            f'config key {key!r} expects widths such as [128, 64] or "128,64"; got {value!r}.'
        )
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, int | float) and not isinstance(value, bool),
        str: isinstance(value, str),
    }[kind]
    if not ok:
        expected = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
        raise TypeError(f"config key {key!r} expects {expected[kind]}; got {value!r}.")
    return float(value) if kind is float else value


def read_config(path: str | Path, spec: Spec) -> dict[str, Any]:
    """Read a TOML config file and check every key and value against ``spec``.

    Parameters
    ----------
    path : str or Path
        The ``.toml`` file.
    spec : mapping
        ``name -> (default, kind)`` of every setting the command accepts.

    Returns
    -------
    dict
        Settings keyed by normalised name (``batch_size``), values checked.

    Raises
    ------
    ValueError
        Unknown key, nested table, or a file that is not valid TOML.
    TypeError
        A value of the wrong type.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "run.toml"
    >>> _ = p.write_text('batch-size = 16\\nhidden = [8, 4]\\n')
    >>> read_config(p, {"batch_size": (32, int), "hidden": ("64", "widths")})
    {'batch_size': 16, 'hidden': '8,4'}
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {str(path)!r}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        name = normalize_key(key)
        if name not in spec:
            raise ValueError(
                f"unknown key {key!r} in config file {str(path)!r}; expected keys named like "
                f"the flags: {', '.join(sorted(k.replace('_', '-') for k in spec))}."
            )
        if name in settings:
            raise ValueError(f"config file {str(path)!r} sets {name!r} twice (with - and _).")
        settings[name] = _check_value(key, value, spec[name][1])
    return settings


def resolve(flags: Mapping[str, Any], spec: Spec, config: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults, then the config file, then the flags that were typed (those not None).

    Examples
    --------
    >>> spec = {"epochs": (10, int), "lr": (None, float), "seed": (0, int)}
    >>> resolve({"epochs": 5, "lr": None, "seed": None}, spec, {"lr": 0.1, "epochs": 7})
    {'epochs': 5, 'lr': 0.1, 'seed': 0}
    """
    settings = {name: default for name, (default, _) in spec.items()}
    settings.update(config)
    settings.update({k: v for k, v in flags.items() if k in spec and v is not None})
    return settings
