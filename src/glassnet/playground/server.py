"""The playground's web server: the page, and one websocket (one Session) per browser tab.

Every message is validated (:mod:`glassnet.playground.validate`); bad input is answered with
``{"type": "error", "message": ...}`` and the session carries on, whatever came: a binary
frame, text that is not JSON, JSON nested a hundred thousand levels, a field of the wrong type
or one the message does not have (:mod:`glassnet.playground.inbox`). An unexpected failure is
written to the server's log and answered with a message naming what failed, never a repr.

The machine is shared fairly (:mod:`glassnet.playground.limits`): at most ``MAX_TABS`` tabs;
every computation runs in one small pool of worker threads, never on the event loop; a tab
computes one thing at a time and a few messages wait behind it, more are dropped with an
error; uploads are parsed in the pool after their declared sizes are checked
(:mod:`glassnet.playground.modelcheck`), within a time limit. Training runs in small chunks,
one frame at a time, each sent only once the page has drawn the last
(:mod:`glassnet.playground.playing`), so other tabs and other messages stay responsive and
Pause acts at once whatever the network's size.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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

from glassnet.playground import limits, modelcheck, modelio, validate, views
from glassnet.playground.answers import MAX_ERROR, TabClosed, failed
from glassnet.playground.guard import HostOriginGuard
from glassnet.playground.inbox import INLINE_JSON, Inbox, frame_text, parse_json
from glassnet.playground.playing import PlayHandlers
from glassnet.playground.session import Session
from glassnet.playground.steptab import StepModeHandlers
from glassnet.playground.touch import TouchHandlers

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("glassnet.playground")


def _retrieve(fut: asyncio.Future) -> None:
    """Collect a stray computation's outcome, so asyncio does not warn that nobody did."""
    if not fut.cancelled():
        fut.exception()


