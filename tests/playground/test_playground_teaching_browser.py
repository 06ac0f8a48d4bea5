"""Step mode built for teaching, in headless chromium at 1440x900: equations one term a line
with no horizontal scroll, every dE/dz a line uses derived on a line shown, the clicked weight's
path highlighted, presets with their published numbers; hovering a neuron, setting a weight by
hand and uploading a CSV each update every panel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

LESSONS = Path(__file__).resolve().parents[2] / "docs" / "playground-lessons.md"


@pytest.fixture
def page(browser: Any, live_server: str) -> Any:
    pg = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.base = live_server
    yield pg
    pg.close()
    assert not errors, errors


def lesson(n: int) -> str:
    links = re.findall(r"\]\(http://127\.0\.0\.1:8765/(#[^)]+)\)", LESSONS.read_text())
    return links[n]


def explained(page: Any, layer: int, param: str, digits: str = "4") -> list[dict[str, Any]]:
    """Forward and backward on the current sample, then click a weight: its equations."""
    page.click("#sample-forward")
    page.wait_for_function(
        "window.playground.sample && window.playground.sample.phase === 'forward'"
    )
    page.click("#sample-backward")
    page.wait_for_function("window.playground.sample.phase === 'backward'")
    page.select_option("#digits", digits)
    page.locator(f'#net-svg path.edge[data-layer="{layer}"][data-param="{param}"]').dispatch_event(
        "click"
    )
    page.wait_for_function(
        f"window.playground.equation && window.playground.equation.param === '{param}'"
        f" && window.playground.equation.layer === {layer}"
        f" && window.playground.equation.digits === {digits}"
    )
    return page.evaluate("window.playground.equation.blocks")


LINE_BOXES = """() => {
  const box = document.getElementById('equation');
  const h = parseFloat(getComputedStyle(box).lineHeight);
  return {scroll: box.scrollWidth, client: box.clientWidth, line: h,
          tallest: Math.max(...[...box.querySelectorAll('.eq-line')].map(l => l.getBoundingClientRect().height)),
          lines: box.querySelectorAll('.eq-line').length};
}"""


def test_the_xor_lesson_s_equations_fit_one_term_a_line(page: Any) -> None:
    """Before: every line of the 2-1 xor lesson hid behind a horizontal scroll bar."""
    page.goto(page.base + "/" + lesson(0))  # xor, no hidden layer: 2-1
    page.wait_for_function(
        "window.playground.state && window.playground.state.net.widths.join() === '2,1'"
    )
    blocks = explained(page, 1, "W[0,0]")
    assert [b["lhs"] for b in blocks if b["section"] == "backward"] == [
        "dE/dY", "dY/dz1[1]", "dE/dz1[1]", "dz1[1]/dw1[1,1]", "dE/dw1[1,1]"
    ]  # fmt: skip
    boxes = page.evaluate(LINE_BOXES)
    assert boxes["scroll"] <= boxes["client"], boxes  # no horizontal scroll
    assert boxes["tallest"] < 1.5 * boxes["line"], boxes  # no line wraps: one term each
    z = next(b for b in blocks if b["lhs"] == "z1[1]")
    assert z["lines"][:3] == ["= w1[1,1]*x1", "+ w1[2,1]*x2", "+ b1[1]"]
    assert page.locator("#equation .eq").count() == len(blocks)


def test_the_mazur_preset_gives_the_published_numbers_and_derives_every_dE_dz(page: Any) -> None:
    page.goto(page.base + "/")
    page.wait_for_function("window.playground.state")
    page.click('[data-preset="mazur"]')
    page.wait_for_function("window.playground.state.cause === 'load_preset'")
    assert page.input_value("#lr") == "0.5" and page.input_value("#optimizer") == "sgd"
    assert page.input_value("#loss") == "mse" and page.evaluate("window.playground.hidden") == [2]
    assert "0.35891648" in page.inner_text("#preset-note")
    blocks = explained(page, 2, "W[0,0]", digits="9")  # w5 = w2[1,1]
    text = {b["lhs"]: b["text"] for b in blocks}
    assert text["E"].endswith("= 0.298371109")
    assert text["w2[1,1]"].endswith("= 0.400000000 - 0.5*0.082167041 = 0.358916480")
    assert "E = 0.298371109" in page.inner_text("#sample-info")
    # w1 = w1[1,1]: its chain runs through both outputs; each dE/dz it uses is derived
    blocks = explained(page, 1, "W[0,0]", digits="9")
    shown = {b["lhs"] for b in blocks}
    for b in blocks:
        for used in re.findall(r"dE/d[za]\d+\[\d+\]", b["text"].split(" ", 2)[2]):
            assert used in shown, (b["lhs"], used)
    assert {"dE/dz2[1]", "dE/dz2[2]", "dE/da1[1]", "dE/dz1[1]"} <= shown
    assert next(b for b in blocks if b["kind"] == "update")["text"].endswith("= 0.149780716")
    # the path: w1[1,1] itself and what it feeds (h1 to both outputs), the rest dimmed
    on = page.eval_on_selector_all(
        "#net-svg path.edge.on-path", "els => els.map(e => e.dataset.layer + e.dataset.param)"
    )
    assert sorted(on) == ["1W[0,0]", "2W[0,0]", "2W[0,1]"]
    off = page.get_attribute(
        '#net-svg path.edge[data-layer="1"][data-param="W[1,1]"]', "stroke-opacity"
    )
    assert float(off) < 0.1


def test_the_two_node_preset_is_the_article_s_step(page: Any) -> None:
    page.goto(page.base + "/")
    page.wait_for_function("window.playground.state")
    page.click('[data-preset="two-node"]')
    page.wait_for_function("window.playground.state.cause === 'load_preset'")
    blocks = explained(page, 1, "W[0,0]")
    text = {b["lhs"]: b["text"] for b in blocks}
    assert text["Y"] == "Y = sigmoid(z) = sigmoid(0.6000) = 0.6457"
    assert text["E"] == "E = (Y - target)^2 = (0.6457 - 0.8000)^2 = 0.0238"
    assert text["w"] == "w <- w - lr*dE/dw = 0.5000 - 1*(-0.0706) = 0.5706"
    page.click("#sample-update")  # the step applied: the drawing's weight is 0.5706
    page.wait_for_function("window.playground.state.cause === 'sample_update'")
    assert page.evaluate("window.playground.state.net.weights[0][0][0]") == 0.5706


def test_hovering_a_neuron_enlarges_its_map_and_leaving_restores_the_output(page: Any) -> None:
    page.goto(page.base + "/#dataset=xor&points=100&hidden=4&act=tanh&feat=x1%2Cx2")
    page.wait_for_function(
        "window.playground.state && window.playground.state.net.widths.join() === '2,4,1'"
    )
    picture = "() => document.getElementById('data-canvas').toDataURL()"
    output = page.evaluate(picture)
    page.hover('#net-svg rect.node-hit[data-layer="1"][data-node="2"]')
    page.wait_for_function("window.playground.focus && window.playground.focus.node === 2")
    page.wait_for_timeout(100)
    assert page.evaluate(picture) != output
    assert page.evaluate("window.playground.focus.size") == 100
    assert "a1[3]" in page.inner_text("#net-tip")
    page.mouse.move(5, 5)
    page.wait_for_function("window.playground.hover === null")
    page.wait_for_timeout(100)
    assert page.evaluate(picture) == output


def test_clicking_a_weight_sets_its_value_and_every_panel_follows(page: Any) -> None:
    page.goto(page.base + "/#dataset=xor&points=100&hidden=3&act=tanh&feat=x1%2Cx2")
    page.wait_for_function(
        "window.playground.state && window.playground.state.net.widths.join() === '2,3,1'"
    )
    before = page.evaluate("window.playground.state")
    page.locator('#net-svg path.edge[data-layer="2"][data-param="W[1,0]"]').click(force=True)
    assert not page.is_hidden("#weight-editor")
    assert page.inner_text("#weight-name") == "w2[2,1] ="
    page.fill("#weight-value", "-3")
    page.press("#weight-value", "Enter")
    page.wait_for_function("window.playground.state.cause === 'set_weight'")
    after = page.evaluate("window.playground.state")
    assert after["net"]["weights"][1][1] == [-3]
    assert (
        page.get_attribute('#net-svg path.edge[data-layer="2"][data-param="W[1,0]"]', "stroke")
        == "#f59322"
    )
    assert after["train_loss"] != before["train_loss"]
    assert page.inner_text("#train-loss") == f"{after['train_loss']:.4f}"
    assert after["out"]["probs"] != before["out"]["probs"]
    assert page.is_hidden("#weight-editor")


def test_a_csv_upload_updates_every_panel(page: Any, tmp_path: Path) -> None:
    page.goto(page.base + "/#dataset=spirals&loss=binary_cross_entropy&hidden=4&act=tanh")
    page.wait_for_function(
        "window.playground.state && window.playground.state.net.widths.join() === '2,4,1'"
    )
    csv = tmp_path / "three.csv"
    csv.write_text("x1,x2,label\n" + "".join(
        f"{0.3 * (i % 3) - 0.3 + 0.01 * i},{0.02 * i - 0.4},{i % 3}\n" for i in range(45)))  # fmt: skip
    page.set_input_files("#csv-file", str(csv))
    page.wait_for_function("window.playground.state.net.widths.join() === '2,4,3'")
    assert page.inner_text("#data-description").endswith("3 classes (0: 15, 1: 15, 2: 15)")
    assert page.inner_text("#counts").startswith("45 points")
    assert page.input_value("#dataset") == "other" and "uploaded CSV" in page.inner_text("#dataset")
    assert page.input_value("#loss") == "cross_entropy"  # three classes: the softmax's loss
    assert "loss cross_entropy" in page.inner_text("#n-params")
    assert page.locator("#classes button").count() == 4  # 0, 1, 2 and a new class
    assert page.locator('#net-svg rect.node-hit[data-layer="2"]').count() == 3
    assert "cross-entropy" in page.inner_text("#notice")
    assert page.evaluate("window.playground.state.out.classes") == 3
