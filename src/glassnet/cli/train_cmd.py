"""``glassnet train``: train a multi-layer perceptron on a named data set or a CSV file.

Flow: settings (defaults < ``--config`` file < flags) -> data (train/test split, inputs
standardised with the training set's mean and scale) -> network (widths inferred from the data)
-> ``fit`` with progress bar, checkpoints, early stopping -> model file -> metrics on the test
split. No maths here; the library does it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from glassnet.build import mlp
from glassnet.callbacks import EarlyStopping
from glassnet.cli import _common as common
from glassnet.cli.config import read_config, resolve
from glassnet.datasets import Dataset, Standardizer
from glassnet.datasets.csv import TASKS
from glassnet.report import print_report
from glassnet.serialize import load_checkpoint
from glassnet.training import fit

# name -> (default, kind); every flag defaults to None so the config file can fill it in.
SPEC: dict[str, tuple[Any, Any]] = {
    "data": (None, str),
    "target": (None, str),
    "task": (None, str),
    "test_size": (0.2, float),
    "layers": (None, "widths"),
    "hidden": (None, "widths"),
    "activation": ("relu", str),
    "output_activation": (None, str),
    "loss": (None, str),
    "optimizer": ("adam", str),
    "lr": (0.001, float),
    "epochs": (20, int),
    "batch_size": (32, int),
    "seed": (0, int),
    "dtype": ("float32", str),
    "validation_split": (0.0, float),
    "early_stopping": (None, int),
    "standardize": (True, bool),
    "checkpoint": (None, str),
    "resume": (False, bool),
    "save": (None, str),
    "json": (False, bool),
    "quiet": (False, bool),
    "plot_dir": (None, str),
    "animate": (None, str),
    "animate_every": (1, int),
}

EPILOG = """\
The network: inputs and outputs come from the data, you choose the hidden layers.
  --hidden 128,64        two hidden layers (default: one of 64); 'none' for no hidden layer
  --layers auto,128,auto every width, inputs to outputs; 'auto' takes a width from the data
Classification uses cross_entropy (the last layer gives logits, the softmax is in the loss);
regression uses mse. Inputs are standardised with the training set's mean and standard
deviation, which are saved inside the model file so evaluate and predict scale the same way.

