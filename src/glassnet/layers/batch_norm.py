"""BatchNorm1D and BatchNorm2D: each channel normalised by its batch statistics while training,
by running averages of them at inference, then scaled and shifted by learnt gamma and beta."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.layers.base import Layer
from glassnet.utils.validation import check_positive_float, check_positive_int


class _BatchNorm(Layer):
    r"""Batch normalisation over axis 1 (the channel or feature), PyTorch's maths exactly.

    Every statistic is per channel c, over the m values of that channel in the batch
    (m = N for (N, F), N L for (N, C, L), N H W for (N, C, H, W)).

    Training, with the batch's mean and biased variance:

    .. math::
        \mu = \frac{1}{m} \sum x, \qquad \sigma^2 = \frac{1}{m} \sum (x - \mu)^2, \qquad
        \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta

    and the running statistics move towards the batch's, the variance unbiased (m / (m - 1)):

    .. math::
        \text{running\_mean} \leftarrow (1 - \text{momentum})\, \text{running\_mean}
            + \text{momentum}\, \mu, \qquad
        \text{running\_var} \leftarrow (1 - \text{momentum})\, \text{running\_var}
            + \text{momentum}\, \tfrac{m}{m - 1} \sigma^2

    Inference uses the running statistics in place of mu and sigma^2 (``training`` False).

    Backward, with G = dE/dy. gamma and beta act on each value separately:

    .. math:: \frac{dE}{d\gamma} = \sum G \hat x, \qquad \frac{dE}{d\beta} = \sum G

    While training, x reaches y three ways: directly, through mu and through sigma^2 (each
    x moves the batch's statistics), which gives the three terms

    .. math:: \frac{dE}{dx} = \frac{\gamma}{\sqrt{\sigma^2 + \epsilon}} \Big( G
              - \frac{1}{m} \sum G - \hat x\, \frac{1}{m} \sum G \hat x \Big)

    (the direct path, minus the mean's share, minus the variance's). At inference the
    statistics are constants and only the first term is left: dE/dx = gamma G / sqrt(var + eps).
    """

    #: the input's number of axes this layer accepts, and how it names its channels
    ndims: tuple[int, ...] = ()
    axis_name = "channels"

    def __init__(self, num: int, eps: float = 1e-5, momentum: float = 0.1, dtype: Any = None):
        super().__init__()
        self.num = check_positive_int(num, self.axis_name)
        self.eps = check_positive_float(eps, "eps")
        if isinstance(momentum, bool) or not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"momentum must be a number in [0, 1]; got {momentum!r}.")
        self.momentum = float(momentum)
        self.reset_parameters(None, np.dtype(dtype or np.float32))

    def reset_parameters(self, rng: np.random.Generator | None = None, dtype: Any = None) -> None:
        """gamma = 1, beta = 0, running mean 0 and running variance 1, as PyTorch starts them
        (``rng`` is accepted for a uniform interface and not used)."""
        dtype = dtype or self.params.get("gamma", np.empty(0, np.float32)).dtype
        self.params = {"gamma": np.ones(self.num, dtype), "beta": np.zeros(self.num, dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        #: not learnt, saved with the model: the statistics inference normalises with
        self.state = {
            "running_mean": np.zeros(self.num, dtype),
            "running_var": np.ones(self.num, dtype),
        }
        self._buffers.clear()

    def astype(self, dtype: np.dtype) -> Layer:
        """Cast parameters, gradients and the running statistics to ``dtype``; return self."""
        super().astype(dtype)
        self.state = {k: v.astype(dtype) for k, v in self.state.items()}
        return self

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The sample's shape, unchanged (checked against the channel count).

        Examples
        --------
        >>> BatchNorm2D(8).output_shape((8, 26, 26))
        (8, 26, 26)
        """
        shape = tuple(int(s) for s in shape)
        self._check(np.empty((0, *shape)))
        return shape

    def _check(self, x: np.ndarray) -> None:
        if x.ndim not in self.ndims or x.shape[1] != self.num:
            wanted = " or ".join(
                {2: "(N, {c})", 3: "(N, {c}, L)", 4: "(N, {c}, H, W)"}[d].format(c=self.num)
                for d in self.ndims
            )
            raise ValueError(
                f"{self!r} expected input of shape {wanted}; got {x.shape}. Check "
                f"{self.axis_name} or the previous layer."
            )

    def _axes(self, x: np.ndarray) -> tuple[int, ...]:
        return (0, *range(2, x.ndim))  # every axis but the channel's

    def _per_channel(self, v: np.ndarray, ndim: int) -> np.ndarray:
        """v (C,) shaped to broadcast along axis 1 of an ndim-array: (1, C, 1, ...)."""
        return v.reshape(1, -1, *([1] * (ndim - 2)))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = gamma (x - mean) / sqrt(var + eps) + beta: batch statistics while training (the
        running ones move towards them), running statistics otherwise."""
        self._check(x)
        axes, dtype = self._axes(x), self.params["gamma"].dtype
        m = x.size // x.shape[1]  # values per channel
        if self.training:
            if m <= 1:
                raise ValueError(
                    f"{self!r} needs more than 1 value per channel while training (as PyTorch); "
                    f"got input of shape {x.shape}. Use a batch of at least 2."
                )
            mean = x.mean(axis=axes, dtype=dtype)  # (C,)
            centred = x - self._per_channel(mean, x.ndim)
            var = np.mean(centred * centred, axis=axes, dtype=dtype)  # (C,) biased
            mom = dtype.type(self.momentum)
            rm, rv = self.state["running_mean"], self.state["running_var"]
            rm *= 1 - mom
            rm += mom * mean
            rv *= 1 - mom
            rv += mom * var * dtype.type(m / (m - 1))  # the unbiased variance
        else:
            mean, var = self.state["running_mean"], self.state["running_var"]
            centred = x - self._per_channel(mean, x.ndim)
        self.inv_std = 1 / np.sqrt(var + dtype.type(self.eps))  # (C,) 1 / sqrt(var + eps)
        self.batch_stats = self.training  # which backward applies
        self.x_hat = np.multiply(centred, self._per_channel(self.inv_std, x.ndim), out=centred)
        y = self._buffer("y", x.shape, dtype)
        np.multiply(self.x_hat, self._per_channel(self.params["gamma"], x.ndim), out=y)
        y += self._per_channel(self.params["beta"], x.ndim)
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dgamma = sum G x_hat, dE/dbeta = sum G (added into grads); returns dE/dx, the
        three-term form while training."""
        G, x_hat = grad_out, self.x_hat
        axes, ndim = self._axes(G), G.ndim
        dbeta = G.sum(axis=axes)  # (C,)
        dgamma = np.sum(G * x_hat, axis=axes)  # (C,)
        gg, gb = self.grads["gamma"], self.grads["beta"]
        if self._grads_are_zero:
            gg[...], gb[...] = dgamma, dbeta
            self._grads_are_zero = False
        else:
            gg += dgamma
            gb += dbeta
        if not need_input_grad:
            return None
        scale = self._per_channel(self.params["gamma"] * self.inv_std, ndim)  # gamma / sigma
        dx = self._buffer("dx", G.shape, G.dtype)
        if not self.batch_stats:  # running statistics are constants: the direct term alone
            return np.multiply(G, scale, out=dx)
        m = G.size // G.shape[1]
        mean_g = self._per_channel(dbeta / m, ndim)  # (1/m) sum G
        mean_gx = self._per_channel(dgamma / m, ndim)  # (1/m) sum G x_hat
        np.multiply(x_hat, mean_gx, out=dx)  # the variance's term
        np.subtract(G, dx, out=dx)
        dx -= mean_g  # the mean's term
        dx *= scale
        return dx

    @classmethod
    def array_shapes(cls, config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """gamma, beta and the running mean and variance, each (C,).

        Examples
        --------
        >>> BatchNorm2D.array_shapes({"channels": 4})["running_var"]
        (4,)
        """
        num = check_positive_int(config.get(cls.axis_name), cls.axis_name)
        return {key: (num,) for key in ("gamma", "beta", "running_mean", "running_var")}

    def config(self) -> dict[str, Any]:
        """Constructor arguments (the running statistics are saved as arrays)."""
        return {self.axis_name: self.num, "eps": self.eps, "momentum": self.momentum}


class BatchNorm1D(_BatchNorm):
    __doc__ = (
        r"""Batch normalisation of features, (N, F) or (N, C, L), as PyTorch's ``BatchNorm1d``.
    """
        + _BatchNorm.__doc__.split("\n", 1)[1]
        + r"""
    Shape
    -----
    - Input: (N, F) or (N, C, L)
    - Output: the same shape
    - gamma, beta, running_mean, running_var: (F,) (PyTorch's weight, bias and buffers)

    Parameters
    ----------
    features : int
        F (or C).
    eps : float
        Added to the variance before the square root, default 1e-5.
    momentum : float
        How far the running statistics move towards each batch's, default 0.1.
    dtype : numpy dtype, optional
        float32 by default.

    Examples
    --------
    >>> bn = BatchNorm1D(1); bn.training = True
    >>> bn.forward(np.array([[1.0], [3.0]]))[:, 0]  # mean 2, variance 1
    array([-0.999995,  0.999995], dtype=float32)
    >>> bn.state["running_mean"], bn.state["running_var"]  # 0.9 * 0 + 0.1 * 2; 0.9 + 0.1 * 2
    (array([0.2], dtype=float32), array([1.1], dtype=float32))
    """
    )

    ndims = (2, 3)
    axis_name = "features"

    def __init__(
        self, features: int, eps: float = 1e-5, momentum: float = 0.1, dtype: Any = None
    ) -> None:
        super().__init__(features, eps, momentum, dtype)


class BatchNorm2D(_BatchNorm):
    __doc__ = (
        r"""Batch normalisation of image channels, (N, C, H, W), as PyTorch's ``BatchNorm2d``.
    """
        + _BatchNorm.__doc__.split("\n", 1)[1]
        + r"""
    Shape
    -----
    - Input: (N, C, H, W)
    - Output: (N, C, H, W)
    - gamma, beta, running_mean, running_var: (C,) (PyTorch's weight, bias and buffers)

    Parameters
    ----------
    channels : int
        C.
    eps : float
        Added to the variance before the square root, default 1e-5.
    momentum : float
        How far the running statistics move towards each batch's, default 0.1.
    dtype : numpy dtype, optional
        float32 by default.

    Examples
    --------
    >>> bn = BatchNorm2D(2, dtype=np.float64); bn.training = True
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> y = bn.forward(x); y.mean(axis=(0, 2, 3)).round(12), y.var(axis=(0, 2, 3)).round(4)
    (array([0., 0.]), array([1., 1.]))
    >>> float(np.abs(bn.backward(np.ones((1, 2, 2, 2)))).max()) < 1e-12  # a constant G: none gets through
    True
    """
    )

    ndims = (4,)

    def __init__(
        self, channels: int, eps: float = 1e-5, momentum: float = 0.1, dtype: Any = None
    ) -> None:
        super().__init__(channels, eps, momentum, dtype)
