"""Which activation follows each Dense layer: the one reading of a network's layer list.

The playground draws a network as Dense layers each followed by at most one activation. The
views, model loading and step mode all need, for every Dense layer, where its activated output
is and what the activation is called; :func:`dense_with_activation` is that answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

NAMES = {"LeakyReLU": "leaky_relu"}  # class names that do not lower-case to the setting's name


def _kind(item: Any) -> str:
    """A layer's class name, or a trace record's ``kind`` (which is that class name)."""
    kind = getattr(item, "kind", None)
    return kind if isinstance(kind, str) else type(item).__name__


def dense_with_activation(layers: Sequence[Any]) -> list[tuple[int, int, str]]:
    """For each Dense layer: (its index, the index of its activated output, activation name).

    ``layers`` is a network's layer list or a trace's layer records (``trace.layers``). The
    activated output is the next layer's when that layer is not Dense, else the Dense layer's
    own output, called "identity". Names are the playground's settings ("tanh", "leaky_relu").

    Examples
    --------
    >>> from glassnet import Dense, LeakyReLU, Sigmoid
    >>> layers = [Dense(2, 3), LeakyReLU(), Dense(3, 3), Dense(3, 1), Sigmoid()]
    >>> dense_with_activation(layers)
    [(0, 1, 'leaky_relu'), (2, 2, 'identity'), (3, 4, 'sigmoid')]
    """
    found = []
    for pos, item in enumerate(layers):
        if _kind(item) != "Dense":
            continue
        nxt = pos + 1
        if nxt < len(layers) and _kind(layers[nxt]) != "Dense":
            name = _kind(layers[nxt])
            found.append((pos, nxt, NAMES.get(name, name.lower())))
        else:
            found.append((pos, pos, "identity"))
    return found
