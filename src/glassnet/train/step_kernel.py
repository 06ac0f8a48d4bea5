"""One SGD training step of an MLP (momentum optional) as a single compiled call (numba, BLAS).

The step is the same maths as the layer-by-layer engine (``Dense``, the activations, the loss,
``SGD``), in the same order, written as loops over preallocated buffers:

- forward, for each Dense l with its activation f_l:   a_l = f_l(a_{l-1} W_l + b_l)
  (the product is BLAS gemm; the bias and f_l one pass over its output);
- the error E and dE/dy (softmax cross-entropy with integer labels, the mean squared error, or
  binary cross-entropy taken from the last layer's logits, its sigmoid fused);
- backward, from the last layer down, with G_l = dE/dz_l:
  dE/da_{l-1} = G_l W_l^T, then G_{l-1} = dE/da_{l-1} * f'_{l-1}, where f' comes from the
  activation's output: relu [a > 0], leaky relu 1 or alpha, tanh 1 - a^2, sigmoid a (1 - a),
  elu 1 or a + alpha, softplus 1 - e^-a; for SiLU and GELU (y = z g(z)) from the input z,
  which the forward pass keeps;
- the update. Plain SGD folds it into the gradient's own product: gemm computes
  C <- alpha A B + beta C, so with C = W_l, alpha = -lr and beta = 1 - lr * weight_decay it
  writes W_l <- (1 - lr lambda) W_l - lr a_{l-1}^T G_l directly, and dE/dW is never stored and
  read back. With momentum, dE/dW goes to the layer's gradient buffer and one loop updates the
  velocity and the weight. Any other optimiser (or a grad_hook) finds the gradients written
  and steps in Python. Either way dE/da_{l-1} is taken before W_l changes, as backpropagation
  requires.

A Dropout with probability p on a layer's input multiplies it by a mask, 1 / (1 - p) where
the layer's uniform draw is >= p and 0 elsewhere (inverted dropout, as ``Dropout`` computes it
from the same draws): the Dense reads d = a * mask, and backward multiplies dE/dd by the mask
to give dE/da before the activation's slope.

The buffers are (B, width) arrays reused every step; a batch of m <= B rows uses their first m
rows. This module imports numba and is only imported by :mod:`glassnet.train.compiled_step`, which
decides when the step applies. BLAS is called through the address of NumPy's OpenBLAS gemm,
passed in as an integer (:func:`glassnet.fast.blas.gemm_address`) and called by a small intrinsic
(:func:`call_gemm`): the compiled code holds no address of this process, so numba's on-disk cache
finds it again in the next one (a ctypes function as the argument made every process compile it
anew, about 3 s).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from glassnet.fast import jit

#: activation codes, as the kernel reads them
IDENTITY, RELU, LEAKY_RELU, TANH, SIGMOID, ELU, SOFTPLUS = 0, 1, 2, 3, 4, 5, 6
#: activations whose slope needs their input z, which the step keeps (``pre``)
SILU, GELU, GELU_TANH = 7, 8, 9
#: sqrt(2 / pi), sqrt(2), sqrt(2 pi): GELU's constants
_SQRT_2_PI, _SQRT_2, _SQRT_TAU = 0.7978845608028654, 1.4142135623730951, 2.5066282746310002
#: loss codes
CROSS_ENTROPY, MSE_LOSS, BINARY_THROUGH_SIGMOID = 1, 2, 3
#: how the step ends: SGD folded into the gradient's gemm, SGD with momentum, or the gradients
#: written for the optimiser to step in Python
FOLD, MOMENTUM, GRADS = 0, 1, 2
#: CBLAS constants
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


@intrinsic
def call_gemm(
    typingctx: Any, address: Any, trans_a: Any, trans_b: Any, m: Any, n: Any, k: Any,
    alpha: Any, a: Any, lda: Any, b: Any, ldb: Any, beta: Any, c: Any, ldc: Any,
) -> Any:  # fmt: skip
    """C <- alpha op(A) op(B) + beta C, row-major, through the CBLAS gemm at ``address`` (64-bit
    sizes); a, b, c are data addresses, alpha and beta of the arrays' float type."""
    real = alpha

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:  # pragma: no cover
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fl, ptr = context.get_value_type(real), ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(
            ir.VoidType(), [i32, i32, i32, i64, i64, i64, fl, ptr, i64, ptr, i64, fl, ptr, i64]
        )
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        (_, ta, tb, m_, n_, k_, al, a_, lda_, b_, ldb_, be, c_, ldc_) = args
        order = ir.Constant(i32, _ROW_MAJOR)
        builder.call(fn, [order, builder.trunc(ta, i32), builder.trunc(tb, i32), m_, n_, k_, al,
                          builder.inttoptr(a_, ptr), lda_, builder.inttoptr(b_, ptr), ldb_, be,
                          builder.inttoptr(c_, ptr), ldc_])  # fmt: skip
        return context.get_dummy_value()

    i64, p = types.int64, types.uintp
    sig = types.void(i64, i64, i64, i64, i64, i64, real, p, i64, p, i64, real, p, i64)
    return sig, codegen


