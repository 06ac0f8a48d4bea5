"""``glassnet demo``: the article's two-node step, then a real training run on digits."""

from __future__ import annotations

import argparse
import time

from glassnet.cli.explain_cmd import two_node_network
from glassnet.explain.explanation import explain
from glassnet.model.build import mlp


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser("demo", help="the two-node explanation, then a short real training run")
    p.add_argument("--epochs", type=int, default=15, help="epochs of the digits run (default 15)")
    p.add_argument(
        "--gallery", default=None, metavar="DIR", help="also write the README's pictures into DIR"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    print(
        "== 1. One training step of the two-node network (x -> w, b, sigmoid -> Y), written out\n"
    )
    net = two_node_network(w=0.5, b=0.1)
    steps = [explain(net, [1.0], [0.8], lr=1.0) for _ in range(20)]
    print(steps[0].to_text())
    errors = "  ".join(f"{s.trace.loss.value:.4f}" for s in steps[::4])
    print(f"\nThe error E over steps 1, 5, 9, 13, 17: {errors}  (falling)\n")

    print("== 2. The same engine on real data: UCI hand-written digits (8x8), 64-128-10 MLP\n")
    from glassnet.datasets import Standardizer, load

    data = load("digits", seed=0)
    scaler = Standardizer().fit(data.X_train)
    X_train, X_test = scaler.transform(data.X_train), scaler.transform(data.X_test)
    model = mlp([64, 128, 10], "relu", seed=0)
    print(model.summary(), "\n")
    start = time.perf_counter()
    model.fit(
        X_train,
        data.y_train,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.003,
        epochs=args.epochs,
        batch_size=32,
        validation_data=(X_test, data.y_test),
        seed=0,
        verbose=2,
    )
    seconds = time.perf_counter() - start
    scores = model.evaluate(X_test, data.y_test)
    print(
        f"\ntest accuracy {scores['accuracy']:.2%} on {len(X_test)} digits after "
        f"{seconds:.1f} s of training"
    )
    if args.gallery:
        from glassnet.plot.gallery import write_gallery

        for path in write_gallery(args.gallery):
            print(f"wrote {path}")
    return 0
