"""Save the tab's network to .npz bytes and load an uploaded one, through glassnet.saving.serialize.

Files are written and read with :func:`glassnet.saving.serialize.save` / :func:`load` via a
temporary file: the safe format (arrays plus a JSON architecture, never pickle). An upload is
first checked against the playground's limits by :func:`glassnet.playground.modelcheck.check_model_file`,
which reads only the zip's directory, the arrays' headers and the description, so a file that
declares more than the playground shows is refused before anything is unpacked or built.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from glassnet.activations import Activation
from glassnet.layers.dense import Dense
from glassnet.model.sequential import Sequential
from glassnet.playground.dense_blocks import dense_with_activation
from glassnet.playground.features import DEFAULT, check
from glassnet.playground.modelcheck import check_model_file
from glassnet.playground.validate import ACTIVATIONS, MAX_LAYERS, MAX_NEURONS, NetSpec
from glassnet.saving.serialize import load, save


def model_bytes(net: Sequential) -> bytes:
    """The network as the bytes of a glassnet .npz file.

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> model_bytes(mlp("2,3,1", seed=0))[:2]
    b'PK'
    """
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.npz")
        save(net, path)
        with open(path, "rb") as f:
            return f.read()


def read_model(raw: bytes) -> Sequential:
    """A network from uploaded .npz bytes, checked (:func:`check_model_file`) before it is loaded.

    Its weights must be finite: a network holding NaN or infinity would draw nothing and train
    nowhere.

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> read_model(model_bytes(mlp("2,3,1", seed=0))).out_features
    1
    >>> read_model(b"not a zip")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the uploaded file is not a ...glassnet model file...
    """
    check_model_file(raw)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload.npz")
        with open(path, "wb") as f:
            f.write(raw)
        try:
            net = load(path, allow_nonfinite=True)  # refused below, in the playground's words
        except ValueError as exc:
            raise ValueError(str(exc).replace(repr(path), "the uploaded file")) from None
    for p in net.parameters():
        if not np.isfinite(p.value).all():
            raise ValueError(
                f"the model's parameter {p.name} holds NaN or infinity; the playground loads "
                "networks whose weights are finite numbers."
            )
    return net


def spec_of(net: Sequential, base: NetSpec) -> NetSpec:
    """The playground settings that describe ``net`` (training settings kept from ``base``).

    Raises ValueError unless the network's inputs are playground features (its
    ``feature_names``, saved with it; a model without names must take x1 and x2) and it is
    Dense layers each followed by at most one playground activation, within the playground's
    size limits.

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> spec_of(mlp("2,5,1", "relu", "sigmoid"), NetSpec()).hidden
    [5]
    >>> net = mlp("3,4,1", "tanh", "sigmoid"); net.feature_names = ["x1", "x2", "x1*x2"]
    >>> spec_of(net, NetSpec()).features
    ['x1', 'x2', 'x1*x2']
    """
    names = net.feature_names or (list(DEFAULT) if net.in_features == 2 else None)
    if names is None:
        raise ValueError(
            f"the playground needs a model whose inputs are its features (x1, x2, x1^2, ...); "
            f"this one takes {net.in_features} unnamed inputs."
        )
    try:
        chosen = check(list(names))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the model's inputs are not playground features: {exc}") from None
    if chosen != list(names):
        raise ValueError(
            f"the model's inputs {list(names)} are not in the playground's order {chosen}."
        )
    hidden: list[int] = []
    acts: list[str] = []
    layers = net.layers
    for pos, lay in enumerate(layers):
        if isinstance(lay, Dense):
            continue
        if not isinstance(lay, Activation) or pos == 0 or not isinstance(layers[pos - 1], Dense):
            raise ValueError(
                f"the playground shows Dense layers each followed by one activation; layer "
                f"{pos} is {type(lay).__name__}."
            )
    for pos, _, name in dense_with_activation(layers)[:-1]:
        if name not in ACTIVATIONS:
            raise ValueError(f"hidden activation {name!r} is not one of {', '.join(ACTIVATIONS)}.")
        hidden.append(layers[pos].out_features)
        acts.append(name)
    if len(hidden) > MAX_LAYERS or max(hidden, default=0) > MAX_NEURONS:
        raise ValueError(
            f"the model is larger than the playground's limit of {MAX_LAYERS} hidden layers of "
            f"{MAX_NEURONS} neurons."
        )
    last = layers[-1]
    if net.loss_ is not None:
        loss = net.loss_.name
    elif isinstance(last, Dense):
        loss = "cross_entropy" if last.out_features > 1 else "mse"
    else:
        loss = "binary_cross_entropy"
    return NetSpec(
        hidden, acts, loss, base.optimizer, base.lr, base.batch_size, base.l2, base.seed, chosen,
        l1=base.l1,
    )  # fmt: skip
