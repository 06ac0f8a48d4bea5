"""``glassnet export``: a saved model as an ONNX file that reads raw rows, as ``predict`` does."""

from __future__ import annotations

import argparse
from pathlib import Path

from glassnet.cli import _common as common
from glassnet.datasets import Standardizer


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "export",
        help="write a saved model as an ONNX file (onnxruntime and others run it)",
        description="Write a model saved by 'glassnet train --save' (or net.save) as ONNX "
        "(opset 17, batch size dynamic). The input standardisation and, for regression, the "
        "target scaling stored in the model file become part of the graph, so the ONNX model "
        "takes the raw feature columns (in the order the model file names them) and its "
        "'output' is what 'glassnet predict' prints before rounding: the regression values in "
        "the targets' units, or the class scores (classifiers trained with cross-entropy also "
        "get 'probabilities', Poisson models 'rate', the counts expected). Needs pip install "
        "'glassnet[onnx]'.",
        epilog="Example:\n  glassnet export --model houses.npz --output houses.onnx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, metavar="PATH", help="model file (.npz)")
    p.add_argument("--output", required=True, metavar="OUT.onnx", help="the ONNX file to write")
    p.add_argument(
        "--network-only",
        action="store_true",
        help="export the network alone: it then takes standardised inputs and gives "
        "standardised regression targets, as glassnet.load(PATH) does in Python",
    )
    p.add_argument("--force", action="store_true", help="replace an existing --output file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the ONNX file."""
    out, model = Path(args.output), Path(args.model)
    if out.is_dir():
        raise ValueError(f"--output {args.output} is a directory; give a file such as model.onnx.")
    if out.exists() and model.exists() and out.resolve() == model.resolve():
        raise ValueError(f"--output {args.output} is the model file itself; give another path.")
    if out.exists() and not args.force:
        raise ValueError(
            f"--output {args.output} exists; give another path, or --force to replace it."
        )
    net, info = common.load_model(model)
    scalers = {"input_scaler": None, "target_scaler": None}
    if not args.network_only:
        for key, entry in (("input_scaler", "standardizer"), ("target_scaler", "target_scaler")):
            if info.get(entry):
                scalers[key] = Standardizer.from_state(info[entry])
    net.to_onnx(out, **scalers)
    with_scaling = [name for name, s in scalers.items() if s is not None]
    note = (
        f" with {' and '.join(n.replace('_', ' ') for n in with_scaling)}" if with_scaling else ""
    )
    print(f"wrote {out}{note}")
    return 0
