"""The ``glassnet`` command: parse the arguments, call the library, print. No maths here.

Each subcommand lives in a module ``glassnet.cli.<name>_cmd`` with ``add_parser(sub)`` that
registers it and sets ``func`` to the function that runs it.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = (
    "demo",
    "explain",
    "gradcheck",
    "train",
    "evaluate",
    "predict",
    "export",
    "plot",
    "playground",
)

DESCRIPTION = """\
glassnet: neural networks whose forward and backward propagation you can see.

Start here:
  glassnet explain two-node          one training step of the article's 2-node network
  glassnet explain two-node --steps 5    watch the error fall
  glassnet explain two-node --x "1;2" --target "0.8;0.3"   one step on a batch of two
  glassnet gradcheck --layers 3,5,2  check backpropagation against finite differences
  glassnet demo                      the explanation, then a real training run
Run 'glassnet COMMAND --help' for the options of each command.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand.

    Examples
    --------
    >>> "explain" in build_parser().format_help()
    True
    """
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from glassnet import __version__

    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"glassnet.cli.{name}_cmd").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Errors a user can fix (bad arguments, bad data) print one clear line and return 2.

    Examples
    --------
    >>> main(["explain", "two-node", "--format", "json"]) == 0  # doctest: +ELLIPSIS
    {...
    True
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        status = args.func(args)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as exc:
        print(f"glassnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
