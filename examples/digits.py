"""Handwritten digits (UCI, 8x8 pixels): a 64-128-10 ReLU network with Adam.

The 1797 images come with scikit-learn (read from its CSV file, nothing is downloaded); 20% are
held out for testing, stratified by class. Each pixel column is standardised with the training
part's mean and standard deviation. The network outputs 10 logits and is trained with
cross-entropy (the softmax is inside the loss). The script prints the test accuracy and the
confusion matrix: row = true digit, column = predicted digit, so mistakes are off the diagonal.

Run it with::

    python examples/digits.py
    python examples/digits.py --epochs 40 --seed 3
"""

from __future__ import annotations

import argparse

import numpy as np

import glassnet as gn
from glassnet.datasets import Standardizer, load_digits
from glassnet.metrics.scores import accuracy, confusion_matrix


def format_confusion(cm: np.ndarray) -> str:
    """The matrix as text with digit labels on both axes."""
    n = cm.shape[0]
    lines = ["true\\pred " + " ".join(f"{j:4d}" for j in range(n))]
    for i in range(n):
        lines.append(f"{i:9d} " + " ".join(f"{c:4d}" for c in cm[i]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="passes over the data (20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of split, weights, order (0)")
    args = parser.parse_args(argv)

    X_train, X_test, y_train, y_test = load_digits(split=0.2, seed=args.seed)  # (1437, 64) ...
    scaler = Standardizer().fit(X_train)  # statistics of the training part only
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    print(f"{len(X_train)} training and {len(X_test)} test images of 8x8 = 64 pixels")

    net = gn.mlp([64, 128, 10], activation="relu", seed=args.seed)  # 10 logits out
    net.fit(
        X_train,
        y_train,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.003,
        epochs=args.epochs,
        batch_size=32,
        seed=args.seed,
        verbose=2,  # one line per epoch
    )

    predicted = net.predict_classes(X_test)  # (360,) the largest logit of each image
    print(f"\ntest accuracy: {accuracy(y_test, predicted):.4f}")
    print("\nconfusion matrix (row: true digit, column: predicted digit)")
    print(format_confusion(confusion_matrix(y_test, predicted, n_classes=10)))


if __name__ == "__main__":
    main()
