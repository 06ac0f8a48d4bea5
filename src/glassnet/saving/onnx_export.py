r"""Export a Sequential to ONNX, to run it where glassnet is not installed (onnxruntime, ...).

The graph is the network's forward pass at inference time, one group of ONNX nodes per layer,
for opset 17 (onnxruntime 1.12 and later):

=================  ====================================================================
glassnet layer     ONNX nodes (x: the layer's input, (N, d))
=================  ====================================================================
Dense              ``Gemm(x, W, b)``: x W + b, W of shape (in, out) as glassnet keeps it
Dropout, Identity  ``Identity`` (dropout is the identity at inference)
Sigmoid, Tanh      ``Sigmoid``, ``Tanh``
ReLU               ``Relu``
LeakyReLU(alpha)   ``LeakyRelu``; float64: ``Where(x > 0, x, alpha x)`` (the op's alpha
                   attribute is a float32)
ELU(alpha)         ``Elu``; float64: ``Where(x > 0, x, alpha (exp(min(x, 0)) - 1))``
                   (onnxruntime has no float64 Elu)
SiLU               ``x * Sigmoid(x)``
GELU               ``x (1 + erf(x / sqrt 2)) / 2`` (float64: erf in float32, as onnxruntime
                   has no float64 Erf; about 1e-7 off); ``approximate="tanh"``:
                   ``x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2``
Softplus           ``Softplus``; float64: ``relu(x) + log(1 + exp(-|x|))``, which never
                   overflows (onnxruntime has no float64 Softplus)
Softmax            ``Softmax(axis=1)``, over each row
=================  ====================================================================

The batch dimension is dynamic ("N"). The input is one tensor (N, in) named "input" (or
``input_name``); the network's ``feature_names``, when known, are the model's metadata
"feature_names" (JSON) and the input's doc string, in column order. The output "output" is
what ``net.predict`` returns; a network fitted with cross-entropy (logits) or with
``BinaryCrossEntropy(from_logits=True)`` gets a second output "probabilities", what
``net.predict_proba`` returns, and one fitted with ``PoissonNLL`` (log-rates) a second output
"rate", the exp of the network's output (the counts expected, what ``glassnet predict``
prints). ``input_scaler`` and ``target_scaler`` (anything with ``mean_``
and ``scale_``, such as :class:`glassnet.datasets.Standardizer`) add ``(x - mean) / scale``
before the network and ``y scale + mean`` after it, so the ONNX model reads raw rows and
predicts in the targets' units, as ``glassnet predict`` does.

Needs the ``onnx`` package (``pip install 'glassnet[onnx]'``, which also installs onnxruntime
to run the result); it is imported only when exporting.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.activations import (
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from glassnet.layers import Dense
from glassnet.layers.dropout import Dropout

if TYPE_CHECKING:
    from glassnet.model.sequential import Sequential

#: the ONNX operator set the graphs are written for
OPSET = 17
#: the IR version that goes with opset 17 (readable by onnxruntime 1.12+)
IR_VERSION = 8
_EXPORTABLE = (
    "Dense, Dropout, Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SiLU, GELU, Softplus, Softmax"
)


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError(
            "exporting to ONNX needs the onnx package: pip install 'glassnet[onnx]' "
            "(it brings onnxruntime too, to run the exported model)."
        ) from None
    return onnx


class _Graph:
    """The nodes and constants of the graph being built, with unique names."""

    def __init__(self, onnx: Any, dtype: np.dtype) -> None:
        self.onnx = onnx
        self.dtype = dtype
        self.double = dtype == np.float64
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.constants: set[str] = set()

    def const(self, name: str, value: Any) -> str:
        """A constant of the network's dtype (a scalar or an array) named ``name`` (a name
        given again is the same constant)."""
        if name in self.constants:
            return name
        self.constants.add(name)
        array = np.asarray(value, dtype=self.dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        """Add one node named after its output; return the output's name."""
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=output, **attrs))
        return output


