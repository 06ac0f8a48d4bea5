"""Checking a model file's JSON description before anything is built from it.

:func:`check_description` reads only the parsed JSON: every key's type, every layer's type and
constructor arguments (plain JSON scalars of the kind the constructor's defaults have), the
layer count and the parameter count against the limits of :mod:`glassnet.saving.limits`. It
returns the :class:`Plan` of arrays the file must hold (each parameter's name and shape), which
``load`` compares with the .npy headers before reading a single array.
"""

from __future__ import annotations

import inspect
import math
from numbers import Real
from typing import Any, NamedTuple

from glassnet import activations, layers
from glassnet.layers.dropout import Dropout

FORMAT = "glassnet-model"
VERSION = 1
LAYER_TYPES: dict[str, type] = {
    **{
        cls.__name__: cls
        for cls in (
            layers.Dense,
            Dropout,
            layers.Conv2D,
            layers.MaxPool2D,
            layers.AvgPool2D,
            layers.GlobalAvgPool2D,
            layers.Flatten,
            layers.BatchNorm1D,
            layers.BatchNorm2D,
        )
    },
    **{cls.__name__: cls for cls in activations.ACTIVATIONS.values()},
}
#: constructor arguments a description never sets: random generators, arrays and dtypes
_NOT_CONFIG = {"self", "rng", "weights", "bias", "dtype"}
_SCALAR = (str, int, float, bool, type(None))


class Plan(NamedTuple):
    """What a checked description promises about the file's arrays."""

    params: dict[str, tuple[int, ...]]  # "0.W" -> (in, out), "0.b" -> (out,), ... (and saved
    # state such as BatchNorm's "1.running_mean")
    n_params: int  # total elements of those arrays
    prefixes: tuple[str, ...]  # "optimizer/", "early_stopping/", ...: the checkpoint's state


def _fail(where: str, what: str) -> ValueError:
    return ValueError(f"{where}: the model description is invalid ({what}).")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _config_kinds(cls: type) -> dict[str, Any]:
    """Constructor argument -> its default (which tells the kind of value it takes)."""
    params = inspect.signature(cls.__init__).parameters.values()
    return {  # an argument typed Any (a padding that is 1 or "same") has no one kind
        p.name: inspect.Parameter.empty if p.annotation in ("Any", Any) else p.default
        for p in params
        if p.name not in _NOT_CONFIG and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def _check_value(where: str, label: str, key: str, value: Any, default: Any) -> None:
    """A config value: a JSON scalar of the kind of the argument's default, finite, or a pair
    of whole numbers (an image layer's kernel size, stride or padding)."""
    if isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value):
        return
    if not isinstance(value, _SCALAR):
        raise _fail(where, f"{label}: {key} must be a number or a string; got {value!r}"[:300])
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, f"{label}: {key} is {value}")
    if default is inspect.Parameter.empty or default is None:
        return
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, Real):
        ok = isinstance(value, Real) and not isinstance(value, bool)
    else:  # pragma: no cover - every default is one of the above
        ok = True
    if not ok:
        kind = type(default).__name__
        raise _fail(where, f"{label}: {key} must be a {kind} like {default!r}; got {value!r}")


def _check_layers(
    where: str, specs: Any, max_layers: int, max_params: int
) -> tuple[dict[str, tuple[int, ...]], int]:
    if not isinstance(specs, list) or not specs:
        raise _fail(where, f"'layers' must be a non-empty list; got {type(specs).__name__}")
    if len(specs) > max_layers:
        raise ValueError(
            f"{where} describes {len(specs)} layers, more than the limit of {max_layers} "
            "layers (glassnet.saving.limits.MAX_LAYERS); if you trust the file, load it with "
            "load(path, max_layers=...)."
        )
    params: dict[str, tuple[int, ...]] = {}
    total = 0
    for i, spec in enumerate(specs):
        label = f"layer {i}"
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise _fail(where, f"{label} must be an object with a 'type' name; got {spec!r}"[:300])
        cls = LAYER_TYPES.get(spec["type"])
        if cls is None:
            raise _fail(
                where,
                f"unknown layer type {spec['type']!r} at layer {i}; known: {', '.join(LAYER_TYPES)}",
            )
        config = spec.get("config", {})
        if not isinstance(config, dict):
            raise _fail(where, f"{label}: 'config' must be an object; got {config!r}"[:300])
        kinds = _config_kinds(cls)
        for key, value in config.items():
            if key not in kinds:
                raise _fail(
                    where,
                    f"{label} ({spec['type']}) has no argument {key!r}; it takes {list(kinds)}",
                )
            _check_value(where, label, key, value, kinds[key])
        try:  # the arrays this layer holds, from its config alone (nothing allocated)
            shapes = cls.array_shapes(config)
        except (TypeError, ValueError) as exc:
            raise _fail(where, f"{label}: {spec['type']} {exc}") from None
        for key, shape in shapes.items():
            total += math.prod(shape)  # Python ints: no overflow
            params[f"{i}.{key}"] = shape
        if total > max_params:
            sizes = ", ".join(str(v) for v in config.values() if _is_int(v))
            raise ValueError(
                f"{where} describes more than {max_params} parameters (layer {i} is "
                f"{spec['type']}({sizes})), the limit of glassnet.saving.limits.MAX_PARAMS; nothing was allocated. If you "
                "trust the file, load it with load(path, max_params=...)."
            )
    return params, total


