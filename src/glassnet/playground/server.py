"""The playground's web server: the page, and one websocket (one Session) per browser tab.

Every message is validated (:mod:`glassnet.playground.validate`); bad input is answered with
``{"type": "error", "message": ...}`` and the session carries on. Training runs in small chunks
in worker threads (``asyncio.to_thread``), at most about ten updates a second, so other tabs and
other messages stay responsive.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from glassnet.playground import modelio, validate, views
from glassnet.playground.guard import HostOriginGuard
from glassnet.playground.session import Session
from glassnet.playground.steptab import StepModeHandlers

STATIC = Path(__file__).parent / "static"
CHUNK_SECONDS = 0.06  # training time per update while playing
MIN_INTERVAL = 0.1  # seconds between updates (at most 10 a second)
MAX_EPOCHS = 100_000  # playing stops here
log = logging.getLogger("glassnet.playground")


class Tab(StepModeHandlers):
    """One websocket connection: its session, its play loop and its step-mode state.

    The step-mode handlers live in :class:`glassnet.playground.steptab.StepModeHandlers`.
    """

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.session = Session()
        self.lock = asyncio.Lock()  # one computation on the session at a time
        self.send_lock = asyncio.Lock()
        self.playing = False
        self.play_task: asyncio.Task | None = None
        self.step: dict[str, Any] | None = None

    async def send(self, msg: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.ws.send_text(json.dumps(msg))

    # -- what the page draws ------------------------------------------------------------
    def data_msg(self) -> dict[str, Any]:
        s = self.session
        xs = np.round(s.X.astype(np.float64), 4).tolist()  # (n, 2)
        ys = np.round(s.y.astype(np.float64), 4).tolist() if s.regression else s.y.tolist()
        pts = [[a, b, c, int(t)] for (a, b), c, t in zip(xs, ys, s.test, strict=True)]
        return {
            "type": "data",
            "points": pts,
            "domain": s.domain,
            "n_classes": s.n_classes,
            "regression": s.regression,
            "source": s.source,
            "spec": asdict(s.data_spec),
        }

    def state_msg(self) -> dict[str, Any]:
        s = self.session
        view = views.network_view(s.net)
        msg = {"type": "state", "playing": self.playing, "spec": asdict(s.net_spec), "net": view}
        features = s.net_spec.features
        msg["out"] = views.output_map(s.net, s.domain, s.loss_name, features, s.regression)
        msg["neurons"] = views.neuron_maps(s.net, s.domain, features) if view["drawable"] else []
        msg.update(s.summary())
        return msg

    async def compute(self, fn: Any, *args: Any) -> Any:
        """Run fn(*args) in a worker thread while holding the session."""
        async with self.lock:
            return await asyncio.to_thread(fn, *args)

    # -- handlers ---------------------------------------------------------------------
    async def handle(self, msg: Any) -> None:
        if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
            raise TypeError("a message must be a JSON object with a string 'type'.")
        handler = getattr(self, "on_" + msg["type"], None)
        if handler is None:
            raise ValueError(f"unknown message type {msg['type']!r}.")
        await handler(msg)

    async def changed(self, data: bool = False) -> None:
        self.step = None
        if data:
            await self.send(self.data_msg())
        await self.send(await self.compute(self.state_msg))

    async def on_hello(self, msg: dict[str, Any]) -> None:
        await self.changed(data=True)

    async def on_set_data(self, msg: dict[str, Any]) -> None:
        spec = validate.data_spec(msg)
        await self.compute(self.session.set_data, spec)
        await self.changed(data=True)

    async def on_set_network(self, msg: dict[str, Any]) -> None:
        spec = validate.net_spec(msg)
        await self.compute(self.session.set_network, spec)
        await self.changed()

    async def on_add_point(self, msg: dict[str, Any]) -> None:
        x, y = validate.point(msg, self.session.domain)
        label = validate.integer(msg, "label", 0, validate.MAX_CLASSES - 1)
        await self.compute(self.session.add_point, x, y, label)
        await self.changed(data=True)

    async def on_remove_points(self, msg: dict[str, Any]) -> None:
        x, y = validate.point(msg, self.session.domain)
        radius = validate.number(msg, "radius", 0.0, self.session.domain)
        await self.compute(self.session.remove_near, x, y, radius)
        await self.changed(data=True)

    async def on_upload_csv(self, msg: dict[str, Any]) -> None:
        points = validate.parse_csv(validate.upload_bytes(msg).decode("utf-8", errors="replace"))
        await self.compute(self.session.set_csv, points)
        await self.changed(data=True)

    async def on_load_model(self, msg: dict[str, Any]) -> None:
        net = modelio.read_model(validate.upload_bytes(msg))
        spec = modelio.spec_of(net, self.session.net_spec)
        await self.compute(self.session.adopt, net, spec)
        self.step = None
        state = await self.compute(self.state_msg)
        await self.send({**state, "loaded": True})  # the page takes the model's settings

    async def on_download_model(self, msg: dict[str, Any]) -> None:
        raw = await self.compute(modelio.model_bytes, self.session.net)
        data = base64.b64encode(raw).decode("ascii")
        await self.send(
            {"type": "file", "name": "glassnet-model.npz", "mime": "application/zip", "data": data}
        )

    async def on_download_data(self, msg: dict[str, Any]) -> None:
        text = await self.compute(self.session.data_csv)
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        await self.send(
            {"type": "file", "name": "glassnet-data.csv", "mime": "text/csv", "data": data}
        )

    async def on_reset(self, msg: dict[str, Any]) -> None:
        await self.compute(self.session.build)
        await self.changed()

    async def on_step(self, msg: dict[str, Any]) -> None:
        unit = validate.choice(msg, "unit", ("epoch", "batch"), "epoch")
        kw = {"epochs": 1} if unit == "epoch" else {"batches": 1}
        await self.compute(lambda: self.session.train(**kw))
        await self.changed()

    async def on_play(self, msg: dict[str, Any]) -> None:
        if not self.playing:
            self.playing = True
            self.play_task = asyncio.create_task(self.play_loop())

    async def on_pause(self, msg: dict[str, Any]) -> None:
        self.playing = False
        await self.send(await self.compute(self.state_msg))

    async def play_loop(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.playing:
                start = loop.time()
                try:
                    await self.compute(lambda: self.session.train(seconds=CHUNK_SECONDS))
                    if self.session.epoch >= MAX_EPOCHS:
                        self.playing = False
                except ValueError as exc:  # includes session.DivergedError
                    self.playing = False
                    await self.send({"type": "error", "message": str(exc)})
                await self.send(await self.compute(self.state_msg))
                await asyncio.sleep(max(0.0, MIN_INTERVAL - (loop.time() - start)))
        except (WebSocketDisconnect, RuntimeError):
            self.playing = False


async def ws_endpoint(ws: WebSocket) -> None:
    """Serve one tab: read messages until the tab closes; answer every bad one with an error."""
    await ws.accept()
    tab = Tab(ws)
    try:
        while True:
            text = await ws.receive_text()
            try:
                await tab.handle(json.loads(text))
            except (ValueError, TypeError) as exc:  # includes json.JSONDecodeError
                await tab.send({"type": "error", "message": str(exc)})
            except (WebSocketDisconnect, RuntimeError):
                raise
            except Exception as exc:  # never let one message kill the tab
                log.exception("playground message failed")
                await tab.send({"type": "error", "message": f"internal error: {exc!r}"})
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        tab.playing = False


async def index(request: Any) -> FileResponse:
    """The page."""
    return FileResponse(STATIC / "index.html")


async def no_icon(request: Any) -> Response:
    """No favicon (204), so the browser's console stays clean."""
    return Response(status_code=204)


