"""``glassnet train --resume`` with flags that would change the run: refused, naming each one.

A resumed run continues the network, the optimiser and the loss of its checkpoint. A flag typed
on the command line (or set in the ``--config`` file) that asks for another architecture,
optimiser, learning rate, loss or input encoding cannot take effect half way; it used to be
ignored silently. :func:`check_resumed_flags` compares every such flag with what the checkpoint
holds (its network's layers, its optimiser, its run state) and refuses the run, naming each
changed flag with the checkpoint's value and the new one. ``--weight-decay`` and ``--dropout``
are checked where the optimiser is rebuilt (``train_settings.regularized_optimizer``).
"""

from __future__ import annotations

import argparse
from typing import Any

from glassnet.activations import ACTIVATIONS, Activation, get_activation
from glassnet.cli import _common as common
from glassnet.cli.config import read_config
from glassnet.cli.train_flags import SPEC
from glassnet.layers.dense import Dense
from glassnet.losses import canonical_name


def given_settings(args: argparse.Namespace) -> set[str]:
    """The settings typed on the command line or set in the ``--config`` file (not defaults).

    Examples
    --------
    >>> given_settings(argparse.Namespace(lr=0.1, hidden=None, config=None))
    {'lr'}
    """
    typed = {key for key in SPEC if getattr(args, key, None) is not None}
    config = read_config(args.config, SPEC) if getattr(args, "config", None) else {}
    return typed | set(config)


def _activation_name(layer: Any) -> str:
    """An activation layer's name as the flags spell it ("relu"), or "none"."""
    if not isinstance(layer, Activation):
        return "none"
    return next((name for name, cls in ACTIVATIONS.items() if type(layer) is cls), "none")


def _network_settings(net: Any) -> dict[str, Any]:
    """Widths, hidden and output activations of a checkpoint's network, as the flags say them."""
    layers = net.layers
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    widths = [layers[dense[0]].in_features, *(layers[i].out_features for i in dense)]
    after = [layers[i + 1] if i + 1 < len(layers) else None for i in dense]
    hidden = sorted({_activation_name(layer) for layer in after[:-1]}) or ["none"]
    return {
        "widths": widths,
        "activation": ",".join(hidden),
        "output_activation": _activation_name(after[-1]),
        "dtype": str(net.dtype),
    }


def _same_activation(typed: str, saved: str) -> bool:
    try:
        return _activation_name(get_activation(typed)) == saved
    except ValueError:
        return False  # an unknown name differs (and would fail anyway)


def check_resumed_flags(
    s: dict[str, Any],
    given: set[str],
    net: Any,
    optimizer: Any,
    previous: dict[str, Any],
    n_in: int,
    n_out: int,
) -> None:
    """Refuse flags that differ from the checkpoint a run resumes, naming each with its values.

    Parameters
    ----------
    s : dict
        The settings (``settings_from``).
    given : set of str
        The settings typed or set in the config file (:func:`given_settings`).
    net, optimizer, previous
        What ``load_checkpoint`` gave back: the network, the optimiser and the run state.
    n_in, n_out : int
        The data's input and output widths (for ``--hidden`` and ``--layers``).

    Raises
    ------
    ValueError
        Listing every changed flag as ``--flag NEW (the checkpoint's: OLD)``.

    Examples
    --------
    >>> from glassnet import mlp
    >>> from glassnet.optimizers import get_optimizer
    >>> net = mlp("4,16,3", seed=0)
    >>> s = {"checkpoint": "ck.npz", "hidden": "32", "layers": None, "lr": 0.001,
    ...      "optimizer": "adam", "loss": None}
    >>> opt = get_optimizer("adam", lr=0.001).bind(net)
    >>> check_resumed_flags(s, {"hidden", "lr"}, net, opt, {}, 4, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --resume: ... --hidden 32 (the checkpoint's: 16). Resume without ...
    """
    saved = _network_settings(net)
    info = previous.get("data") or {}
    changed: list[str] = []

    def differs(flag: str, new: Any, old: Any) -> None:
        changed.append(f"{flag} {new} (the checkpoint's: {old})")

    if given & {"hidden", "layers"}:
        widths = common.resolve_widths(s["layers"], s["hidden"], n_in, n_out)
        if widths != saved["widths"]:
            flag = "--layers" if s["layers"] else "--hidden"
            old = saved["widths"] if s["layers"] else saved["widths"][1:-1]
            new = s["layers"] if s["layers"] else s["hidden"]
            differs(flag, new, ",".join(map(str, old)) or "none")
    if "activation" in given and not _same_activation(s["activation"], saved["activation"]):
        differs("--activation", s["activation"], saved["activation"])
    if "output_activation" in given:
        typed = s["output_activation"] or "none"
        if not _same_activation(typed, saved["output_activation"]):
            differs("--output-activation", typed, saved["output_activation"])
    if "dtype" in given and s["dtype"] != saved["dtype"]:
        differs("--dtype", s["dtype"], saved["dtype"])
    if "optimizer" in given and optimizer is not None:
        from glassnet.optimizers import get_optimizer

        if get_optimizer(s["optimizer"]).name != optimizer.name:
            differs("--optimizer", s["optimizer"], optimizer.name)
    if "lr" in given and optimizer is not None:
        start = optimizer.initial_lr if optimizer.initial_lr is not None else optimizer.lr
        if float(s["lr"]) != float(start):
            differs("--lr", s["lr"], start)
    if "loss" in given and previous.get("loss") and s["loss"] != canonical_name(previous["loss"]):
        differs("--loss", s["loss"], previous["loss"])
    if "categorical" in given:
        old = "auto" if info.get("categories") is not None else "none"
        if s["categorical"] != old:
            differs("--categorical", s["categorical"], old)
    if "impute" in given:
        old = "mean" if info.get("impute") else "none"
        if s["impute"] != old:
            differs("--impute", s["impute"], old)
    if changed:
        raise ValueError(
            f"--resume: the run in {s['checkpoint']} was started with other settings, which a "
            f"resumed run keeps: {'; '.join(changed)}. Resume without these flags (or with the "
            "checkpoint's values), or start afresh with another --checkpoint."
        )
