"""``glassnet gradcheck``: compare backpropagation with finite differences."""

from __future__ import annotations

import argparse

import numpy as np

from glassnet.explain.gradcheck import gradcheck
from glassnet.losses import get_loss
from glassnet.model.build import mlp


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "gradcheck",
        help="check every gradient against central finite differences",
        description="Build a network from a short spec, run backward on random data, and "
        "compare every parameter's and the input's gradient with central differences in float64.",
    )
    p.add_argument("--layers", default="3,5,2", help="widths, e.g. 3,5,2 (default)")
    p.add_argument("--activation", default="tanh", help="hidden activation (default tanh)")
    p.add_argument("--output-activation", default=None, help="e.g. sigmoid (default: linear)")
    p.add_argument(
        "--loss",
        default="mse",
        help="mse (default), mae, huber, binary_cross_entropy, cross_entropy, poisson",
    )
    p.add_argument("--samples", type=int, default=4, help="batch size of the random data")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tolerance", type=float, default=1e-6)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; exit 1 if any gradient is off."""
    loss = get_loss(args.loss).name  # "bce", "cross-entropy", ... -> the canonical name
    out_act = args.output_activation
    if loss == "binary_cross_entropy" and out_act is None:
        out_act = "sigmoid"
    net = mlp(
        args.layers, args.activation, output_activation=out_act, dtype="float64", seed=args.seed
    )
    rng = np.random.default_rng(args.seed)
    X = rng.normal(size=(args.samples, net.in_features))
    k = net.out_features
    if loss == "cross_entropy":
        T = rng.integers(0, k, size=args.samples)
    elif loss == "binary_cross_entropy":
        T = rng.integers(0, 2, size=(args.samples, k)).astype(float)
    elif loss == "poisson":  # counts
        T = rng.poisson(2.0, size=(args.samples, k)).astype(float)
    else:
        T = rng.normal(size=(args.samples, k))
    report = gradcheck(net, X, T, loss=loss, tolerance=args.tolerance)
    print(f"gradcheck of {args.layers} {args.activation}, loss {loss}, {args.samples} samples")
    print(report)
    return 0 if report.passed else 1
