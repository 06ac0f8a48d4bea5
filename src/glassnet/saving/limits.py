"""The limits a model file is checked against before ``load`` allocates anything.

A model file is untrusted input (an upload to the playground, a file from a colleague or the
internet). Its JSON description says how large the network is, and each array's .npy header
inside the zip says how large that array is; ``load`` reads only these small parts first and
refuses a file that exceeds a limit, or whose parts disagree with each other or with the zip's
declared sizes, before it builds a layer or reads an array. A 484-byte file that claims a
``Dense(200000000, 2)``, or a zip bomb whose members inflate to gigabytes, is refused at no cost
(the spirit of PyTorch's ``torch.load(weights_only=True)``: plain data only, checked).

Raise a limit on purpose for a large model you trust: ``load(path, max_params=10**9)``.
"""

from __future__ import annotations

MAX_PARAMS = 100_000_000
"""Most parameters (weights and biases) a model file may describe: 400 MB of float32, 800 MB
of float64, far above the networks glassnet trains on a CPU (MNIST's 784-256-10 has 0.2
million). ``load(path, max_params=...)`` and ``load_checkpoint(path, max_params=...)`` allow
more."""

MAX_LAYERS = 10_000
"""Most layers a model file may describe (activations and dropout count as layers). A file of
300 000 layers is refused before one is built. ``load(path, max_layers=...)`` allows more."""

MAX_DESCRIPTION_BYTES = 16 * 2**20
"""Largest JSON description (the ``__glassnet__`` entry) read: 16 MiB. A model's is a few KB
(about 20 KB with 784 feature names); a checkpoint adds its history, some KB per 100 epochs."""

STATE_COPIES = 4
"""A checkpoint's other arrays (the optimiser's per-parameter state, early stopping's best
weights) may hold at most this many elements per parameter: Adam keeps two moments and early
stopping one copy of the weights. A file whose extra arrays declare more is refused."""

MAX_HEADER_BYTES = 10_000
"""Longest .npy header read (NumPy's own default ``max_header_size``); a real one is ~120 bytes."""
