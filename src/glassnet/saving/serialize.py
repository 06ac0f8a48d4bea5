"""Saving and loading networks: NumPy arrays in an .npz plus a JSON description. No pickle.

A model file is a zip archive (NumPy's .npz) holding one array per parameter ("0.W", "0.b",
...) and one entry "__glassnet__" with the architecture as UTF-8 JSON bytes. It is read with
``np.load(..., allow_pickle=False)``, so opening a model file can never run code. Files are
written to a temporary name beside the target and renamed into place, so a crash never leaves
a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import activations, layers
from glassnet.layers.dropout import Dropout
from glassnet.model.sequential import Sequential

if TYPE_CHECKING:
    from collections.abc import Iterable

    from glassnet.callbacks.base import Callback
    from glassnet.callbacks.early_stopping import EarlyStopping

FORMAT = "glassnet-model"
VERSION = 1
_META = "__glassnet__"
_LAYER_TYPES: dict[str, type] = {
    "Dense": layers.Dense,
    "Dropout": Dropout,
    **{
        cls.__name__: cls
        for cls in (
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


def describe(net: Sequential) -> dict[str, Any]:
    """The JSON-able architecture of ``net`` (no weights).

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid
    >>> describe(Sequential([Dense(1, 1), Sigmoid()]))["layers"][1]
    {'type': 'Sigmoid', 'config': {}}
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "dtype": str(net.dtype),
        "layers": [
            {"type": type(layer).__name__, "config": layer.config()} for layer in net.layers
        ],
        "loss": net.loss_.name if net.loss_ is not None else None,
        "loss_config": net.loss_.config() if net.loss_ is not None else {},
        "feature_names": net.feature_names,
    }


