"""XOR: the smallest problem a single neuron cannot solve, and a 2-4-1 network that can.

The four points (0, 0), (0, 1), (1, 0), (1, 1) have targets 0, 1, 1, 0. No straight line
separates the ones from the zeros, so the network needs a hidden layer: 2 inputs -> 4 tanh
neurons -> 1 sigmoid output, trained with binary cross-entropy and Adam on all four points at
once. The script prints the loss every few epochs, then each point's predicted probability.

Run it with::

    python examples/xor.py
    python examples/xor.py --epochs 500 --every 50
"""

from __future__ import annotations

import argparse

import numpy as np

import glassnet as gn

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)  # (4, 2)
T = np.array([[0], [1], [1], [0]], dtype=np.float32)  # (4, 1)


def build(seed: int) -> gn.Sequential:
    """2 -> 4 (tanh) -> 1 (sigmoid): the output is the probability of class 1."""
    return gn.Sequential([gn.Dense(2, 4), gn.Tanh(), gn.Dense(4, 1), gn.Sigmoid()], seed=seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300, help="passes over the 4 points (300)")
    parser.add_argument("--every", type=int, default=25, help="print the loss every N epochs")
    parser.add_argument("--seed", type=int, default=1, help="seed of the initial weights (1)")
    args = parser.parse_args(argv)

    net = build(args.seed)
    history = net.fit(
        X,
        T,
        loss="binary_cross_entropy",
        optimizer="adam",
        lr=0.05,
        epochs=args.epochs,
        batch_size=4,  # all four points in every step
        seed=0,
        verbose=0,
    )

    print("epoch  loss")
    losses = history.history["loss"]
    shown = sorted({1, len(losses), *range(args.every, len(losses) + 1, args.every)})
    for epoch in shown:  # 1, every, 2 * every, ..., the last
        print(f"{epoch:5d}  {losses[epoch - 1]:.4f}")

    proba = net.predict_proba(X)[:, 0]  # (4,) probability of class 1
    print("\n x1  x2  target  p(1)    predicted")
    for (x1, x2), t, p in zip(X, T[:, 0], proba, strict=True):
        print(f"{x1:3.0f} {x2:3.0f}  {t:6.0f}  {p:.4f}  {int(p > 0.5):9d}")
    correct = int(np.sum((proba > 0.5) == (T[:, 0] > 0.5)))
    print(f"\n{correct} of 4 correct")


if __name__ == "__main__":
    main()
