"""The playground keeps up, in headless chromium at 1440x900: Pause, +1 batch and +1 epoch act
within 200 ms while playing large networks; every network is drawn (wide layers as heat maps);
the decision map is 100 x 100 and smooth; the colours are TensorFlow Playground's.

Before: with hidden layers 32 x 6 each redraw took ~128 ms while frames came every 100 ms, so
Pause took 102 s once and never acted another time; "+1 epoch" took 1.5-3.9 s; a 2-64-1
network showed a blank panel ("too large to draw neuron by neuron").
"""

from __future__ import annotations

import base64
import re
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from glassnet.playground import views

pytestmark = pytest.mark.browser

SPIRALS = "#dataset=spirals&noise=0.1&points=300&test=0.3&dseed=0&loss=binary_cross_entropy" \
    "&opt=adam&lr=0.03&batch=16&l1=0&l2=0&seed=0&feat=x1%2Cx2"  # fmt: skip
STATIC = Path(__file__).resolve().parents[2] / "src" / "glassnet" / "playground" / "static"


def hidden(width: int, depth: int) -> str:
    return f"&hidden={','.join([str(width)] * depth)}&act={','.join(['tanh'] * depth)}"


@pytest.fixture
def page(browser: Any, live_server: str) -> Any:
    pg = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.base = live_server
    yield pg
    pg.close()
    assert not errors, errors


def open_page(page: Any, hash_: str) -> None:
    """Open the page at ``hash_`` and wait for the network it names."""
    page.goto(page.base + "/" + hash_)
    hidden = re.search(r"hidden=([^&]*)", hash_).group(1)
    want = ",".join(["2", *[w for w in hidden.split(",") if w], "1"])
    page.wait_for_function(
        f"window.playground.state && window.playground.state.net.widths.join() === '{want}'"
    )


def latency(page: Any, button: str) -> float:
    """Milliseconds from a click on ``button`` while playing to the page drawing a state that
    is no longer playing: the click's effect on the screen."""
    if not page.evaluate("window.playground.state.playing"):
        page.evaluate("document.getElementById('play').click()")
        page.wait_for_function("window.playground.state.playing")
    page.wait_for_timeout(600)  # a few frames in
    page.evaluate(f"window.t0 = performance.now(); document.getElementById('{button}').click()")
    page.wait_for_function(
        "window.playground.drawLog.some(d => d.t > window.t0 && !d.playing)", timeout=20_000
    )
    return page.evaluate(
        "window.playground.drawLog.find(d => d.t > window.t0 && !d.playing).t - window.t0"
    )


@pytest.mark.parametrize(("width", "depth"), [(32, 6), (8, 64)], ids=["6x32", "64x8"])
def test_pause_and_steps_act_within_200_ms_while_playing(page: Any, width: int, depth: int) -> None:
    open_page(page, SPIRALS + hidden(width, depth))
    page.click("#step-batch")  # the optimiser's kernels compile on the first step
    page.wait_for_function("window.playground.state.epoch_float > 0", timeout=60_000)
    page.evaluate("document.getElementById('play').click()")
    page.wait_for_timeout(2500)
    frames = page.evaluate("window.playground.drawLog.filter(d => d.frame)")
    assert len(frames) >= 5 and statistics.median(f["ms"] for f in frames) < 100  # drawn fast
    measured = {
        b: [latency(page, b) for _ in range(3)] for b in ("play", "step-batch", "step-epoch")
    }
    print(
        f"{depth}x{width} click-to-effect ms:",
        {b: [round(v) for v in m] for b, m in measured.items()},
    )
    for button, ms in measured.items():  # the median of three, on a shared two-core machine
        assert statistics.median(ms) < 200, (button, ms)
    assert not page.evaluate("window.playground.state.playing")
    epoch = page.evaluate("window.playground.state.epoch_float")
    page.wait_for_timeout(400)
    assert page.evaluate("window.playground.state.epoch_float") == epoch  # really stopped


CANVAS_INK = """(id) => {
  const c = document.getElementById(id), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink++;
  return ink / (d.length / 4);
}"""