@njit(nogil=True, cache=True)
def gate(v, code):  # pragma: no cover - compiled
    """The factor g(z) of the gated activations y = z g(z), in float64: SiLU's sigmoid(z), as
    ``Sigmoid`` computes it (exp(-softplus(-z))); GELU's Phi(z) = (1 + erf(z / sqrt 2)) / 2,
    or with its tanh approximation (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))) / 2."""
    z = float(v)
    if code == SILU:
        return math.exp(-(max(-z, 0.0) + math.log1p(math.exp(-abs(z)))))
    if code == GELU:
        return 0.5 * (1.0 + math.erf(z / _SQRT_2))
    return 0.5 * (1.0 + math.tanh(_SQRT_2_PI * (z + 0.044715 * z * z * z)))


@njit(nogil=True, cache=True)
def gate_slope(v, code):  # pragma: no cover - compiled
    """dy/dz of y = z g(z) at z = v, in float64: SiLU s (1 + z (1 - s)) with s = sigmoid(z);
    GELU Phi(z) + z phi(z); tanh GELU Phi~(z) + z (1 - t^2) u'(z) / 2 with t = tanh(u(z))."""
    z = float(v)
    if code == SILU:
        s = gate(z, code)
        return s * (1.0 + z * (1.0 - s))
    if code == GELU:
        return gate(z, code) + z * (math.exp(-0.5 * z * z) / _SQRT_TAU)
    t = math.tanh(_SQRT_2_PI * (z + 0.044715 * z * z * z))
    du = _SQRT_2_PI * (1.0 + 3 * 0.044715 * z * z)
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du


@njit(nogil=True, cache=True)
def activate(z, b, m, code, alpha, pre):  # pragma: no cover - compiled
    """z[:m] <- f(z[:m] + b) in one pass, a loop per activation so each runs on SIMD lanes."""
    o = z.shape[1]
    one = z.dtype.type(1)
    zero = z.dtype.type(0)
    if code == RELU:
        for r in range(m):
            for j in range(o):
                v = z[r, j] + b[j]
                z[r, j] = v if v > zero else zero
    elif code == LEAKY_RELU:
        a = z.dtype.type(alpha)
        for r in range(m):
            for j in range(o):
                v = z[r, j] + b[j]
                z[r, j] = v if v > zero else a * v
    elif code == TANH:
        for r in range(m):
            for j in range(o):
                z[r, j] = np.tanh(z[r, j] + b[j])
    elif code == SIGMOID:
        for r in range(m):
            for j in range(o):
                z[r, j] = one / (one + np.exp(-(z[r, j] + b[j])))
    elif code == ELU:  # z if z > 0, else alpha (e^z - 1)
        a = z.dtype.type(alpha)
        for r in range(m):
            for j in range(o):
                v = z[r, j] + b[j]
                z[r, j] = v if v > zero else a * np.expm1(v)
    elif code == SOFTPLUS:  # log(1 + e^z) = max(z, 0) + log1p(e^-|z|), never overflowing
        for r in range(m):
            for j in range(o):
                v = z[r, j] + b[j]
                z[r, j] = max(v, zero) + np.log1p(np.exp(-abs(v)))
    elif code >= SILU:  # z kept in pre for the slope
        for r in range(m):
            for j in range(o):
                v = z[r, j] + b[j]
                pre[r, j] = v
                z[r, j] = v * gate(v, code)
    else:
        for r in range(m):
            for j in range(o):
                z[r, j] += b[j]


