"""``ReduceLROnPlateau``: lower the learning rate when a monitored metric stops improving.

It keeps progress (best value, epochs waited, cooldown left) that a checkpoint saves and
``load_state_dict`` restores, as ``EarlyStopping`` does, so a resumed run lowers the lr at the
epochs an uninterrupted one would; the lr reached travels with the optimiser in the checkpoint.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.callbacks.monitor import MonitorCallback
from glassnet.callbacks.schedules import fit_optimizer, start_schedule
from glassnet.utils.validation import check_count, check_non_negative

#: a drop smaller than this is not made (PyTorch's ``eps``), e.g. once the lr is at ``min_lr``
EPS = 1e-8


class ReduceLROnPlateau(MonitorCallback):
    r"""Multiply the lr by ``factor`` once ``monitor`` has stopped improving for a while.

    After every epoch, with PyTorch's rules (``torch.optim.lr_scheduler.ReduceLROnPlateau``
    with ``threshold=min_delta, threshold_mode="abs"``) and Keras's argument names:

    1. the epoch improves when its value beats the best by more than ``min_delta``
       (:math:`v < \text{best} - \delta` in mode "min"): best = v, wait = 0; else wait += 1;
    2. during a cooldown (``cooldown_counter > 0``) the counter goes down by one and wait = 0;
    3. when wait > patience: :math:`\text{lr} \leftarrow \max(\text{factor} \cdot \text{lr},
       \text{min\_lr})` (skipped if that lowers it by :math:`10^{-8}` or less), then
       cooldown_counter = cooldown and wait = 0.

    So the lr drops after the epoch that makes ``patience + 1`` epochs in a row without
    improvement, and the ``cooldown`` epochs after a drop never count as bad. (Keras counts one
    fewer: it drops after ``patience`` such epochs, and its cooldown ignores one epoch fewer.)
    The new lr applies from the next epoch on.

    Parameters
    ----------
    monitor : str
        Key of the epoch logs: "val_loss" (default), "loss", "val_accuracy", ...
    factor : float
        Multiplies the lr at each drop; in (0, 1).
    patience : int
        Epochs in a row without improvement tolerated, >= 0.
    min_delta : float
        Smallest change that counts as an improvement, >= 0.
    cooldown : int
        Epochs after a drop during which bad epochs are not counted, >= 0.
    min_lr : float
        The lr never goes below it, >= 0.
    mode : {"auto", "min", "max"}
        Whether lower or higher is better; "auto" picks "max" for accuracies.

    Examples
    --------
    With patience 1 the lr drops after the second epoch in a row without improvement:

    >>> plateau = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    >>> plateau.optimizer = type("Opt", (), {"lr": 0.4})()  # fit sets the real one
    >>> for epoch, loss in enumerate([1.0, 0.9, 0.95, 0.92, 0.91, 0.8]):
    ...     plateau.on_epoch_end(epoch, {"loss": loss})
    ...     print(epoch, loss, plateau.wait, plateau.optimizer.lr)
    0 1.0 0 0.4
    1 0.9 0 0.4
    2 0.95 1 0.4
    3 0.92 0 0.2
    4 0.91 1 0.2
    5 0.8 0 0.2
    """

    state_key = "reduce_lr_on_plateau"
    state_name = "plateau"

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        mode: str = "auto",
    ) -> None:
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 < factor < 1:
            raise ValueError(
                f"factor must be a number in (0, 1): the lr is multiplied by it at each drop; "
                f"got {factor!r}. E.g. factor=0.5 halves it."
            )
        self.factor = float(factor)
        self.patience = check_count(patience, "patience")
        self.cooldown = check_count(cooldown, "cooldown")
        self.min_lr = check_non_negative(min_lr, "min_lr")
        self.watch(monitor, mode, check_non_negative(min_delta, "min_delta"))
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self.cooldown_counter = 0

    def on_train_begin(self, net: Any) -> None:
        """Start afresh, unless ``load_state_dict`` has just restored a run's progress."""
        super().on_train_begin(net)
        start_schedule(self)
        self.keep_restored()

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Count the epoch as good or bad; lower the lr once patience has run out."""
        value = self.current(logs)
        if self.improves(value, self.best):
            self.best, self.wait = value, 0
        else:
            self.wait += 1
        if self.cooldown_counter > 0:  # bad epochs in a cooldown do not count
            self.cooldown_counter -= 1
            self.wait = 0
        if self.wait > self.patience:
            opt = fit_optimizer(self)
            new_lr = max(opt.lr * self.factor, self.min_lr)
            if opt.lr - new_lr > EPS:
                opt.lr = new_lr
            self.cooldown_counter, self.wait = self.cooldown, 0

    def state_dict(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able progress, no arrays) for checkpoints.

        Examples
        --------
        >>> ReduceLROnPlateau(monitor="loss").state_dict()
        ({'monitor': 'loss', 'mode': 'min', 'best': None, 'wait': 0, 'cooldown_counter': 0}, {})
        """
        return {**self.progress(), "cooldown_counter": int(self.cooldown_counter)}, {}

    def load_state_dict(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Restore what ``state_dict`` saved; the next ``fit`` continues from it.

        The callback keeps its own factor, patience, cooldown and min_lr; monitor and mode
        must be those of the saved state.

        Raises
        ------
        ValueError
            If the saved state monitors another metric or in another mode.

        Examples
        --------
        >>> plateau = ReduceLROnPlateau(monitor="loss")
        >>> plateau.load_state_dict({"monitor": "loss", "mode": "min", "best": 0.5, "wait": 2,
        ...                          "cooldown_counter": 1}, {})
        >>> plateau.best, plateau.wait, plateau.cooldown_counter
        (0.5, 2, 1)
        """
        self.restore_progress(meta)
        self.cooldown_counter = int(meta.get("cooldown_counter", 0))
