"""The settings, data, early stopping and lr schedule of a ``glassnet train`` run, from its flags.

Settings resolve as defaults < ``--config`` file < flags; a resumed run reads its data split,
its early-stopping state and its plateau schedule's state from the checkpoint it continues.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any, TypeVar

import numpy as np

from glassnet.callbacks import Callback, EarlyStopping, ReduceLROnPlateau
from glassnet.cli import _common as common
from glassnet.cli.class_weight import check_form, class_weight_from
from glassnet.cli.config import read_config, resolve
from glassnet.cli.lr_schedule import schedule_from
from glassnet.cli.train_flags import SCALE_TARGET, SPEC
from glassnet.datasets import Dataset, Standardizer
from glassnet.datasets.csv import TASKS
from glassnet.losses import canonical_name

#: --jit-compile's words, as fit's jit_compile
JIT_COMPILE = {"auto": None, "on": True, "off": False}


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """Defaults, then the ``--config`` file, then the flags typed on the command line."""
    config = read_config(args.config, SPEC) if getattr(args, "config", None) else {}
    s = resolve(vars(args), SPEC, config)
    if not s["data"]:
        raise ValueError(
            "--data is required (a data set name or a .csv file), "
            "on the command line or in the --config file."
        )
    if s["resume"] and not s["checkpoint"]:
        raise ValueError("--resume needs --checkpoint PATH (the file to continue from).")
    if s["dtype"] not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64; got {s['dtype']!r}.")
    if s["task"] not in (None, *TASKS):
        raise ValueError(f"task must be classification or regression; got {s['task']!r}.")
    if s["loss"]:
        s["loss"] = canonical_name(s["loss"])  # ce -> cross_entropy, l1 -> mae, ...
    s["weight_column"] = s["weight_column"] or None  # an empty name asks for no weights
    s["class_weight"] = s["class_weight"] or None
    if s["class_weight"] is not None:
        check_form(s["class_weight"])  # a malformed value fails before any data loads
    if s["clip_norm"] is not None and not s["clip_norm"] > 0:  # NaN fails too
        raise ValueError(f"--clip-norm must be a number > 0; got {s['clip_norm']}.")
    if s["scale_target"] not in (None, *SCALE_TARGET):
        raise ValueError(f"scale_target must be standard or none; got {s['scale_target']!r}.")
    if s["jit_compile"] not in JIT_COMPILE:
        raise ValueError(f"jit_compile must be auto, on or off; got {s['jit_compile']!r}.")
    s["lr_schedule"] = s["lr_schedule"] or None  # likewise: a constant lr
    if s["lr_schedule"] is not None:
        schedule_from(s["lr_schedule"], 1, "loss")  # a malformed value fails before any data loads
    check_numbers(s)
    check_csv_flags(s)
    return s


#: flag -> (test, what it must be, an example of a good value); None values are not typed
_NUMBERS: dict[str, tuple[Any, str, str]] = {
    "lr": (lambda v: math.isfinite(v) and v > 0, "a finite number > 0", "--lr 0.001"),
    "weight_decay": (lambda v: math.isfinite(v) and v >= 0, "a finite number >= 0",
                     "--weight-decay 0.0001"),
    "dropout": (lambda v: 0 <= v < 1, "a probability in [0, 1)", "--dropout 0.2"),
    "test_size": (lambda v: 0 < v < 1, "a fraction in (0, 1)", "--test-size 0.2"),
    "validation_split": (lambda v: 0 <= v < 1, "a fraction in [0, 1)", "--validation-split 0.1"),
    "epochs": (lambda v: v >= 1, "a whole number >= 1", "--epochs 20"),
    "batch_size": (lambda v: v >= 1, "a whole number >= 1", "--batch-size 32"),
    "seed": (lambda v: v >= 0, "a whole number >= 0", "--seed 0"),
    "early_stopping": (lambda v: v >= 0, "a whole number >= 0 (the patience)",
                       "--early-stopping 5"),
    "animate_every": (lambda v: v >= 1, "a whole number >= 1", "--animate-every 5"),
}  # fmt: skip


def check_numbers(s: dict[str, Any]) -> None:
    """Refuse a numeric setting out of its range (NaN and inf included), naming the flag,
    the value and a good value, before any data loads.

    Examples
    --------
    >>> check_numbers({"lr": float("nan")})
    Traceback (most recent call last):
    ...
    ValueError: --lr must be a finite number > 0; got nan. For example: --lr 0.001.
    """
    for key, (ok, what, example) in _NUMBERS.items():
        value = s.get(key)
        if value is not None and not ok(value):
            flag = "--" + key.replace("_", "-")
            raise ValueError(f"{flag} must be {what}; got {value}. For example: {example}.")


def check_csv_flags(s: dict[str, Any]) -> None:
    """``--delimiter``, ``--encoding``, ``--categorical`` and ``--impute``: valid values, and
    only for a CSV file.

    Examples
    --------
    >>> check_csv_flags({"data": "iris", "delimiter": None, "encoding": "utf-8",
    ...                  "categorical": "auto", "impute": "none"})
    Traceback (most recent call last):
    ...
    ValueError: --categorical auto applies to CSV files; data set 'iris' has none to read. Drop it.
    """
    from glassnet.datasets.csv_source import parse_delimiter, python_encoding

    if s["categorical"] not in ("none", "auto"):
        raise ValueError(f"--categorical must be none or auto; got {s['categorical']!r}.")
    if s["impute"] not in ("none", "mean"):
        raise ValueError(f"--impute must be none or mean; got {s['impute']!r}.")
    parse_delimiter(s["delimiter"], "--delimiter")
    try:
        python_encoding(s["encoding"])
    except ValueError as exc:
        raise ValueError(f"--encoding: {exc}") from None
    if common.is_csv(s["data"]):
        return
    typed = {
        "--delimiter": s["delimiter"] not in (None, "auto"),
        "--encoding": s["encoding"].lower().replace("_", "-") not in ("utf-8", "utf8"),
        "--categorical": s["categorical"] != "none",
        "--impute": s["impute"] != "none",
    }
    for flag, given in typed.items():
        if given:
            value = s[flag[2:]]
            raise ValueError(
                f"{flag} {value} applies to CSV files; data set {s['data']!r} has none to read. "
                "Drop it."
            )


def csv_settings(s: dict[str, Any], info: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keywords read_csv gets: from the flags for a new run; a resumed run (``info``, the
    checkpoint's data description) reads with the checkpoint's categories and imputation."""
    if info is not None:
        return common.csv_options(
            s["delimiter"] or info.get("delimiter"), s["encoding"],
            info.get("categories") or None, bool(info.get("impute")),
        )  # fmt: skip
    return common.csv_options(
        s["delimiter"], s["encoding"], "auto" if s["categorical"] == "auto" else None,
        s["impute"] == "mean",
    )  # fmt: skip


