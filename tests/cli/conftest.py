"""Data files the CLI tests share."""

import csv

import numpy as np
import pytest


def write_houses(path, n=600, seed=0):
    """A house-price CSV: price = 50 sqft + 10000 bedrooms - 500 age + 50000 + noise, about
    1.7e5 +- 5.5e4 (R^2 can reach about 0.93: the noise's std is 15000)."""
    rng = np.random.default_rng(seed)
    sqft = rng.uniform(500, 4000, n)
    beds = rng.integers(1, 6, n)
    age = rng.uniform(0, 100, n)
    price = 50 * sqft + 10000 * beds - 500 * age + 50000 + rng.normal(0, 15000, n)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sqft", "bedrooms", "age", "price"])
        w.writerows(
            [f"{a:.6g}", int(b), f"{c:.6g}", f"{d:.8g}"]
            for a, b, c, d in zip(sqft, beds, age, price, strict=True)
        )
    return path


@pytest.fixture(scope="session")
def houses(tmp_path_factory):
    """The path of a 600-row house-price CSV (targets near 1e5)."""
    return str(write_houses(tmp_path_factory.mktemp("houses") / "houses.csv"))
