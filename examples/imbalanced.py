"""Imbalanced classes: what class weights trade, with a cosine learning-rate schedule.

Two overlapping Gaussian clouds in the plane, the rare class 1 holding 1 point in 20. A network
trained on the plain mean error can reach 95% accuracy by almost never answering "1": every
rare point it misses costs as much as a common one. With ``class_weight="balanced"`` each
class weighs N / (K N_c) (the rare points here about ten times more), so both classes count
alike in the error: the rare class is found far more often (its recall rises) at the price of
false alarms (its precision and the overall accuracy fall). Which network is better depends
on what a miss costs. Both train with Adam, the learning rate falling along half a cosine
(``CosineAnnealingLR``); ``history["lr"]`` holds the rate of each epoch.

Run it with::

    python examples/imbalanced.py
    python examples/imbalanced.py --epochs 40 --seed 3
"""

from __future__ import annotations

import argparse

import numpy as np

import glassnet as gn
from glassnet.datasets import blobs, train_test_split
from glassnet.metrics.scores import accuracy, confusion_matrix, precision_recall_f1


def make_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping clouds; class 1 thinned out to 1 point in 20 (float32 X, int labels)."""
    X, y = blobs(7600, centers=[[0.0, 0.0], [2.0, 1.0]], std=1.0, seed=seed)
    rng = np.random.default_rng(seed)
    rare = np.flatnonzero(y == 1)
    keep = np.concatenate([np.flatnonzero(y == 0), rng.choice(rare, len(rare) // 19, False)])
    return X[keep].astype(np.float32), y[keep]


def train(
    X: np.ndarray, y: np.ndarray, epochs: int, seed: int, class_weight: object
) -> gn.Sequential:
    """A 2-16-2 tanh network; Adam from lr 0.01 down a cosine to 0.0005."""
    net = gn.mlp([2, 16, 2], "tanh", seed=seed)
    schedule = gn.CosineAnnealingLR(T_max=epochs, eta_min=0.0005)
    net.fit(X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=epochs,
            batch_size=64, seed=seed, class_weight=class_weight, callbacks=[schedule],
            verbose=0)  # fmt: skip
    return net


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="passes over the data (30)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data, split, weights (0)")
    args = parser.parse_args(argv)

    X, y = make_data(args.seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.25, seed=args.seed, stratify=True)
    counts = np.bincount(y_tr)
    print(f"training points: {counts[0]} of class 0, {counts[1]} of class 1 (the rare one)")
    print(f"balanced weights: class 0 {len(y_tr) / (2 * counts[0]):.3f}, "
          f"class 1 {len(y_tr) / (2 * counts[1]):.3f}")  # fmt: skip
    print()
    print(f"{'class weights':<14} {'accuracy':>9} {'recall(1)':>10} {'precision(1)':>13}")
    for name, weight in (("none", None), ("balanced", "balanced")):
        net = train(X_tr, y_tr, args.epochs, args.seed, weight)
        pred = net.predict_classes(X_te)
        scores = precision_recall_f1(confusion_matrix(y_te, pred, 2))
        print(f"{name:<14} {accuracy(y_te, pred):>9.3f} {scores['recall'][1]:>10.3f} "
              f"{scores['precision'][1]:>13.3f}")  # fmt: skip
    lrs = net.history_.history["lr"]
    print()
    print("learning rate by epoch: " + ", ".join(f"{lr:.4f}" for lr in lrs[:3]) + ", ..., "
          + ", ".join(f"{lr:.4f}" for lr in lrs[-2:]))  # fmt: skip


if __name__ == "__main__":
    main()
