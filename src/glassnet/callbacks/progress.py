"""The progress display of ``fit``: a live bar with loss, accuracy, the epoch's learning rate
and samples per second.

Uses rich when it is installed (``pip install 'glassnet[cli]'``) and a plain one-line bar
otherwise. The bar redraws at most ten times a second, so it costs nothing measurable.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from glassnet.callbacks import Callback


class ProgressBar(Callback):
    """Show training progress.

    Parameters
    ----------
    epochs : int
        Total number of epochs, for the "epoch 3/10" label.
    n_samples : int
        Samples per epoch.
    verbose : {1, 2}
        1: a live bar per epoch; 2: one line per epoch (for logs and CI).
    stream : file, optional
        Where to write (default sys.stderr).

    Examples
    --------
    >>> import io
    >>> bar = ProgressBar(epochs=1, n_samples=10, verbose=2, stream=io.StringIO())
    >>> bar.on_epoch_begin(0); bar.seen = 10
    >>> bar.on_epoch_end(0, {"loss": 0.25, "lr": 0.00025}); bar.stream.getvalue().split("  ")[:3]
    ['epoch 1/1', 'loss 0.2500', 'lr 0.00025']
    """

    def __init__(self, epochs: int, n_samples: int, verbose: int = 1, stream: TextIO | None = None):
        self.epochs, self.n_samples, self.verbose = epochs, n_samples, verbose
        self.stream = stream or sys.stderr
        self._rich: Any = None
        if verbose == 1 and stream is None:
            try:
                from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
            except ImportError:
                pass
            else:
                self._rich = Progress(
                    TextColumn("[bold]{task.description}"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    TextColumn("{task.fields[metrics]}"),
                    TimeRemainingColumn(),
                    transient=False,
                )

    def on_train_begin(self, net: Any) -> None:
        """Start the display."""
        super().on_train_begin(net)
        if self._rich is not None:
            self._rich.start()

    def on_epoch_begin(self, epoch: int) -> None:
        """Start a new bar for this epoch."""
        self.epoch, self.seen, self.loss_sum = epoch, 0, 0.0
        self.start = self.last_draw = time.perf_counter()
        label = f"epoch {epoch + 1}/{self.epochs}"
        if self._rich is not None:
            self.task = self._rich.add_task(label, total=self.n_samples, metrics="")
        self.label = label

    def on_batch_end(self, batch: int, size: int, loss: float) -> None:
        """Count the batch; redraw if 0.1 s have passed."""
        self.seen += size
        self.loss_sum += loss * size
        now = time.perf_counter()
        if now - self.last_draw >= 0.1:
            self.last_draw = now
            self._draw(f"loss {self.loss_sum / self.seen:.4f}  {self._rate(now):,.0f} samples/s")

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Show the epoch's final metrics."""
        text = "  ".join(f"{k} {v:.4g}" if k == "lr" else f"{k} {v:.4f}" for k, v in logs.items())
        text += f"  {self._rate(time.perf_counter()):,.0f} samples/s"
        if self._rich is not None:
            self._rich.update(self.task, completed=self.n_samples, metrics=text)
        elif self.verbose == 1:
            self.stream.write(f"\r{self.label} [{'#' * 20}] {text}\n")
        else:
            self.stream.write(f"{self.label}  {text}\n")
        self.stream.flush()

    def on_train_end(self, logs: dict[str, Any]) -> None:
        """Stop the display."""
        if self._rich is not None:
            self._rich.stop()

    def _rate(self, now: float) -> float:
        return self.seen / max(now - self.start, 1e-9)

    def _draw(self, text: str) -> None:
        if self._rich is not None:
            self._rich.update(self.task, completed=self.seen, metrics=text)
        elif self.verbose == 1:
            filled = int(20 * self.seen / max(self.n_samples, 1))
            bar = "#" * filled + "." * (20 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {text}")
            self.stream.flush()