def _activation(g: _Graph, layer: Any, x: str, p: str) -> str:
    """The nodes of one activation layer on input ``x``; ``p`` prefixes every name."""
    if isinstance(layer, Dropout | Identity):
        return g.node("Identity", [x], p)
    simple = {Sigmoid: "Sigmoid", Tanh: "Tanh", ReLU: "Relu"}
    if type(layer) in simple:
        return g.node(simple[type(layer)], [x], p)
    if isinstance(layer, Softmax):
        return g.node("Softmax", [x], p, axis=1)
    if isinstance(layer, SiLU):
        return g.node("Mul", [x, g.node("Sigmoid", [x], f"{p}/sigmoid")], p)
    if isinstance(layer, LeakyReLU):
        if not g.double:
            return g.node("LeakyRelu", [x], p, alpha=layer.alpha)
        scaled = g.node("Mul", [x, g.const(f"{p}/alpha", layer.alpha)], f"{p}/alpha_x")
        return g.node("Where", [_positive(g, x, p), x, scaled], p)
    if isinstance(layer, ELU):
        if not g.double:
            return g.node("Elu", [x], p, alpha=layer.alpha)
        low = g.node("Min", [x, g.const(f"{p}/zero", 0.0)], f"{p}/min")  # exp never overflows
        em1 = g.node(
            "Sub", [g.node("Exp", [low], f"{p}/exp"), g.const(f"{p}/one", 1.0)], f"{p}/em1"
        )
        curve = g.node("Mul", [em1, g.const(f"{p}/alpha", layer.alpha)], f"{p}/curve")
        return g.node("Where", [_positive(g, x, p), x, curve], p)
    if isinstance(layer, Softplus):
        if not g.double:
            return g.node("Softplus", [x], p)
        neg_abs = g.node("Neg", [g.node("Abs", [x], f"{p}/abs")], f"{p}/neg_abs")
        one_plus = g.node(
            "Add", [g.node("Exp", [neg_abs], f"{p}/exp"), g.const(f"{p}/one", 1.0)], f"{p}/1p"
        )
        log = g.node("Log", [one_plus], f"{p}/log")
        return g.node("Add", [g.node("Relu", [x], f"{p}/relu"), log], p)
    if isinstance(layer, GELU):
        return _gelu(g, layer, x, p)
    raise TypeError(  # pragma: no cover - _check_layers refused it before
        f"cannot export {type(layer).__name__}"
    )


def _positive(g: _Graph, x: str, p: str) -> str:
    return g.node("Greater", [x, g.const(f"{p}/zero", 0.0)], f"{p}/positive")


def _gelu(g: _Graph, layer: GELU, x: str, p: str) -> str:
    r"""GELU: x Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, or the tanh approximation."""
    if layer.approximate == "tanh":
        cube = g.node("Mul", [x, g.node("Mul", [x, x], f"{p}/x2")], f"{p}/x3")
        inner = g.node(
            "Add", [x, g.node("Mul", [cube, g.const(f"{p}/k", 0.044715)], f"{p}/kx3")], f"{p}/inner"
        )
        arg = g.node("Mul", [inner, g.const(f"{p}/c", math.sqrt(2 / math.pi))], f"{p}/arg")
        shape = g.node("Tanh", [arg], f"{p}/tanh")
    else:
        arg = g.node("Mul", [x, g.const(f"{p}/c", 1 / math.sqrt(2))], f"{p}/arg")
        if g.double:  # onnxruntime has Erf in float32 only
            to32 = g.onnx.TensorProto.FLOAT
            arg32 = g.node("Cast", [arg], f"{p}/arg32", to=to32)
            erf32 = g.node("Erf", [arg32], f"{p}/erf32")
            shape = g.node("Cast", [erf32], f"{p}/erf", to=g.onnx.TensorProto.DOUBLE)
        else:
            shape = g.node("Erf", [arg], f"{p}/erf")
    one_plus = g.node("Add", [shape, g.const(f"{p}/one", 1.0)], f"{p}/1p")
    half_x = g.node("Mul", [x, g.const(f"{p}/half", 0.5)], f"{p}/half_x")
    return g.node("Mul", [half_x, one_plus], p)


