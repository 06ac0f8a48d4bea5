"""Layers: the contract (``base``), the fully connected layer (``dense``), ``dropout``, and the
weight initialisers (``init``). Activations are layers too; they live in
:mod:`glassnet.activations`.
"""

from glassnet.layers.base import Layer
from glassnet.layers.dense import Dense
from glassnet.layers.dropout import Dropout

__all__ = ["Dense", "Dropout", "Layer"]
