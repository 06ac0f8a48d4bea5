"""A network's learnable arrays: listed by name, kept in one flat buffer, zeroed and counted.

:class:`Parameters` is a base of :class:`~glassnet.model.sequential.Sequential` (as
:class:`~glassnet.model.inference.Inference` is); it only needs ``layers`` and ``dtype``.
"""

from __future__ import annotations

import numpy as np

from glassnet.layers.base import Layer
from glassnet.optimizers import Parameter


class Parameters:
    """Every layer's parameters and gradients, as one network's (a base of Sequential)."""

    layers: list[Layer]
    dtype: np.dtype

    def parameters(self) -> list[Parameter]:
        """Every learnable array with its gradient, named "layer.param" (e.g. "0.W").

        Examples
        --------
        >>> from glassnet import Dense, ReLU, Sequential
        >>> [p.name for p in Sequential([Dense(2, 2), ReLU(), Dense(2, 1)]).parameters()]
        ['0.W', '0.b', '2.W', '2.b']
        """
        return [
            Parameter(f"{i}.{key}", layer.params[key], layer.grads[key])
            for i, layer in enumerate(self.layers)
            for key in layer.params
        ]

    def flatten(self) -> None:
        """Put every parameter in one contiguous buffer (and every gradient in another).

        Each layer's arrays become reshaped views of the two buffers, so they behave exactly
        as before, while an optimiser updates all of them in one pass (see
        :func:`glassnet.optimizers.flat_buffers`). Called on construction; call it again if
        you replace a layer's arrays yourself.

        Examples
        --------
        >>> from glassnet import Dense, Sequential
        >>> net = Sequential([Dense(2, 3), Dense(3, 1)])
        >>> net.layers[1].params["W"].base is net.layers[0].params["W"].base
        True
        """
        pairs = [(layer, key) for layer in self.layers for key in layer.params]
        total = sum(layer.params[key].size for layer, key in pairs)
        values = np.empty(total, dtype=self.dtype)  # (P,) every parameter
        grads = np.zeros(total, dtype=self.dtype)  # (P,) every gradient
        offset = 0
        for layer, key in pairs:
            shape, size = layer.params[key].shape, layer.params[key].size
            view = values[offset : offset + size].reshape(shape)
            view[...] = layer.params[key]
            layer.params[key] = view
            layer.grads[key] = grads[offset : offset + size].reshape(shape)
            offset += size

    def zero_grad(self) -> None:
        """Set every gradient to zero.

        Examples
        --------
        >>> from glassnet import Dense, Sequential
        >>> net = Sequential([Dense(1, 1)]); net.zero_grad()
        """
        for layer in self.layers:
            layer.zero_grad()

    @property
    def n_params(self) -> int:
        """Number of learnable scalars."""
        return sum(layer.n_params for layer in self.layers)