def create_app(allow_remote: bool = False) -> Starlette:
    """The Starlette application: "/" (the page), "/static/..." and "/ws".

    Every request passes :class:`glassnet.playground.guard.HostOriginGuard` first: its Host
    must be a loopback address (unless ``allow_remote``) and its Origin, if any, the page's own.

    Parameters
    ----------
    allow_remote : bool, default False
        Accept requests whose Host is not a loopback address (a server listening beyond
        loopback on purpose, ``glassnet playground --allow-remote``).

    Examples
    --------
    >>> app = create_app()
    >>> sorted(r.path for r in app.routes)
    ['/', '/favicon.ico', '/static', '/ws']
    >>> [m.cls.__name__ for m in app.user_middleware]
    ['HostOriginGuard']
    """
    return Starlette(
        routes=[
            Route("/", index),
            Route("/favicon.ico", no_icon),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
            WebSocketRoute("/ws", ws_endpoint),
        ],
        middleware=[Middleware(HostOriginGuard, allow_remote=allow_remote)],
    )


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on (host, port); port 0 picks a free one.

    Examples
    --------
    >>> sock = bind_socket(); sock.getsockname()[1] > 0
    True
    >>> sock.close()
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ValueError(
            f"cannot listen on {host}:{port} ({exc.strerror}); try --port 0."
        ) from None
    sock.listen(128)
    return sock


def make_server(sock: socket.socket, allow_remote: bool = False) -> Any:
    """A uvicorn Server for the app; run it with ``server.run(sockets=[sock])``.

    ``allow_remote`` is passed to :func:`create_app` (accept a Host that is not loopback).
    """
    import uvicorn

    config = uvicorn.Config(
        create_app(allow_remote), log_level="warning", ws_max_size=16 * 2**20, lifespan="off"
    )
    return uvicorn.Server(config)