Examples:
  glassnet train --data digits --hidden 128 --epochs 20 --save digits.npz
  glassnet train --data iris.csv --target species --epochs 200 --json
  glassnet train --config run.toml --epochs 5        (flags override the file)
  glassnet train --data mnist --checkpoint ck.npz    then, after Ctrl-C: add --resume
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    d = {name: default for name, (default, _) in SPEC.items()}
    p = sub.add_parser(
        "train",
        help="train a network on a data set or CSV file",
        description="Train a multi-layer perceptron, save it, and report test metrics.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g = p.add_argument_group("data")
    g.add_argument(
        "--data",
        help="digits, iris, breast-cancer, mnist, fashion-mnist, xor, "
        "moons, circles, spirals, blobs, curve, or a path to a .csv file",
    )
    g.add_argument("--target", help="target column of a CSV file (name or index)")
    g.add_argument(
        "--task",
        choices=TASKS,
        help="how to read a CSV target (default: whole numbers with at most 20 values are "
        "classes, other numbers regression; --loss mse alone means regression)",
    )
    g.add_argument("--test-size", type=float, help=f"test fraction (default {d['test_size']})")
    g.add_argument(
        "--standardize",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="scale inputs to mean 0, std 1 with training statistics (default on)",
    )
    g = p.add_argument_group("network")
    g.add_argument("--hidden", metavar="WIDTHS", help="hidden widths, e.g. 128,64 (default 64)")
    g.add_argument("--layers", metavar="WIDTHS", help="all widths, e.g. auto,128,auto")
    g.add_argument(
        "--activation", help="hidden activation: relu (default), tanh, sigmoid, leaky_relu"
    )
    g.add_argument(
        "--output-activation",
        help="default: none for cross_entropy and mse, sigmoid for binary_cross_entropy",
    )
    g.add_argument("--dtype", choices=["float32", "float64"], help="default float32")
    g = p.add_argument_group("training")
    g.add_argument(
        "--loss",
        help="cross_entropy (default for classes), binary_cross_entropy, "
        "mse (default for regression)",
    )
    g.add_argument("--optimizer", help="adam (default), adamw, sgd, momentum, nesterov, rmsprop")
    g.add_argument("--lr", type=float, help=f"learning rate (default {d['lr']})")
    g.add_argument("--epochs", type=int, help=f"passes over the data (default {d['epochs']})")
    g.add_argument("--batch-size", type=int, help=f"default {d['batch_size']}")
    g.add_argument(
        "--seed",
        type=int,
        help="seeds the split, the weights and the shuffling "
        "(default 0); same seed, same result bit for bit",
    )
    g.add_argument(
        "--validation-split",
        type=float,
        help="fraction of the training set held out for val_loss (default 0)",
    )
    g.add_argument(
        "--early-stopping",
        type=int,
        metavar="PATIENCE",
        help="stop after PATIENCE epochs without improvement of val_loss "
        "(loss without --validation-split) and keep the best weights",
    )
    g = p.add_argument_group("files and output")
    g.add_argument("--config", metavar="FILE.toml", help="settings named like the flags")
    g.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="write model + optimiser state atomically after every epoch",
    )
    g.add_argument(
        "--resume",
        action="store_true",
        default=None,
        help="continue from --checkpoint (same final weights as an uninterrupted "
        "run); starts afresh if the file does not exist yet",
    )
    g.add_argument("--save", metavar="PATH", help="write the final model (.npz)")
    g.add_argument(
        "--json",
        action="store_true",
        default=None,
        help="print one JSON object (metrics, history, settings) and nothing else",
    )
    g.add_argument("--quiet", action="store_true", default=None, help="no progress bar")
    g.add_argument(
        "--plot-dir",
        metavar="DIR",
        help="after training, save the standard "
        "pictures (curves, network, boundary) into DIR; needs glassnet[plot]",
    )
    g.add_argument(
        "--animate",
        metavar="OUT.gif",
        help="record the decision boundary while "
        "training into an animated GIF (2-D inputs); needs glassnet[plot]",
    )
    g.add_argument(
        "--animate-every", type=int, metavar="N", help="a GIF frame every N epochs (default 1)"
    )
    p.set_defaults(func=run)


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
        s["loss"] = canonical_loss(s["loss"])
    return s


def canonical_loss(name: str) -> str:
    """A loss name as ``fit`` spells it: ``ce`` -> ``cross_entropy``, ``bce``, dashes -> _.

    Examples
    --------
    >>> canonical_loss("cross-entropy"), canonical_loss("bce")
    ('cross_entropy', 'binary_cross_entropy')
    """
    name = name.lower().replace("-", "_")
    return {"ce": "cross_entropy", "bce": "binary_cross_entropy"}.get(name, name)


def fresh_data(s: dict[str, Any]) -> Dataset:
    """The data of a new run: split with ``--seed`` and ``--test-size``; ``--task`` for a CSV,
    which ``--loss mse`` alone makes regression."""
    task = s["task"]
    if task is None and s["loss"] == "mse" and str(s["data"]).lower().endswith(".csv"):
        task = "regression"
    return common.load_data(s["data"], s["target"], s["seed"], s["test_size"], task)


def resumed_data(s: dict[str, Any], info: dict[str, Any]) -> Dataset:
    """The data of a resumed run, split as in the run that wrote the checkpoint (its seed, test
    size, target and task), whatever is typed now."""
    csv = str(s["data"]).lower().endswith(".csv")
    return common.load_data(
        s["data"],
        info.get("target", s["target"]),
        int(info.get("split_seed", s["seed"])),
        info.get("test_size", s["test_size"]),
        info.get("task") if csv else None,
    )


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
    monitor = "val_loss" if s["validation_split"] else "loss"
    stop = EarlyStopping(monitor=monitor, patience=s["early_stopping"])
    saved = (previous or {}).get("early_stopping")
    if saved is None:
        if previous is not None and not (s["quiet"] or s["json"]):
            print(
                f"{s['checkpoint']} holds no early-stopping state (an older file, or a run "
                "without --early-stopping); early stopping starts afresh",
                file=sys.stderr,
            )
        return stop
    try:
        stop.load_state_dict(*saved)
    except ValueError as exc:
        raise ValueError(
            f"{exc} glassnet train watches val_loss with --validation-split and loss without: "
            "resume with the --validation-split of the run that wrote the checkpoint."
        ) from None
    return stop


