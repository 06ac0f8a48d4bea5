"""Validate every message the playground's browser sends: types, ranges and sizes.

Each checker takes the raw JSON value and returns clean Python values, or raises
:class:`ValueError`/:class:`TypeError` naming the field, what was expected and what came.
The server turns those errors into an ``{"type": "error"}`` message shown on the page.
"""

from __future__ import annotations

import base64
import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.playground import features
from glassnet.playground.brief import brief

MAX_POINTS = 10_000
MAX_LAYERS = 64
MAX_NEURONS = 256
MAX_UPLOAD = 5 * 1024 * 1024  # bytes
MAX_CLASSES = 8
MAX_WEIGHT = 1000.0  # largest magnitude a weight may be given by hand
SPEEDS = (0.1, 10_000.0)  # epochs per second while playing: the slowest and the fastest
DEFAULT_SPEED = 10.0  # slow enough to watch the boundary form (TensorFlow Playground-like)
DIGITS = (2, 12)  # decimals step mode may write its numbers with
DATASETS = ("xor", "moons", "circles", "spirals", "blobs", "plane", "gaussian")
ACTIVATIONS = (
    "tanh",
    "relu",
    "sigmoid",
    "leaky_relu",
    "elu",
    "silu",
    "gelu",
    "softplus",
    "identity",
)
LOSSES = ("mse", "binary_cross_entropy", "cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "adamw")


#: every message type the page sends, and the fields each may carry besides "type"
MESSAGES: dict[str, tuple[str, ...]] = {
    "hello": (),
    "set_data": ("dataset", "noise", "n_points", "test_ratio", "seed"),
    "set_network": (
        "hidden", "activations", "features", "loss", "optimizer", "lr", "batch_size", "l1",
        "l2", "seed",
    ),
    "add_point": ("x", "y", "label"),
    "remove_points": ("x", "y", "radius"),
    "upload_csv": ("data",),
    "load_model": ("data",),
    "download_model": (),
    "download_data": (),
    "reset": (),
    "step": ("unit",),
    "play": (),
    "pause": (),
    "sample_forward": ("index",),
    "sample_backward": (),
    "sample_update": (),
    "explain_param": ("layer", "param", "digits"),
    "drawn": ("frame",),
    "set_speed": ("speed",),
    "focus": ("layer", "node"),
    "set_weight": ("layer", "param", "value"),
    "load_preset": ("name",),
}  # fmt: skip


def message_type(msg: Any) -> str:
    """The ``type`` of a message, once its fields are checked against :data:`MESSAGES`.

    Raises
    ------
    TypeError, ValueError
        If the message is not a JSON object with a known string ``type``, or carries a field
        that type does not have (a misspelt field would otherwise be ignored silently).

    Examples
    --------
    >>> message_type({"type": "step", "unit": "epoch"})
    'step'
    >>> message_type({"type": "step", "units": "epoch"})
    Traceback (most recent call last):
    ...
    ValueError: unknown field 'units' in a step message; its fields are: type, unit.
    """
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise TypeError(f"a message must be a JSON object with a string 'type'; got {brief(msg)}.")
    kind = msg["type"]
    if kind not in MESSAGES:
        raise ValueError(
            f"unknown message type {brief(kind)}; the types are {', '.join(MESSAGES)}."
        )
    unknown = [key for key in msg if key != "type" and key not in MESSAGES[kind]]
    if unknown:
        raise ValueError(
            f"unknown field {brief(unknown[0])} in a {kind} message; its fields are: "
            f"{', '.join(('type', *MESSAGES[kind]))}."
        )
    return kind


def _get(msg: dict[str, Any], key: str, default: Any = None) -> Any:
    return msg.get(key, default)


def number(msg: dict[str, Any], key: str, low: float, high: float, default: Any = None) -> float:
    """A finite float in [low, high] from ``msg[key]``.

    Examples
    --------
    >>> number({"lr": 0.1}, "lr", 0.0, 10.0)
    0.1
    >>> number({"lr": 10**400}, "lr", 0.0, 10.0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be between 0 and 10; got 100000000000000000...0000000000000000000.
    """
    value = _get(msg, key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} must be a number; got {type(value).__name__} {brief(value)}.")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float's range
        number = math.inf
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{key} must be between {low:g} and {high:g}; got {brief(value)}.")
    return number


def integer(msg: dict[str, Any], key: str, low: int, high: int, default: Any = None) -> int:
    """An int in [low, high] from ``msg[key]``.

    Examples
    --------
    >>> integer({"n": 3}, "n", 1, 5)
    3
    """
    value = _get(msg, key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} must be an integer; got {type(value).__name__} {brief(value)}.")
    if not low <= value <= high:
        raise ValueError(f"{key} must be between {low} and {high}; got {brief(value)}.")
    return value


def choice(msg: dict[str, Any], key: str, options: tuple[str, ...], default: Any = None) -> str:
    """One of ``options`` from ``msg[key]``.

    Examples
    --------
    >>> choice({"loss": "mse"}, "loss", LOSSES)
    'mse'
    """
    value = _get(msg, key, default)
    if value not in options:
        raise ValueError(f"{key} must be one of {', '.join(options)}; got {brief(value)}.")
    return str(value)


@dataclass
class DataSpec:
    """Which generated data set to draw, and how."""

    dataset: str = "spirals"  # one of DATASETS
    noise: float = 0.1  # std of the Gaussian noise on the coordinates
    n_points: int = 300  # train + test
    test_ratio: float = 0.3  # fraction held out for the test loss
    seed: int = 0


def data_spec(msg: dict[str, Any]) -> DataSpec:
    """Check a ``set_data`` message.

    Examples
    --------
    >>> data_spec({"dataset": "xor", "noise": 0.2, "n_points": 100, "test_ratio": 0.5, "seed": 1})
    DataSpec(dataset='xor', noise=0.2, n_points=100, test_ratio=0.5, seed=1)
    """
    d = DataSpec()
    return DataSpec(
        dataset=choice(msg, "dataset", DATASETS, d.dataset),
        noise=number(msg, "noise", 0.0, 2.0, d.noise),
        n_points=integer(msg, "n_points", 10, MAX_POINTS, d.n_points),
        test_ratio=number(msg, "test_ratio", 0.05, 0.9, d.test_ratio),
        seed=integer(msg, "seed", 0, 2**31 - 1, d.seed),
    )


@dataclass
class NetSpec:
    """The network and how to train it."""

    hidden: list[int] = field(default_factory=lambda: [8, 8])  # widths of the hidden layers
    activations: list[str] = field(default_factory=lambda: ["tanh", "tanh"])  # one per hidden
    loss: str = "binary_cross_entropy"
    optimizer: str = "adam"
    lr: float = 0.03
    batch_size: int = 16
    l2: float = 0.0  # L2 strength: the optimiser's weight decay, l2 * W, the weights only
    seed: int = 0  # of the initial weights
    features: list[str] = field(default_factory=lambda: list(features.DEFAULT))  # the inputs
    l1: float = 0.0  # L1 strength: l1 * sign(W) added to dE/dW, the weights only


def net_spec(msg: dict[str, Any]) -> NetSpec:
    """Check a ``set_network`` message.

    Examples
    --------
    >>> net_spec({"hidden": [4], "activations": ["relu"], "lr": 0.1}).hidden
    [4]
    >>> net_spec({"hidden": [300], "activations": ["relu"]})
    Traceback (most recent call last):
    ...
    ValueError: hidden[0] must be between 1 and 256 neurons; got 300.
    """
    d = NetSpec()
    hidden = _get(msg, "hidden", d.hidden)
    acts = _get(msg, "activations", d.activations)
    if not isinstance(hidden, list) or not isinstance(acts, list):
        raise TypeError(
            f"hidden and activations must be lists; got {type(hidden).__name__} and "
            f"{type(acts).__name__}."
        )
    if len(hidden) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} hidden layers; got {len(hidden)}.")
    if len(acts) != len(hidden):
        raise ValueError(
            f"activations needs one name per hidden layer ({len(hidden)}); got {len(acts)}."
        )
    for k, w in enumerate(hidden):
        if isinstance(w, bool) or not isinstance(w, int):
            raise TypeError(f"hidden[{k}] must be an integer; got {brief(w)}.")
        if not 1 <= w <= MAX_NEURONS:
            raise ValueError(f"hidden[{k}] must be between 1 and {MAX_NEURONS} neurons; got {w}.")
    for k, a in enumerate(acts):
        if a not in ACTIVATIONS:
            raise ValueError(
                f"activations[{k}] must be one of {', '.join(ACTIVATIONS)}; got {brief(a)}."
            )
    return NetSpec(
        hidden=list(hidden),
        activations=list(acts),
        loss=choice(msg, "loss", LOSSES, d.loss),
        optimizer=choice(msg, "optimizer", OPTIMIZERS, d.optimizer),
        lr=number(msg, "lr", 1e-6, 10.0, d.lr),
        batch_size=integer(msg, "batch_size", 1, MAX_POINTS, d.batch_size),
        l2=number(msg, "l2", 0.0, 1.0, d.l2),
        seed=integer(msg, "seed", 0, 2**31 - 1, d.seed),
        features=features.check(_get(msg, "features", d.features)),
        l1=number(msg, "l1", 0.0, 1.0, d.l1),
    )


