"""One convolution step by pencil: a 1-channel 4x4 image, a 2x2 kernel, every number worked
out by hand below and then checked against Conv2D (both code paths) and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.layers import Conv2D, MaxPool2D

X = np.array(
    [
        [1.0, 2.0, 0.0, 1.0],
        [0.0, 1.0, 3.0, 2.0],
        [2.0, 1.0, 0.0, 1.0],
        [1.0, 0.0, 2.0, 3.0],
    ]
)
K = np.array([[1.0, -1.0], [2.0, 0.0]])
B = 0.5

# Z[i, j] = b + X[i, j] K[0, 0] + X[i, j+1] K[0, 1] + X[i+1, j] K[1, 0] + X[i+1, j+1] K[1, 1]
#         = 0.5 + X[i, j] - X[i, j+1] + 2 X[i+1, j]
Z = np.array(
    [
        [0.5 + 1 - 2 + 2 * 0, 0.5 + 2 - 0 + 2 * 1, 0.5 + 0 - 1 + 2 * 3],
        [0.5 + 0 - 1 + 2 * 2, 0.5 + 1 - 3 + 2 * 1, 0.5 + 3 - 2 + 2 * 0],
        [0.5 + 2 - 1 + 2 * 1, 0.5 + 1 - 0 + 2 * 0, 0.5 + 0 - 1 + 2 * 2],
    ]
)
Z_BY_HAND = [[-0.5, 4.5, 5.5], [3.5, 0.5, 1.5], [3.5, 1.5, 3.5]]

G = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 1.0]])  # dE/dZ, given

# dE/dK[p, q] = sum over positions of input times upstream gradient: sum_ij G[i, j] X[i+p, j+q]
DK = [
    [
        1 * 1 + 0 * 2 + -1 * 0 + 2 * 0 + 1 * 1 + 0 * 3 + 0 * 2 + -1 * 1 + 1 * 0,  # = 1
        1 * 2 + 0 * 0 + -1 * 1 + 2 * 1 + 1 * 3 + 0 * 2 + 0 * 1 + -1 * 0 + 1 * 1,  # = 7
    ],
    [
        1 * 0 + 0 * 1 + -1 * 3 + 2 * 2 + 1 * 1 + 0 * 0 + 0 * 1 + -1 * 0 + 1 * 2,  # = 4
        1 * 1 + 0 * 3 + -1 * 2 + 2 * 1 + 1 * 0 + 0 * 1 + 0 * 0 + -1 * 2 + 1 * 3,  # = 2
    ],
]
DB = 1 + 0 - 1 + 2 + 1 + 0 + 0 - 1 + 1  # = 3, dE/db = sum of G

# dE/dX = the full convolution of G with the kernel turned 180 degrees: with G = 0 outside
# its 3x3, dX[r, s] = G[r, s] K[0, 0] + G[r, s-1] K[0, 1] + G[r-1, s] K[1, 0] + G[r-1, s-1] K[1, 1]
#                   = G[r, s] - G[r, s-1] + 2 G[r-1, s]
DX = [
    [1, 0 - 1, -1 - 0, 0 + 1],
    [2 + 2 * 1, 1 - 2 + 2 * 0, 0 - 1 + 2 * -1, 0 - 0 + 0],
    [0 + 2 * 2, -1 - 0 + 2 * 1, 1 + 1 + 2 * 0, 0 - 1 + 0],
    [0 + 2 * 0, 0 - 0 + 2 * -1, 0 - 0 + 2 * 1, 0 - 0 + 0],
]
DX_BY_HAND = [[1, -1, -1, 1], [4, -1, -3, 0], [4, 1, 2, -1], [0, -2, 2, 0]]


def test_the_pencil_numbers_agree_with_themselves():
    np.testing.assert_array_equal(Z, Z_BY_HAND)
    assert DK == [[1, 7], [4, 2]] and DB == 3
    np.testing.assert_array_equal(DX, DX_BY_HAND)


def test_conv2d_reproduces_the_pencil_step(path):
    conv = Conv2D(1, 1, 2, weights=K[None, None], bias=[B])
    z = conv.forward(X[None, None])
    np.testing.assert_allclose(z[0, 0], Z_BY_HAND)
    dx = conv.backward(G[None, None])
    np.testing.assert_allclose(dx[0, 0], DX_BY_HAND)
    np.testing.assert_allclose(conv.grads["W"][0, 0], DK)
    np.testing.assert_allclose(conv.grads["b"], [DB])


def test_the_pencil_step_is_pytorchs():
    torch = pytest.importorskip("torch")
    x = torch.tensor(X[None, None], requires_grad=True)
    k = torch.tensor(K[None, None], requires_grad=True)
    b = torch.tensor([B], dtype=torch.float64, requires_grad=True)
    z = torch.nn.functional.conv2d(x, k, b)
    (z * torch.tensor(G[None, None])).sum().backward()
    np.testing.assert_allclose(z.detach().numpy()[0, 0], Z_BY_HAND)
    np.testing.assert_allclose(x.grad.numpy()[0, 0], DX_BY_HAND)
    np.testing.assert_allclose(k.grad.numpy()[0, 0], DK)


def test_max_pool_of_the_pencil_output_routes_to_the_argmax(path):
    # Z (3x3) pooled 2x2 with stride 1: windows [[-0.5, 4.5], [3.5, 0.5]] -> 4.5 at (0, 1), ...
    pool = MaxPool2D(2, stride=1)
    y = pool.forward(np.array(Z_BY_HAND)[None, None])
    np.testing.assert_allclose(y[0, 0], [[4.5, 5.5], [3.5, 3.5]])
    dz = pool.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    # 3.5 ties at (1, 0) and (2, 0) in the window at (1, 0): the first, (1, 0), gets 3;
    # the window at (1, 1) holds [[0.5, 1.5], [1.5, 3.5]]: its max 3.5 is at (2, 2) and gets 4
    np.testing.assert_allclose(dz[0, 0], [[0, 1, 2], [3, 0, 0], [0, 0, 4]])
