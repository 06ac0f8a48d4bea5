"""``glassnet explain``: one training step written out node by node."""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from glassnet.explain.batch import explain_batch
from glassnet.explain.explanation import explain
from glassnet.explain.render import fmt
from glassnet.layers.dense import Dense
from glassnet.losses import get_loss
from glassnet.model.build import mlp
from glassnet.model.sequential import Sequential


def two_node_network(w: float, b: float, activation: str = "sigmoid") -> Sequential:
    """The article's network: one input, one output, weight w, bias b, a sigmoid, in float64.

    Examples
    --------
    >>> two_node_network(0.5, 0.1).predict([[1.0]]).round(4)
    array([[0.6457]])
    """
    from glassnet.activations import get_activation

    return Sequential(
        [Dense(1, 1, weights=[[w]], bias=[b]), get_activation(activation)], dtype="float64"
    )


def _floats(text: str) -> list[float]:
    """Comma-separated numbers, or a ValueError that names what was received."""
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(
            f"expected comma-separated numbers such as 0.5,1.0; got {text!r}."
        ) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "explain",
        help="write out one training step: forward, error, backward, update",
        description="Run one (or --steps N) training steps on one sample and write every "
        "node's equation with its numbers, as the article does for the two-node network.",
    )
    p.add_argument(
        "network",
        nargs="?",
        default="two-node",
        help="'two-node' (default), 'mlp' (with --layers) or a saved model .npz",
    )
    p.add_argument(
        "--x",
        default="1.0",
        help="input value(s), comma-separated; one value is used for every input (default "
        "1.0); several samples separated by ';' (e.g. '1;2;-1') write out one step on that "
        "batch for one weight (--weight, default the first): each sample's slope and their mean",
    )
    p.add_argument(
        "--target",
        default="0.8",
        help="target value(s), one used for every output, or a class label (default 0.8)",
    )
    p.add_argument("--w", type=float, default=0.5, help="two-node weight w (default 0.5)")
    p.add_argument("--b", type=float, default=0.1, help="two-node bias b (default 0.1)")
    p.add_argument(
        "--lr", type=float, default=1.0, help="learning rate of the SGD step (default 1.0)"
    )
    p.add_argument(
        "--steps", type=int, default=1, help="number of steps; the error falls step by step"
    )
    p.add_argument("--layers", default="2,2,2", help="widths for 'mlp', e.g. 2,2,2")
    p.add_argument("--activation", default="sigmoid", help="activation (default sigmoid)")
    p.add_argument(
        "--loss",
        default="mse",
        help="mse (default), mae, huber, binary_cross_entropy, cross_entropy, poisson",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights for 'mlp'")
    p.add_argument("--layer", type=int, default=None, help="explain only this layer (index)")
    p.add_argument("--weight", default=None, help="explain only weight LAYER,I,J")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    p.add_argument("--precision", type=int, default=4, help="decimals shown (default 4)")
    p.add_argument("--plot", default=None, metavar="FILE", help="also draw the step to a PNG/SVG")
    p.set_defaults(func=run)


def _network(args: argparse.Namespace) -> Sequential:
    if args.network == "two-node":
        return two_node_network(args.w, args.b, args.activation)
    if args.network == "mlp":
        out_act = args.activation if get_loss(args.loss).name != "cross_entropy" else None
        return mlp(
            args.layers, args.activation, output_activation=out_act, dtype="float64", seed=args.seed
        )
    from glassnet.saving.serialize import load

    return load(args.network).copy("float64")


def run(args: argparse.Namespace) -> int:
    """Run the command."""
    if args.steps < 1:
        raise ValueError(f"--steps must be >= 1; got {args.steps}.")
    net = _network(args)
    if ";" in args.x:  # several samples: one step on the batch, for one weight
        return _run_batch(args, net)
    x = _spread(_floats(args.x), net.in_features, "--x", "inputs")
    if get_loss(args.loss).name == "cross_entropy":  # a class label
        target: object = int(float(args.target))
    else:
        target = _spread(_floats(args.target), net.out_features, "--target", "outputs")
    weight = tuple(int(v) for v in args.weight.split(",")) if args.weight else None
    steps = []
    for _ in range(args.steps):
        steps.append(
            explain(net, x, target, loss=args.loss, lr=args.lr, layer=args.layer, weight=weight)
        )
    if args.format == "json":
        payload = [s.to_dict() for s in steps]
        print(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
    elif args.format == "markdown":
        print(steps[0].to_markdown(args.precision))
    else:
        print(steps[0].to_text(args.precision))
    if len(steps) > 1 and args.format != "json":
        print()
        print(_error_table(steps, args.precision))
    if args.plot:
        from glassnet.plot import plot_trace, save_figure

        save_figure(plot_trace(steps[0]), args.plot)  # an SVG keeps its numbers as text
        print(f"wrote {args.plot}")
    return 0


def _run_batch(args: argparse.Namespace, net: Sequential) -> int:
    """``--x`` with samples separated by ';': :func:`glassnet.explain.batch` on them."""
    rows = [_spread(_floats(r), net.in_features, "--x", "inputs") for r in args.x.split(";")]
    if get_loss(args.loss).name == "cross_entropy":
        targets: Any = [int(float(t)) for t in args.target.split(";")]
    else:
        targets = [_spread(_floats(t), net.out_features, "--target", "outputs")
                   for t in args.target.split(";")]  # fmt: skip
    if len(targets) == 1:  # one target for every sample
        targets = targets * len(rows)
    if len(targets) != len(rows):
        raise ValueError(
            f"--x gives {len(rows)} samples but --target {len(targets)}: one target for each "
            "sample, separated by ';' as the samples are, or one for all."
        )
    weight = tuple(int(v) for v in args.weight.split(",")) if args.weight else None
    step = explain_batch(net, rows, targets, weight=weight, loss=args.loss, lr=args.lr)
    print(step.to_text(args.precision))
    return 0


def _spread(values: list[float], width: int | None, flag: str, nodes: str) -> list[float]:
    """One value for every one of ``width`` nodes (as NumPy broadcasts), or one value each."""
    if not width or len(values) == width:
        return values
    if len(values) == 1:
        return values * width
    raise ValueError(
        f"{flag} gives {len(values)} values but the network has {width} {nodes}: give "
        f"{width} comma-separated values, or one for all of them."
    )


def _error_table(steps: list, precision: int) -> str:
    """The error of each step, falling as the weights are updated."""
    rows = [f"{'step':>4}  {'E':>12}  parameters after the step"]
    for n, step in enumerate(steps, 1):
        after = [
            f"{name}={fmt(v, precision)}"
            for rec in step.trace.layers
            for name, arr in rec.params_after.items()
            for v in np.ravel(arr)[:4]
        ]
        rows.append(f"{n:>4}  {fmt(step.trace.loss.value, precision + 2):>12}  {' '.join(after)}")
    return "\n".join(rows)