def fresh_data(s: dict[str, Any]) -> tuple[Dataset, common.SampleWeights | None]:
    """The data of a new run: split with ``--seed`` and ``--test-size``; ``--task`` for a CSV,
    which a regression ``--loss`` (mse, mae, huber, poisson) alone makes regression; the
    ``--weight-column`` weights, or None."""
    task = s["task"]
    if task is None and s["loss"] in common.REGRESSION_LOSSES and common.is_csv(s["data"]):
        task = "regression"
    return common.load_weighted(
        s["data"], s["target"], s["seed"], s["test_size"], task, s["weight_column"],
        csv_settings(s) if common.is_csv(s["data"]) else None,
    )  # fmt: skip


def resumed_data(
    s: dict[str, Any], info: dict[str, Any]
) -> tuple[Dataset, common.SampleWeights | None]:
    """The data of a resumed run, split as in the run that wrote the checkpoint (its seed, test
    size, target and task), whatever is typed now, with the weights of its weight column.

    Raises
    ------
    ValueError
        If a ``--weight-column`` (flag or config key) differs from the checkpoint's: the
        weights a run trains with cannot change half way.
    """
    weight = info.get("weight_column")  # absent: a run without weights (or an older file)
    if s["weight_column"] is not None and s["weight_column"] != weight:
        was = f"--weight-column {weight}" if weight else "no --weight-column"
        raise ValueError(
            f"--weight-column {s['weight_column']} differs from the run in {s['checkpoint']} "
            f"({was}); a resumed run keeps the weights it started with: resume without "
            "--weight-column, or start afresh with another --checkpoint."
        )
    return common.load_weighted(
        s["data"],
        info.get("target", s["target"]),
        int(info.get("split_seed", s["seed"])),
        info.get("test_size", s["test_size"]),
        info.get("task") if common.is_csv(s["data"]) else None,
        weight,
        csv_settings(s, info) if common.is_csv(s["data"]) else None,
    )


#: the losses whose targets are standardised by default (poisson's are counts: kept as they are)
SCALED_LOSSES = ("mse", "mae", "huber")
#: raw targets whose root mean square reaches this get a warning (the outputs start near 0)
LARGE_TARGETS = 100.0


