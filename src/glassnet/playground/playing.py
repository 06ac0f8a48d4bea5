"""Playing, pausing and stepping a tab's training, paced by the page (backpressure).

While playing, the server trains a small chunk, sends one frame (a ``state`` message with a
``frame`` number) and waits until the page answers ``{"type": "drawn", "frame": n}`` after
drawing it, or until ``ACK_SECONDS`` pass (a tab that stopped answering does not stall the
loop forever, and gets at most one frame per ``ACK_SECONDS``). So frames never pile up in the
page, whatever the network's size, and Pause or a step is answered after at most one chunk
of training and one frame: within a fraction of a second.

The speed is in epochs per second, as the page's control says (default ``DEFAULT_SPEED``,
slow enough to watch a boundary form); each frame trains the batches due since the last
one, at most ``CHUNK_SECONDS`` of them, so a fast setting runs as fast as the machine
allows and no more. Step (a batch or an epoch) pauses first, as TensorFlow Playground's
step button does.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from glassnet.playground import limits, validate
from glassnet.playground.answers import TabClosed, failed
from glassnet.playground.validate import DEFAULT_SPEED

CHUNK_SECONDS = 0.05  # most training time per frame
MIN_INTERVAL = 0.05  # seconds between frames (at most 20 a second)
ACK_SECONDS = 1.0  # how long a frame waits for the page's "drawn" before the next is sent
MAX_GAP = 0.25  # seconds of a late frame's wait that its training makes up for, at most
MAX_EPOCHS = 100_000  # playing stops here
log = logging.getLogger("glassnet.playground")


def batches_due(speed: float, seconds: float, per_epoch: int, carry: float) -> tuple[int, float]:
    """Whole batches to train after ``seconds`` at ``speed`` epochs per second, and the
    fraction of a batch carried to the next frame. A gap longer than ``MAX_GAP`` (a page
    slow to draw) counts as ``MAX_GAP``: the training does not rush to catch up.

    Examples
    --------
    >>> batches_due(10.0, 0.05, 14, 0.0)  # 10 epochs/s of 14 batches, a frame 50 ms after
    (7, 0.0)
    >>> batches_due(1.0, 0.05, 14, 0.0)  # 0.7 of a batch: none yet, carried
    (0, 0.7000000000000001)
    >>> batches_due(1.0, 5.0, 14, 0.0)  # a 5 s gap counts as 0.25 s
    (3, 0.5)
    """
    owed = carry + speed * min(seconds, MAX_GAP) * per_epoch
    whole = int(math.floor(owed))
    return whole, owed - whole


class PlayHandlers:
    """The ``play``, ``pause``, ``step``, ``set_speed`` and ``drawn`` handlers and the play
    loop, mixed into the server's Tab.

    They use the Tab's ``session``, ``compute``, ``send``, ``send_error``, ``changed`` and
    ``state_msg``; the Tab calls :meth:`init_play` in its constructor.
    """

    session: Any
    playing: bool
    play_task: asyncio.Task | None

    def init_play(self) -> None:
        self.playing = False
        self.play_task = None
        self.speed = DEFAULT_SPEED  # epochs per second
        self.frame = 0  # the last frame sent
        self.drawn = asyncio.Event()  # the page drew the last frame
        self.stopped = asyncio.Event()  # pause or step: stop waiting
        self.shown: dict[str, Any] | None = None  # the last state sent, while still current

    async def on_play(self, msg: dict[str, Any]) -> None:
        if not self.playing:
            self.playing = True
            self.stopped.clear()
            self.play_task = asyncio.create_task(self.play_loop())

    async def stop_playing(self) -> bool:
        """Stop the play loop and wait until it has (its chunk of training finished); whether
        it was playing."""
        was = self.playing
        self.playing = False
        self.stopped.set()
        if self.play_task is not None and self.play_task is not asyncio.current_task():
            await asyncio.gather(self.play_task, return_exceptions=True)
        self.play_task = None
        return was

    async def on_pause(self, msg: dict[str, Any]) -> None:
        await self.stop_playing()
        await self.send_state("pause")

    async def send_state(self, cause: str) -> None:
        """The state, saying what it answers (``cause``): the last one sent again if nothing
        has changed since (the page's last frame), else computed anew."""
        if self.shown is not None:  # said once: a notice, a loaded model's settings
            state = {k: v for k, v in self.shown.items() if k not in ("notice", "loaded")}
        else:
            state = await self.compute(self.state_msg)
        await self.send({**state, "playing": self.playing, "cause": cause, "frame": None})

    async def on_set_speed(self, msg: dict[str, Any]) -> None:
        self.speed = validate.speed(msg)

    async def on_drawn(self, msg: dict[str, Any]) -> None:
        if validate.integer(msg, "frame", 0, 2**53) == self.frame:
            self.drawn.set()

    async def on_step(self, msg: dict[str, Any]) -> None:
        """One batch, or one epoch cut short after ``limits.STEP_SECONDS`` (and said so);
        playing stops first."""
        unit = validate.choice(msg, "unit", ("epoch", "batch"), "epoch")
        await self.stop_playing()
        s = self.session
        before = s.epoch
        if unit == "epoch":
            await self.compute(lambda: s.train(epochs=1, seconds=limits.STEP_SECONDS))
        else:
            await self.compute(lambda: s.train(batches=1))
        await self.changed(cause="step")
        if unit == "epoch" and s.epoch == before:
            await self.send_error(
                f"the epoch stopped after {limits.STEP_SECONDS:g} s, the playground's limit for "
                f"one step, at {s.pos} of {s.n_train} training points; press Step again to go "
                "on, or use fewer points, a larger batch or a smaller network."
            )

    def _chunk(self, n: int) -> int:
        """Train ``n`` batches, or fewer if ``CHUNK_SECONDS`` pass or playing stops first
        (Pause waits one batch, not a chunk); how many were."""
        before = self.session.batches_done
        self.session.train(batches=n, seconds=CHUNK_SECONDS, stop=lambda: not self.playing)
        return self.session.batches_done - before

    async def _rest(self, seconds: float) -> None:
        """Wait ``seconds``, or less if playing stops."""
        if seconds > 0:
            try:
                await asyncio.wait_for(self.stopped.wait(), seconds)
            except TimeoutError:
                pass

    async def _wait_drawn(self) -> None:
        """Wait until the page drew the last frame, playing stops, or ``ACK_SECONDS`` pass."""
        waits = [
            asyncio.ensure_future(self.drawn.wait()),
            asyncio.ensure_future(self.stopped.wait()),
        ]
        try:
            await asyncio.wait(waits, timeout=ACK_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    async def play_loop(self) -> None:
        """Train, send a frame, wait for the page to draw it; until paused (or an error)."""
        loop = asyncio.get_running_loop()
        carry, last = 0.0, loop.time()
        try:
            while self.playing:
                start = loop.time()
                per_epoch = math.ceil(
                    max(1, self.session.n_train) / self.session.net_spec.batch_size
                )
                n, carry = batches_due(self.speed, start - last, per_epoch, carry)
                last = start
                if n == 0:
                    await self._rest(MIN_INTERVAL)
                    continue
                try:
                    done = await self.compute(self._chunk, n)
                    self.shown = None  # the weights moved on from the last frame
                    if done < n:
                        carry = 0.0  # the machine cannot keep up: no debt piles up
                    if self.session.epoch >= MAX_EPOCHS:
                        self.playing = False
                except ValueError as exc:  # includes session.DivergedError
                    self.playing = False
                    await self.send_error(str(exc))
                except Exception:
                    self.playing = False
                    log.exception("playground: training failed while playing")
                    await self.send_error(failed("play"))
                if self.stopped.is_set():
                    break  # pause or step answers with the state itself
                state = await self.compute(self.state_msg)
                if self.stopped.is_set():  # paused meanwhile: Pause sends this state, not us
                    self.shown = state
                    break
                self.frame += 1
                self.drawn.clear()
                await self.send({**state, "cause": "play", "frame": self.frame})
                if not self.playing:
                    break
                await self._wait_drawn()
                await self._rest(MIN_INTERVAL - (loop.time() - start))
        except TabClosed:
            self.playing = False
        except Exception:
            self.playing = False
            log.exception("playground: the play loop failed")