def point(msg: dict[str, Any], limit: float) -> tuple[float, float]:
    """The (x, y) of a clicked point, inside [-limit, limit].

    Examples
    --------
    >>> point({"x": 0.5, "y": -1.0}, 2.0)
    (0.5, -1.0)
    """
    return number(msg, "x", -limit, limit), number(msg, "y", -limit, limit)


def upload_bytes(msg: dict[str, Any], key: str = "data") -> bytes:
    """Decode a base64 upload of at most :data:`MAX_UPLOAD` bytes.

    Examples
    --------
    >>> upload_bytes({"data": "aGk="})
    b'hi'
    """
    text = _get(msg, key)
    if not isinstance(text, str):
        raise TypeError(f"{key} must be a base64 string; got {type(text).__name__}.")
    if len(text) > (MAX_UPLOAD * 4) // 3 + 8:
        raise ValueError(f"the upload is larger than the limit of {MAX_UPLOAD // 2**20} MB.")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(f"{key} is not valid base64.") from None
    if len(raw) > MAX_UPLOAD:
        raise ValueError(f"the upload is larger than the limit of {MAX_UPLOAD // 2**20} MB.")
    return raw


@dataclass
class UploadedPoints:
    """Points read from a CSV: X (n, 2) float32, y (n,) classes (int64) or values (float32),
    the split when the file had one (``test``, (n,) bool), and whether y holds values."""

    X: np.ndarray
    y: np.ndarray
    test: np.ndarray | None
    regression: bool


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each CSV row; the csv module's errors as ValueErrors."""
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell over csv.field_size_limit(), a stray quote, ...
            raise ValueError(
                f"CSV line {reader.line_num}: {exc}; the playground reads plain numbers "
                "separated by commas."
            ) from None
        yield reader.line_num, row