def target_scaling(
    s: dict[str, Any], info: dict[str, Any], data: Dataset, loss: str, resumed: bool
) -> None:
    """Put the run's target scaler into ``info["target_scaler"]``: the mean and standard
    deviation of the training targets (``Standardizer.state()``), or None for unscaled targets.

    ``--scale-target`` (None unless typed) defaults to standard for a regression trained with
    mse, mae or huber, none otherwise. A resumed run keeps the checkpoint's scaler. Turning it
    off for targets whose root mean square is 100 or more prints a warning: the network's
    outputs start near 0 and such targets are learnt slowly, if at all.

    Raises
    ------
    ValueError
        ``--scale-target standard`` for classification or for poisson (counts), or a
        ``--scale-target`` on resume that differs from the checkpoint's.

    Examples
    --------
    >>> from glassnet.datasets import load
    >>> info = {}; target_scaling({"scale_target": None}, info, load("curve"), "mse", False)
    >>> sorted(info["target_scaler"])
    ['mean', 'scale']
    >>> target_scaling({"scale_target": None}, info, load("curve"), "poisson", False)
    >>> info["target_scaler"] is None
    True
    """
    asked = s["scale_target"]
    if resumed:
        kept = "standard" if info.get("target_scaler") else "none"
        if asked is not None and asked != kept:
            raise ValueError(
                f"--scale-target {asked} differs from the run in {s['checkpoint']} "
                f"(--scale-target {kept}); a resumed run keeps the targets' scale it started "
                "with: resume without --scale-target, or start afresh with another --checkpoint."
            )
        return
    regression = data.task == "regression"
    if asked == "standard" and not regression:
        raise ValueError(
            "--scale-target standard applies to regression targets; this data is "
            f"{data.task}. Drop --scale-target."
        )
    if asked == "standard" and loss not in SCALED_LOSSES:
        raise ValueError(
            f"--scale-target standard does not go with --loss {loss}: its targets are counts "
            "(>= 0) and standardising them would make them negative. Drop --scale-target."
        )
    default = "standard" if regression and loss in SCALED_LOSSES else "none"
    if (asked or default) == "standard":
        info["target_scaler"] = (
            Standardizer().fit(data.y_train.reshape(len(data.y_train), -1)).state()
        )
        return
    info["target_scaler"] = None
    if asked == "none" and regression:
        y = data.y_train.reshape(len(data.y_train), -1).astype(np.float64)  # (N, k)
        rms = float(np.sqrt(np.mean(y * y, axis=0)).max()) if y.size else 0.0
        if rms >= LARGE_TARGETS:
            print(
                f"warning: --scale-target none with targets of root mean square {rms:.3g}: the "
                "network's outputs start near 0 and it learns targets this large slowly, if at "
                "all (R^2 may stay below 0). Drop --scale-target none to train on standardised "
                "targets (predict and evaluate still answer in the targets' units).",
                file=sys.stderr,
            )


def class_weight(s: dict[str, Any], info: dict[str, Any], data: Dataset, resumed: bool) -> Any:
    """What ``fit(class_weight=...)`` gets from ``--class-weight`` (None without it); a resumed
    run keeps the class weights of the checkpoint's run, which ``info`` holds.

    Raises
    ------
    ValueError
        For regression data, or a ``--class-weight`` on resume that differs from the
        checkpoint's (the weights a run trains with cannot change half way).

    Examples
    --------
    >>> from glassnet.datasets import load
    >>> class_weight({"class_weight": "versicolor:2"}, {}, load("iris"), False)
    {1: 2.0}
    """
    text = s["class_weight"]
    if resumed:
        kept = info.get("class_weight")
        if text is not None and text != kept:
            was = f"--class-weight {kept}" if kept else "no --class-weight"
            raise ValueError(
                f"--class-weight {text} differs from the run in {s['checkpoint']} ({was}); a "
                "resumed run keeps the class weights it started with: resume without "
                "--class-weight, or start afresh with another --checkpoint."
            )
        text = kept
    if text is None:
        return None
    if data.task != "classification":
        raise ValueError(
            f"--class-weight applies to classification; {data.name or 'the data'} is "
            f"{data.task}. Drop --class-weight, or use --weight-column for per-row weights."
        )
    info["class_weight"] = text  # travels with the checkpoint and the model file
    return class_weight_from(text, data.class_names, int(data.n_classes or 0))


def early_stopping(s: dict[str, Any], previous: dict[str, Any] | None) -> EarlyStopping | None:
    """The ``--early-stopping`` callback (None without the flag), on val_loss with
    ``--validation-split``, else on loss; a resumed run continues the checkpoint's early stopping.

    Parameters
    ----------
    s : dict
        The settings (``settings_from``).
    previous : dict or None
        The run state of the checkpoint resumed from (``load_checkpoint``), or None.

    Raises
    ------
    ValueError
        If the checkpoint's early stopping watched another metric (another --validation-split).

    Examples
    --------
    >>> early_stopping({"early_stopping": 3, "validation_split": 0.2}, None).monitor
    'val_loss'
    >>> early_stopping({"early_stopping": None}, None) is None
    True
    """
    if s["early_stopping"] is None:
        return None
    stop = EarlyStopping(monitor=_monitor(s), patience=s["early_stopping"])
    return restored(stop, s, previous, "--early-stopping", "early stopping")


