"""The ``glassnet`` command: parse the arguments, call the library, print. No maths here.

Each subcommand lives in a module ``glassnet.cli.<name>_cmd`` with ``add_parser(sub)`` that
registers it and sets ``func`` to the function that runs it.
"""

from __future__ import annotations

import argparse
import csv
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

    Never a traceback for what a user can meet: each error prints one line,
    ``glassnet COMMAND: error: ...``, and returns

    - 2 for bad input (an argument, a data file or a model file that is wrong or cannot be
      read or written: the message names it, the value and the fix), as argparse does;
    - 1 when a command could not finish with good input: training diverged (the message says
      which weights are kept and where the last checkpoint is), the model could not be saved
      where asked after training (it says where it was written instead), or memory ran out.

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
    from glassnet.cli._files import CommandFailed
    from glassnet.train.fit import DivergedError

    try:
        status = args.func(args)
    except (CommandFailed, DivergedError) as exc:  # before ValueError, which they may be
        return _error(args.command, exc, 1)
    except MemoryError:
        return _error(args.command, "out of memory; use a smaller network or data set", 1)
    except (ValueError, TypeError, OSError, ImportError, csv.Error) as exc:
        return _error(args.command, exc, 2)
    return int(status or 0)


def _error(command: str, message: object, status: int) -> int:
    print(f"glassnet {command}: error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