@njit(nogil=True, cache=True)
def times_slope(g, a, m, code, alpha, sums, pre):  # pragma: no cover - compiled
    """g[:m] <- g[:m] * f'(z), f' written from the activation's output a = f(z); sums (o,)
    <- the column sums of the new g[:m] (float64, row by row), in the same pass: with
    G = dE/dz, they are the layer's dE/db = sum_n G_n."""
    o = g.shape[1]
    one = g.dtype.type(1)
    zero = g.dtype.type(0)
    sums[:] = 0.0
    if code == RELU:
        for r in range(m):
            for j in range(o):
                v = g[r, j] if a[r, j] > zero else zero
                g[r, j] = v
                sums[j] += v
    elif code == LEAKY_RELU:
        s = g.dtype.type(alpha)
        for r in range(m):
            for j in range(o):
                v = g[r, j] if a[r, j] > zero else g[r, j] * s
                g[r, j] = v
                sums[j] += v
    elif code == TANH:
        for r in range(m):
            for j in range(o):
                v = g[r, j] * (one - a[r, j] * a[r, j])
                g[r, j] = v
                sums[j] += v
    elif code == SIGMOID:
        for r in range(m):
            for j in range(o):
                v = g[r, j] * (a[r, j] * (one - a[r, j]))
                g[r, j] = v
                sums[j] += v
    elif code == ELU:  # 1 where a > 0 (so z > 0), else alpha e^z = a + alpha
        s = g.dtype.type(alpha)
        for r in range(m):
            for j in range(o):
                v = g[r, j] if a[r, j] > zero else g[r, j] * (a[r, j] + s)
                g[r, j] = v
                sums[j] += v
    elif code == SOFTPLUS:  # sigmoid(z) = 1 - e^-a, from the output a = softplus(z)
        for r in range(m):
            for j in range(o):
                v = g[r, j] * -np.expm1(-a[r, j])
                g[r, j] = v
                sums[j] += v
    elif code >= SILU:  # from the input z that activate kept
        for r in range(m):
            for j in range(o):
                v = g[r, j] * gate_slope(pre[r, j], code)
                g[r, j] = v
                sums[j] += v
    else:
        for r in range(m):
            for j in range(o):
                sums[j] += g[r, j]


@njit(nogil=True, cache=True)
def squared_error(y, t, g, m, rows):  # pragma: no cover - compiled
    """E = mean (y - t)^2 over the m x K entries; dE/dy = 2 (y - t) / (m K) into g; each
    sample's mean over its K entries into rows (m,)."""
    k = y.shape[1]
    scale = g.dtype.type(2.0 / (m * k))
    total = 0.0  # float64 accumulators
    for r in range(m):
        row = 0.0
        for j in range(k):
            d = y[r, j] - t[r, j]
            row += d * d
            g[r, j] = d * scale
        rows[r] = row / k
        total += row
    return total / (m * k)


@njit(nogil=True, cache=True)
def weigh(E, rows, w, idx, g, m):  # pragma: no cover - compiled
    """With sample weights w (N,), the weighted mean over the batch idx (m,) and its gradient,
    as ``Loss.weighted_forward`` and ``Loss.weigh`` state them: E_w = sum_n w_n l_n / sum_n w_n
    from each sample's loss l_n in rows, and row n of g (the plain mean's dE/dy) times
    w_n m / sum_n w_n; weights that sum to 0 give E_w = 0 and a zero gradient. Without
    weights (w empty) E is returned as it is."""
    if w.shape[0] == 0:
        return E
    total = 0.0
    for r in range(m):
        total += w[idx[r]]
    weighted = 0.0
    for r in range(m):
        wr = w[idx[r]]
        weighted += rows[r] * wr
        scale = g.dtype.type(wr * (m / total)) if total > 0 else g.dtype.type(0)
        for j in range(g.shape[1]):
            g[r, j] *= scale
    return weighted / total if total > 0 else 0.0


