"""Training as a film: the decision boundary and the loss, one frame every few epochs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.callbacks import Callback
from glassnet.plot._base import POSITIVE, new_figure


class BoundaryAnimation(Callback):
    """A callback that films training: decision boundary (left) and loss so far (right).

    A frame is drawn at the end of every ``every``-th epoch (and of the last epoch); at the end of
    training the frames are written to ``path``: a GIF (Pillow), or an MP4 when ffmpeg is
    installed.

    Parameters
    ----------
    X, y : array-like
        Points (N, 2) and labels (N,) to draw on every frame.
    path : str or Path
        Output file, ending in .gif or .mp4.
    every : int
        Draw a frame every ``every`` epochs.
    fps : int
        Frames per second of the film.
    resolution : int
        Grid points per side of the boundary map.
    dpi : int
        Resolution of a frame (a frame is 8 x 3.4 inches).

    Examples
    --------
    >>> import tempfile, os
    >>> from glassnet import mlp
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]]); y = np.array([0, 1, 1])
    >>> path = os.path.join(tempfile.mkdtemp(), "train.gif")
    >>> anim = BoundaryAnimation(X, y, path, every=1, resolution=10, dpi=30)
    >>> _ = mlp("2,3,1", output_activation="sigmoid", seed=0).fit(
    ...     X, y[:, None].astype(float), epochs=2, verbose=0, callbacks=[anim], seed=0)
    >>> len(anim.frames), os.path.exists(path)
    (2, True)
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        path: Any,
        every: int = 1,
        fps: int = 5,
        resolution: int = 60,
        dpi: int = 60,
    ) -> None:
        from glassnet.plot.boundary import _check_2d, _labels

        self.X = _check_2d(X)
        self.y = _labels(y, len(self.X))
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".gif", ".mp4"):
            raise ValueError(f"path must end in .gif or .mp4; got {str(path)!r}.")
        if suffix == ".mp4" and shutil.which("ffmpeg") is None:
            raise ValueError(
                "writing .mp4 needs the ffmpeg program, which is not installed; "
                "install ffmpeg or write a .gif instead."
            )
        for name, value in (("every", every), ("fps", fps), ("dpi", dpi)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        self.every, self.fps, self.resolution, self.dpi = every, fps, resolution, dpi
        self.frames: list[np.ndarray] = []
        self.losses: list[float] = []
        self._last_drawn = -1

    def on_train_begin(self, net: Any) -> None:
        """Start a new film."""
        super().on_train_begin(net)
        self.frames, self.losses, self._last_drawn, self._epoch = [], [], -1, -1

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Keep the loss; draw a frame every ``every`` epochs."""
        self.losses.append(float(logs.get("loss", np.nan)))
        self._epoch = epoch
        if (epoch + 1) % self.every == 0:
            self.frames.append(self.render(epoch))
            self._last_drawn = epoch

    def render(self, epoch: int) -> np.ndarray:
        """One frame as an RGB array (height, width, 3)."""
        from glassnet.plot.boundary import plot_decision_boundary

        fig = new_figure(8.0, 3.4, dpi=self.dpi)
        left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        plot_decision_boundary(self.net, self.X, self.y, ax=left, resolution=self.resolution)
        left.set_title(f"epoch {epoch + 1}", fontsize=10)
        right.plot(np.arange(1, len(self.losses) + 1), self.losses, color=POSITIVE, lw=2)
        right.set_xlabel("epoch")
        right.set_ylabel("loss")
        right.set_title(f"loss {self.losses[-1]:.4f}", fontsize=10)
        right.grid(alpha=0.3)
        fig.tight_layout()
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()  # (H, W, 3)

    def on_train_end(self, logs: dict[str, Any]) -> None:
        """Draw the last epoch if it has no frame yet, then write the file."""
        if self._epoch >= 0 and self._last_drawn != self._epoch:
            self.frames.append(self.render(self._epoch))
        if not self.frames:
            return
        self.save()

    def save(self) -> Path:
        """Write the frames to ``path`` (GIF with Pillow, MP4 with ffmpeg)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.suffix.lower() == ".mp4":
            self._save_mp4()
            return self.path
        from PIL import Image

        images = [
            Image.fromarray(f).convert("P", palette=Image.Palette.ADAPTIVE) for f in self.frames
        ]
        images[0].save(
            self.path,
            save_all=True,
            append_images=images[1:],
            duration=int(1000 / self.fps),
            loop=0,
        )
        return self.path

    def _save_mp4(self) -> None:  # pragma: no cover - needs ffmpeg
        from matplotlib.animation import FFMpegWriter

        h, w = self.frames[0].shape[:2]
        fig = new_figure(w / self.dpi, h / self.dpi, dpi=self.dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.axis("off")
        image = ax.imshow(self.frames[0])
        writer = FFMpegWriter(fps=self.fps)
        with writer.saving(fig, str(self.path), self.dpi):
            for frame in self.frames:
                image.set_data(frame)
                writer.grab_frame()
