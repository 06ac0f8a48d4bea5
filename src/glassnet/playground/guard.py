"""Who may talk to the playground: the Host and Origin checks in front of every request.

A page on any other web site can open ``ws://127.0.0.1:PORT/ws`` from the visitor's browser
(cross-site websocket hijacking: browsers do not apply the same-origin policy to websockets),
and a site whose name an attacker re-points at 127.0.0.1 (DNS rebinding) can even load the
playground's page as its own. Jupyter closes both holes with two checks, and so does this
module, as ASGI middleware in front of the whole application:

- **Host**: the ``Host`` header must name this computer's loopback address (``localhost``,
  ``127.x.x.x`` or ``::1``, any port). A rebound name such as ``evil.example:8765`` fails.
  ``allow_remote=True`` (``glassnet playground --allow-remote``) lifts this check, for a server
  that listens beyond loopback on purpose.
- **Origin**: when the request carries an ``Origin`` header (browsers always send one with a
  websocket), it must be the page's own origin: ``http://`` followed by exactly the ``Host``
  header. A page from another site, or from another port of this computer, fails.

A refused HTTP request gets ``403 Forbidden`` with a line saying why; a refused websocket is
closed before it is accepted, which the browser sees as a failed connection (HTTP 403).
Requests without an ``Origin`` (curl, scripts, the tests' client) pass the Origin check: they
are not made by a web page, so no other site can send them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "localhost.")


def split_host(host: str) -> str:
    """The host name or address of a ``Host`` header value, without port or brackets.

    Examples
    --------
    >>> split_host("127.0.0.1:8765"), split_host("[::1]:80"), split_host("LocalHost")
    ('127.0.0.1', '::1', 'localhost')
    """
    host = host.strip().lower()
    if host.startswith("["):  # [v6]:port
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:  # name:port or v4:port
        return host.split(":", 1)[0]
    return host  # a name, a v4 address, or a bare v6 address


def is_loopback(host: str) -> bool:
    """Whether a ``Host`` header value names this computer's loopback interface.

    Examples
    --------
    >>> [is_loopback(h) for h in ("127.0.0.1:8765", "localhost", "[::1]:1", "evil.example:8765")]
    [True, True, True, False]
    >>> is_loopback("127.0.0.1.evil.example")
    False
    """
    name = split_host(host)
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refusal(headers: dict[str, str], allow_remote: bool = False) -> str | None:
    """Why a request with these (lower-cased) headers is refused, or None if it may pass.

    Parameters
    ----------
    headers : dict of str to str
        The request's headers, names lower-cased.
    allow_remote : bool, default False
        Accept any ``Host`` (the server listens beyond loopback on purpose); the Origin must
        still match it.

    Examples
    --------
    >>> refusal({"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:8765"}) is None
    True
    >>> refusal({"host": "127.0.0.1:8765", "origin": "https://evil.example"})
    "Origin 'https://evil.example' is not this playground's own page (http://127.0.0.1:8765)"
    >>> refusal({"host": "evil.example:8765"})
    "Host 'evil.example:8765' is not a loopback address (use http://127.0.0.1:PORT/)"
    """
    host = headers.get("host", "")
    if not allow_remote and not is_loopback(host):
        return f"Host {host!r} is not a loopback address (use http://127.0.0.1:PORT/)"
    origin = headers.get("origin")
    if origin is not None and origin.lower() != f"http://{host}".lower():
        return f"Origin {origin!r} is not this playground's own page (http://{host})"
    return None


class HostOriginGuard:
    """ASGI middleware that refuses requests failing :func:`refusal`, before the app sees them.

    Parameters
    ----------
    app : ASGI application
        The application to guard.
    allow_remote : bool, default False
        Skip the Host check (the Origin check stays).

    Examples
    --------
    >>> from starlette.applications import Starlette
    >>> guarded = HostOriginGuard(Starlette())
    >>> guarded.allow_remote
    False
    """

    def __init__(self, app: ASGIApp, allow_remote: bool = False) -> None:
        self.app = app
        self.allow_remote = allow_remote

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        why = refusal(headers, self.allow_remote)
        if why is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
        else:
            body = f"403 Forbidden: {why}.\n".encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