def lr_schedule(s: dict[str, Any], previous: dict[str, Any] | None) -> Callback | None:
    """The ``--lr-schedule`` callback (None without one, or for "none"); a resumed run's plateau
    schedule continues from the checkpoint's state (best value, epochs waited, cooldown).

    Cosine runs over ``--epochs``; plateau watches val_loss with ``--validation-split``, else
    loss. A resumed run without the flag has it from the checkpoint already (see ``run``).

    Examples
    --------
    >>> s = {"lr_schedule": "exponential:0.9", "epochs": 5, "validation_split": 0.2}
    >>> lr_schedule(s, None)
    ExponentialLR(gamma=0.9)
    >>> lr_schedule({**s, "lr_schedule": "plateau"}, None).monitor
    'val_loss'
    """
    if s["lr_schedule"] is None:
        return None
    schedule = schedule_from(s["lr_schedule"], s["epochs"], _monitor(s))
    if isinstance(schedule, ReduceLROnPlateau):
        return restored(schedule, s, previous, "--lr-schedule plateau", "the plateau schedule")
    return schedule


def _monitor(s: dict[str, Any]) -> str:
    """What early stopping and the plateau schedule watch: val_loss with validation data."""
    return "val_loss" if s["validation_split"] else "loss"


C = TypeVar("C", EarlyStopping, ReduceLROnPlateau)


def restored(cb: C, s: dict[str, Any], previous: dict[str, Any] | None, flag: str, noun: str) -> C:
    """``cb`` with the state the resumed checkpoint saved under its ``state_key`` loaded (a
    fresh run, or a checkpoint without that state, keeps ``cb`` as it is, with a note).

    Raises
    ------
    ValueError
        If the saved state watched another metric (another --validation-split).

    Examples
    --------
    >>> saved = ReduceLROnPlateau(monitor="loss").state_dict()
    >>> previous = {"reduce_lr_on_plateau": ({**saved[0], "wait": 3}, {})}
    >>> s = {"quiet": True, "json": False, "checkpoint": "c.npz"}
    >>> restored(ReduceLROnPlateau(monitor="loss"), s, previous, "--lr-schedule", "it").wait
    3
    """
    saved = (previous or {}).get(cb.state_key)
    if saved is None:
        if previous is not None and not (s["quiet"] or s["json"]):
            print(
                f"{s['checkpoint']} holds no {cb.state_name} state (an older file, or a run "
                f"without {flag}); {noun} starts afresh",
                file=sys.stderr,
            )
        return cb
    try:
        cb.load_state_dict(*saved)
    except ValueError as exc:
        raise ValueError(
            f"{exc} glassnet train watches val_loss with --validation-split and loss without: "
            "resume with the --validation-split of the run that wrote the checkpoint."
        ) from None
    return cb


def regularized_optimizer(s: dict[str, Any], optimizer: Any, net: Any, resumed: bool) -> Any:
    """The optimiser ``fit`` gets: its name, built with ``--weight-decay`` when that is given, or
    the resumed one. A resumed run keeps the checkpoint's weight decay and dropout: another
    value typed is refused, naming the one to use.

    Examples
    --------
    >>> from glassnet import mlp
    >>> regularized_optimizer({"weight_decay": 0.01, "dropout": None}, "sgd", mlp("2,1"), False)
    SGD(lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.01)
    """
    from glassnet.layers.dropout import Dropout
    from glassnet.optimizers import get_optimizer

    decay, dropout = s["weight_decay"], s["dropout"]
    if not resumed:
        return optimizer if decay is None else get_optimizer(optimizer, weight_decay=decay)
    saved = float(getattr(optimizer, "weight_decay", 0.0))
    if decay is not None and decay != saved:
        raise ValueError(
            f"--weight-decay {decay}: the checkpoint trained with weight decay {saved}; resume "
            "with that value or without the flag."
        )
    rates = {layer.p for layer in net.layers if isinstance(layer, Dropout)} or {0.0}
    if dropout is not None and {dropout} != rates:
        raise ValueError(
            f"--dropout {dropout}: the checkpoint's network has dropout {sorted(rates)}; resume "
            "with that value or without the flag."
        )
    return optimizer