class Tab(PlayHandlers, StepModeHandlers, TouchHandlers):
    """One websocket connection: its session, its play loop and its step-mode state.

    Messages are read as they come into a bounded :class:`Inbox`, and answered one at a time
    by a worker task; computations hold ``lock`` (one on the session at a time) and run in the
    server's shared pool (``capacity``). Playing, pausing and stepping live in
    :class:`glassnet.playground.playing.PlayHandlers`, step mode and its presets in
    :class:`glassnet.playground.steptab.StepModeHandlers`, a hovered neuron and a weight set
    by hand in :class:`glassnet.playground.touch.TouchHandlers`.
    """

    def __init__(self, ws: WebSocket, capacity: limits.Capacity) -> None:
        self.ws = ws
        self.capacity = capacity
        self.session = Session()
        self.lock = asyncio.Lock()  # one computation on the session at a time
        self.send_lock = asyncio.Lock()
        self.init_play()
        self.focus: tuple[int, int] | None = None  # the hovered neuron (layer, node)
        self.step: dict[str, Any] | None = None
        self.inbox = Inbox(limits.MAX_PENDING, limits.MAX_PENDING_BYTES)
        self.stray: asyncio.Future | None = None  # an upload still being read past its time

    async def send(self, msg: dict[str, Any]) -> None:
        text = json.dumps(msg)
        if msg.get("type") == "state":
            self.shown = msg  # what the page shows now (see PlayHandlers.send_state)
        async with self.send_lock:
            try:
                await self.ws.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError) as exc:
                raise TabClosed from exc

    async def send_error(self, message: str) -> None:
        if len(message) > MAX_ERROR:
            message = message[: MAX_ERROR - 3] + "..."
        await self.send({"type": "error", "message": message})

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
            "description": s.describe(),
            "targets": None if s.given is None else s.given.tolist(),
            "spec": asdict(s.data_spec),
        }

    def state_msg(self) -> dict[str, Any]:
        """What the page draws of the network now (computed in the pool, holding the session)."""
        s = self.session
        msg = {"type": "state", "playing": self.playing, "spec": asdict(s.net_spec)}
        msg["net"] = views.network_view(s.net)
        features, size = s.net_spec.features, limits.output_size(len(s.X), s.net.n_params)
        msg["out"] = views.output_map(s.net, s.domain, s.loss_name, features, s.regression, size)
        msg["neurons"] = views.neuron_maps(s.net, s.domain, features)
        msg["focus"] = self.focus_map(size)
        msg["notice"], s.notice = s.notice, None  # said once
        msg.update(s.summary())
        return msg

    async def compute(self, fn: Any, *args: Any) -> Any:
        """Run fn(*args) in the server's worker pool while holding the session."""
        async with self.lock:
            return await self.capacity.run(fn, *args)

    async def read_upload(self, fn: Any, *args: Any) -> Any:
        """Run fn(*args), which reads an upload and touches no session, in the worker pool
        within ``limits.READ_SECONDS``; past that the upload is refused (the thread finishes
        on its own, and this tab's next upload waits for it)."""
        if self.stray is not None and not self.stray.done():
            raise ValueError(
                "the previous upload is still being read (it ran past the time limit); try "
                "again in a few seconds."
            )
        fut = self.capacity.submit(fn, *args)
        try:
            return await asyncio.wait_for(asyncio.shield(fut), limits.READ_SECONDS)
        except TimeoutError:
            self.stray = fut
            fut.add_done_callback(_retrieve)
            raise ValueError(
                f"reading the upload took more than {limits.READ_SECONDS:g} s, the playground's "
                "limit; it was refused."
            ) from None

    def claim_weights(self) -> None:
        """Record the weights this tab's network holds now (see ``Capacity.claim``)."""
        self.capacity.claim(self, self.session.net.n_params, force=True)

    # -- reading and answering messages ---------------------------------------------------
    async def serve(self) -> None:
        """Read messages until the tab closes; a worker task answers them in order."""
        self.claim_weights()
        worker = asyncio.create_task(self.work())
        try:
            while not worker.done():
                event = await self.ws.receive()
                if event["type"] == "websocket.disconnect":
                    break
                size = len(event.get("text") or event.get("bytes") or "")
                if not self.inbox.offer(event, size):
                    await self.send_error(
                        f"this tab sent more messages than the server holds while it works "
                        f"({self.inbox.waiting} waiting, {self.inbox.bytes:,} bytes); this one "
                        "was dropped. Wait for the answers before sending more."
                    )
        finally:
            self.playing = False
            tasks = [t for t in (worker, self.play_task) if t is not None]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def work(self) -> None:
        """Answer the inbox's messages one at a time, until the tab closes."""
        try:
            while True:
                await self.answer(await self.inbox.get())
        except TabClosed:
            pass

    async def answer(self, event: dict[str, Any]) -> None:
        """Decode and handle one message; answer every failure with an error message."""
        kind = None
        try:
            text = frame_text(event)
            if len(text) <= INLINE_JSON:
                msg = parse_json(text)
            else:  # megabytes of JSON are parsed off the event loop
                msg = await self.capacity.run(parse_json, text)
            kind = validate.message_type(msg)
            await getattr(self, "on_" + kind)(msg)
        except TabClosed:
            raise
        except (ValueError, TypeError) as exc:  # the message's fault, said in words
            await self.send_error(str(exc))
        except Exception:  # never let one message kill the tab, nor show the page a repr
            log.exception("playground: handling a %s message failed", kind or "malformed")
            await self.send_error(failed(kind))

    # -- handlers ---------------------------------------------------------------------
    async def changed(self, data: bool = False, cause: str | None = None) -> None:
        """The weights or the points changed: forget the step shown, send the new state."""
        self.step = None
        self.claim_weights()
        if data:
            await self.send(await self.compute(self.data_msg))
        await self.send({**(await self.compute(self.state_msg)), "cause": cause})

    async def on_hello(self, msg: dict[str, Any]) -> None:
        await self.changed(data=True)

    async def on_set_data(self, msg: dict[str, Any]) -> None:
        spec = validate.data_spec(msg)
        await self.compute(self.session.set_data, spec)
        await self.changed(data=True)

    async def on_set_network(self, msg: dict[str, Any]) -> None:
        spec = validate.net_spec(msg)
        self.capacity.claim(self, self.session.weights_for(spec))
        try:
            await self.compute(self.session.set_network, spec)
        finally:
            self.claim_weights()
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
        raw = await self.read_upload(validate.upload_bytes, msg)
        points = await self.read_upload(validate.csv_points, raw)
        await self.compute(self.session.set_csv, points)
        await self.changed(data=True)

    async def on_load_model(self, msg: dict[str, Any]) -> None:
        raw = await self.read_upload(validate.upload_bytes, msg)
        checked = await self.read_upload(modelcheck.check_model_file, raw)
        self.session.check_work(len(self.session.X), checked.n_weights)  # before unpacking
        self.capacity.claim(self, checked.n_weights)
        try:
            net = await self.read_upload(modelio.read_model, raw)
            spec = modelio.spec_of(net, self.session.net_spec)
            await self.compute(self.session.adopt, net, spec)
        finally:
            self.claim_weights()
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


