"""The playground page end to end in headless chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import base64
import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from glassnet import load
from glassnet.datasets.generated import spirals
from glassnet.explain.explanation import explain
from glassnet.layers.dense import Dense
from glassnet.model.build import mlp
from glassnet.playground import views

pytestmark = pytest.mark.browser

SPIRAL = (
    "#dataset=spirals&noise=0.1&points=300&test=0.3&dseed=0&loss=binary_cross_entropy"
    "&opt=adam&lr=0.03&batch=16&l2=0&seed=0&hidden=8,8&act=tanh,tanh"
)


@pytest.fixture
def page(browser: Any, live_server: str) -> Any:
    pg = browser.new_page(viewport={"width": 1400, "height": 950})
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.base = live_server
    yield pg
    pg.close()
    assert not errors, errors


def open_page(page: Any, hash_: str = SPIRAL) -> None:
    page.goto(page.base + "/" + hash_)
    page.wait_for_function("window.playground.state && window.playground.state.epoch === 0")


def error_text(page: Any) -> str:
    page.wait_for_selector("#error:not([hidden])", timeout=5000)
    return page.inner_text("#error")


def check_png(path: Path) -> None:
    from PIL import Image

    img = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)  # (H, W, 3)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert img.shape[0] > 300 and img.std() > 20  # not blank
    assert len(np.unique(img.reshape(-1, 3)[::50], axis=0)) > 50  # many colours


def test_train_spirals_until_the_test_loss_is_low(page: Any, tmp_path: Path) -> None:
    open_page(page)
    page.click("#play")
    page.wait_for_function(
        "parseFloat(document.getElementById('test-loss').textContent) < 0.3", timeout=40_000
    )
    page.click("#play")  # pause
    page.wait_for_function("!window.playground.state.playing")
    assert int(page.inner_text("#epoch")) > 10
    page.screenshot(path=tmp_path / "trained.png", full_page=True)
    check_png(tmp_path / "trained.png")
    page.locator("#data-canvas").screenshot(path=tmp_path / "map.png")
    check_png(tmp_path / "map.png")


def test_click_adds_a_point_and_right_click_removes(page: Any) -> None:
    open_page(page)
    assert page.inner_text("#counts").startswith("300 points")
    page.click("#data-canvas", position={"x": 20, "y": 20})
    page.wait_for_function("document.getElementById('counts').textContent.startsWith('301')")
    page.click("#data-canvas", position={"x": 20, "y": 20}, button="right")
    page.wait_for_function("document.getElementById('counts').textContent.startsWith('300')")


def test_step_mode_shows_the_explain_equation(page: Any) -> None:
    open_page(page)
    page.fill("#sample-index", "7")
    page.click("#sample-forward")
    page.wait_for_function(
        "window.playground.sample && window.playground.sample.phase === 'forward'"
    )
    page.click("#sample-backward")
    page.wait_for_function("window.playground.sample.phase === 'backward'")
    edge = page.locator('#net-svg path.edge[data-layer="2"][data-param="W[3,5]"]')
    edge.dispatch_event("click")
    page.wait_for_function("document.getElementById('equation').textContent.includes('dE/dw')")
    text = page.inner_text("#equation")
    X, y = spirals(300, noise=0.1, seed=0)
    net = mlp([2, 8, 8, 1], ["tanh", "tanh"], "sigmoid", seed=0).copy("float64")
    ref = explain(net, X[7], [float(y[7])], loss="binary_cross_entropy", lr=0.03)  # every line
    assert "dE/dw2[4,6] = dE/dz2[6]*dz2[6]/dw2[4,6]" in text
    # each equation is shown one term a line (before: one long line each, behind a scroll
    # bar); its unwrapped text, in data-text, is explain's own line, numbers included
    shown = page.eval_on_selector_all(
        "#equation .eq",
        "els => els.map(e => [e.dataset.text, [...e.querySelectorAll('.eq-line')]"
        ".map(l => l.textContent)])",
    )
    assert len(shown) >= 8
    for line, rows in shown:
        assert line in ref.to_text(), line
        assert " ".join(rows) == line  # cut only between terms: nothing lost or reordered


def test_csv_upload_and_limits(page: Any, tmp_path: Path) -> None:
    open_page(page)
    good = tmp_path / "points.csv"
    good.write_text("x1,x2,label\n0,0,0\n0.5,0.5,1\n-0.5,0.5,0\n0.5,-0.5,1\n0.1,0.2,0\n")
    page.set_input_files("#csv-file", str(good))
    page.wait_for_function("document.getElementById('counts').textContent.startsWith('5 points')")
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n3,4\n")
    page.set_input_files("#csv-file", str(bad))
    assert "expected 3 columns" in error_text(page)
    page.evaluate("document.getElementById('error').hidden = true")
    big = tmp_path / "big.csv"
    big.write_text("0,0,0\n" * (6 * 2**20 // 6 + 10))
    page.set_input_files("#csv-file", str(big))
    assert "larger than the limit of 5 MB" in error_text(page)
    page.evaluate("document.getElementById('error').hidden = true")
    page.fill("#neurons-0", "300")
    page.dispatch_event("#neurons-0", "change")
    assert "between 1 and 256" in error_text(page)
    assert page.inner_text("#counts").startswith("5 points")  # the session is still there


def test_url_state_round_trip(page: Any) -> None:
    hash_ = (
        "#dataset=moons&noise=0.2&points=120&test=0.5&dseed=4&loss=mse&opt=rmsprop&lr=0.01"
        "&batch=8&l1=0.002&l2=0.001&seed=3&hidden=5,3,4&act=relu,sigmoid,tanh"
    )
    page.goto(page.base + "/" + hash_)
    page.wait_for_function(
        "window.playground.state && window.playground.state.net.widths.join() === '2,5,3,4,1'"
    )
    assert page.input_value("#dataset") == "moons" and page.input_value("#optimizer") == "rmsprop"
    assert page.input_value("#lr") == "0.01" and page.input_value("#neurons-1") == "3"
    assert page.input_value("#act-0") == "relu" and page.input_value("#l2") == "0.001"
    spec = page.evaluate("window.playground.state.spec")
    assert spec["loss"] == "mse" and spec["batch_size"] == 8 and spec["seed"] == 3
    assert (spec["l1"], spec["l2"], page.input_value("#l1")) == (0.002, 0.001, "0.002")
    assert page.inner_text("#counts").startswith("120 points: 60 train")
    page.click("#add-layer")
    page.wait_for_function("location.hash.includes('hidden=5%2C3%2C4%2C4')")


def click_download(page: Any, button: str, folder: Path) -> Path:
    """Click ``button`` and save the file the page offers (a blob URL and an <a download>)."""
    with page.expect_download(timeout=10_000) as info:
        page.click(button)
    download = info.value
    assert download.failure() is None, f"{button}: the download failed: {download.failure()}"
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_download_data_saves_the_current_points_as_csv(page: Any, tmp_path: Path) -> None:
    open_page(page)
    page.click("#data-canvas", position={"x": 20, "y": 20})  # a 301st point, class 0
    page.wait_for_function("window.playground.data.points.length === 301")
    points = page.evaluate("window.playground.data.points")  # [x1, x2, label, is_test] each
    path = click_download(page, "#download-data", tmp_path)
    assert path.name == "glassnet-data.csv"
    with path.open(newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["x1", "x2", "label", "split"], header
    assert len(rows) == len(points) == 301, (len(rows), len(points))
    xy = np.array([[float(r[0]), float(r[1])] for r in rows])  # (301, 2)
    # The page's points are rounded to 4 decimals, the CSV's to 6 significant digits.
    np.testing.assert_allclose(
        xy, [p[:2] for p in points], rtol=0, atol=1e-4, err_msg="CSV x1, x2 != the page's points"
    )
    assert [int(r[2]) for r in rows] == [p[2] for p in points], "labels differ from the page's"
    assert [r[3] for r in rows] == ["test" if p[3] else "train" for p in points]
    X, y = spirals(300, noise=0.1, seed=0)  # the generated points, then the one clicked in
    np.testing.assert_allclose(xy[:300], X, rtol=1e-5, atol=1e-6, err_msg="CSV != spirals()")
    assert [int(r[2]) for r in rows[:300]] == y.tolist()
    box = page.evaluate("document.getElementById('data-canvas').getBoundingClientRect().toJSON()")
    L = page.evaluate("window.playground.data.domain")
    clicked = [20 / box["width"] * 2 * L - L, L - 20 / box["height"] * 2 * L]
    pixel = 2 * L / box["width"]  # Playwright clicks within a pixel of the position asked
    np.testing.assert_allclose(xy[300], clicked, atol=1.5 * pixel, err_msg="not the click's point")
    assert rows[300][2:] == ["0", "train"], rows[300]
    n_test = sum(r[3] == "test" for r in rows)
    assert page.inner_text("#counts").startswith(f"301 points: {301 - n_test} train")


def test_download_model_loads_as_the_sessions_network(page: Any, tmp_path: Path) -> None:
    page.goto(
        page.base + "/#dataset=moons&noise=0.2&points=200&test=0.3&dseed=1&loss=cross_entropy"
        "&opt=adam&lr=0.03&batch=16&l2=0&seed=2&hidden=6,4&act=relu,tanh"
    )
    page.wait_for_function(
        "window.playground.state && window.playground.state.net.widths.join() === '2,6,4,2'"
    )
    for _ in range(3):
        page.click("#step-epoch")
    page.wait_for_function("window.playground.state.epoch === 3")
    state = page.evaluate("window.playground.state")
    path = click_download(page, "#download-model", tmp_path)
    assert path.name == "glassnet-model.npz"
    net = load(path)  # glassnet's safe format: arrays and a JSON architecture, no pickle

    view = views.network_view(net)
    assert (view["widths"], view["activations"]) == ([2, 6, 4, 2], ["relu", "tanh", "identity"])
    assert net.loss_ is not None and net.loss_.name == "cross_entropy"
    dense = [lay for lay in net.layers if isinstance(lay, Dense)]
    for k, d in enumerate(dense):  # the page shows the weights rounded to 4 decimals
        for name, on_page in (("W", state["net"]["weights"][k]), ("b", state["net"]["biases"][k])):
            np.testing.assert_allclose(
                d.params[name], on_page, atol=5.1e-5, err_msg=f"Dense {k} {name} != the page's"
            )
    fresh = mlp([2, 6, 4, 2], ["relu", "tanh"], output_activation=None, seed=2)
    assert not np.allclose(dense[0].params["W"], fresh.layers[0].params["W"]), (
        "the file holds the untrained network, not the one trained for 3 epochs"
    )

    # Predictions: the decision map the page draws (100 x 100 class probabilities, uint8;
    # 48 x 48 before the map was drawn finer)...
    domain = page.evaluate("window.playground.data.domain")
    shown = np.frombuffer(base64.b64decode(state["out"]["probs"]), dtype=np.uint8)
    ours = np.frombuffer(
        base64.b64decode(views.output_map(net, domain, "cross_entropy")["probs"]), dtype=np.uint8
    )
    assert state["out"]["size"] == views.OUTPUT_GRID == 100
    assert shown.shape == ours.shape == (2 * 100 * 100,)
    worst = np.abs(shown.astype(int) - ours).max()
    assert worst <= 1, f"the loaded net's decision map differs from the page's by {worst}/255"
    # ...and the server network's own outputs for two samples, in full precision (step mode).
    for index in (0, 7):
        page.fill("#sample-index", str(index))
        page.click("#sample-forward")
        page.wait_for_function(
            f"window.playground.sample && window.playground.sample.index === {index}"
        )
        sample = page.evaluate("window.playground.sample")
        out = net.copy("float64").predict(np.array([sample["x"]]))[0]
        np.testing.assert_allclose(
            out, sample["output"], rtol=1e-9, atol=1e-12, err_msg=f"output of sample {index}"
        )


def test_input_features_are_picked_drawn_and_kept_in_the_url(page: Any, tmp_path: Path) -> None:
    circles = SPIRAL.replace("dataset=spirals", "dataset=circles").replace(
        "hidden=8,8&act=tanh,tanh", "hidden=&act="
    )
    open_page(page, circles)
    assert page.locator("#feature-picker input").count() == 7
    page.uncheck('#feature-picker input[data-feature="x1"]')
    page.wait_for_function("window.playground.state.net.widths.join() === '1,1'")
    page.click('#feature-picker input[data-feature="x2"]')  # the last one stays checked
    assert "at least one input" in error_text(page)
    assert page.is_checked('#feature-picker input[data-feature="x2"]')
    page.check('#feature-picker input[data-feature="x1^2"]')
    page.check('#feature-picker input[data-feature="x2^2"]')
    page.uncheck('#feature-picker input[data-feature="x2"]')
    page.wait_for_function("window.playground.state.spec.features.join() === 'x1^2,x2^2'")
    assert "feat=x1%5E2%2Cx2%5E2" in page.evaluate("location.hash")
    labels = page.locator("#net-svg text").all_text_contents()
    assert "x\u2081\u00b2" in labels and "x\u2082\u00b2" in labels  # beside the input nodes
    for _ in range(40):  # no hidden layer: a circle is a line in x1^2 and x2^2
        page.click("#step-epoch")
    page.wait_for_function("window.playground.state.epoch === 40")
    assert page.evaluate("window.playground.state.test_accuracy") >= 0.9

    # a model from a file brings its layers and inputs into the editor
    model = mlp([3, 5, 1], "relu", "sigmoid", seed=1)
    model.feature_names = ["x1", "x2", "x1*x2"]
    model.save(tmp_path / "m.npz")
    page.set_input_files("#model-file", str(tmp_path / "m.npz"))
    page.wait_for_function("window.playground.state.net.widths.join() === '3,5,1'")
    assert page.evaluate("window.playground.features") == ["x1", "x2", "x1*x2"]
    assert page.evaluate("window.playground.hidden") == [5]
    assert page.input_value("#neurons-0") == "5" and page.input_value("#act-0") == "relu"
    assert page.is_checked('#feature-picker input[data-feature="x1*x2"]')


CANVAS_STATS = """() => {
  const c = document.getElementById('data-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  let white = 0;
  for (let i = 0; i < d.length; i += 4) {
    colours.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
    if (d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255) white++;
  }
  return [colours.size, white];
}"""


def test_show_test_data_and_discretize_redraw_the_map(page: Any) -> None:
    open_page(page)
    for _ in range(5):
        page.click("#step-epoch")
    page.wait_for_function("window.playground.state.epoch === 5")
    colours, white = page.evaluate(CANVAS_STATS)
    page.uncheck("#show-test")  # the test points (white rings) go
    _, white_without_test = page.evaluate(CANVAS_STATS)
    assert white_without_test < 0.7 * white
    page.check("#discretize")  # each cell one class colour: far fewer colours
    discrete_colours, _ = page.evaluate(CANVAS_STATS)
    assert discrete_colours < 0.5 * colours, (discrete_colours, colours)
    page.check("#show-test")
    page.uncheck("#discretize")
    assert page.evaluate(CANVAS_STATS) == [colours, white]  # as before: only drawing changed


def test_a_regression_set_trains_and_draws_its_values(page: Any) -> None:
    open_page(page, SPIRAL.replace("dataset=spirals", "dataset=gaussian"))
    page.wait_for_function("window.playground.data && window.playground.data.regression")
    assert page.is_disabled("#loss")  # the squared error, whatever the select says
    assert "regression" in page.inner_text("#classes")
    assert page.inner_text("#test-acc") == "-"
    start = page.evaluate("window.playground.state.test_loss")
    page.click("#play")
    page.wait_for_function(f"window.playground.state.test_loss < {start} / 3", timeout=40_000)
    page.click("#play")
    page.wait_for_function("!window.playground.state.playing")
    assert page.evaluate("window.playground.state.out.regression")
    colours, _ = page.evaluate(CANVAS_STATS)
    assert colours > 100  # a smooth map of values, not a blank canvas


def test_a_lesson_link_sets_up_the_page(page: Any) -> None:
    import re

    lessons = (Path(__file__).resolve().parents[2] / "docs" / "playground-lessons.md").read_text()
    links = re.findall(r"\]\(http://127\.0\.0\.1:8765/(#[^)]+)\)", lessons)
    l1 = next(h for h in links if "l1=0.003" in h)
    open_page(page, l1)
    page.wait_for_function("window.playground.state.spec.features.length === 7")
    spec = page.evaluate("window.playground.state.spec")
    assert spec["l1"] == 0.003 and spec["hidden"] == [6] and "sin(pi*x2)" in spec["features"]
    assert page.is_checked('#feature-picker input[data-feature="sin(pi*x1)"]')
