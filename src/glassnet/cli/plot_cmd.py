"""``glassnet plot``: draw a network, a step, a training history, a boundary or a confusion matrix.

The picture's format comes from the output file's suffix (.png, .svg, .pdf); an SVG keeps its
words and numbers as <text> (:func:`glassnet.plot.save_figure`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from glassnet.cli._data import add_data_flag


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand and its five kinds of picture."""
    p = sub.add_parser(
        "plot", help="draw a network, a step, a history, a boundary or a confusion matrix"
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)

    net = kinds.add_parser("network", help="the network: edges by weight sign and size, biases")
    net.add_argument("--model", help="a saved model .npz")
    net.add_argument("--two-node", action="store_true", help="the article's two-node network")
    _out(net, "network.png")

    tr = kinds.add_parser("trace", help="one training step: forward values and backward gradients")
    tr.add_argument("--model", help="a saved model .npz (default: the two-node network)")
    tr.add_argument("--x", default="1.0", help="input value(s), comma-separated (default 1.0)")
    tr.add_argument(
        "--target", default="0.8", help="target value(s) or a class label (default 0.8)"
    )
    tr.add_argument("--w", type=float, default=0.5, help="two-node weight w (default 0.5)")
    tr.add_argument("--b", type=float, default=0.1, help="two-node bias b (default 0.1)")
    tr.add_argument("--lr", type=float, default=1.0, help="learning rate of the step (default 1.0)")
    tr.add_argument(
        "--loss", default=None, help="mse, mae, huber, binary_cross_entropy, cross_entropy, poisson"
    )
    _out(tr, "trace.png")

    hi = kinds.add_parser("history", help="loss and accuracy per epoch")
    hi.add_argument(
        "--history", required=True, help="JSON: History.to_dict() or train --json output"
    )
    _out(hi, "history.png")

    bd = kinds.add_parser("boundary", help="a 2-feature classifier's output over the plane")
    bd.add_argument("--model", required=True, help="a saved model .npz")
    add_data_flag(bd, "data set with 2 features: moons, xor, circles, ...", required=True)
    bd.add_argument("--seed", type=int, default=0, help="seed of the data set (default 0)")
    _out(bd, "boundary.png")

    cm = kinds.add_parser("confusion", help="confusion matrix on a data set's test part")
    cm.add_argument("--model", required=True, help="a saved model .npz")
    add_data_flag(cm, "data set name or CSV file", required=True)
    cm.add_argument("--target", default=None, help="target column of a CSV file")
    cm.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    _out(cm, "confusion.png")


def _out(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("-o", "--output", default=default, help=f"output file (default {default})")
    p.add_argument("--dpi", type=int, default=100, help="dots per inch of a PNG (default 100)")
    p.set_defaults(func=run)


def _test_data(args: argparse.Namespace, info: dict[str, Any]) -> tuple[Any, Any]:
    from glassnet.cli import _common as common

    options = None
    if common.is_csv(args.data):  # read as in training: its categories and imputation
        options = common.csv_options(
            info.get("delimiter") if args.data == info.get("dataset") else None,
            info.get("encoding"), info.get("categories") or None, bool(info.get("impute")),
        )  # fmt: skip
    target = getattr(args, "target", None)
    data = common.load_weighted(args.data, target, args.seed, 0.2, csv=options)[0]
    return common.apply_scaling(data.X_test, info), data.y_test


def _figure(args: argparse.Namespace) -> Any:
    from glassnet import plot

    if args.kind == "history":
        path = Path(args.history)
        if not path.exists():
            raise FileNotFoundError(f"--history {path}: no such file.")
        return plot.plot_history(json.loads(path.read_text()))
    if args.kind in ("network", "trace") and not args.model:
        from glassnet.cli.explain_cmd import two_node_network

        net = two_node_network(getattr(args, "w", 0.5), getattr(args, "b", 0.1))
        if args.kind == "network" and not args.two_node:
            raise ValueError("plot network needs --model FILE or --two-node.")
    else:
        from glassnet.cli import _common as common

        net, info = common.load_model(args.model)
    if args.kind == "network":
        return plot.plot_network(net)
    if args.kind == "trace":
        from glassnet.cli.explain_cmd import _floats
        from glassnet.explain.explanation import explain
        from glassnet.losses import get_loss

        loss = args.loss or (net.loss_.name if net.loss_ is not None else "mse")
        target: Any = _floats(args.target)
        if get_loss(loss).name == "cross_entropy":
            target = int(float(args.target))
        step = explain(net.copy("float64"), _floats(args.x), target, loss=loss, lr=args.lr)
        return plot.plot_trace(step)
    X, y = _test_data(args, info)
    if args.kind == "boundary":
        return plot.plot_decision_boundary(net, X, y)
    return plot.plot_confusion_matrix(y, net.predict_classes(X))


def run(args: argparse.Namespace) -> int:
    """Draw the picture and write it."""
    from glassnet.plot import save_figure

    path = save_figure(_figure(args), args.output, dpi=args.dpi)
    print(f"wrote {path}")
    return 0