@njit(nogil=True, cache=True)
def drop(a, u, d, m, p):  # pragma: no cover - compiled
    """Inverted dropout as ``Dropout`` does it: u[:m] (uniform draws) <- the mask, 1 / (1 - p)
    where u >= p and 0 elsewhere (kept for the backward pass); d[:m] <- a[:m] * mask."""
    scale = a.dtype.type(1) / a.dtype.type(1.0 - p)
    zero, threshold = a.dtype.type(0), a.dtype.type(p)
    for r in range(m):
        for j in range(a.shape[1]):
            k = scale if u[r, j] >= threshold else zero
            u[r, j] = k
            d[r, j] = a[r, j] * k


@njit(nogil=True, cache=True)
def binary_through_sigmoid(z, t, g, m, predicted, rows):  # pragma: no cover - compiled
    """Binary cross-entropy of y = sigmoid(z) against t, from the logits z (m, K), as
    ``BinaryCrossEntropy.forward_through_sigmoid`` takes it: E = mean softplus(z) - z t over
    the m x K entries; dE/dz = (y - t) / (m K) into g (the sigmoid's y(1 - y) cancels);
    predicted[r] = y > 0.5 for K = 1; each sample's mean over its K entries into rows (m,).
    softplus(u) = max(u, 0) + log1p(exp(-|u|)), and y = exp(-softplus(-z)), as ``Sigmoid``
    computes it, so nothing overflows."""
    k = z.shape[1]
    scale = g.dtype.type(1.0 / (m * k))
    half, zero = z.dtype.type(0.5), z.dtype.type(0)
    total = 0.0  # float64 accumulators
    for r in range(m):
        row = 0.0
        for j in range(k):
            v, tv = z[r, j], t[r, j]
            tail = np.log1p(np.exp(-abs(v)))
            row += (max(v, zero) + tail) - v * tv  # softplus(z) - z t
            y = np.exp(-(max(-v, zero) + tail))  # sigmoid(z) = exp(-softplus(-z))
            g[r, j] = (y - tv) * scale
            if j == 0:
                predicted[r] = y > half
        rows[r] = row / k
        total += row
    return total / (m * k)


@njit(nogil=True, cache=True)
def forward(gemm, acts, ins, Ws, bs, codes, alphas, masks, drops, pres, m):  # pragma: no cover
    """acts[0] is the gathered batch; Dense l reads ins[l], which is acts[l], or acts[l] times
    its dropout mask where drops[l] = p > 0; acts[l + 1] = f_l(ins[l] W_l + b_l)."""
    for l in range(len(Ws)):
        if drops[l] > 0:
            drop(acts[l], masks[l], ins[l], m, drops[l])
        a, z, W = ins[l], acts[l + 1], Ws[l]
        i, o = W.shape
        one, zero = W.dtype.type(1), W.dtype.type(0)
        call_gemm(gemm, _NO_TRANS, _NO_TRANS, m, o, i, one, a.ctypes.data, i, W.ctypes.data, o,
                  zero, z.ctypes.data, o)  # fmt: skip
        activate(z, bs[l], m, codes[l], alphas[l], pres[l])


@njit(nogil=True, cache=True)
def momentum_update(w, g, v, lr, mu, nesterov, decay, first):  # pragma: no cover - compiled
    """SGD with momentum on one parameter, as ``SGD`` does it: g <- g + lambda w;
    v <- g on the first step, else mu v + g; w <- w - lr (g + mu v if Nesterov else v)."""
    for i in range(w.shape[0]):  # 1-D views
        gi = g[i] + decay * w[i]
        vi = gi if first else mu * v[i] + gi
        v[i] = vi
        w[i] -= lr * (gi + mu * vi if nesterov else vi)