def _check_checkpoint(where: str, meta: dict[str, Any]) -> tuple[str, ...]:
    """The optimiser and callback entries of a checkpoint; their array prefixes."""
    prefixes: list[str] = []
    if "state" in meta and not isinstance(meta["state"], dict):
        raise _fail(where, f"'state' must be an object; got {type(meta['state']).__name__}")
    if "optimizer" in meta:
        opt = meta["optimizer"]
        if not isinstance(opt, dict) or not isinstance(opt.get("name"), str):
            raise _fail(where, "'optimizer' must be an object with a 'name'")
        hp = opt.get("hyperparameters", {})
        if not isinstance(hp, dict) or not all(
            isinstance(v, _SCALAR) or (isinstance(v, list) and all(isinstance(x, Real) for x in v))
            for v in hp.values()
        ):
            raise _fail(where, "the optimiser's 'hyperparameters' must map names to numbers")
        if not _is_int(opt.get("t", 0)) or opt.get("t", 0) < 0:
            raise _fail(where, f"the optimiser's step count 't' is {opt.get('t')!r}")
        initial = opt.get("initial_lr")
        if initial is not None and not (
            isinstance(initial, Real) and not isinstance(initial, bool)
        ):
            raise _fail(where, f"the optimiser's 'initial_lr' is {initial!r}")
        prefixes.append("optimizer/")
    default = ["early_stopping"] if "early_stopping" in meta else []
    keys = meta.get("callback_states", default)
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise _fail(where, "'callback_states' must be a list of names")
    for key in keys:
        if not isinstance(meta.get(key), dict) or key in ("state", "optimizer", "layers"):
            raise _fail(where, f"the callback state {key!r} is missing or not an object")
        prefixes.append(f"{key}/")
    return tuple(prefixes)


def check_description(meta: Any, where: str, max_layers: int, max_params: int) -> Plan:
    """Check a parsed description; return the :class:`Plan` of the arrays it promises.

    Parameters
    ----------
    meta : object
        The parsed JSON.
    where : str
        How messages name the file.
    max_layers, max_params : int
        The limits (:mod:`glassnet.saving.limits` by default in ``load``).

    Raises
    ------
    ValueError
        Naming the first problem: a wrong type, an unknown layer, an argument of the wrong
        kind, or a limit exceeded.

    Examples
    --------
    >>> meta = {"format": FORMAT, "version": 1, "dtype": "float32",
    ...         "layers": [{"type": "Dense", "config": {"in_features": 2, "out_features": 3}}]}
    >>> check_description(meta, "m.npz", 10, 100).params
    {'0.W': (2, 3), '0.b': (3,)}
    >>> meta["layers"][0]["config"]["out_features"] = 4.5
    >>> check_description(meta, "m.npz", 10, 100)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: m.npz: the model description is invalid (layer 0: Dense needs whole numbers ...
    """
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        got = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise ValueError(f"{where} is not a glassnet model file (format {got!r}).")
    version = meta.get("version", 0)
    if not _is_int(version):
        raise _fail(where, f"'version' must be a whole number; got {version!r}")
    if version > VERSION:
        raise ValueError(
            f"{where} was written by a newer glassnet (format version {version}); "
            "upgrade glassnet to read it."
        )
    if meta.get("dtype") not in ("float32", "float64"):
        raise _fail(where, f"'dtype' must be 'float32' or 'float64'; got {meta.get('dtype')!r}")
    params, total = _check_layers(where, meta.get("layers"), max_layers, max_params)
    loss, loss_config = meta.get("loss"), meta.get("loss_config", {})
    if loss is not None and not isinstance(loss, str):
        raise _fail(where, f"'loss' must be a name or null; got {loss!r}")
    if not isinstance(loss_config, dict) or not all(
        isinstance(v, _SCALAR) for v in loss_config.values()
    ):
        raise _fail(where, "'loss_config' must map names to numbers or strings")
    names = meta.get("feature_names")
    if names is not None and not (
        isinstance(names, list) and all(isinstance(n, str) for n in names)
    ):
        raise _fail(where, "'feature_names' must be a list of strings or null")
    return Plan(params, total, _check_checkpoint(where, meta))
