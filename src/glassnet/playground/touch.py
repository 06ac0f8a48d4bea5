"""The page's hands on the network: a hovered neuron's map, enlarged, and a weight set by hand.

Hovering a neuron (as in TensorFlow Playground) asks for its output over the whole map at the
decision map's resolution (``focus``); while it stays hovered, every frame carries it, so it
follows the training. Clicking a weight or a bias lets the page set its value
(``set_weight``): the session's network changes, is scored again, and every panel redraws.
"""

from __future__ import annotations

from typing import Any

from glassnet.playground import limits, validate, views


class TouchHandlers:
    """The ``focus`` and ``set_weight`` handlers, mixed into the server's Tab.

    They use the Tab's ``session``, ``focus``, ``compute``, ``send`` and ``changed``.
    """

    session: Any
    focus: tuple[int, int] | None

    def focus_map(self, size: int | None = None) -> dict[str, Any] | None:
        """The hovered neuron's map (:func:`glassnet.playground.views.neuron_map`), or None;
        a neuron the network no longer has is forgotten."""
        if self.focus is None:
            return None
        s = self.session
        size = size or limits.output_size(len(s.X), s.net.n_params)
        try:
            return views.neuron_map(s.net, s.domain, *self.focus, s.net_spec.features, size)
        except ValueError:
            self.focus = None
            return None

    async def on_focus(self, msg: dict[str, Any]) -> None:
        """Hover: layer 0 is the inputs, 1.. the Dense layers; layer -1 lets go."""
        layer = validate.integer(msg, "layer", -1, validate.MAX_LAYERS + 1)
        node = validate.integer(msg, "node", 0, validate.MAX_NEURONS - 1, 0)
        if layer < 0:
            self.focus = None
            await self.send({"type": "focus", "focus": None})
            return
        s = self.session
        size = limits.output_size(len(s.X), s.net.n_params)
        fields = (s.net, s.domain, layer, node, s.net_spec.features, size)
        result = await self.compute(views.neuron_map, *fields)  # a ValueError names the range
        self.focus = (layer, node)
        await self.send({"type": "focus", "focus": result})

    async def on_set_weight(self, msg: dict[str, Any]) -> None:
        layer = validate.integer(msg, "layer", 1, validate.MAX_LAYERS + 1)
        value = validate.weight_value(msg)
        param = msg.get("param")
        await self.compute(self.session.set_param, layer, param, value)
        await self.changed(cause="set_weight")