def csv_points(raw: bytes) -> UploadedPoints:
    """Points from the bytes of an uploaded CSV, UTF-8 text (a byte-order mark is allowed);
    see :func:`parse_csv`.

    Examples
    --------
    >>> csv_points(b"\\xef\\xbb\\xbf0,0,0\\n1,1,1\\n").y.tolist()
    [0, 1]
    >>> csv_points(b"x1,x2,gr\\xf6\\xdfe\\n")
    Traceback (most recent call last):
    ...
    ValueError: the CSV is not UTF-8 text (line 1 holds the byte 0xf6); save it as UTF-8 and upload it again.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"the CSV is not UTF-8 text (line {line} holds the byte {raw[exc.start]:#04x}); save "
            "it as UTF-8 and upload it again."
        ) from None
    return parse_csv(text)


def parse_csv(text: str) -> UploadedPoints:
    """Points from CSV text: columns x1, x2, label, and optionally split (train or test), as
    the page's "Download data" writes them; a header row is optional.

    Labels are classes, integers 0..7, unless the header names the third column ``value``:
    then they are any finite numbers, the targets of a regression.

    Examples
    --------
    >>> up = parse_csv("x1,x2,label\\n0.5,1,0\\n-1,2.5,1\\n")
    >>> up.X.tolist(), up.y.tolist(), up.test, up.regression
    ([[0.5, 1.0], [-1.0, 2.5]], [0, 1], None, False)
    >>> up = parse_csv("x1,x2,value,split\\n0,1,0.25,train\\n1,0,-0.5,test\\n")
    >>> up.y.tolist(), up.test.tolist(), up.regression
    ([0.25, -0.5], [False, True], True)
    >>> parse_csv("1,2\\n")
    Traceback (most recent call last):
    ...
    ValueError: CSV line 1: expected 3 columns (x1, x2, label) or 4 (and split); got 2.
    >>> parse_csv("0,0,0\\n1,1,inf\\n")
    Traceback (most recent call last):
    ...
    ValueError: CSV line 2: the label must be an integer 0..7; got 'inf'.
    >>> parse_csv("0,0," + "9" * 200_000 + "\\n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: CSV line 1: field larger than field limit (131072); the playground reads ...
    """
    if not isinstance(text, str):
        raise TypeError(f"the CSV must be text; got {type(text).__name__}.")
    if len(text.encode("utf-8")) > MAX_UPLOAD:
        raise ValueError(f"the CSV is larger than the limit of {MAX_UPLOAD // 2**20} MB.")
    rows: list[tuple[float, float]] = []
    labels: list[float] = []
    splits: list[bool] = []
    width, regression = None, False
    for line_no, row in _csv_rows(text):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) not in (3, 4) or (width is not None and len(row) != width):
            raise ValueError(
                f"CSV line {line_no}: expected 3 columns (x1, x2, label) or 4 (and split); "
                f"got {len(row)}."
            )
        try:
            x1, x2, lab = (float(c) for c in row[:3])
        except ValueError:
            if not rows and line_no == 1:  # a header
                regression = row[2].strip().lower() == "value"
                continue
            raise ValueError(
                f"CSV line {line_no}: expected three numbers; got {brief(row)}."
            ) from None
        width = len(row)
        if not (math.isfinite(x1) and math.isfinite(x2)):
            raise ValueError(f"CSV line {line_no}: coordinates must be finite; got {brief(row)}.")
        if regression and not math.isfinite(lab):
            raise ValueError(f"CSV line {line_no}: the value must be finite; got {brief(row[2])}.")
        if not regression and (
            not math.isfinite(lab) or lab != int(lab) or not 0 <= lab < MAX_CLASSES
        ):
            raise ValueError(
                f"CSV line {line_no}: the label must be an integer 0..{MAX_CLASSES - 1}; "
                f"got {brief(row[2])}."
            )
        if width == 4:
            split = row[3].strip().lower()
            if split not in ("train", "test"):
                raise ValueError(
                    f"CSV line {line_no}: split must be train or test; got {brief(row[3])}."
                )
            splits.append(split == "test")
        rows.append((x1, x2))
        labels.append(lab)
        if len(rows) > MAX_POINTS:
            raise ValueError(f"the CSV has more than {MAX_POINTS} points; keep at most that.")
    if len(rows) < 2:
        raise ValueError(f"the CSV needs at least 2 points; got {len(rows)}.")
    y = np.asarray(labels, dtype=np.float32 if regression else np.int64)  # (n,)
    if not regression and len(np.unique(y)) < 2:
        raise ValueError("the CSV needs at least two classes (labels); got one.")
    test = np.asarray(splits, dtype=bool) if width == 4 else None  # (n,)
    return UploadedPoints(np.asarray(rows, dtype=np.float32), y, test, regression)


def param_index(param: Any, n_in: int, n_out: int) -> tuple[int | None, int]:
    """(i, j) of a weight named "W[i,j]", or (None, j) of a bias "b[j]" (0-based), checked
    against its layer's W of shape (n_in, n_out).

    Examples
    --------
    >>> param_index("W[1,0]", 2, 3), param_index("b[2]", 2, 3)
    ((1, 0), (None, 2))
    >>> param_index("W[2,0]", 2, 3)
    Traceback (most recent call last):
    ...
    ValueError: W[2,0] is outside this layer's W of shape (2, 3).
    """
    if not isinstance(param, str):
        raise TypeError(f"param must be a string like 'W[0,1]' or 'b[1]'; got {brief(param)}.")
    try:
        if param.startswith("W[") and param.endswith("]"):
            i, j = (int(v) for v in param[2:-1].split(","))
        elif param.startswith("b[") and param.endswith("]"):
            i, j = None, int(param[2:-1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"param must look like 'W[0,1]' or 'b[1]'; got {brief(param)}.") from None
    if not 0 <= j < n_out or (i is not None and not 0 <= i < n_in):
        raise ValueError(f"{param} is outside this layer's W of shape ({n_in}, {n_out}).")
    return i, j


def speed(msg: dict[str, Any]) -> float:
    """Epochs per second while playing, from a ``set_speed`` message.

    Examples
    --------
    >>> speed({"speed": 3})
    3.0
    >>> speed({"speed": 0})
    Traceback (most recent call last):
    ...
    ValueError: speed must be between 0.1 and 10000; got 0.
    """
    return number(msg, "speed", SPEEDS[0], SPEEDS[1])


def weight_value(msg: dict[str, Any]) -> float:
    """The value a weight or bias is set to by hand (``set_weight``), at most MAX_WEIGHT in size.

    Examples
    --------
    >>> weight_value({"value": -0.25})
    -0.25
    """
    return number(msg, "value", -MAX_WEIGHT, MAX_WEIGHT)
