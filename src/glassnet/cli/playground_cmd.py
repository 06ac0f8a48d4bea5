"""``glassnet playground``: serve the playground page on this computer and open a browser."""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser

from glassnet.playground.guard import is_loopback


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(); add_parser(parser.add_subparsers())
    >>> parser.parse_args(["playground", "--port", "0", "--no-browser"]).port
    0
    """
    p = sub.add_parser(
        "playground",
        help="a local web page that trains a network and shows backpropagation live",
        description="Start the playground server (Starlette on uvicorn) and print its address. "
        "It listens on 127.0.0.1 only and answers only pages it served itself; another "
        "address needs --host and --allow-remote. Needs the 'web' extra: "
        "pip install 'glassnet[web]'.",
    )
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="let --host be an address other computers can reach (anyone who reaches it can "
        "train, upload and download here; there is no password)",
    )
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Bind the socket, print the address, serve until Ctrl-C."""
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be between 0 and 65535; got {args.port}.")
    try:
        from glassnet.playground.server import bind_socket, make_server
    except ImportError as exc:
        raise ImportError(
            f"the playground needs starlette and uvicorn ({exc}); pip install 'glassnet[web]'."
        ) from None
    if not is_loopback(args.host):
        if not args.allow_remote:
            raise ValueError(
                f"--host {args.host} lets other computers reach the playground, which has no "
                "password: anyone who reaches it can train, upload and download here. "
                "Add --allow-remote if that is what you want, or leave --host at 127.0.0.1."
            )
        print(
            f"warning: the playground listens on {args.host}; anyone who can reach this "
            "address can use it (no password).",
            file=sys.stderr,
            flush=True,
        )
    sock = bind_socket(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    print(f"glassnet playground at {url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server = make_server(sock, allow_remote=args.allow_remote)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