@pytest.mark.parametrize(
    ("widths", "matrices"),
    [([64], 0), ([32] * 6, 5), ([8] * 64, 63), ([256, 256], 2)],
    ids=["2-64-1", "6x32", "64x8", "2x256"],
)
def test_every_network_is_drawn_wide_layers_as_heat_maps(
    page: Any, widths: list[int], matrices: int
) -> None:
    act = ",".join(["relu"] * len(widths))
    open_page(page, SPIRALS + f"&hidden={','.join(map(str, widths))}&act={act}")
    net = page.evaluate("window.playground.state.net")
    assert net["widths"] == [2, *widths, 1]
    assert "too large" not in page.inner_text("#net-panel")
    assert page.locator("#net-svg rect.node-hit").count() == sum(net["widths"])
    assert page.locator("#net-svg rect.matrix-hit").count() == matrices
    pairs = list(zip(net["widths"], net["widths"][1:], strict=False))
    as_edges = [page.locator(f'#net-svg rect.matrix-hit[data-layer="{k + 1}"]').count() == 0
                for k in range(len(pairs))]  # fmt: skip
    assert page.locator("#net-svg path.edge").count() == sum(
        a * b for (a, b), drawn in zip(pairs, as_edges, strict=True) if drawn
    )
    assert page.evaluate(CANVAS_INK, "net-canvas") > 0.005  # maps and heat maps painted
    # a heat map's cell is a weight: hovering names it, clicking opens its editor
    if matrices:
        box = page.locator('#net-svg rect.matrix-hit[data-layer="2"]').bounding_box()
        page.mouse.move(box["x"] + 1, box["y"] + 1)
        assert re.match(r"w2\[\d+,\d+\] [=\u2248] -?\d\.\d{4} ", page.inner_text("#net-tip"))


def cell_colours(out: dict[str, Any]) -> np.ndarray:
    """The decision map's 100 x 100 cell colours as draw.js mixes them (two classes)."""
    n = out["size"]
    p = np.frombuffer(base64.b64decode(out["probs"]), np.uint8).reshape(2, n, n) / 255
    colours = np.array([[245, 147, 34], [8, 119, 189]], dtype=float)  # class 0, class 1
    mix = np.einsum("cyx,ck->yxk", p, colours)  # (n, n, 3)
    keep = 0.25 + 0.55 * np.maximum(0, (p.max(axis=0) - 0.5) / 0.5)  # (n, n)
    return np.floor(255 - keep[..., None] * (255 - mix) + 0.5)  # canvas bytes round


