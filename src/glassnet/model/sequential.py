"""Sequential: layers applied one after the other, forward then backward in reverse.

Its bases hold the rest: :class:`~glassnet.model.parameters.Parameters` (the learnable arrays in one
flat buffer) and :class:`~glassnet.model.inference.Inference` (predictions, scores, a summary).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.layers import Dense, Layer
from glassnet.layers.dropout import Dropout
from glassnet.losses import Loss
from glassnet.model.inference import Inference
from glassnet.model.parameters import Parameters
from glassnet.model.trace import Trace
from glassnet.optimizers import Optimizer, Parameter
from glassnet.utils.validation import as_2d_array

if TYPE_CHECKING:  # fit's types, for the signature only (callbacks sit above the model)
    from glassnet.callbacks import Callback, History

_DTYPES = {np.dtype(np.float32), np.dtype(np.float64)}


def as_float_dtype(dtype: Any) -> np.dtype:
    """Return ``dtype`` as float32 or float64, or raise a clear error.

    Examples
    --------
    >>> as_float_dtype("float64")
    dtype('float64')
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in _DTYPES:
        raise ValueError(f"dtype must be float32 or float64; got {dtype!r}.")
    return dt


class Sequential(Parameters, Inference):
    r"""A network of layers applied in order: y = f_L(... f_2(f_1(x))).

    Backward runs the chain rule in reverse: each layer turns dE/d(its output) into
    dE/d(its input) and its parameter gradients.

    Parameters
    ----------
    layers : list of Layer
        E.g. ``[Dense(2, 4), Tanh(), Dense(4, 1), Sigmoid()]``.
    dtype : {"float32", "float64"}
        Type of every parameter and of the data inside the network. float32 (default) for
        speed; float64 for checking gradients and for ``explain``.
    seed : int, optional
        When given, draws every layer's initial weights (except weights given explicitly) and
        every dropout mask from ``numpy.random.default_rng(seed)``, so the network is
        reproducible bit for bit.

    Attributes
    ----------
    loss_ : Loss or None
        The loss of the last ``fit`` (saved with the model).
    feature_names : list of str or None
        The names of the inputs, one per column of x, when known (the CSV columns a
        ``glassnet train`` run learned from, the playground's features); saved with the model
        and shown by ``summary()``.

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid, Tanh
    >>> net = Sequential([Dense(2, 3), Tanh(), Dense(3, 1), Sigmoid()], seed=0)
    >>> net.forward(np.zeros((4, 2))).shape
    (4, 1)
    >>> net.n_params
    13
    """

    def __init__(self, layers: list[Layer], dtype: Any = "float32", seed: int | None = None):
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential needs at least one layer; got an empty list.")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layer {i} must be a glassnet Layer (Dense, ReLU, ...); got "
                    f"{type(layer).__name__}. Did you pass a class instead of an instance?"
                )
        self.layers = layers
        self.dtype = as_float_dtype(dtype)
        self.in_features, self.out_features = self._check_widths()
        self.seed = seed
        if seed is not None:
            rng = np.random.default_rng(seed)
            for layer in layers:
                if isinstance(layer, Dense) and not layer.explicit:
                    layer.reset_parameters(rng)
                elif isinstance(layer, Dropout):
                    layer.rng = np.random.default_rng(rng.integers(2**63))
        for layer in layers:
            if any(p.dtype != self.dtype for p in layer.params.values()):
                layer.astype(self.dtype)
        self.flatten()
        self.trace: Trace | None = None
        self.loss_: Loss | None = None
        #: names of the inputs, one per column of x (None: unnamed); saved with the model
        self.feature_names: list[str] | None = None
        self.stop_training = False

    def _check_widths(self) -> tuple[int | None, int | None]:
        width: int | None = None
        first: int | None = None
        for layer in self.layers:
            if isinstance(layer, Dense):
                if width is None:
                    first = layer.in_features
                    width = layer.in_features
                width = layer.output_features(width)
        return first, width

    # -- forward and backward ------------------------------------------------------------
    def forward(self, x: Any) -> np.ndarray:
        """Run every layer on x (N, in) and return the output (N, out).

        Examples
        --------
        >>> from glassnet import Dense
        >>> Sequential([Dense(2, 1, weights=[[1.0], [2.0]], bias=[0.5])]).forward([[1.0, 1.0]])
        array([[3.5]], dtype=float32)
        """
        if not isinstance(x, np.ndarray) or x.dtype != self.dtype or x.ndim != 2:
            x = as_2d_array(x, "x", self.dtype)
        if self.in_features is not None and x.shape[1] != self.in_features:
            raise ValueError(
                f"the network expects input of shape (N, {self.in_features}); got "
                f"(N, {x.shape[1]}). Check the number of features or the first layer."
            )
        trace = self.trace
        for i, layer in enumerate(self.layers):
            y = layer.forward(x)
            if trace is not None:
                trace.record_forward(i, layer, x, y)
            x = y
        return x

    __call__ = forward

    def backward(
        self, grad: np.ndarray, input_grad: bool = True, start: int | None = None
    ) -> np.ndarray | None:
        """Propagate dE/dy (N, out) back through every layer; return dE/dx (N, in).

        Parameter gradients are added into each layer's ``grads``. With
        ``input_grad=False`` the first layer skips dE/dx, which nobody needs while
        training (a matrix product saved per step), and None is returned. ``start`` begins
        at that layer instead of the last one (``grad`` is then dE/d(its output)).

        Examples
        --------
        >>> from glassnet import Dense
        >>> net = Sequential([Dense(1, 1, weights=[[2.0]], bias=[0.0])], dtype="float64")
        >>> _ = net.forward([[3.0]]); net.backward(np.array([[1.0]]))
        array([[2.]])
        >>> net.layers[0].grads["W"]
        array([[3.]])
        """
        trace = self.trace
        first = len(self.layers) - 1 if start is None else start
        for i in range(first, -1, -1):
            layer = self.layers[i]
            need = input_grad or i > 0 or trace is not None
            grad_in = layer.backward(grad, need_input_grad=need)
            if trace is not None:
                trace.record_backward(i, layer, grad, grad_in)
            grad = grad_in
        return grad

    # -- modes and tracing ---------------------------------------------------------------
    def train(self, mode: bool = True) -> Sequential:
        """Switch layers such as Dropout to training behaviour (``mode=False``: inference).

        Examples
        --------
        >>> from glassnet import Dense
        >>> Sequential([Dense(1, 1)]).train().layers[0].training
        True
        """
        for layer in self.layers:
            layer.training = mode
        return self

    def eval(self) -> Sequential:
        """Switch to inference behaviour; same as ``train(False)``."""
        return self.train(False)

    @contextmanager
    def tracing(self) -> Iterator[Trace]:
        """Record every forward and backward inside the ``with`` block into a Trace.

        Examples
        --------
        >>> from glassnet import Dense
        >>> net = Sequential([Dense(1, 1)])
        >>> with net.tracing() as trace:
        ...     _ = net.forward([[1.0]])
        >>> len(trace.layers)
        1
        """
        previous, self.trace = self.trace, Trace(input_names=self.feature_names)
        try:
            yield self.trace
        finally:
            self.trace = previous

    # -- using a trained network ---------------------------------------------------------
    def fit(
        self,
        X: Any,
        T: Any,
        *,
        loss: str | Loss = "mse",
        optimizer: str | Optimizer = "sgd",
        lr: float | None = None,
        epochs: int = 10,
        batch_size: int = 32,
        shuffle: bool = True,
        validation_data: tuple[Any, ...] | None = None,
        validation_split: float = 0.0,
        sample_weight: Any = None,
        class_weight: Any = None,
        seed: int | None = None,
        callbacks: list[Callback] | None = None,
        verbose: int = 1,
        initial_epoch: int = 0,
        grad_hook: Callable[[list[Parameter]], Any] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        jit_compile: bool | None = None,
    ) -> History:
        """Train on inputs X (N, in) and targets T with mini-batch gradient descent.

        The same keyword arguments as :func:`glassnet.train.fit.fit`, which this calls and
        whose docstring explains each one: ``loss``, ``optimizer``, ``lr``, ``epochs``,
        ``batch_size``, ``shuffle``, ``validation_data``, ``validation_split``,
        ``sample_weight``, ``class_weight``, ``seed``, ``callbacks``, ``verbose``,
        ``initial_epoch``, ``grad_hook``, ``clip_norm``, ``clip_value``, ``jit_compile``.
        Returns the run's History (also kept as ``history_``).

        Examples
        --------
        >>> from glassnet import Dense, Sigmoid
        >>> net = Sequential([Dense(1, 1), Sigmoid()], seed=0)
        >>> history = net.fit([[1.0]], [[0.8]], lr=1.0, epochs=3, verbose=0)
        >>> len(history.history["loss"])
        3
        """
        from glassnet.train.fit import fit  # the one deliberate upward call: train uses model

        return fit(
            self,
            X,
            T,
            loss=loss,
            optimizer=optimizer,
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            validation_data=validation_data,
            validation_split=validation_split,
            sample_weight=sample_weight,
            class_weight=class_weight,
            seed=seed,
            callbacks=callbacks,
            verbose=verbose,
            initial_epoch=initial_epoch,
            grad_hook=grad_hook,
            clip_norm=clip_norm,
            clip_value=clip_value,
            jit_compile=jit_compile,
        )

    def save(self, path: Any, *, overwrite: bool = False) -> None:
        """Write the network to ``path`` (.npz arrays plus a JSON architecture; no pickle).

        The file is written atomically. An existing glassnet model (or an empty file) is
        replaced; any other file only with ``overwrite=True``, and never a directory or a
        special file (as Keras's ``model.save(overwrite=...)``).

        Examples
        --------
        >>> import tempfile, os
        >>> from glassnet import Dense, load
        >>> net = Sequential([Dense(2, 1)], seed=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz"); net.save(path)
        >>> bool((load(path).predict([[1.0, 2.0]]) == net.predict([[1.0, 2.0]])).all())
        True
        """
        from glassnet.saving.serialize import save

        save(self, path, overwrite=overwrite)

    def to_onnx(
        self,
        path: Any = None,
        input_name: str = "input",
        input_scaler: Any = None,
        target_scaler: Any = None,
    ) -> Any:
        """Export to ONNX (opset 17) at ``path``; return the ``onnx.ModelProto``.

        The graph is the inference forward pass ("output", what ``predict`` returns, plus
        "probabilities" for a network fitted with cross-entropy or logit binary cross-entropy,
        "rate" for Poisson),
        batch size dynamic; ``input_scaler``/``target_scaler`` (fitted Standardizers) add the
        scaling of raw inputs and the unscaling of outputs. Needs ``pip install
        'glassnet[onnx]'``. See :mod:`glassnet.saving.onnx_export` for the layer-by-layer ops.

        Examples
        --------
        >>> from glassnet import Dense, ReLU
        >>> model = Sequential([Dense(3, 4), ReLU(), Dense(4, 2)], seed=0).to_onnx()
        >>> [n.op_type for n in model.graph.node]
        ['Gemm', 'Relu', 'Gemm', 'Identity']
        """
        from glassnet.saving.onnx_export import to_onnx

        return to_onnx(self, path, input_name, input_scaler, target_scaler)

    def copy(self, dtype: Any = None) -> Sequential:
        """A deep copy, optionally cast to another dtype (e.g. float64 for gradcheck).

        Examples
        --------
        >>> from glassnet import Dense
        >>> Sequential([Dense(1, 1)]).copy("float64").dtype
        dtype('float64')
        """
        clone = copy.deepcopy(self)
        clone.trace = None
        for layer in clone.layers:
            layer._buffers = {}
            layer.reuse_buffers = False
        if dtype is not None:
            clone.dtype = as_float_dtype(dtype)
            for layer in clone.layers:
                layer.astype(clone.dtype)
        clone.flatten()
        return clone

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}], dtype={str(self.dtype)!r})"

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Layer:
        return self.layers[index]

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)
