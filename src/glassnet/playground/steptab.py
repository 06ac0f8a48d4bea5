"""The playground's step-mode messages: one sample's forward, backward and update, explained.

Step mode works on a copy of the tab's network, so looking never changes the model; only
``sample_update`` copies the explained step's new parameters back. The step is always plain
SGD with the tab's learning rate, whatever optimiser training uses, so that the update line
``w <- w - lr*dE/dw`` shows the numbers that were really applied. ``load_preset`` loads a
known network and its sample (:mod:`glassnet.playground.presets`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.playground import stepmode, validate
from glassnet.playground.presets import get_preset


class StepModeHandlers:
    """The ``on_sample_*``, ``on_explain_param`` and ``on_load_preset`` handlers, mixed into
    the server's Tab.

    They use the Tab's ``session`` and ``step``, and its coroutines ``stop_playing``,
    ``compute``, ``send``, ``state_msg``, ``data_msg``, ``claim_weights`` and ``changed``.
    """

    session: Any
    step: dict[str, Any] | None
    playing: bool

    def _sample(self, index: int) -> tuple[np.ndarray, Any]:
        s = self.session
        width = s.net.out_features
        x = s.inputs(s.X[index : index + 1])[0].astype(np.float64)  # the chosen features
        if s.given is not None:  # a preset's targets, one per output
            return x, s.given[index].tolist()
        if s.regression:  # the point's value
            return x, [float(s.y[index])]
        return x, stepmode.sample_target(int(s.y[index]), s.net_spec.loss, width)

    async def on_sample_forward(self, msg: dict[str, Any]) -> None:
        s = self.session
        index = validate.integer(msg, "index", 0, len(s.X) - 1)
        if await self.stop_playing():
            await self.send_state("pause")
        x, t = self._sample(index)
        net = s.net.copy()

        def run() -> dict[str, Any]:
            step = stepmode.run_step(net, x, t, s.loss_name, s.net_spec.lr)
            return {"step": step, "values": stepmode.node_values(step)}

        result = await self.compute(run)
        self.step = {"index": index, "net": net, "x": x, "t": t, **result, "phase": "forward"}
        fwd = {k: v for k, v in result["values"].items() if k in ("x", "output", "target")}
        fwd["layers"] = [{"z": lay["z"], "a": lay["a"]} for lay in result["values"]["layers"]]
        await self.send({"type": "sample", "phase": "forward", "index": index, **fwd})

    def _need_step(self, phase: str) -> dict[str, Any]:
        if self.step is None:
            raise ValueError("pick a sample and run its forward pass first (step mode: Forward).")
        if phase == "update" and self.step["phase"] != "backward":
            raise ValueError("run the backward pass before applying the update.")
        return self.step

    async def on_sample_backward(self, msg: dict[str, Any]) -> None:
        step = self._need_step("backward")
        step["phase"] = "backward"
        await self.send(
            {"type": "sample", "phase": "backward", "index": step["index"], **step["values"]}
        )

    async def on_sample_update(self, msg: dict[str, Any]) -> None:
        step = self._need_step("update")
        records = [r for r in step["step"].trace.layers if r.kind == "Dense"]
        dense = [lay for lay in self.session.net.layers if lay.params]

        def apply() -> None:
            for rec, lay in zip(records, dense, strict=True):
                for key, value in rec.params_after.items():
                    lay.params[key][...] = value
            self.session.record()

        await self.compute(apply)
        await self.changed(cause="sample_update")

    async def on_explain_param(self, msg: dict[str, Any]) -> None:
        step = self._need_step("explain")
        layer = validate.integer(msg, "layer", 1, validate.MAX_LAYERS + 1)
        param = msg.get("param")
        digits = validate.integer(msg, "digits", *validate.DIGITS, 4)
        s = self.session
        args = (step["net"], step["x"], step["t"], s.loss_name, s.net_spec.lr, layer, param, digits)
        result = await self.compute(stepmode.param_equations, *args)
        await self.send({"type": "equation", **result})

    async def on_load_preset(self, msg: dict[str, Any]) -> None:
        """A known network and its one sample, ready for Forward (the page takes its settings)."""
        name = msg.get("name")
        preset = get_preset(name)
        await self.stop_playing()
        await self.compute(self.session.load_preset, preset, name)
        self.step = None
        self.claim_weights()
        data = await self.compute(self.data_msg)
        await self.send(
            {**data, "preset": {"name": name, "title": preset.title, "note": preset.note}}
        )
        state = await self.compute(self.state_msg)
        await self.send({**state, "loaded": True, "cause": "load_preset"})