def test_the_decision_map_is_100_by_100_and_drawn_smoothly(page: Any) -> None:
    open_page(page, SPIRALS + "&hidden=&act=")  # one neuron: sigmoid(w1 x1 + w2 x2 + b)
    for param, value in (("W[0,0]", 30), ("W[1,0]", 12), ("b[0]", 0.5)):  # a sharp, tilted edge
        page.evaluate(f"send({{type: 'set_weight', layer: 1, param: '{param}', value: {value}}})")
        page.wait_for_function(f"window.playground.state.net.{'weights[0]' if param[0] == 'W' else 'biases'}"
                               f"{'[' + param[2] + ']' if param[0] == 'W' else '[0]'}[0] === {value}")  # fmt: skip
    out = page.evaluate("window.playground.state.out")
    assert out["size"] == views.OUTPUT_GRID == 100  # before: 48 x 48 cells
    page.uncheck("#show-test")
    assert page.evaluate("devicePixelRatio") == 1
    shown = np.array(
        page.evaluate("""() => Array.from(document.getElementById('data-canvas')
        .getContext('2d').getImageData(0, 0, 420, 420).data)"""),
        dtype=float,
    )
    shown = shown.reshape(420, 420, 4)[..., :3]
    cells = cell_colours(out)  # (100, 100, 3)
    u = (np.arange(420) + 0.5) * 100 / 420 - 0.5  # each pixel's place among the cells
    rows = np.stack(
        [
            np.interp(u, np.arange(100), cells[:, x, c])  # (420, 100, 3)
            for x in range(100)
            for c in range(3)
        ],
        axis=1,
    ).reshape(420, 100, 3)
    bilinear = np.stack(
        [np.interp(u, np.arange(100), rows[y, :, c]) for y in range(420) for c in range(3)]
    ).reshape(420, 3, 420)
    bilinear = bilinear.transpose(0, 2, 1)  # (420, 420, 3)
    near = np.minimum(99, np.arange(420) * 100 // 420)
    blocky = cells[near][:, near]  # each cell a 4.2 px block, as a map drawn without smoothing
    data = page.evaluate("window.playground.data")
    L = data["domain"]
    yy, xx = np.mgrid[0:420, 0:420]
    away = (np.abs(xx - 210) > 2) & (np.abs(yy - 210) > 2)  # not the axes
    for x1, x2, *_ in data["points"]:  # nor a data point
        away &= np.hypot(xx - (x1 + L) / (2 * L) * 420, yy - (L - x2) / (2 * L) * 420) > 6
    away[400:] = False  # nor the axis label
    differ = away & (np.abs(bilinear - blocky).sum(axis=2) > 6)  # where smoothing shows
    assert differ.sum() > 2000  # the map is not flat
    smooth = np.abs(shown - bilinear)[differ].mean()
    steps = np.abs(shown - blocky)[differ].mean()
    assert smooth < 0.5 * steps, (smooth, steps)


def test_the_colours_are_tensorflow_playground_s_and_the_gallery_s(page: Any) -> None:
    # the page's two colours are the gallery's (glassnet.plot._base), not its own
    base = (STATIC.parents[1] / "plot" / "_base.py").read_text()
    positive = re.search(r'POSITIVE = "#([0-9a-f]{6})"', base).group(1)
    negative = re.search(r'NEGATIVE = "#([0-9a-f]{6})"', base).group(1)
    rgb = {name: [int(h[i : i + 2], 16) for i in (0, 2, 4)] for name, h in
           (("positive", positive), ("negative", negative))}  # fmt: skip
    open_page(page, SPIRALS + hidden(4, 1))
    assert (
        page.evaluate("POSITIVE") == rgb["positive"]
        and page.evaluate("NEGATIVE") == rgb["negative"]
    )
    assert page.evaluate("CLASS_COLORS.slice(0, 2)") == [rgb["negative"], rgb["positive"]]
    # edges: blue where the weight is positive, orange where negative
    weights = page.evaluate("window.playground.state.net.weights[0]")
    for i, row in enumerate(weights):
        for j, w in enumerate(row):
            stroke = page.get_attribute(
                f'#net-svg path.edge[data-layer="1"][data-param="W[{i},{j}]"]', "stroke"
            )
            assert stroke == "#" + (positive if w >= 0 else negative), (i, j, w, stroke)
    # a class-1 point is blue and a class-0 point orange, on the map
    pixel = """([x, y]) => {
      const c = document.getElementById('data-canvas'), r = c.width / 420, L = window.playground.data.domain;
      const px = Math.round((x + L) / (2 * L) * 420 * r), py = Math.round((L - y) / (2 * L) * 420 * r);
      return Array.from(c.getContext('2d').getImageData(px, py, 1, 1).data.slice(0, 3));
    }"""
    points = page.evaluate("window.playground.data.points")
    for label in (0, 1):
        p = next(p for p in points if p[2] == label and not p[3])
        got = page.evaluate(pixel, p[:2])
        want = rgb["positive" if label == 1 else "negative"]
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 3, (label, got)
    # the input x1's map: orange where x1 < 0, blue where x1 > 0 (hovered, enlarged)
    page.hover('#net-svg rect.node-hit[data-layer="0"][data-node="0"]')
    page.wait_for_function("window.playground.focus && window.playground.focus.layer === 0")
    page.wait_for_timeout(100)
    left = page.evaluate(pixel, [-0.95 * page.evaluate("window.playground.data.domain"), 1.3])
    right = page.evaluate(pixel, [0.95 * page.evaluate("window.playground.data.domain"), 1.3])
    assert left[0] > left[2] + 60 and right[2] > right[0] + 60, (left, right)
