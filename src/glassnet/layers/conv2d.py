"""Conv2D: a 2-D convolution (PyTorch's cross-correlation) over (N, C, H, W) images."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from glassnet.fast import conv_kernels, jit, threads
from glassnet.fast.blas import product
from glassnet.layers.base import Layer
from glassnet.layers.init import get_initializer
from glassnet.layers.spatial import (
    check_images,
    check_shape,
    conv_padding,
    pair,
    too_small,
    window_positions,
)
from glassnet.utils.validation import check_positive_int

#: the unrolled windows (im2col) of one forward pass are kept for backward up to this size;
#: a larger batch (a big ``predict``) is run in chunks of samples and backward unrolls again
CHUNK_BYTES = 64 * 2**20
#: output positions per product of dE/dW's sum (see Conv2D._backward_part)
DW_BLOCK = 8192


class Conv2D(Layer):
    r"""2-D convolution: each output channel slides its own kernel over every input channel.

    With the input zero-padded to :math:`\tilde X` and strides :math:`(s_h, s_w)`, forward is
    (as in PyTorch, a cross-correlation: the kernel is not flipped)

    .. math:: Z_{n,o,i,j} = b_o + \sum_{c} \sum_{p < k_h} \sum_{q < k_w}
              W_{o,c,p,q}\, \tilde X_{n,\, c,\, i s_h + p,\, j s_w + q}

    Backward, with :math:`G = dE/dZ`. Each weight met every window it slid over, so its gradient
    sums input times upstream gradient over all positions; the bias met every position:

    .. math:: \frac{dE}{dW_{o,c,p,q}} = \sum_{n,i,j} G_{n,o,i,j}\,
              \tilde X_{n,\, c,\, i s_h + p,\, j s_w + q},
              \qquad \frac{dE}{db_o} = \sum_{n,i,j} G_{n,o,i,j}

    Each input pixel collects, from every window it was in, the upstream gradient times the
    weight it met there:

    .. math:: \frac{dE}{d\tilde X_{n,c,r,s}} = \sum_o \sum_{i s_h + p = r}\
              \sum_{j s_w + q = s} G_{n,o,i,j}\, W_{o,c,p,q}

    With stride 1 that is the *full* convolution of G with the kernel turned by 180 degrees;
    dE/dx is dE/dX~ without the padding's rows and columns.

    In code (see ``forward`` and ``backward``) the windows are unrolled into the columns of a
    matrix, ``cols`` (C kh kw, N Ho Wo), so that the three sums are matrix products:
    Z = W cols, dE/dW = G cols^T and dE/dcols = W^T G, which the adjoint of the unrolling
    (col2im) adds back onto the pixels. With numba installed the unrolling, its adjoint and the
    layout moves are compiled loops (:mod:`glassnet.fast.conv_kernels`) around BLAS products;
    otherwise the same sums run as NumPy ``tensordot`` on a sliding-window view.

    Shape
    -----
    - Input: (N, C_in, H, W)
    - Output: (N, C_out, H_out, W_out) with
      H_out = floor((H + pad_top + pad_bottom - kh) / sh) + 1, likewise W_out
    - W: (C_out, C_in, kh, kw), b: (C_out,), PyTorch's ``Conv2d`` layout

    Parameters
    ----------
    in_channels, out_channels : int
        C_in and C_out.
    kernel_size : int or (int, int)
        (kh, kw).
    stride : int or (int, int)
        (sh, sw), default 1.
    padding : int, (int, int), "valid" or "same"
        Zeros added on each side of H and W; "same" keeps H and W (stride 1 only; an even
        kernel gets the extra zero after, as in PyTorch).
    init : str
        Weight initialiser by name. Default "uniform": U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
        fan_in = C_in kh kw, which is what PyTorch's default (kaiming_uniform with a =
        sqrt(5)) comes to. Others as for Dense ("he_uniform", "xavier_normal", ...), with the
        fans of the (fan_in, C_out) matrix the kernel unrolls to.
    bias_init : str
        Default "uniform", PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the kernel's
        fan_in; any initialiser name (drawn at the kernel's fans) or "zeros".
    rng : numpy.random.Generator, optional
        Source of randomness for the initial weights.
    weights, bias : array-like, optional
        Exact starting values, shapes (C_out, C_in, kh, kw) and (C_out,).
    dtype : numpy dtype, optional
        float32 by default; explicit ``weights``/``bias`` stay float64 until a network casts
        them.

    Examples
    --------
    A 2x2 kernel of ones sums each 2x2 window of a 3x3 image:

    >>> conv = Conv2D(1, 1, 2, weights=np.ones((1, 1, 2, 2)), bias=[0.0])
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> conv.forward(x)[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    >>> conv.backward(np.ones((1, 1, 2, 2)))[0, 0]  # how many windows each pixel was in
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> conv.grads["W"][0, 0]  # each weight: the sum of the pixels it met
    array([[ 8., 12.],
           [20., 24.]])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        init: str = "uniform",
        bias_init: str = "uniform",
        rng: np.random.Generator | None = None,
        weights: Any = None,
        bias: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = padding if isinstance(padding, str) else pair(padding, "padding", 0)
        (self.pad_h, self.pad_w) = conv_padding(self.padding, self.kernel_size, self.stride)
        self.init, self.bias_init = init, bias_init
        get_initializer(init), get_initializer(bias_init)  # fail early on a bad name
        self.explicit = weights is not None or bias is not None
        if dtype is None:  # explicit values stay exact (float64) until a network casts them
            dtype = np.float64 if self.explicit else np.float32
        self.reset_parameters(rng or np.random.default_rng(), dtype)
        if weights is not None:
            self._set("W", weights)
        if bias is not None:
            self._set("b", bias)

    # -- parameters -------------------------------------------------------------------
    @property
    def fan_in(self) -> int:
        """C_in kh kw: how many inputs each output value sums.

        Examples
        --------
        >>> Conv2D(8, 16, 3).fan_in
        72
        """
        return self.in_channels * self.kernel_size[0] * self.kernel_size[1]

    def reset_parameters(self, rng: np.random.Generator, dtype: Any = None) -> None:
        """Draw fresh weights with ``init`` and biases with ``bias_init`` from ``rng``.

        Examples
        --------
        >>> c = Conv2D(1, 2, 3); c.reset_parameters(np.random.default_rng(0))
        >>> c.params["W"].shape, bool(np.abs(c.params["W"]).max() <= 1 / 3)
        ((2, 1, 3, 3), True)
        """
        dtype = dtype or self.params.get("W", np.empty(0, np.float32)).dtype
        fans = (self.fan_in, self.out_channels)
        W = get_initializer(self.init)(fans, rng)  # (fan_in, out): each column one kernel
        W = W.T.reshape(self.out_channels, self.in_channels, *self.kernel_size)
        b = get_initializer(self.bias_init)(fans, rng)[0]  # (out,), at the kernel's fans
        # C order: W.reshape(out, fan_in) must be a view, for the products and their outputs
        self.params = {"W": W.astype(dtype, order="C"), "b": b.astype(dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._buffers.clear()

    def _set(self, key: str, value: Any) -> None:
        shape = self.params[key].shape
        arr = np.asarray(value, dtype=self.params[key].dtype)
        if arr.shape != shape:
            raise ValueError(f"{self!r} expected {key} of shape {shape}; got {arr.shape}.")
        self.params[key][...] = arr

    # -- shapes -----------------------------------------------------------------------
    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, int, int]:
        """(C_out, H_out, W_out) for a sample of shape (C_in, H, W).

        Examples
        --------
        >>> Conv2D(1, 8, 3).output_shape((1, 28, 28))
        (8, 26, 26)
        >>> Conv2D(3, 4, (3, 5), stride=2, padding=1).output_shape((3, 10, 10))
        (4, 5, 4)
        """
        shape = check_shape(shape, self, self.in_channels)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        ho = window_positions(shape[1], kh, sh, *self.pad_h)
        wo = window_positions(shape[2], kw, sw, *self.pad_w)
        if ho == 0 or wo == 0:
            raise too_small(self, shape, self.kernel_size, (self.pad_h, self.pad_w))
        return self.out_channels, ho, wo

    # -- forward and backward -----------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Z (N, C_out, H_out, W_out) = the convolution of x (N, C_in, H, W) plus b."""
        check_images(x, self, self.in_channels)
        self.out_hw = self.output_shape(x.shape[1:])[1:]
        self.x = x  # (N, C, H, W), kept for dE/dW
        W, b = self.params["W"], self.params["b"]
        z = self._buffer("z", (x.shape[0], self.out_channels, *self.out_hw), W.dtype)
        self.fast = jit.worth(z.size)
        if not self.fast:  # NumPy: the sums over a sliding-window view
            windows = self._windows(x)  # (N, C, Ho, Wo, kh, kw), a view
            zt = np.tensordot(windows, W, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, O)
            np.add(zt.transpose(0, 3, 1, 2), b[:, None, None], out=z)
            return z
        # compiled: cols (K, M) = the unrolled windows, Z = W cols, then back to images + b,
        # each half of the batch on its own thread (glassnet.fast.threads)
        self.cols = None
        n, O, hw = x.shape[0], self.out_channels, self.out_hw[0] * self.out_hw[1]
        for lo, hi in self._chunks(n):
            cols = self._buffer("cols", (self.fan_in, (hi - lo) * hw), W.dtype)  # (K, m Ho Wo)

            def half(a: int, c: int, part: int, lo: int = lo, cols: np.ndarray = cols) -> None:
                zc = self._forward_part(x[lo + a : lo + c], cols[:, a * hw : c * hw], part)
                conv_kernels.to_images(zc, b, z[lo + a : lo + c].reshape(c - a, O, hw))

            threads.split(hi - lo, half)
            if hi - lo == n:
                self.cols = cols  # one chunk: kept for dE/dW
        return z

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dW = G (x) windows, dE/db = sum G (added into grads); returns dE/dx (N, C, H, W)."""
        G = grad_out  # (N, O, Ho, Wo)
        W = self.params["W"]
        if not self.fast:
            windows = self._windows(self.x)  # (N, C, Ho, Wo, kh, kw)
            dW = np.tensordot(G, windows, axes=([0, 2, 3], [0, 2, 3]))  # (O, C, kh, kw)
            db = G.sum(axis=(0, 2, 3))  # (O,)
            self._add_grads(dW, db)
            if not need_input_grad:
                return None
            dwin = np.tensordot(G, W, axes=([1], [0]))  # (N, Ho, Wo, C, kh, kw)
            return self._fold(dwin)
        G = np.ascontiguousarray(G)
        n, O, hw = G.shape[0], self.out_channels, self.out_hw[0] * self.out_hw[1]
        dx = self._buffer("dx", self.x.shape, W.dtype) if need_input_grad else None
        dWt, db = 0.0, 0.0  # (K, O) and (O,), summed over chunks and halves
        for lo, hi in self._chunks(n):
            cols = self.cols if self.cols is not None else self._unroll(self.x[lo:hi])  # (K, M)

            def half(a: int, c: int, part: int, lo: int = lo, cols: np.ndarray = cols) -> tuple:
                gT = self._buffer(f"gT{part}", (O, (c - a) * hw), W.dtype)  # (O, m Ho Wo)
                sums = self._buffer(f"db{part}", (O,), np.dtype(np.float64))
                conv_kernels.to_channels(G[lo + a : lo + c].reshape(c - a, O, hw), gT, sums)
                part_dx = None if dx is None else dx[lo + a : lo + c]
                return self._backward_part(cols[:, a * hw : c * hw], gT, part_dx, part), sums

            for part_dWt, sums in threads.split(hi - lo, half):
                dWt, db = dWt + part_dWt, db + sums
        self._add_grads(dWt.T.reshape(W.shape), db)
        return dx

    # -- the compiled path's pieces (also run by the fused ConvReLUPool) -----------------
    def _forward_part(self, x: np.ndarray, cols: np.ndarray, part: int) -> np.ndarray:
        """Z = W cols (C_out, m Ho Wo), channel-major and without the bias, for the samples x
        (m, C, H, W), whose windows are unrolled into ``cols`` (K, m Ho Wo) on the way; the
        buffer of Z is the ``part``'s own (the halves of a batch run at once)."""
        W = self.params["W"]
        conv_kernels.im2col(x, self.kernel_size, self.stride, self._before, self.out_hw, cols)
        zc = self._buffer(f"zc{part}", (self.out_channels, cols.shape[1]), W.dtype)
        product(W.reshape(self.out_channels, -1), cols, zc, self.reuse_buffers)
        return zc

    def _backward_part(
        self, cols: np.ndarray, gT: np.ndarray, dx: np.ndarray | None, part: int
    ) -> np.ndarray:
        """From G channel-major, gT (C_out, m Ho Wo), of some samples: returns their
        (dE/dW)^T = cols gT^T (K, C_out), and writes their dE/dx into dx (when given) by
        dE/dcols = W^T gT folded back onto the pixels (col2im)."""
        W, O = self.params["W"], self.out_channels
        # (dE/dW)^T, in the orientation OpenBLAS runs about twice as fast as gT cols^T (0.54
        # against 1.06 ms at batch 128 here), and over blocks of DW_BLOCK positions: a single
        # product over the 86528 positions of a first layer at batch 128 took 0.9 ms, the same
        # sum over blocks of 8192 0.32-0.39 ms
        dWt = self._buffer(f"dWt{part}", (cols.shape[0], O), W.dtype)
        m = cols.shape[1]
        product(cols[:, :DW_BLOCK], gT[:, :DW_BLOCK].T, dWt, self.reuse_buffers)
        if m > DW_BLOCK:
            more = self._buffer(f"dWt_block{part}", dWt.shape, W.dtype)
            for lo in range(DW_BLOCK, m, DW_BLOCK):
                product(cols[:, lo : lo + DW_BLOCK], gT[:, lo : lo + DW_BLOCK].T, more, True)
                dWt += more
        if dx is not None:
            dcols = self._buffer(f"dcols{part}", cols.shape, W.dtype)  # (K, m Ho Wo)
            product(W.reshape(O, -1).T, gT, dcols, self.reuse_buffers)
            conv_kernels.col2im(dcols, self.kernel_size, self.stride, self._before, self.out_hw, dx)
        return dWt

    # -- helpers ----------------------------------------------------------------------
    @property
    def _before(self) -> tuple[int, int]:
        return self.pad_h[0], self.pad_w[0]

    def _padded(self, x: np.ndarray) -> np.ndarray:
        """x with the zero padding: (N, C, H + top + bottom, W + left + right)."""
        if self.pad_h == (0, 0) and self.pad_w == (0, 0):
            return x
        return np.pad(x, ((0, 0), (0, 0), self.pad_h, self.pad_w))

    def _windows(self, x: np.ndarray) -> np.ndarray:
        """The (N, C, H_out, W_out, kh, kw) view of every window of padded x (no copy)."""
        (sh, sw), (ho, wo) = self.stride, self.out_hw
        view = sliding_window_view(self._padded(x), self.kernel_size, axis=(2, 3))
        return view[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw]

    def _fold(self, dwin: np.ndarray) -> np.ndarray:
        """dE/dx from the gradient of every window's values, dwin (N, Ho, Wo, C, kh, kw):
        each kernel offset (p, q) adds its slice back where its windows read x~."""
        x = self.x
        n, c, h, w = x.shape
        (ph, pw), (sh, sw), (ho, wo) = (self.pad_h, self.pad_w), self.stride, self.out_hw
        dxp = np.zeros((n, c, h + sum(ph), w + sum(pw)), dtype=dwin.dtype)  # dE/dX~
        for p in range(self.kernel_size[0]):  # a loop over the kernel's offsets, not samples
            for q in range(self.kernel_size[1]):
                rows = slice(p, p + (ho - 1) * sh + 1, sh)
                cols = slice(q, q + (wo - 1) * sw + 1, sw)
                dxp[:, :, rows, cols] += dwin[..., p, q].transpose(0, 3, 1, 2)
        return dxp[:, :, ph[0] : ph[0] + h, pw[0] : pw[0] + w]

    def _unroll(self, x: np.ndarray) -> np.ndarray:
        """cols (C kh kw, m H_out W_out) of the samples x (m, C, H, W) (compiled)."""
        m = x.shape[0] * self.out_hw[0] * self.out_hw[1]
        cols = self._buffer("cols", (self.fan_in, m), self.params["W"].dtype)
        return conv_kernels.im2col(
            x, self.kernel_size, self.stride, self._before, self.out_hw, cols
        )

    def _chunks(self, n: int, out_hw: tuple[int, int] | None = None) -> list[tuple[int, int]]:
        """Sample ranges whose unrolled windows fit in :data:`CHUNK_BYTES` (one for training
        batches), for n samples whose output maps are ``out_hw`` (default: the last forward's)."""
        ho, wo = out_hw or self.out_hw
        per_sample = self.fan_in * ho * wo * self.params["W"].itemsize
        step = max(1, CHUNK_BYTES // per_sample)
        return [(lo, min(n, lo + step)) for lo in range(0, n, step)]

    def _add_grads(self, dW: np.ndarray, db: np.ndarray) -> None:
        gW, gb = self.grads["W"], self.grads["b"]
        if self._grads_are_zero:
            gW[...] = dW
            gb[...] = db
            self._grads_are_zero = False
        else:
            gW += dW
            gb += db

    @classmethod
    def array_shapes(cls, config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """W (out, in, kh, kw) and b (out,) from the config (checked as the constructor does).

        Examples
        --------
        >>> Conv2D.array_shapes({"in_channels": 1, "out_channels": 8, "kernel_size": [3, 2]})
        {'W': (8, 1, 3, 2), 'b': (8,)}
        """
        c_in = check_positive_int(config.get("in_channels"), "in_channels")
        c_out = check_positive_int(config.get("out_channels"), "out_channels")
        kh, kw = pair(config.get("kernel_size"), "kernel_size")
        return {"W": (c_out, c_in, kh, kw), "b": (c_out,)}

    def config(self) -> dict[str, Any]:
        """Constructor arguments (without weights)."""
        padding = self.padding if isinstance(self.padding, str) else list(self.padding)
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": padding,
            "init": self.init,
            "bias_init": self.bias_init,
        }