@njit(nogil=True, cache=True)
def backward(
    gemm, acts, ins, grads, Ws, bs, codes, alphas, masks, drops, pres, m, opt
):  # pragma: no cover - compiled
    """With dE/dy in grads[L]: every layer from the last, its input gradient, then its update.
    Dense l's input is ins[l] (see :func:`forward`); under a dropout, dE/dacts[l] is
    dE/dins[l] times the mask, as ``Dropout.backward`` gives it.

    ``opt`` = (mode, lr, weight decay of W, of b, momentum, nesterov, first step, the layers'
    dE/dW and dE/db buffers, the velocities of W, of b). Mode FOLD (plain SGD): the update is
    folded into the gemm of dE/dW, which is never written. MOMENTUM: dE/dW and dE/db are
    written, then one loop updates v and the weight. GRADS: dE/dW and dE/db are written and
    the optimiser steps afterwards, in Python (Adam, RMSprop, a grad_hook, clipping).
    Each layer's dE/db is summed in the pass that makes its G (:func:`times_slope`)."""
    L = len(Ws)
    sums = np.empty(grads[L].shape[1])  # dE/db of the last layer, summed as its G is made
    times_slope(grads[L], acts[L], m, codes[L - 1], alphas[L - 1], sums, pres[L - 1])
    for l in range(L - 1, -1, -1):
        a, G, W, b = ins[l], grads[l + 1], Ws[l], bs[l]
        i, o = W.shape
        one, zero = W.dtype.type(1), W.dtype.type(0)
        below = np.empty(i if l > 0 else 0)  # dE/db of layer l - 1
        if l > 0:  # dE/da_{l-1} = G W^T, with W before its update, then times f'
            g = grads[l]
            call_gemm(gemm, _NO_TRANS, _TRANS, m, i, o, one, G.ctypes.data, o, W.ctypes.data, o,
                      zero, g.ctypes.data, i)  # fmt: skip
            if drops[l] > 0:  # through the dropout: times its mask
                mask = masks[l]
                for r in range(m):
                    for j in range(i):
                        g[r, j] *= mask[r, j]
            times_slope(g, acts[l], m, codes[l - 1], alphas[l - 1], below, pres[l - 1])
        update(gemm, a, G, W, b, sums, m, l, opt)
        sums = below


@njit(nogil=True, cache=True)
def update(gemm, a, G, W, b, sums, m, l, opt):  # pragma: no cover - compiled
    """Layer l's step, from its input a (m, i), G = dE/dz (m, o) and dE/db = ``sums`` (o,),
    in :func:`backward`'s ``opt`` mode."""
    mode, lr, decay_w, decay_b, mu, nesterov, first, gWs, gbs, vWs, vbs = opt
    i, o = W.shape
    if mode == FOLD:
        # b <- (1 - lr lambda_b) b - lr dE/db; W <- (1 - lr lambda) W - lr a^T G in the gemm
        for j in range(o):
            b[j] = b[j] * (1 - lr * decay_b) - lr * sums[j]
        alpha, beta = W.dtype.type(-lr), W.dtype.type(1 - lr * decay_w)
        call_gemm(gemm, _TRANS, _NO_TRANS, i, o, m, alpha, a.ctypes.data, i, G.ctypes.data, o,
                  beta, W.ctypes.data, o)  # fmt: skip
        return
    gW, gb = gWs[l], gbs[l]  # dE/dW = a^T G, dE/db
    one, zero = W.dtype.type(1), W.dtype.type(0)
    call_gemm(gemm, _TRANS, _NO_TRANS, i, o, m, one, a.ctypes.data, i, G.ctypes.data, o, zero,
              gW.ctypes.data, o)  # fmt: skip
    for j in range(o):
        gb[j] = sums[j]
    if mode == MOMENTUM:
        n = W.size
        momentum_update(W.reshape(n), gW.reshape(n), vWs[l].reshape(n), lr, mu, nesterov,
                        decay_w, first)  # fmt: skip
        momentum_update(b, gb, vbs[l], lr, mu, nesterov, decay_b, first)


