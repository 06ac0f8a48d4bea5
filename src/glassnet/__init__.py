"""glassnet: neural networks whose forward and backward propagation you can see.

The public names live here; each is defined in a module of its own.

Examples
--------
>>> import numpy as np
>>> import glassnet as gn
>>> net = gn.Sequential([gn.Dense(1, 1, weights=[[0.5]], bias=[0.1]), gn.Sigmoid()], dtype="float64")
>>> round(float(net.forward(np.array([[1.0]]))[0, 0]), 4)
0.6457
"""

from glassnet import datasets
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
    get_activation,
)
from glassnet.callbacks import (
    Callback,
    CosineAnnealingLR,
    EarlyStopping,
    ExponentialLR,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    StepLR,
)
from glassnet.explain.batch import BatchExplanation, explain_batch
from glassnet.explain.explanation import Explanation, explain
from glassnet.explain.gradcheck import GradcheckReport, gradcheck
from glassnet.layers import (
    AvgPool2D,
    BatchNorm1D,
    BatchNorm2D,
    Conv2D,
    Dense,
    Flatten,
    GlobalAvgPool2D,
    Layer,
    MaxPool2D,
)
from glassnet.layers.dropout import Dropout
from glassnet.losses import (
    MAE,
    MSE,
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    Loss,
    PoissonNLL,
    get_loss,
)
from glassnet.model import build
from glassnet.model.build import mlp
from glassnet.model.sequential import Sequential
from glassnet.model.trace import Trace
from glassnet.optimizers import SGD, Adam, AdamW, Optimizer, RMSprop, get_optimizer
from glassnet.optimizers.clipping import clip_grad_norm, clip_grad_value
from glassnet.saving.serialize import load, load_checkpoint, save_checkpoint
from glassnet.train.fit import DivergedError, fit
from glassnet.train.lr_finder import LRFinderResult, lr_find

__version__ = "0.1.0"

__all__ = [
    "MAE",
    "MSE",
    "SGD",
    "Adam",
    "AdamW",
    "AvgPool2D",
    "BatchNorm1D",
    "BatchNorm2D",
    "BinaryCrossEntropy",
    "Callback",
    "Conv2D",
    "CosineAnnealingLR",
    "CrossEntropy",
    "Dense",
    "DivergedError",
    "Dropout",
    "EarlyStopping",
    "Explanation",
    "ExponentialLR",
    "Flatten",
    "GlobalAvgPool2D",
    "GradcheckReport",
    "History",
    "ELU",
    "GELU",
    "Huber",
    "Identity",
    "Layer",
    "LearningRateScheduler",
    "LeakyReLU",
    "MaxPool2D",
    "Loss",
    "ModelCheckpoint",
    "Optimizer",
    "PoissonNLL",
    "RMSprop",
    "ReLU",
    "ReduceLROnPlateau",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softplus",
    "Softmax",
    "StepLR",
    "Tanh",
    "Trace",
    "explain",
    "explain_batch",
    "BatchExplanation",
    "fit",
    "get_activation",
    "get_loss",
    "get_optimizer",
    "clip_grad_norm",
    "clip_grad_value",
    "gradcheck",
    "lr_find",
    "LRFinderResult",
    "load",
    "mlp",
    "build",
    "datasets",
    "load_checkpoint",
    "save_checkpoint",
]
