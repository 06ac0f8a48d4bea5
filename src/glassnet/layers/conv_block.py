"""ConvReLUPool: Conv2D, ReLU and MaxPool2D run as one block, the fast path of the common
convolutional stage; and :func:`fuse`, which finds such stages in a list of layers.

Each layer keeps its own maths in its own class; this block only changes where the numbers
are stored. Layer by layer, the convolution writes Z (N, O, Ho, Wo), the ReLU reads it and
writes A, the pool reads A; going back, the pool writes dE/dA, the ReLU dE/dZ, and the
convolution moves dE/dZ channel-major for its products. The block computes the convolution's
product P = W cols as Conv2D does, then one compiled pass turns it into the pooled output
(bias, ReLU and max in registers, :mod:`glassnet.fast.block_kernels`), and backward one pass
turns dE/dY into the channel-major dE/dZ the products need: Z, A, dE/dA and the layout move
never touch memory. The numbers are the layers' own (tests hold the block to the three
layers run one by one). Each half of the batch runs on its own thread, with one-threaded BLAS
(:mod:`glassnet.fast.threads`), as Conv2D's compiled path does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.activations import ReLU
from glassnet.fast import block_kernels, conv_kernels, jit, threads
from glassnet.fast.pool_kernels import offset_dtype
from glassnet.layers.base import Layer
from glassnet.layers.conv2d import Conv2D
from glassnet.layers.max_pool import MaxPool2D


class ConvReLUPool:
    """Conv2D -> ReLU -> MaxPool2D in one forward pass and one backward pass.

    Not a layer of its own: it runs three layers of a network (which keeps them, their
    parameters and gradients) and has their contract, ``forward(x)`` and
    ``backward(grad, need_input_grad)``. Where the compiled kernels are off, or a batch is
    too large for one chunk of the convolution, it runs the three layers one by one.

    Examples
    --------
    >>> import numpy as np
    >>> conv = Conv2D(1, 1, 2, weights=np.ones((1, 1, 2, 2)), bias=[-10.0])
    >>> block = ConvReLUPool(conv, ReLU(), MaxPool2D(2))
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)  # window sums 8, 12, 20, 24, minus 10
    >>> block.forward(x)[0, 0]
    array([[14.]])
    >>> block.backward(np.ones((1, 1, 1, 1)))[0, 0]  # the max came from the last window
    array([[0., 0., 0.],
           [0., 1., 1.],
           [0., 1., 1.]])
    """

    def __init__(self, conv: Conv2D, relu: ReLU, pool: MaxPool2D) -> None:
        if not (
            isinstance(conv, Conv2D) and isinstance(relu, ReLU) and isinstance(pool, MaxPool2D)
        ):
            raise TypeError(
                "ConvReLUPool runs Conv2D, ReLU and MaxPool2D; got "
                f"{type(conv).__name__}, {type(relu).__name__}, {type(pool).__name__}."
            )
        self.layers: tuple[Layer, Layer, Layer] = (conv, relu, pool)
        self.conv, self.relu, self.pool = conv, relu, pool
        self.fused = False  # whether the last forward ran fused

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The pooled output (N, O, Hp, Wp) of relu(conv(x)), fused when it can be."""
        conv, pool = self.conv, self.pool
        conv_shape = conv.output_shape(x.shape[1:]) if x.ndim == 4 else None
        n = x.shape[0]
        self.fused = (
            conv_shape is not None
            and jit.worth(n * int(np.prod(conv_shape)))
            and len(conv._chunks(n, conv_shape[1:])) == 1
        )
        if not self.fused:
            for layer in self.layers:
                x = layer.forward(x)
            return x
        o, ho, wo = conv_shape  # type: ignore[misc]
        hw, dtype = ho * wo, conv.params["W"].dtype
        conv.x, conv.out_hw, conv.fast = x, (ho, wo), True
        keep = conv.fan_in * n * hw * dtype.itemsize <= KEEP_BYTES
        cols = conv._buffer("cols", (conv.fan_in, n * hw), dtype) if keep else None
        conv.cols = cols  # the unrolled windows, kept for dE/dW (else unrolled again)
        pool.y = y = pool._buffer("y", (n, *pool.output_shape(conv_shape)), dtype)
        pool.arg = arg = pool._buffer("arg", y.shape, offset_dtype(*pool.kernel_size))
        b = conv.params["b"]

        def half(lo: int, hi: int, part: int) -> None:  # samples [lo, hi), on its own thread
            for a, c in _blocks(lo, hi):  # a few samples at a time: their maps stay in cache
                block_cols = (
                    cols[:, a * hw : c * hw]
                    if cols is not None
                    else conv._buffer(f"cols{part}", (conv.fan_in, (c - a) * hw), dtype)
                )
                z = conv._forward_part(x[a:c], block_cols, part)  # W cols
                block_kernels.bias_relu_max_pool(
                    z, b, (ho, wo), pool.kernel_size, pool.stride, y[a:c], arg[a:c]
                )

        threads.split(n, half)
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dx of the block (when asked); dE/dW and dE/db added into the convolution's grads."""
        if not self.fused:
            grad: np.ndarray | None = grad_out
            for i, layer in enumerate(reversed(self.layers)):
                grad = layer.backward(grad, need_input_grad or i < 2)
            return grad
        conv, pool = self.conv, self.pool
        G = np.ascontiguousarray(grad_out)  # (N, O, Hp, Wp)
        n, o = G.shape[0], conv.out_channels
        ho, wo = conv.out_hw
        hw, dtype = ho * wo, conv.params["W"].dtype
        dx = conv._buffer("dx", conv.x.shape, dtype) if need_input_grad else None

        def half(lo: int, hi: int, part: int) -> tuple[np.ndarray, np.ndarray]:
            dWt, db = 0.0, 0.0
            sums = conv._buffer(f"db{part}", (o,), np.dtype(np.float64))
            for a, c in _blocks(lo, hi):
                gT = conv._buffer(f"gT{part}", (o, (c - a) * hw), dtype)  # dE/dZ channel-major
                block_kernels.max_pool_relu_channels(
                    G[a:c], pool.arg[a:c], pool.y[a:c], (ho, wo), pool.kernel_size,
                    pool.stride, gT, sums,
                )  # fmt: skip
                block_dx = None if dx is None else dx[a:c]
                if conv.cols is not None:
                    block_cols = conv.cols[:, a * hw : c * hw]
                else:  # unrolled again: cheaper than keeping a large batch's in memory
                    block_cols = conv._buffer(f"cols{part}", (conv.fan_in, (c - a) * hw), dtype)
                    conv_kernels.im2col(conv.x[a:c], conv.kernel_size, conv.stride,
                                        conv._before, (ho, wo), block_cols)  # fmt: skip
                block_dWt = conv._backward_part(block_cols, gT, block_dx, part)
                dWt, db = dWt + block_dWt, db + sums
            return dWt, db

        parts = threads.split(n, half)
        dWt, db = parts[0]
        for more_dWt, more_db in parts[1:]:
            dWt = dWt + more_dWt
            db = db + more_db
        conv._add_grads(dWt.T.reshape(conv.params["W"].shape), db)
        return dx

    @property
    def training(self) -> bool:
        """The layers' mode (a block has none of its own)."""
        return self.conv.training

    def __repr__(self) -> str:
        return f"ConvReLUPool({self.conv!r}, {self.relu!r}, {self.pool!r})"


