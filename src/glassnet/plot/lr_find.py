"""The learning-rate range test's picture: the loss against the lr on a log axis."""

from __future__ import annotations

from typing import Any

from glassnet.plot._base import ERROR, NEGATIVE, POSITIVE, axes_or_new, done


def plot_lr_find(result: Any, ax: Any = None) -> Any:
    """Each step's loss (faint) and the smoothed loss against the lr (log scale), the
    suggested lr (a tenth of the lr at the smoothed loss's minimum) as a dashed line.

    Parameters
    ----------
    result : LRFinderResult
        What :func:`glassnet.lr_find` returned.
    ax : Axes, optional
        Draw into it instead of a new figure.

    Returns
    -------
    Figure, or the Axes when ``ax`` is given.

    Examples
    --------
    >>> from glassnet.train.lr_finder import LRFinderResult
    >>> r = LRFinderResult([1e-3, 1e-2, 1e-1], [1.0, 0.5, 2.0], [1.0, 0.6, 1.5], 1e-2)
    >>> ax = plot_lr_find(r).axes[0]
    >>> ax.get_xscale(), ax.get_xlabel(), len(ax.lines)
    ('log', 'learning rate', 3)
    """
    if not result.lrs:
        raise ValueError("the range test recorded no step; nothing to draw.")
    fig, ax_ = axes_or_new(ax, 6.4, 4.0)
    ax_.plot(result.lrs, result.losses, color=NEGATIVE, alpha=0.35, lw=1, label="loss of the batch")
    ax_.plot(result.lrs, result.smoothed, color=POSITIVE, lw=2, label="smoothed")
    if result.suggestion is not None:
        ax_.axvline(result.suggestion, color=ERROR, ls="--", lw=1.2,
                    label=f"suggested: lr {result.suggestion:.3g} (a tenth of the minimum's)")  # fmt: skip
    ax_.set_xscale("log")
    ax_.set_xlabel("learning rate")
    ax_.set_ylabel("loss")
    low, high = min(result.smoothed), max(result.smoothed[: max(1, len(result.smoothed) // 2)])
    if high > low:  # keep the blow-up at the end from flattening the useful part
        ax_.set_ylim(low - 0.1 * (high - low), high + 0.6 * (high - low))
    ax_.set_title(f"learning-rate range test ({result.stopped})")
    ax_.legend(frameon=False, fontsize=8)
    if ax is None:
        fig.tight_layout()
    return done(fig, ax_, ax)
