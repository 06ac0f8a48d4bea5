"""Outliers: a line fitted with the squared error, the absolute error and the Huber loss.

The data follow y = 2x + 1 with a little noise, except that one point in ten was recorded 15
too high (a broken sensor, a typo). A one-neuron network, y = w x + b, is fitted to them with
three losses. The squared error's slope dE/dy = 2(y - t) grows with the error, so each outlier
pulls 15 times harder than a point that is 1 off, and the line is dragged up by about 1.5, a
tenth of the outliers' offset. The absolute error (MAE) pulls with the same force, the sign of
the error, whatever its size, and finds the line the clean points follow. Huber pulls like the
squared error for small errors and with a constant delta beyond it: nearly there, each outlier
still pulling with delta, which lifts b by about share x delta / (1 - share), 0.11 here.

The table gives the fitted w and b, and the mean absolute error on fresh, clean points.

Run it with::

    python examples/outliers.py
    python examples/outliers.py --share 0.3 --seed 1
"""

from __future__ import annotations

import argparse

import numpy as np

import glassnet as gn

#: the losses compared, by the name fit takes, and how the table prints them
LOSSES = [("mse", "squared error"), ("mae", "absolute error"), (gn.Huber(delta=1.0), "Huber")]


def make_data(n: int, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x uniform in [-1, 1] (n, 1) and y = 2x + 1 + noise (n, 1), a ``share`` of y 15 higher."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1))
    y = 2 * x + 1 + rng.normal(0, 0.1, size=(n, 1))
    y[rng.random(n) < share] += 15.0
    return x, y


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", type=float, default=0.1, help="share of outliers (0.1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data and weights (0)")
    args = parser.parse_args(argv)

    x, y = make_data(400, args.share, args.seed)
    x_clean = np.linspace(-1, 1, 101).reshape(-1, 1)  # (101, 1)
    print(f"400 points on y = 2x + 1, {args.share:.0%} of them 15 too high")
    print()
    print(f"{'loss':<16} {'w':>7} {'b':>7} {'MAE clean':>10}")
    for loss, name in LOSSES:
        net = gn.Sequential([gn.Dense(1, 1)], dtype="float64", seed=args.seed)
        net.fit(x, y, loss=loss, optimizer="adam", lr=0.05, epochs=300, batch_size=50,
                seed=args.seed, verbose=0)  # fmt: skip
        w, b = float(net.layers[0].params["W"][0, 0]), float(net.layers[0].params["b"][0])
        error = float(np.mean(np.abs(net.predict(x_clean) - (2 * x_clean + 1))))
        print(f"{name:<16} {w:>7.3f} {b:>7.3f} {error:>10.3f}")


if __name__ == "__main__":
    main()