def _write_npz(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Write atomically: a temporary file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(arrays)
    payload[_META] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(net: Sequential, path: Any) -> None:
    """Save ``net`` to ``path`` atomically (see the module docstring for the format).

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense
    >>> save(Sequential([Dense(2, 1)]), os.path.join(tempfile.mkdtemp(), "m.npz"))
    """
    _write_npz(Path(path), _arrays(net), describe(net))


def save_checkpoint(
    net: Sequential,
    path: Any,
    optimizer: Any = None,
    state: dict | None = None,
    early_stopping: EarlyStopping | None = None,
    callbacks: Iterable[Callback] = (),
) -> None:
    """Save ``net`` with its optimiser's state and the run's progress, for resuming.

    Parameters
    ----------
    net : Sequential
        The network; its weights are saved as in ``save``.
    path : str or Path
        The .npz file to write (atomically).
    optimizer : Optimizer, optional
        Its settings and per-parameter state are saved too.
    state : dict, optional
        JSON-able run state (epoch to resume at, seed, history, ...).
    early_stopping : EarlyStopping, optional
        Its progress (best value, epochs waited, best weights) is saved too; ``load_checkpoint``
        gives it back as ``state["early_stopping"]``. The same as listing it in ``callbacks``.
    callbacks : iterable of Callback
        Callbacks with progress of their own (a ``state_key``, ``state_dict()``), e.g.
        ``ReduceLROnPlateau``: each one's ``state_dict()`` is saved under its ``state_key``, and
        ``load_checkpoint`` gives it back as ``state[state_key]``.

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense
    >>> save_checkpoint(Sequential([Dense(2, 1)]), os.path.join(tempfile.mkdtemp(), "c.npz"),
    ...                 state={"epoch": 3})
    """
    arrays = _arrays(net)
    meta = describe(net)
    meta["state"] = state or {}
    if optimizer is not None:
        opt_meta, opt_arrays = optimizer.state_dict()
        meta["optimizer"] = opt_meta
        arrays.update({f"optimizer/{k}": v for k, v in opt_arrays.items()})
    stateful = [*([early_stopping] if early_stopping is not None else []), *callbacks]
    for cb in stateful:
        key = cb.state_key
        if key in (None, "callback_states") or key in meta or key in meta["state"] or "/" in key:
            raise ValueError(
                f"{type(cb).__name__}.state_key must name its state in the checkpoint, apart "
                f"from the network's, the optimiser's and the run's entries; got {key!r}."
            )
        cb_meta, cb_arrays = cb.state_dict()
        meta[key] = cb_meta
        arrays.update({f"{key}/{k}": v for k, v in cb_arrays.items()})
    if stateful:
        meta["callback_states"] = [cb.state_key for cb in stateful]
    _write_npz(Path(path), arrays, meta)


def _arrays(net: Sequential) -> dict[str, np.ndarray]:
    """Every array a model file holds: the parameters ("0.W", ...) and each layer's state that
    is saved but not learnt (BatchNorm's "1.running_mean", "1.running_var")."""
    arrays = {p.name: p.value for p in net.parameters()}
    for i, layer in enumerate(net.layers):
        arrays.update({f"{i}.{key}": v for key, v in getattr(layer, "state", {}).items()})
    return arrays


def _read(path: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no model file at {str(path)!r}; check the path.")
    with open(path, "rb") as fh:
        head = fh.read(6)
    if not head.startswith((b"PK", b"\x93NUMPY", b"\x80")):  # zip, .npy, pickle (protocol 2+)
        raise ValueError(
            f"{str(path)!r} is not a glassnet model file (not an .npz archive). "
            "Save a model with net.save(path)."
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except ValueError as exc:
        if "pickle" in str(exc):
            raise ValueError(
                f"{str(path)!r} contains pickled data; glassnet never loads pickles because they "
                "can run code. Re-save the model with net.save(path)."
            ) from None
        raise ValueError(f"{str(path)!r} is not a glassnet model file: {exc}") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        raise ValueError(
            f"{str(path)!r} is not a readable glassnet model file (corrupt or truncated: {exc}). "
            "Save it again with net.save(path)."
        ) from None
    if not isinstance(arrays, dict) or _META not in arrays:
        raise ValueError(
            f"{str(path)!r} is an .npz file but not a glassnet model (no {_META} entry)."
        )
    try:
        meta = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{str(path)!r}: the model description is corrupt ({exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(
            f"{str(path)!r} is not a glassnet model file (format {meta.get('format')!r})."
        )
    if meta.get("version", 0) > VERSION:
        raise ValueError(
            f"{str(path)!r} was written by a newer glassnet (format version {meta['version']}); "
            "upgrade glassnet to read it."
        )
    return meta, arrays


def _build(meta: dict[str, Any], arrays: dict[str, np.ndarray], path: Any) -> Sequential:
    built = []
    try:
        for spec in meta["layers"]:
            cls = _LAYER_TYPES.get(spec["type"])
            if cls is None:
                raise ValueError(f"unknown layer type {spec['type']!r}")
            built.append(cls(**spec.get("config", {})))
        net = Sequential(built, dtype=meta["dtype"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{str(path)!r}: the model description is invalid ({exc}).") from None
    targets = [(p.name, p.value) for p in net.parameters()]
    for i, layer in enumerate(net.layers):
        targets += [(f"{i}.{key}", v) for key, v in getattr(layer, "state", {}).items()]
    for name, value in targets:
        if name not in arrays:
            raise ValueError(f"{str(path)!r} lacks the array {name!r}; the file is incomplete.")
        arr = arrays[name]
        if arr.shape != value.shape:
            raise ValueError(
                f"{str(path)!r}: array {name!r} has shape {arr.shape}, expected {value.shape}."
            )
        value[...] = arr
    if meta.get("loss"):
        from glassnet.losses import get_loss

        net.loss_ = get_loss(meta["loss"], **meta.get("loss_config", {}))
    names = meta.get("feature_names")
    if isinstance(names, list) and len(names) == net.in_features:
        net.feature_names = [str(n) for n in names]
    return net


def load(path: Any) -> Sequential:
    """Load a network saved with ``net.save(path)``.

    Raises
    ------
    ValueError
        If the file is not a glassnet model (a pickle, truncated, another program's .npz).

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense
    >>> path = os.path.join(tempfile.mkdtemp(), "m.npz")
    >>> Sequential([Dense(2, 1)]).save(path); load(path)
    Sequential([Dense(in_features=2, out_features=1, init='xavier_uniform', bias_init='zeros')], dtype='float32')
    """
    meta, arrays = _read(path)
    return _build(meta, arrays, path)


def load_checkpoint(path: Any) -> tuple[Sequential, Any, dict[str, Any]]:
    """Load (network, optimiser with its state, run state) written by ``save_checkpoint``.

    The run state holds "epoch" (where to resume), "seed" and "history". A checkpoint saved
    with early stopping adds "early_stopping": the ``(progress, best weights)`` pair of
    ``EarlyStopping.state_dict``, which ``stop.load_state_dict(*state["early_stopping"])``
    restores (see ``ModelCheckpoint`` for a whole resumed run). Older checkpoints lack it.
    Likewise every callback saved with its ``state_key`` (``ReduceLROnPlateau``:
    "reduce_lr_on_plateau"). The optimiser comes back with the lr it had reached.

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense, EarlyStopping
    >>> path = os.path.join(tempfile.mkdtemp(), "c.npz")
    >>> save_checkpoint(Sequential([Dense(2, 1)]), path, state={"epoch": 2})
    >>> load_checkpoint(path)[2]["epoch"]
    2
    >>> "early_stopping" in load_checkpoint(path)[2]
    False
    >>> saved = EarlyStopping(monitor="loss", patience=3)
    >>> saved.wait = 1
    >>> save_checkpoint(Sequential([Dense(2, 1)]), path, early_stopping=saved)
    >>> stop = EarlyStopping(monitor="loss", patience=3)
    >>> stop.load_state_dict(*load_checkpoint(path)[2]["early_stopping"]); stop.wait
    1
    """
    meta, arrays = _read(path)
    opt_arrays = _pop_prefixed(arrays, "optimizer/")
    # checkpoints from before "callback_states" hold at most an "early_stopping" entry
    keys = meta.get("callback_states", ["early_stopping"] if "early_stopping" in meta else [])
    saved = {key: (meta[key], _pop_prefixed(arrays, f"{key}/")) for key in keys}
    net = _build(meta, arrays, path)
    optimizer = None
    if "optimizer" in meta:
        from glassnet.optimizers import get_optimizer

        opt_meta = meta["optimizer"]
        hp = dict(opt_meta.get("hyperparameters", {}))
        if "betas" in hp:
            hp["betas"] = tuple(hp["betas"])
        name = opt_meta["name"]
        optimizer = get_optimizer(name, **hp).bind(net)
        optimizer.load_state_dict(opt_meta, opt_arrays)
    state = {**meta.get("state", {}), **saved}
    _fill_constant_lr(state, optimizer, meta)
    return net, optimizer, state


def _fill_constant_lr(state: dict[str, Any], optimizer: Any, meta: dict[str, Any]) -> None:
    """Give a history saved before learning-rate schedules its "lr" list: those runs kept one
    lr, the optimiser's, so a resumed run's lists stay as long as each other."""
    history = state.get("history")
    opt_meta = meta.get("optimizer", {})
    if (
        not isinstance(history, dict)
        or optimizer is None
        or "initial_lr" in opt_meta  # written with schedules: "lr" is there if it was logged
        or "lr" in history.get("history", {})
    ):
        return
    n = len(history.get("epochs", []))
    history["history"] = {**history.get("history", {}), "lr": [float(optimizer.lr)] * n}


def _pop_prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """Remove the arrays whose names start with ``prefix``; return them without it."""
    return {k[len(prefix) :]: arrays.pop(k) for k in list(arrays) if k.startswith(prefix)}
