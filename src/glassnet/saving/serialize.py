"""Saving and loading networks: NumPy arrays in an .npz plus a JSON description. No pickle.

A model file is a zip archive (NumPy's .npz) holding one array per parameter ("0.W", "0.b",
...) and one entry "__glassnet__" with the architecture as UTF-8 JSON bytes.

Loading treats the file as untrusted input, in the spirit of PyTorch's
``torch.load(weights_only=True)``: only plain data, checked before use. Nothing is ever
unpickled, so opening a model file can never run code; the description is checked (types, layer
types and arguments, the limits of :mod:`glassnet.saving.limits`) and every array's declared
shape and size compared with it before any layer is built or any array read (see
:mod:`.archive` and :mod:`.schema`); weights must be finite unless ``allow_nonfinite=True``.

Saving goes through :func:`glassnet.saving.files.atomic_write`: a temporary file renamed into
place (a crash never leaves half a file), the umask's mode, and never over a directory, a
special file or a file that is not a glassnet model (unless ``overwrite=True``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from glassnet.model.sequential import Sequential
from glassnet.saving.archive import Archive, check_regular_file
from glassnet.saving.files import atomic_write
from glassnet.saving.limits import MAX_DESCRIPTION_BYTES, MAX_LAYERS, MAX_PARAMS, STATE_COPIES
from glassnet.saving.schema import FORMAT, LAYER_TYPES, VERSION, Plan, check_description

if TYPE_CHECKING:
    from collections.abc import Iterable

    from glassnet.callbacks.base import Callback
    from glassnet.callbacks.early_stopping import EarlyStopping

__all__ = ["FORMAT", "VERSION", "describe", "load", "load_checkpoint", "save", "save_checkpoint"]

_META = "__glassnet__"
_LAYER_TYPES = LAYER_TYPES  # the old private name
#: JSON objects a description may hold besides its layers' (the run state, the history, the
#: optimiser, the callbacks' states: a few dozen in practice)
_OTHER_OBJECTS = 10_000


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


def _write_npz(
    path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any], overwrite: bool = False
) -> None:
    """Write atomically (a temporary file in the same folder, then a rename); see ``files``."""
    payload = dict(arrays)
    payload[_META] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)

    def write(fh: IO[bytes]) -> None:
        np.savez(fh, **payload)

    atomic_write(path, write, overwrite=overwrite)


def save(net: Sequential, path: Any, *, overwrite: bool = False) -> None:
    """Save ``net`` to ``path`` atomically (see the module docstring for the format).

    Parameters
    ----------
    net : Sequential
    path : str or Path
        The .npz file to write; missing folders are created.
    overwrite : bool, default False
        Replace ``path`` even when it is a file that is not a glassnet model (a glassnet model
        or checkpoint, or an empty file, is replaced either way). A directory or a special file
        is never written over.

    Raises
    ------
    FileExistsError
        ``path`` is a file that is not a glassnet model, and ``overwrite`` is False.
    ValueError
        ``path`` is a directory or a special file (a device, pipe or socket).

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense
    >>> save(Sequential([Dense(2, 1)]), os.path.join(tempfile.mkdtemp(), "m.npz"))
    """
    _write_npz(Path(path), _arrays(net), describe(net), overwrite)


def save_checkpoint(
    net: Sequential,
    path: Any,
    optimizer: Any = None,
    state: dict | None = None,
    early_stopping: EarlyStopping | None = None,
    callbacks: Iterable[Callback] = (),
    *,
    overwrite: bool = False,
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
    overwrite : bool, default False
        As for :func:`save`: replace a file that is not a glassnet model.

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
    _write_npz(Path(path), arrays, meta, overwrite)


def _arrays(net: Sequential) -> dict[str, np.ndarray]:
    """Every array a model file holds: the parameters ("0.W", ...) and each layer's state that
    is saved but not learnt (BatchNorm's "1.running_mean", "1.running_var")."""
    arrays = {p.name: p.value for p in net.parameters()}
    for i, layer in enumerate(net.layers):
        arrays.update({f"{i}.{key}": v for key, v in getattr(layer, "state", {}).items()})
    return arrays


def _refuse_foreign(path: Path, where: str) -> None:
    """Say what a file that is not a zip archive is: a pickle, a bare .npy, or anything else."""
    with open(path, "rb") as fh:
        head = fh.read(6)
    if head.startswith(b"PK"):
        return
    if head.startswith(b"\x80"):  # pickle protocol 2 and later
        raise ValueError(
            f"{where} contains pickled data; glassnet never loads pickles because they can run "
            "code. Re-save the model with net.save(path)."
        )
    if head.startswith(b"\x93NUMPY"):
        with open(path, "rb") as fh:
            try:
                np.lib.format.read_magic(fh)
                dtype = np.lib.format.read_array_header_1_0(fh)[2]
            except ValueError:
                dtype = None
        if dtype is not None and dtype.hasobject:
            raise ValueError(
                f"{where} is an .npy array of Python objects, which would need pickle; glassnet "
                "never loads pickles because they can run code. Re-save the model with "
                "net.save(path)."
            )
    raise ValueError(
        f"{where} is not a glassnet model file (not an .npz archive). "
        "Save a model with net.save(path)."
    )


class _TooManyObjects(Exception):
    """Raised inside ``json.loads`` to stop parsing a description that is far too large."""


def _description(archive: Archive, where: str, max_layers: int) -> Any:
    """The parsed JSON description, its size checked before it is read, and its parsing
    stopped as soon as it holds more JSON objects than a model of ``max_layers`` layers can
    (two per layer, its spec and its config, plus :data:`_OTHER_OBJECTS`)."""
    header = archive.headers.get(_META)
    if header is None:
        raise ValueError(f"{where} is an .npz file but not a glassnet model (no {_META} entry).")
    if header.dtype != np.uint8 or len(header.shape) != 1:
        raise ValueError(f"{where}: the model description is corrupt (not UTF-8 bytes).")
    if header.size > MAX_DESCRIPTION_BYTES:
        raise ValueError(
            f"{where}: the model description is {header.size} bytes, more than the "
            f"{MAX_DESCRIPTION_BYTES} allowed (glassnet.saving.limits.MAX_DESCRIPTION_BYTES); "
            "the file is corrupt or crafted."
        )
    raw = archive.read(_META).tobytes()
    budget, count = 2 * max_layers + _OTHER_OBJECTS, 0

    def counted(obj: dict[str, Any]) -> dict[str, Any]:
        nonlocal count
        count += 1
        if count > budget:
            raise _TooManyObjects
        return obj

    try:
        return json.loads(raw.decode("utf-8"), object_hook=counted)
    except _TooManyObjects:
        raise ValueError(
            f"{where} describes more than the limit of {max_layers} layers (its description "
            f"holds over {budget} JSON objects, more than any model within "
            "glassnet.saving.limits.MAX_LAYERS); if you trust the file, load it with "
            "load(path, max_layers=...)."
        ) from None
    except RecursionError:
        raise ValueError(
            f"{where}: the model description is corrupt (JSON nested too deeply)."
        ) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer too long
        raise ValueError(f"{where}: the model description is corrupt ({exc}).") from None


def _check_arrays(archive: Archive, plan: Plan, where: str) -> None:
    """Every array the description promises, with its shape; no other array than the
    checkpoint's state, whose size is bounded by :data:`STATE_COPIES` copies of the weights."""
    for name, shape in plan.params.items():
        header = archive.headers.get(name)
        if header is None:
            raise ValueError(f"{where} lacks the array {name!r}; the file is incomplete.")
        if header.shape != shape:
            raise ValueError(f"{where}: array {name!r} has shape {header.shape}, expected {shape}.")
    extra = 0
    for name, header in archive.headers.items():
        if name == _META or name in plan.params:
            continue
        if not name.startswith(plan.prefixes):
            raise ValueError(
                f"{where} holds an array {name!r} that its description does not account for; "
                "the file is corrupt or crafted."
            )
        extra += header.size
    if extra > STATE_COPIES * plan.n_params:
        raise ValueError(
            f"{where}: the checkpoint's state arrays declare {extra} numbers, more than "
            f"{STATE_COPIES} per parameter ({plan.n_params} parameters; "
            "glassnet.saving.limits.STATE_COPIES); the file is corrupt or crafted."
        )


def _check_finite(arr: np.ndarray, name: str, where: str) -> None:
    """Refuse NaN or inf, naming the array and the first bad index."""
    if arr.dtype.kind != "f" or np.isfinite(arr).all():
        return
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
    raise ValueError(
        f"{where}: array {name!r} holds NaN or inf (first at index {index}: {arr[index]}), so "
        "the network would predict NaN; it was probably saved after training diverged. Train "
        "it again with a lower learning rate, or pass allow_nonfinite=True to load it anyway."
    )


def _read(
    path: Any,
    allow_nonfinite: bool = False,
    max_params: int = MAX_PARAMS,
    max_layers: int = MAX_LAYERS,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(description, arrays) of a model file, every check made before the arrays are read."""
    path = Path(path)
    where = repr(str(path))
    check_regular_file(path)
    _refuse_foreign(path, where)
    with Archive(path, where) as archive:
        meta = _description(archive, where, max_layers)
        plan = check_description(meta, where, max_layers, max_params)
        _check_arrays(archive, plan, where)
        arrays = {}
        for name in archive.headers:
            if name != _META:
                arrays[name] = archive.read(name)
                if not allow_nonfinite:
                    _check_finite(arrays[name], name, where)
    return meta, arrays


def _build(meta: dict[str, Any], arrays: dict[str, np.ndarray], path: Any) -> Sequential:
    """The network of a checked description, with its arrays' values."""
    where = repr(str(path))
    try:
        built = [LAYER_TYPES[spec["type"]](**spec.get("config", {})) for spec in meta["layers"]]
        net = Sequential(built, dtype=meta["dtype"])
        if meta.get("loss"):
            from glassnet.losses import get_loss

            net.loss_ = get_loss(meta["loss"], **meta.get("loss_config", {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: the model description is invalid ({exc}).") from None
    targets = [(p.name, p.value) for p in net.parameters()]
    for i, layer in enumerate(net.layers):
        targets += [(f"{i}.{key}", v) for key, v in getattr(layer, "state", {}).items()]
    for name, value in targets:
        if name not in arrays:
            raise ValueError(f"{where} lacks the array {name!r}; the file is incomplete.")
        arr = arrays[name]
        if arr.shape != value.shape:
            raise ValueError(
                f"{where}: array {name!r} has shape {arr.shape}, expected {value.shape}."
            )
        value[...] = arr
    names = meta.get("feature_names")
    if isinstance(names, list) and len(names) == net.in_features:
        net.feature_names = [str(n) for n in names]
    return net


def load(
    path: Any,
    *,
    allow_nonfinite: bool = False,
    max_params: int = MAX_PARAMS,
    max_layers: int = MAX_LAYERS,
) -> Sequential:
    """Load a network saved with ``net.save(path)``, checking the file before using it.

    Parameters
    ----------
    path : str or Path
        A model or checkpoint file.
    allow_nonfinite : bool, default False
        Load weights that hold NaN or inf (refused by default: such a network predicts NaN).
    max_params : int, default :data:`~glassnet.saving.limits.MAX_PARAMS` (100 million)
        Refuse a file that describes more parameters, before allocating anything.
    max_layers : int, default :data:`~glassnet.saving.limits.MAX_LAYERS` (10 000)
        Refuse a file that describes more layers, before building any.

    Raises
    ------
    FileNotFoundError
        Nothing at ``path``.
    ValueError
        ``path`` is a directory or a special file, or not a glassnet model (a pickle, truncated,
        another program's .npz, malformed JSON, a value of the wrong type, an array whose
        declared size disagrees with the description or the zip), or exceeds a limit, or holds
        NaN or inf weights; the message names the problem.

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense
    >>> path = os.path.join(tempfile.mkdtemp(), "m.npz")
    >>> Sequential([Dense(2, 1)]).save(path); load(path)
    Sequential([Dense(in_features=2, out_features=1, init='xavier_uniform', bias_init='zeros')], dtype='float32')
    >>> load(path, max_params=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ... describes more than 2 parameters (layer 0 is Dense(2, 1)), ...
    """
    meta, arrays = _read(path, allow_nonfinite, max_params, max_layers)
    return _build(meta, arrays, path)


def load_checkpoint(
    path: Any,
    *,
    allow_nonfinite: bool = False,
    max_params: int = MAX_PARAMS,
    max_layers: int = MAX_LAYERS,
) -> tuple[Sequential, Any, dict[str, Any]]:
    """Load (network, optimiser with its state, run state) written by ``save_checkpoint``.

    The file is checked as by :func:`load` (same keyword arguments). The run state holds
    "epoch" (where to resume), "seed" and "history". A checkpoint saved
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
    meta, arrays = _read(path, allow_nonfinite, max_params, max_layers)
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
        try:
            optimizer = get_optimizer(opt_meta["name"], **hp).bind(net)
            optimizer.load_state_dict(opt_meta, opt_arrays)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{str(path)!r}: the checkpoint's optimiser is invalid ({exc})."
            ) from None
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