async def ws_endpoint(ws: WebSocket) -> None:
    """Serve one tab, unless ``MAX_TABS`` are open: then say so and close with code 1013."""
    capacity: limits.Capacity = ws.app.state.capacity
    await ws.accept()
    if not capacity.open_tab():
        reason = f"the playground serves {capacity.max_tabs} tabs at once; close one, then reload"
        await ws.send_text(json.dumps({"type": "error", "message": reason + "."}))
        await ws.close(code=1013, reason=reason)  # 1013: try again later
        return
    tab = None
    try:
        tab = Tab(ws, capacity)
        await tab.serve()
    except (WebSocketDisconnect, RuntimeError, TabClosed):
        pass
    finally:
        capacity.close_tab(tab)


async def index(request: Any) -> FileResponse:
    """The page."""
    return FileResponse(STATIC / "index.html")


async def no_icon(request: Any) -> Response:
    """No favicon (204), so the browser's console stays clean."""
    return Response(status_code=204)


def create_app(allow_remote: bool = False, capacity: limits.Capacity | None = None) -> Starlette:
    """The Starlette application: "/" (the page), "/static/..." and "/ws".

    Every request passes :class:`glassnet.playground.guard.HostOriginGuard` first: its Host
    must be a loopback address (unless ``allow_remote``) and its Origin, if any, the page's own.
    Its tabs share ``capacity`` (``app.state.capacity``): the worker pool and the limits on
    tabs and weights.

    Parameters
    ----------
    allow_remote : bool, default False
        Accept requests whose Host is not a loopback address (a server listening beyond
        loopback on purpose, ``glassnet playground --allow-remote``).
    capacity : Capacity, optional
        What the tabs share; default a new :class:`glassnet.playground.limits.Capacity`.

    Examples
    --------
    >>> app = create_app()
    >>> sorted(r.path for r in app.routes)
    ['/', '/favicon.ico', '/static', '/ws']
    >>> [m.cls.__name__ for m in app.user_middleware]
    ['HostOriginGuard']
    >>> app.state.capacity.max_tabs
    16
    """
    shared = capacity or limits.Capacity()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        with limits.one_blas_thread():  # the pool's threads are the parallelism
            yield
        shared.shutdown()  # the worker threads end with the server

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/favicon.ico", no_icon),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
            WebSocketRoute("/ws", ws_endpoint),
        ],
        middleware=[Middleware(HostOriginGuard, allow_remote=allow_remote)],
        lifespan=lifespan,
    )
    app.state.capacity = shared
    return app


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
    uvicorn closes a websocket whose message passes ``limits.MAX_MESSAGE`` bytes (code 1009)
    and answers HTTP with 503 beyond ``limits.MAX_CONNECTIONS`` connections.
    """
    import uvicorn

    config = uvicorn.Config(
        create_app(allow_remote),
        log_level="warning",
        ws_max_size=limits.MAX_MESSAGE,
        limit_concurrency=limits.MAX_CONNECTIONS,
        lifespan="on",
    )
    return uvicorn.Server(config)