_KNOWN = (
    Dense,
    Dropout,
    Identity,
    Sigmoid,
    Tanh,
    ReLU,
    LeakyReLU,
    ELU,
    SiLU,
    GELU,
    Softplus,
    Softmax,
)


def _check_layers(net: Sequential) -> None:
    for i, layer in enumerate(net.layers):
        if not isinstance(layer, _KNOWN):
            raise TypeError(
                f"to_onnx cannot export layer {i} ({type(layer).__name__}); it exports "
                f"{_EXPORTABLE}."
            )


def _scaler_arrays(scaler: Any, width: int | None, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) of a fitted scaler, checked against the width it scales."""
    mean = getattr(scaler, "mean_", None)
    scale = getattr(scaler, "scale_", None)
    if mean is None or scale is None:
        raise ValueError(
            f"{name} must be a fitted scaler with mean_ and scale_ (e.g. a fitted "
            f"glassnet.datasets.Standardizer); got {type(scaler).__name__}."
        )
    mean, scale = (
        np.asarray(mean, np.float64).reshape(-1),
        np.asarray(scale, np.float64).reshape(-1),
    )
    if mean.shape != scale.shape or (width is not None and mean.shape[0] != width):
        raise ValueError(
            f"{name} scales {mean.shape[0]} columns; the network's side it applies to has {width}."
        )
    return mean, scale


def _probability_op(net: Sequential) -> str | None:
    """The op that turns the outputs into probabilities, as ``predict_proba`` does (or None)."""
    loss = net.loss_
    if loss is None:
        return None
    if loss.name == "cross_entropy":
        return "Softmax"
    if getattr(loss, "from_logits", False):
        return "Sigmoid"
    return None


def build_onnx(
    net: Sequential,
    input_name: str = "input",
    input_scaler: Any = None,
    target_scaler: Any = None,
) -> Any:
    """The ONNX ``ModelProto`` of ``net``'s inference forward pass (see the module docstring).

    Parameters
    ----------
    net : Sequential
        Made of Dense, Dropout and activation layers; float32 or float64.
    input_name : str
        The name of the graph's input (N, in).
    input_scaler, target_scaler : fitted scaler, optional
        Anything with ``mean_`` and ``scale_`` arrays, e.g. a fitted
        :class:`glassnet.datasets.Standardizer`: ``(x - mean_) / scale_`` is applied to the
        input, ``y scale_ + mean_`` to the output (and not to "probabilities").

    Returns
    -------
    onnx.ModelProto
        Checked with ``onnx.checker.check_model(..., full_check=True)``.

    Raises
    ------
    TypeError
        For a layer ONNX export does not know (a custom Layer subclass).
    ImportError
        Without the onnx package.

    Examples
    --------
    >>> from glassnet import Dense, Sequential, Tanh
    >>> model = build_onnx(Sequential([Dense(2, 3), Tanh(), Dense(3, 1)], seed=0))
    >>> [node.op_type for node in model.graph.node]
    ['Gemm', 'Tanh', 'Gemm', 'Identity']
    >>> model.graph.input[0].name, model.opset_import[0].version
    ('input', 17)
    """
    onnx = _import_onnx()
    from onnx import TensorProto, helper

    _check_layers(net)
    if not isinstance(input_name, str) or not input_name:
        raise ValueError(f"input_name must be a non-empty string; got {input_name!r}.")
    if input_name in ("output", "probabilities", "rate"):
        raise ValueError(f"input_name must differ from the outputs' names; got {input_name!r}.")
    g = _Graph(onnx, net.dtype)
    elem = TensorProto.DOUBLE if g.double else TensorProto.FLOAT
    x = input_name
    if input_scaler is not None:
        mean, scale = _scaler_arrays(input_scaler, net.in_features, "input_scaler")
        centred = g.node("Sub", [x, g.const("input_scaler/mean", mean)], "input_scaler/centred")
        x = g.node("Div", [centred, g.const("input_scaler/scale", scale)], "input_scaler")
    for i, layer in enumerate(net.layers):
        p = f"{i}.{type(layer).__name__}"
        if isinstance(layer, Dense):
            W = g.const(f"{i}.W", layer.params["W"])  # (in, out)
            b = g.const(f"{i}.b", layer.params["b"])  # (out,)
            x = g.node("Gemm", [x, W, b], p)
        else:
            x = _activation(g, layer, x, p)
    raw = x
    if target_scaler is not None:
        mean, scale = _scaler_arrays(target_scaler, net.out_features, "target_scaler")
        scaled = g.node("Mul", [raw, g.const("target_scaler/scale", scale)], "target_scaler/scaled")
        x = g.node("Add", [scaled, g.const("target_scaler/mean", mean)], "target_scaler")
    g.node("Identity", [x], "output")
    width_in: Any = net.in_features if net.in_features is not None else "D"
    width_out: Any = net.out_features if net.out_features is not None else "D"
    outputs = [helper.make_tensor_value_info("output", elem, ["N", width_out])]
    op = _probability_op(net)
    if op is not None:
        g.node(op, [raw], "probabilities", **({"axis": 1} if op == "Softmax" else {}))
        outputs.append(helper.make_tensor_value_info("probabilities", elem, ["N", width_out]))
    if net.loss_ is not None and net.loss_.name == "poisson":  # log-rates: the counts expected
        g.node("Exp", [raw], "rate")
        outputs.append(helper.make_tensor_value_info("rate", elem, ["N", width_out]))
    names = net.feature_names
    inp = helper.make_tensor_value_info(
        input_name, elem, ["N", width_in], doc_string=", ".join(names) if names else ""
    )
    graph = helper.make_graph(g.nodes, "glassnet", [inp], outputs, g.initializers)
    from glassnet import __version__

    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="glassnet",
        producer_version=__version__,
        doc_string=repr(net),
    )
    model.ir_version = IR_VERSION
    meta = {
        "feature_names": json.dumps(names),
        "loss": net.loss_.name if net.loss_ is not None else "",
        "input_scaled": str(input_scaler is not None).lower(),
        "target_scaled": str(target_scaler is not None).lower(),
    }
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model, full_check=True)
    return model


def to_onnx(
    net: Sequential,
    path: Any = None,
    input_name: str = "input",
    input_scaler: Any = None,
    target_scaler: Any = None,
) -> Any:
    """Export ``net`` to an ONNX file at ``path`` (written atomically); return the model.

    With ``path=None`` nothing is written. See :func:`build_onnx` for the other arguments.

    Raises
    ------
    ValueError
        If ``path`` is an existing directory.

    Examples
    --------
    >>> import os, tempfile
    >>> import onnxruntime as ort
    >>> from glassnet import Dense, Sequential, Sigmoid
    >>> net = Sequential([Dense(2, 1, weights=[[1.0], [2.0]], bias=[0.5]), Sigmoid()])
    >>> path = os.path.join(tempfile.mkdtemp(), "net.onnx")
    >>> _ = to_onnx(net, path)
    >>> session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    >>> X = np.array([[1.0, 1.0]], dtype=np.float32)
    >>> bool(np.allclose(session.run(["output"], {"input": X})[0], net.predict(X)))
    True
    """
    model = build_onnx(net, input_name, input_scaler, target_scaler)
    if path is not None:
        _write_bytes(Path(path), model.SerializeToString())
    return model


def _write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file in the same folder, then os.replace; the file gets
    the mode the umask gives new files (mkstemp's own is 0600)."""
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; give a file path such as model.onnx.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
