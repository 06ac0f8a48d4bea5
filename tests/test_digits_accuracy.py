"""Digits (8x8, 1797 images) reaches >= 95% test accuracy with a small network in seconds."""

import json
import time

from glassnet import mlp
from glassnet.cli import main
from glassnet.datasets import Standardizer, load


def test_digits_library_reaches_95_percent_fast():
    data = load("digits", seed=0)
    scaler = Standardizer().fit(data.X_train)
    net = mlp([64, 64, 10], "relu", seed=0)
    start = time.perf_counter()
    net.fit(
        scaler.transform(data.X_train),
        data.y_train,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.003,
        epochs=15,
        batch_size=32,
        seed=0,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    scores = net.evaluate(scaler.transform(data.X_test), data.y_test)
    assert scores["accuracy"] >= 0.95
    assert seconds < 10


def test_digits_cli_json_reaches_95_percent(capsys):
    status = main(
        ["train", "--data", "digits", "--hidden", "64", "--epochs", "15", "--lr", "0.003", "--json"]
    )
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"]["accuracy"] >= 0.95
    assert result["metrics"]["n_samples"] == 360
    assert len(result["history"]["history"]["loss"]) == 15
