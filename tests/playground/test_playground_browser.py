"""The playground page end to end in headless chromium (Debian's), driven by Playwright."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from glassnet.build import mlp
from glassnet.datasets.generated import spirals
from glassnet.explanation import explain

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
    ref = explain(net, X[7], [float(y[7])], loss="binary_cross_entropy", lr=0.03, weight=(2, 3, 5))
    assert "dE/dw2[4,6] = dE/dz2[6]*dz2[6]/dw2[4,6]" in text
    for line in text.splitlines():  # the same text as glassnet explain, numbers included
        assert line[10:] in ref.to_text(), line
    assert len(text.splitlines()) >= 8


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
        "&batch=8&l2=0.001&seed=3&hidden=5,3,4&act=relu,sigmoid,tanh"
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
    assert page.inner_text("#counts").startswith("120 points: 60 train")
    page.click("#add-layer")
    page.wait_for_function("location.hash.includes('hidden=5%2C3%2C4%2C4')")