def _plot_module() -> Any:
    try:
        import glassnet.plot as plot
    except ImportError as exc:
        raise ImportError(
            f"--plot-dir and --animate need matplotlib: pip install 'glassnet[plot]' ({exc})."
        ) from None
    return plot


def run(args: argparse.Namespace) -> int:
    """Train; return 0, or 130 when interrupted with Ctrl-C (after saving)."""
    s = settings_from(args)
    resumed = s["resume"] and Path(s["checkpoint"]).exists()
    optimizer: Any = s["optimizer"]
    initial_epoch, seed, previous = 0, s["seed"], None
    if resumed:
        net, optimizer, previous = load_checkpoint(s["checkpoint"])
        info = dict(previous.get("data") or {})
        initial_epoch, seed = int(previous["epoch"]), previous.get("seed", seed)
        data = resumed_data(s, info)
    else:
        data = fresh_data(s)
    task = data.task
    default_loss = "cross_entropy" if task == "classification" else "mse"
    loss = s["loss"] or (previous or {}).get("loss") or default_loss
    n_out, out_act = common.output_plan(task, loss, data.n_classes, data.y_train)
    if not resumed:
        if s["resume"] and not (s["quiet"] or s["json"]):
            print(f"no checkpoint at {s['checkpoint']} yet; starting afresh", file=sys.stderr)
        widths = common.resolve_widths(s["layers"], s["hidden"], data.n_features, n_out)
        net = mlp(
            widths,
            s["activation"],
            output_activation=s["output_activation"] or out_act,
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
            "standardizer": Standardizer().fit(data.X_train).state() if s["standardize"] else None,
        }
    X_train = common.apply_scaling(data.X_train, info)  # (N, d)
    X_test = common.apply_scaling(data.X_test, info)  # (M, d)
    T_train = common.training_targets(task, loss, data.y_train, n_out)

    callbacks: list[Any] = []
    stop = early_stopping(s, previous)
    if stop is not None:
        callbacks.append(stop)
    checkpoint = None
    if s["checkpoint"]:
        before = previous.get("history") if previous else None
        checkpoint = common.CLICheckpoint(s["checkpoint"], info, before)
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
    history = fit(
        net,
        X_train,
        T_train,
        loss=loss,
        optimizer=optimizer,
        lr=None if resumed else s["lr"],
        epochs=s["epochs"],
        batch_size=s["batch_size"],
        validation_split=s["validation_split"],
        seed=seed,
        callbacks=callbacks,
        verbose=0 if quiet else 1,
        initial_epoch=initial_epoch,
    )
    seconds = time.perf_counter() - start
    if checkpoint is not None:  # a resumed run reports the epochs before the resume too
        history = checkpoint.full_history(history)
    if s["save"]:
        common.save_model(net, s["save"], info)
    report = common.build_report(net, X_test, data.y_test, info)
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
            "seconds": seconds,
            "stopped": history.stopped,
            "plots": plots,
        }
        print(json.dumps(out))
    else:
        if not s["quiet"]:
            print_report(report)
        else:
            print(common.headline(report))
        for path in plots:
            print(f"wrote {path}")
        if s["save"]:
            print(f"saved the model to {s['save']}")
    if interrupted:
        where = " and ".join(p for p in (s["checkpoint"], s["save"]) if p)
        where = where or "nothing (give --checkpoint or --save)"
        print(
            f"stopped early (Ctrl-C) after {len(history.epochs)} epochs; saved {where}",
            file=sys.stderr,
        )
        return 130
    return 0
