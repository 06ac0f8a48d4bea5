"""The article's two-node network, trained one step at a time with every number shown.

One input x = 1.0 goes through one weight and one bias into a sigmoid; the target is 0.8 and
the error is E = (Y - target)^2. The first step is written out node by node by
``glassnet.explain`` (forward, error, backward with the chain rule, update). The next steps
print only w, b, Y and the error, which falls as the weight and bias move.

Run it with::

    python examples/two_node.py
    python examples/two_node.py --steps 50 --lr 0.5
"""

from __future__ import annotations

import argparse

import glassnet as gn

X = 1.0  # the one input
TARGET = 0.8  # what we want the output Y to be


def build() -> gn.Sequential:
    """w = 0.5, b = 0.1, then a sigmoid; float64 so the printed numbers are exact."""
    return gn.Sequential(
        [gn.Dense(1, 1, weights=[[0.5]], bias=[0.1]), gn.Sigmoid()],
        dtype="float64",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="steps after the first (20)")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate (1.0)")
    args = parser.parse_args(argv)

    net = build()

    # Step 1, node by node. explain really trains: it updates w and b.
    print(f"Step 1: x = {X}, target = {TARGET}, learning rate = {args.lr}\n")
    step = gn.explain(net, [X], [TARGET], lr=args.lr)
    print(step.to_text())

    # The following steps: each line shows w and b before the step, the output Y they give,
    # and the error E = (Y - target)^2, which shrinks step after step.
    print(f"\nThe next {args.steps} steps:\n")
    print(" step       w        b        Y     error")
    for i in range(args.steps):
        s = gn.explain(net, [X], [TARGET], lr=args.lr).summary
        print(f"{i + 2:5d}  {s['w']:.4f}  {s['b']:.4f}  {s['y']:.4f}  {s['error']:.6f}")

    y = float(net.forward([[X]])[0, 0])
    print(f"\nAfter {args.steps + 1} steps: Y = {y:.4f} (target {TARGET}).")


if __name__ == "__main__":
    main()
