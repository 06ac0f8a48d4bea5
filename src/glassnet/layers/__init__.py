"""Layers: the contract (``base``), the fully connected layer (``dense``), ``dropout``, the
weight initialisers (``init``), and the image layers over (N, C, H, W) arrays: ``conv2d``,
``max_pool``, ``avg_pool``, ``global_avg_pool``, ``flatten`` and ``batch_norm`` (with their
shared arguments and shapes in ``spatial``). Activations are layers too; they live in
:mod:`glassnet.activations`.
"""

from glassnet.layers.avg_pool import AvgPool2D
from glassnet.layers.base import Layer
from glassnet.layers.batch_norm import BatchNorm1D, BatchNorm2D
from glassnet.layers.conv2d import Conv2D
from glassnet.layers.dense import Dense
from glassnet.layers.dropout import Dropout
from glassnet.layers.flatten import Flatten
from glassnet.layers.global_avg_pool import GlobalAvgPool2D
from glassnet.layers.max_pool import MaxPool2D

__all__ = [
    "AvgPool2D",
    "BatchNorm1D",
    "BatchNorm2D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2D",
    "Layer",
    "MaxPool2D",
]
