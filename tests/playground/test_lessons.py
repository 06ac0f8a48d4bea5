"""docs/playground-lessons.md: every link sets up what its lesson says, and the numbers the
lesson promises are the ones glassnet reaches. The links are read as the page reads its
address (app.js's URL fields) and checked by the server's own validators."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

import numpy as np
import pytest

from glassnet.playground.session import DivergedError, Session
from glassnet.playground.validate import data_spec, net_spec

LESSONS = Path(__file__).resolve().parents[2] / "docs" / "playground-lessons.md"


def _links() -> list[str]:
    return re.findall(r"\]\((http://127\.0\.0\.1:8765/#[^)]+)\)", LESSONS.read_text())


def session_of(link: str) -> Session:
    """The tab a link opens: its hash read as app.js's readHash, sent as sendData/sendNetwork."""
    q = dict(parse_qsl(urlparse(link).fragment, keep_blank_values=True))
    hidden = [int(v) for v in unquote(q["hidden"]).split(",") if v]
    acts = [a for a in unquote(q["act"]).split(",") if a]
    data = data_spec({"dataset": q["dataset"], "noise": float(q["noise"]),
                      "n_points": int(q["points"]), "test_ratio": float(q["test"]),
                      "seed": int(q["dseed"])})  # fmt: skip
    net = net_spec({"hidden": hidden, "activations": [acts[k] if k < len(acts) else "tanh"
                                                      for k in range(len(hidden))],
                    "features": unquote(q["feat"]).split(","), "loss": q["loss"],
                    "optimizer": q["opt"], "lr": float(q["lr"]), "batch_size": int(q["batch"]),
                    "l1": float(q["l1"]), "l2": float(q["l2"]), "seed": int(q["seed"])})  # fmt: skip
    return Session(data, net)


def small_weights(s: Session) -> float:
    W = np.concatenate([p.value.ravel() for p in s.net.parameters() if p.name.endswith("W")])
    return float(np.mean(np.abs(W) < 0.02))


# what each link's lesson promises, in the page's order: (epochs, check of the summary)
PROMISES = [
    (100, lambda s, m: m["test_accuracy"] < 0.75),  # 1 xor, one neuron
    (100, lambda s, m: m["test_accuracy"] >= 0.95),  # 2 xor with x1x2
    (100, lambda s, m: m["test_accuracy"] >= 0.90),  # 2 circles with x1^2, x2^2
    (100, lambda s, m: m["test_accuracy"] >= 0.90),  # 3 circles, one hidden layer
    (200, lambda s, m: m["test_accuracy"] < 0.70),  # 4 spirals, one layer
    (200, lambda s, m: m["test_accuracy"] >= 0.85),  # 4 spirals, two layers
    (200, lambda s, m: m["test_accuracy"] < 0.70),  # 5 lr 0.003
    (200, lambda s, m: m["test_accuracy"] >= 0.85),  # 5 lr 0.03
    (200, lambda s, m: m["test_accuracy"] < 0.70),  # 5 lr 0.3
    (150, lambda s, m: small_weights(s) > 0.7 and m["test_accuracy"] >= 0.9),  # 6 L1
    (150, lambda s, m: small_weights(s) < 0.5 and m["test_accuracy"] >= 0.9),  # 6 L2
    (150, lambda s, m: m["test_loss"] < 0.05 and m["test_accuracy"] is None),  # 7 regression
    (2, None),  # 7 plain SGD at lr 1: diverges within two epochs
]


def test_every_link_has_its_promise():
    assert len(_links()) == len(PROMISES)


@pytest.mark.parametrize("number", range(len(PROMISES)))
def test_the_lesson_holds(number: int) -> None:
    link = _links()[number]
    epochs, promise = PROMISES[number]
    s = session_of(link)
    if promise is None:
        with pytest.raises(DivergedError, match="Lower the learning rate"):
            s.train(epochs=epochs)
        return
    s.train(epochs=epochs)
    summary = s.summary()
    assert promise(s, summary), (link, summary["test_loss"], summary["test_accuracy"])
