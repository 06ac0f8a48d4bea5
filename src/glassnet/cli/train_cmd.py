"""``glassnet train``: train a multi-layer perceptron on a named data set or a CSV file.

Flow: settings (defaults < ``--config`` file < flags) -> data (train/test split, inputs
standardised with the training set's mean and scale, regression targets too unless
``--scale-target none``; a CSV's ``--weight-column`` weights split with their rows) -> network (widths inferred from the data) -> ``fit`` with progress bar,
checkpoints, early stopping, an lr schedule (and ``sample_weight``) -> model file -> metrics on
the test split (plus the weighted test loss). No maths here; the library does it.

The flags are defined in ``train_flags``, the settings, data, early stopping and lr schedule of
a run in ``train_settings`` (``lr_schedule`` reads its value); this module runs the training and
prints the report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from glassnet.cli import _common as common
from glassnet.cli._files import CommandFailed, check_output, save_or_rescue
from glassnet.cli._resume import check_resumed_flags, given_settings
from glassnet.cli.find_lr import run_find_lr
from glassnet.cli.train_flags import EPILOG, SPEC, add_flags
from glassnet.cli.train_settings import (
    JIT_COMPILE,
    class_weight,
    early_stopping,
    fresh_data,
    lr_schedule,
    regularized_optimizer,
    resumed_data,
    settings_from,
    target_scaling,
)
from glassnet.datasets import Standardizer
from glassnet.datasets.csv_encode import fill_missing
from glassnet.model.build import mlp
from glassnet.saving.serialize import load_checkpoint
from glassnet.train.fit import DivergedError, fit

__all__ = [
    "EPILOG",
    "SPEC",
    "add_parser",
    "class_weight",
    "early_stopping",
    "fresh_data",
    "lr_schedule",
    "resumed_data",
    "run",
    "settings_from",
    "target_scaling",
]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "train",
        help="train a network on a data set or CSV file",
        description="Train a multi-layer perceptron, save it, and report test metrics.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_flags(p)
    p.set_defaults(func=run)


def _plot_module() -> Any:
    try:
        import glassnet.plot as plot
    except ImportError as exc:
        raise ImportError(
            f"--plot-dir and --animate need matplotlib: pip install 'glassnet[plot]' ({exc})."
        ) from None
    return plot


def check_outputs(s: dict[str, Any]) -> None:
    """``--save`` and ``--checkpoint``, checked before any data loads or any epoch runs: a
    directory or device is refused, a file that is not a glassnet model needs ``--force``, and
    the folder must be writable."""
    if s["save"]:
        check_output(s["save"], "--save", s["force"])
    if s["checkpoint"]:
        check_output(s["checkpoint"], "--checkpoint", s["force"])


def csv_info(s: dict[str, Any], data: Any) -> dict[str, Any]:
    """How the training CSV was read, for reading new rows alike (see ``_common``); {} for a
    named data set."""
    schema = data.csv_schema
    if schema is None:
        return {}
    return {
        "columns": schema["columns"],
        "categories": schema["categories"] if s["categorical"] == "auto" else None,
        "delimiter": schema["delimiter"],
        "encoding": s["encoding"],
    }


def _fit(net: Any, X: Any, T: Any, s: dict[str, Any], checkpoint: Any, **kwargs: Any) -> Any:
    """``fit``; divergence becomes a :class:`CommandFailed` (exit status 1) that says which
    weights are kept and where the last checkpoint is."""
    try:
        return fit(net, X, T, **kwargs)
    except DivergedError as exc:
        where = ""
        if checkpoint is not None and checkpoint.completed:
            where = (
                f" {s['checkpoint']} holds the weights of the last completed epoch; resume "
                "from it with --resume and a lower learning rate, or start afresh."
            )
        if s["save"]:
            where += f" Nothing was saved to {s['save']}."
        raise CommandFailed(f"{exc}{where}") from None


def run(args: argparse.Namespace) -> int:
    """Train; return 0, or 130 when interrupted with Ctrl-C (after saving), or 1 when the model
    could not be saved where asked (it is saved elsewhere, and the message says where)."""
    s = settings_from(args)
    check_outputs(s)
    resumed = s["resume"] and Path(s["checkpoint"]).exists()
    optimizer: Any = s["optimizer"]
    initial_epoch, seed, previous = 0, s["seed"], None
    if resumed:
        net, optimizer, previous = load_checkpoint(s["checkpoint"])
        info = dict(previous.get("data") or {})
        initial_epoch, seed = int(previous["epoch"]), previous.get("seed", seed)
        if s["lr_schedule"] is None:  # not typed: the schedule of the run resumed goes on
            s["lr_schedule"] = previous.get("lr_schedule")
        if s["clip_norm"] is None:  # likewise the clipping
            s["clip_norm"] = previous.get("clip_norm")
        data, weights = resumed_data(s, info)
    else:
        data, weights = fresh_data(s)
    task = data.task
    default_loss = "cross_entropy" if task == "classification" else "mse"
    loss = s["loss"] or (previous or {}).get("loss") or default_loss
    n_out, out_act = common.output_plan(task, loss, data.n_classes, data.y_train)
    if resumed:
        check_resumed_flags(
            s, given_settings(args), net, optimizer, previous, data.n_features, n_out
        )
    else:
        if s["resume"] and not (s["quiet"] or s["json"]):
            print(f"no checkpoint at {s['checkpoint']} yet; starting afresh", file=sys.stderr)
        widths = common.resolve_widths(s["layers"], s["hidden"], data.n_features, n_out)
        net = mlp(
            widths,
            s["activation"],
            output_activation=s["output_activation"] or out_act,
            dropout=s["dropout"] or 0.0,
            dtype=s["dtype"],
            seed=s["seed"],
        )
        info = {
            "task": task,
            "n_classes": data.n_classes,
            "class_names": data.class_names,
            "feature_names": data.feature_names,
            "target": s["target"],
            "dataset": s["data"],
            "split_seed": s["seed"],
            "test_size": s["test_size"],
            **csv_info(s, data),
        }
        if s["impute"] == "mean":  # the training rows' means, before the scaler sees them
            info["impute"] = common.impute_means(data.X_train, data.feature_names)
            fill_missing(data.X_train, info["impute"]["means"])
        info["standardizer"] = (
            Standardizer().fit(data.X_train).state() if s["standardize"] else None
        )
        if weights is not None:
            info["weight_column"] = s["weight_column"]
    optimizer = regularized_optimizer(s, optimizer, net, resumed)
    # imputed and scaled in place: the data set's arrays are this run's own, and a second copy
    # of MNIST's inputs would cost 188 MB (the API trains on one)
    data.X_train = X_train = common.apply_scaling(data.X_train, info, in_place=True)  # (N, d)
    data.X_test = X_test = common.apply_scaling(data.X_test, info, in_place=True)  # (M, d)
    target_scaling(s, info, data, loss, resumed)  # info["target_scaler"], kept on resume
    T_train = common.scale_targets(common.training_targets(task, loss, data.y_train, n_out), info)
    classes = class_weight(s, info, data, resumed)  # before the checkpoint copies info
    if s["find_lr"]:  # the range test instead of training
        return run_find_lr(s, net, X_train, T_train, loss, optimizer)

    callbacks: list[Any] = []
    for cb in (early_stopping(s, previous), lr_schedule(s, previous)):
        if cb is not None:
            callbacks.append(cb)
    checkpoint = None
    if s["checkpoint"]:
        before = previous.get("history") if previous else None
        checkpoint = common.CLICheckpoint(s["checkpoint"], info, before, overwrite=s["force"])
        for key in ("lr_schedule", "clip_norm"):  # for a --resume without the flag
            if s[key] is not None:
                checkpoint.extra_state[key] = s[key]
        callbacks.append(checkpoint)
    if s["animate"]:
        callbacks.append(
            _plot_module().BoundaryAnimation(
                X_train, data.y_train, path=s["animate"], every=s["animate_every"]
            )
        )
    quiet = s["quiet"] or s["json"]
    if not quiet:
        print(f"{data!r}: {task}, loss {loss}\n{net.summary()}")
    start = time.perf_counter()
    history = _fit(
        net,
        X_train,
        T_train,
        s,
        checkpoint,
        loss=loss,
        optimizer=optimizer,
        lr=None if resumed else s["lr"],
        epochs=s["epochs"],
        batch_size=s["batch_size"],
        validation_split=s["validation_split"],
        sample_weight=None if weights is None else weights.train,  # split with the rows
        class_weight=classes,
        clip_norm=s["clip_norm"],
        jit_compile=JIT_COMPILE[s["jit_compile"]],
        seed=seed,
        callbacks=callbacks,
        verbose=0 if quiet else 1,
        initial_epoch=initial_epoch,
    )
    seconds = time.perf_counter() - start
    if checkpoint is not None:  # a resumed run reports the epochs before the resume too
        history = checkpoint.full_history(history)
    save_error = save_or_rescue(net, s["save"], info, s["force"]) if s["save"] else None
    test_weights = None if weights is None else (weights.column, weights.test)
    report = common.build_report(net, X_test, data.y_test, info, test_weights)
    plots: list[str] = []
    if s["plot_dir"]:
        written = _plot_module().save_standard_plots(
            net, history, X_test, data.y_test, directory=s["plot_dir"], task=task
        )
        plots = [str(p) for p in written]
    interrupted = history.stopped == "interrupted"
    if s["json"]:
        out = {
            "metrics": report,
            "history": history.to_dict(),
            "settings": s,
            "sample_weight": None if weights is None else weights.column,
            "class_weight": info.get("class_weight"),
            "seconds": seconds,
            "stopped": history.stopped,
            "plots": plots,
        }
        print(json.dumps(out))
    else:
        common.print_metrics(report, short=s["quiet"])
        for path in plots:
            print(f"wrote {path}")
        if s["save"] and save_error is None:
            print(f"saved the model to {s['save']}")
    if save_error is not None:
        print(f"glassnet train: error: {save_error}", file=sys.stderr)
        return 1
    if interrupted:
        where = " and ".join(p for p in (s["checkpoint"], s["save"]) if p)
        where = where or "nothing (give --checkpoint or --save)"
        print(
            f"stopped early (Ctrl-C) after {len(history.epochs)} epochs; saved {where}",
            file=sys.stderr,
        )
        return 130
    return 0
