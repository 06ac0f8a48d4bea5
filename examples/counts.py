"""Counts: Poisson regression as a network, beside the squared error.

Counts (visits a day, say) drawn with a mean that grows exponentially with x, rate = exp(0.5 + x),
from about 0.2 to 12. With ``loss="poisson"`` a network's output z is the logarithm of the rate
and it predicts exp(z), positive everywhere; its error exp(z) - t z is the negative
log-likelihood of a Poisson count. With no hidden layer that is classic Poisson regression,
rate = exp(w x + b), and training finds the law behind the data (w near 1, b near 0.5). The same
one-layer network trained with the squared error can only draw a straight line through an
exponential: it misses the rates at both ends and predicts negative counts at the low end. With
hidden layers both losses can bend the curve and end up close to each other, though not as close
to the truth as the one-layer Poisson model, whose form is the data's own.
Scores: the mean Poisson deviance of the test counts (lower is better) and the mean absolute
error of the predicted rates against the true ones.

Run it with::

    python examples/counts.py
    python examples/counts.py --seed 3
"""

from __future__ import annotations

import argparse

import numpy as np

import glassnet as gn
from glassnet.datasets import train_test_split

#: (widths, loss, lr, epochs): the one-layer models, then two hidden layers of 16
MODELS = [
    ("1,1", "poisson", 0.005, 100),
    ("1,1", "mse", 0.005, 100),
    ("1,16,16,1", "poisson", 0.003, 100),
    ("1,16,16,1", "mse", 0.003, 100),
]


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x in [-2, 2] (N, 1) and counts (N, 1), float32, drawn with rate exp(0.5 + x) (N,)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 1))
    rate = np.exp(0.5 + x[:, 0])
    counts = rng.poisson(rate).astype(np.float32)
    return x.astype(np.float32), counts[:, None], rate


def deviance(t: np.ndarray, mu: np.ndarray) -> float:
    """Mean Poisson deviance 2 (t log(t / mu) - t + mu), with t log t = 0 at t = 0."""
    mu = np.maximum(mu, 1e-9)  # a squared-error model may predict rates <= 0
    t_log_t = np.where(t > 0, t * np.log(np.where(t > 0, t, 1) / mu), 0.0)
    return float(np.mean(2 * (t_log_t - t + mu)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of data, split, weights (0)")
    args = parser.parse_args(argv)

    x, counts, rate = make_data(3000, args.seed)
    rows = np.arange(len(x))
    train_rows, test_rows, _, _ = train_test_split(rows, rows, 0.25, seed=args.seed)
    t = counts[test_rows, 0]
    print(f"{len(train_rows)} training and {len(test_rows)} test counts, "
          f"mean {counts.mean():.2f}, largest {int(counts.max())}")  # fmt: skip
    print()
    print(f"{'widths':<10} {'loss':<8} {'deviance':>9} {'MAE(rate)':>10} {'lowest':>8}")
    for widths, loss, lr, epochs in MODELS:
        net = gn.mlp(widths, "tanh", seed=args.seed)
        net.fit(x[train_rows], counts[train_rows], loss=loss, optimizer="adam", lr=lr,
                epochs=epochs, batch_size=32, seed=args.seed, verbose=0)  # fmt: skip
        mu = net.loss_.predictions(net.predict(x[test_rows]))[:, 0]  # exp(z), or the output
        print(f"{widths:<10} {loss:<8} {deviance(t, mu):>9.3f} "
              f"{np.mean(np.abs(mu - rate[test_rows])):>10.3f} {mu.min():>8.3f}")  # fmt: skip
        if widths == "1,1" and loss == "poisson":
            w, b = float(net.layers[0].params["W"][0, 0]), float(net.layers[0].params["b"][0])
    print()
    print(f"Poisson regression found rate = exp({w:.2f} x + {b:.2f}); the data's is exp(x + 0.5)")


if __name__ == "__main__":
    main()