#: samples a half of the batch runs at a time, so that their maps, products and gradients stay
#: in the cache between the passes (None: the whole half at once). Measured here, quiet machine,
#: against PyTorch in the same rounds: at batch 512 halves at once 0.65x, blocks of 64 0.73x,
#: 32 0.80x, 16 0.87x; at batch 128 within 5% of each other
BLOCK_SAMPLES: int | None = 16
#: the unrolled windows of a batch are kept for dE/dW up to this size, and unrolled again block
#: by block in backward beyond it: writing and reading back 30 MB of them at batch 512 cost more
#: (0.70x PyTorch) than unrolling twice (0.91x); at batch 128 keeping them is a little faster
KEEP_BYTES = 8 * 2**20


def _blocks(lo: int, hi: int) -> list[tuple[int, int]]:
    """[lo, hi) in runs of at most :data:`BLOCK_SAMPLES` samples.

    Examples
    --------
    >>> _blocks(0, 40)
    [(0, 16), (16, 32), (32, 40)]
    """
    step = BLOCK_SAMPLES or max(1, hi - lo)
    return [(a, min(hi, a + step)) for a in range(lo, hi, step)]


def fuse(layers: list[Any]) -> list[Any]:
    """``layers`` with every Conv2D, ReLU, MaxPool2D run replaced by one :class:`ConvReLUPool`:
    what a network runs, step by step, on its fast path (the layers themselves stay as they are).

    Examples
    --------
    >>> from glassnet.layers import Dense, Flatten
    >>> steps = fuse([Conv2D(1, 8, 3), ReLU(), MaxPool2D(2), Flatten(), Dense(1352, 10)])
    >>> [type(s).__name__ for s in steps]
    ['ConvReLUPool', 'Flatten', 'Dense']
    """
    steps: list[Any] = []
    i = 0
    while i < len(layers):
        run = layers[i : i + 3]
        if (
            len(run) == 3
            and type(run[0]) is Conv2D
            and type(run[1]) is ReLU
            and type(run[2]) is MaxPool2D
        ):
            steps.append(ConvReLUPool(*run))
            i += 3
        else:
            steps.append(layers[i])
            i += 1
    return steps
