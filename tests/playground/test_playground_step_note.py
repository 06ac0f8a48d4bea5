"""The page says, next to the step-mode controls, that step mode is always plain SGD."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

HASH = "#dataset=xor&points=60&loss=binary_cross_entropy&opt=rmsprop&lr=0.05&hidden=4&act=tanh"


@pytest.fixture
def page(browser: Any, live_server: str) -> Any:
    pg = browser.new_page(viewport={"width": 1400, "height": 950})
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(live_server + "/" + HASH)
    pg.wait_for_function("window.playground.state && window.playground.state.epoch === 0")
    yield pg
    pg.close()
    assert not errors, errors


def test_step_mode_note_names_plain_sgd_and_the_selected_optimiser(page: Any) -> None:
    note = page.locator("#step-panel #step-note")
    assert note.is_visible()
    text = note.inner_text()
    assert "always takes one plain SGD step" in text and "w ← w − lr·dE/dw" in text
    assert "no L1 or L2" in text and "(now: rmsprop)" in text  # the optimiser from the URL
    # It sits between the step-mode heading and the Forward / Backward / Update buttons.
    heading, buttons = page.locator("#step-panel h3"), page.locator("#sample-forward")
    assert heading.bounding_box()["y"] < note.bounding_box()["y"] < buttons.bounding_box()["y"]
    page.select_option("#optimizer", "momentum")
    page.wait_for_function("document.getElementById('step-opt').textContent === 'momentum'")
    assert "(now: momentum)" in note.inner_text()