@njit(nogil=True, cache=True)
def load_and_forward(gemm, X, idx, T, t, net):  # pragma: no cover - compiled
    """Gather the rows ``idx`` of X into acts[0] and of T into t, then the forward pass.
    ``net`` = (acts, grads, Ws, bs, codes, alphas, ins, masks, drops, pres): the buffers and
    layers of :func:`forward` and :func:`backward`."""
    acts, grads, Ws, bs, codes, alphas, ins, masks, drops, pres = net
    m = idx.shape[0]
    _gather(X, idx, acts[0], _AHEAD, _LINE // X.itemsize)  # the batch, into acts[0]
    for r in range(m):
        t[r] = T[idx[r]]
    forward(gemm, acts, ins, Ws, bs, codes, alphas, masks, drops, pres, m)


@njit(nogil=True, cache=True)
def backward_if_finite(E, gemm, net, m, opt):  # pragma: no cover - compiled
    """The backward pass and update from dE/dy in grads[L], unless E is not finite (then the
    weights stay as they were); returns E."""
    acts, grads, Ws, bs, codes, alphas, ins, masks, drops, pres = net
    if np.isfinite(E):
        backward(gemm, acts, ins, grads, Ws, bs, codes, alphas, masks, drops, pres, m, opt)
    return E


@njit(nogil=True, cache=True)
def step_cross_entropy(gemm, X, idx, T, t, predicted, opt, w, net):  # pragma: no cover
    """One step on the rows ``idx`` of X with softmax cross-entropy on their integer labels
    T[idx] (gathered into t); returns E (the weights stay as they were when E is not finite).
    With sample weights w (N,) (empty for none) E is their weighted mean (:func:`weigh`), as
    in the other steps. ``net``: see :func:`load_and_forward`."""
    load_and_forward(gemm, X, idx, T, t, net)
    m, out, grad = idx.shape[0], net[0][-1], net[1][-1]  # the output and dE/dy buffers
    rows = np.empty(m)  # each sample's -log p_t
    E = _softmax_ce(out[:m], t[:m], grad[:m], rows, predicted[:m])
    return backward_if_finite(weigh(E, rows, w, idx, grad, m), gemm, net, m, opt)


@njit(nogil=True, cache=True)
def step_squared_error(gemm, X, idx, T, t, predicted, opt, w, net):  # pragma: no cover
    """One step on the rows ``idx`` of X with the mean squared error against T[idx] (m, K),
    gathered into t; returns E."""
    load_and_forward(gemm, X, idx, T, t, net)
    m, out, grad = idx.shape[0], net[0][-1], net[1][-1]
    rows = np.empty(m)  # each sample's mean squared error
    E = squared_error(out, t, grad, m, rows)
    return backward_if_finite(weigh(E, rows, w, idx, grad, m), gemm, net, m, opt)


@njit(nogil=True, cache=True)
def step_binary_through_sigmoid(gemm, X, idx, T, t, predicted, opt, w, net):  # pragma: no cover
    """One step on the rows ``idx`` of X with binary cross-entropy after the last layer's
    sigmoid, against T[idx] (m, K) gathered into t; ``codes`` gives the last layer no
    activation, so the output buffer holds the logits z the loss is taken from; returns E."""
    load_and_forward(gemm, X, idx, T, t, net)
    m, out, grad = idx.shape[0], net[0][-1], net[1][-1]
    rows = np.empty(m)  # each sample's binary cross-entropy
    E = binary_through_sigmoid(out, t, grad, m, predicted, rows)
    return backward_if_finite(weigh(E, rows, w, idx, grad, m), gemm, net, m, opt)


_softmax_ce = jit._compile()["softmax_ce"]
_gather, _AHEAD = jit._compile()["gather"], jit._compile()["ahead"]  # fit's prefetching gather
_LINE = 64  # bytes in a cache line: the gather asks for one element of each

#: the step of each loss
STEPS = {
    CROSS_ENTROPY: step_cross_entropy,
    MSE_LOSS: step_squared_error,
    BINARY_THROUGH_SIGMOID: step_binary_through_sigmoid,
}
