"""CSV files as they come: duplicate names, other encodings, long fields, other delimiters,
text columns, missing values, and memory within 3x the file's size."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from glassnet.datasets import read_csv
from glassnet.datasets.csv import read_features
from glassnet.datasets.csv_encode import column_means, fill_missing
from glassnet.datasets.csv_source import parse_delimiter


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_duplicate_column_names_are_refused_naming_them(tmp_path):
    """With header a,a,y, train and evaluate reported 100% but predict fed the first a twice."""
    path = _csv(tmp_path, "a,a,y\n1,2,0\n3,4,1\n")
    with pytest.raises(ValueError, match=r"column name 'a' appears twice in the header of .*"
                       r"\(columns 1 and 2\); rename one of them"):  # fmt: skip
        read_csv(path, target="y")
    with pytest.raises(ValueError, match=r"column name 'a' appears twice"):
        read_features(path, ["a", "y"])


def test_a_file_that_is_not_utf8_names_the_byte_and_the_fix(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("city,t,y\nZurich,1,0\nMontr\xe9al,2,1\n".encode("latin-1"))
    offset = len(b"city,t,y\nZurich,1,0\nMontr")
    with pytest.raises(ValueError, match=rf"is not valid utf-8 text: the byte 0xe9 at byte offset "
                       rf"{offset} \(line 3\) cannot be decoded. Save the file as UTF-8, or pass "
                       r"its encoding \(--encoding latin-1"):  # fmt: skip
        read_csv(path, target="y", categorical="auto")
    t = read_csv(path, target="y", categorical="auto", encoding="latin-1")
    assert t.categories == {"city": ["Montréal", "Zurich"]}
    with pytest.raises(ValueError, match=r"unknown encoding 'klingon'"):
        read_csv(path, target="y", encoding="klingon")


def test_the_byte_offset_is_exact_far_into_a_file(tmp_path):
    path = tmp_path / "late.csv"
    head = "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20_000))
    path.write_bytes(head.encode() + b"1\xff,0\n")
    line = head.count("\n") + 1
    with pytest.raises(
        ValueError, match=rf"byte 0xff at byte offset {len(head) + 1} \(line {line}\)"
    ):
        read_csv(path, target="y")


def test_a_field_longer_than_the_csv_modules_limit_is_a_message(tmp_path):
    """csv.Error ("field larger than field limit") was a traceback; an unclosed quote causes it."""
    path = _csv(tmp_path, 'a,y\n1,0\n"' + "x" * 200_000 + "\n2,1\n")
    with pytest.raises(ValueError, match=r"line 3: a field is longer than 131072 characters, the "
                       r"csv module's limit. A quote \(\"\) opened and never closed"):  # fmt: skip
        read_csv(path, target="y")


@pytest.mark.parametrize(
    "text, expected",
    [("a;b;y\n1,5;2;0\n3,5;4;1\n", ";"), ("a\tb\ty\n1\t2\t0\n3\t4\t1\n", "\t"),
     ("a|b|y\n1|2|0\n3|4|1\n", "|"), ("a,b,y\n1,2,0\n3,4,1\n", ",")],
)  # fmt: skip
def test_the_delimiter_is_detected_when_not_given(tmp_path, text, expected):
    t = read_csv(_csv(tmp_path, text), target="y", delimiter=None, categorical="auto")
    assert t.delimiter == expected and t.feature_names[-1] == "b" and t.y.tolist() == [0, 1]


def test_a_single_column_of_features_falls_back_to_a_comma(tmp_path):
    t = read_csv(_csv(tmp_path, "x,y\n1,0\n2,1\n"), target="y", delimiter=None)
    assert t.delimiter == ","
    with pytest.raises(ValueError, match=r"line 3: 2 fields; expected 3 like the header. Check "
                       r"the delimiter \(';' \(detected; pass --delimiter to choose\)\)"):  # fmt: skip
        read_csv(_csv(tmp_path, "a;b;y\n1;2;0\n3;4\n"), target="y", delimiter=None)


def test_delimiter_words_and_bad_delimiters():
    assert parse_delimiter("tab") == "\t" and parse_delimiter("semicolon") == ";"
    assert parse_delimiter("auto") is None and parse_delimiter("|") == "|"
    with pytest.raises(ValueError, match=r"delimiter must be one character or one of comma"):
        parse_delimiter(";;")


def test_text_columns_are_refused_by_default_and_one_hot_encoded_on_request(tmp_path):
    path = _csv(tmp_path, "size,color,y\n1,red,0\n2,blue,1\n3,green,0\n4,red,1\n")
    with pytest.raises(ValueError, match=r"non-numeric value 'red' in row 1 \(line 2\), column "
                       r"'color'.*--categorical auto"):  # fmt: skip
        read_csv(path, target="y")
    t = read_csv(path, target="y", categorical="auto")
    assert t.feature_names == ["size", "color_blue", "color_green", "color_red"]
    assert t.columns == ["size", "color"] and t.categories == {"color": ["blue", "green", "red"]}
    np.testing.assert_array_equal(t.X, [[1, 0, 0, 1], [2, 1, 0, 0], [3, 0, 1, 0], [4, 0, 0, 1]])
    assert t.X.dtype == np.float32


def test_text_found_only_far_down_a_column_is_encoded_too(tmp_path):
    """The reader parses chunks as numbers; text in a later chunk re-reads the file with the
    column encoded, the numbers in it becoming categories."""
    rows = "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40_000))
    path = _csv(tmp_path, "a,code,y\n" + rows + "7,x9,1\n")
    t = read_csv(path, target="y", categorical="auto")
    assert t.categories == {"code": ["0", "1", "2", "x9"]}
    assert t.X.shape == (40_001, 5) and t.X[-1].tolist() == [7, 0, 0, 0, 1]
    assert t.X[4].tolist() == [4, 0, 1, 0, 0]


def test_a_models_categories_encode_new_rows_and_refuse_unknown_ones(tmp_path):
    categories = {"color": ["blue", "red"]}
    path = _csv(tmp_path, "color,size\nred,1\nblue,2\n")
    X = read_features(path, ["size", "color"], categories=categories)
    assert X.tolist() == [[1, 0, 1], [2, 1, 0]]  # the model's column order, not the file's
    path = _csv(tmp_path, "color,size\nred,1\npurple,2\n", "new.csv")
    with pytest.raises(ValueError, match=r"unknown category 'purple' in row 2 \(line 3\), column "
                       r"'color' .*the model knows \['blue', 'red'\].*handle_unknown='error'"):  # fmt: skip
        read_features(path, ["size", "color"], categories=categories)
    typo = _csv(tmp_path, "colour,size\nred,1\n", "typo.csv")
    with pytest.raises(ValueError, match=r"lacks the feature columns \['color'\]; the model"):
        read_features(typo, ["size", "color"], categories=categories)
    headless = _csv(tmp_path, "1,red\n2,blue\n", "headless.csv")
    assert read_features(headless, ["size", "color"], categories=categories).shape == (2, 3)
    with pytest.raises(ValueError, match=r"lacks the column 'color', which the model one-hot"):
        read_csv(_csv(tmp_path, "size,y\n1,0\n", "x.csv"), target="y", categorical=categories)


def test_missing_values_are_an_error_naming_row_and_column_or_nan_on_request(tmp_path):
    path = _csv(tmp_path, "a,b,c,y\n1,2,red,0\n,4,blue,1\n5,NA,,0\n7,8,red,1\n")
    with pytest.raises(ValueError, match=r"missing value \(empty field\) in row 2 \(line 3\), "
                       r"column 'a' .* --impute mean"):  # fmt: skip
        read_csv(path, target="y", categorical="auto")
    t = read_csv(path, target="y", categorical="auto", allow_missing=True)
    assert t.feature_names == ["a", "b", "c_blue", "c_red"]
    expected = [[1, 2, 0, 1], [np.nan, 4, 1, 0], [5, np.nan, np.nan, np.nan], [7, 8, 0, 1]]
    np.testing.assert_array_equal(t.X, np.array(expected, dtype=np.float32))
    inf = _csv(tmp_path, "a,y\n1,0\ninf,1\n", "inf.csv")
    with pytest.raises(ValueError, match=r"non-finite value 'inf' \(NaN or inf\) in row 2"):
        read_csv(inf, target="y", allow_missing=True)  # inf is not missing
    target = _csv(tmp_path, "a,y\n1,0\n2,\n", "target.csv")
    with pytest.raises(ValueError, match=r"missing or non-finite target value '' in row 2"):
        read_csv(target, target="y", allow_missing=True)  # targets are never imputed


def test_mean_imputation_uses_the_columns_means():
    X = np.array([[1, np.nan], [3, 4], [np.nan, 8]], dtype=np.float32)
    means = column_means(X, ["a", "b"])
    assert means.tolist() == [2.0, 6.0]
    assert fill_missing(X, means).tolist() == [[1, 6], [3, 4], [2, 8]]
    with pytest.raises(ValueError, match=r"column 'b' has no value in the training rows"):
        column_means(np.array([[1.0, np.nan]]), ["a", "b"])


_MEMORY = """
import resource, sys
from glassnet.datasets import read_csv
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = read_csv(sys.argv[1], target="y")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024, t.X.shape[0])
"""


def test_reading_a_csv_file_peaks_within_three_times_its_size(tmp_path):
    """A 47 MB file of numbers peaked at 887 MB (lists of Python strings and floats)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100_000, 20))
    data = np.column_stack([X, rng.integers(0, 3, len(X))])
    path = tmp_path / "big.csv"
    header = ",".join([f"x{j}" for j in range(20)] + ["y"])
    np.savetxt(path, data, fmt=["%.6f"] * 20 + ["%d"], delimiter=",", header=header, comments="")
    size = path.stat().st_size
    assert size > 18e6
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_MEMORY), str(path)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    peak, rows = int(out[0]), int(out[1])
    assert rows == 100_000
    assert peak < 3 * size, f"reading {size / 1e6:.1f} MB peaked {peak / 1e6:.1f} MB above start"
