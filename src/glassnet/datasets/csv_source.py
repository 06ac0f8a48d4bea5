"""Reading a CSV file's rows in chunks: its encoding, its delimiter, and clear errors.

:class:`CSVSource` opens a file in an encoding (UTF-8 by default, a byte-order mark skipped),
finds its delimiter when asked (``delimiter=None``: :class:`csv.Sniffer` over the first 64 KiB,
among ``, ; tab |``, as pandas' ``read_csv(sep=None)``; where the rows disagree, the candidate
the first line holds most of; ``,`` without any), and yields its
non-empty rows in chunks, so that a caller can parse each chunk into preallocated arrays instead
of holding the whole file as Python strings. A byte that the encoding cannot decode is reported
with its byte offset and line; a field longer than the :mod:`csv` module's limit, or any other
:class:`csv.Error`, with its line.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np

#: the delimiters ``delimiter=None`` chooses among
SNIFFED_DELIMITERS = ",;\t|"
_SAMPLE = 64 * 1024  # characters read to find the delimiter
_BLOCK = 1 << 24  # bytes read at a time to count lines
#: what ``--delimiter`` accepts as words
DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|",
                   "space": " ", "auto": None}  # fmt: skip


def parse_delimiter(text: str | None, flag: str = "delimiter") -> str | None:
    """A delimiter as typed: one character, or a word (comma, semicolon, tab, pipe, space),
    or ``auto``/None to detect it.

    Examples
    --------
    >>> parse_delimiter("tab"), parse_delimiter(";"), parse_delimiter("auto")
    ('\\t', ';', None)
    """
    if text is None:
        return None
    if text.lower() in DELIMITER_WORDS:
        return DELIMITER_WORDS[text.lower()]
    if len(text) != 1 or text in '\r\n"':
        raise ValueError(
            f"{flag} must be one character or one of {', '.join(DELIMITER_WORDS)}; got {text!r}."
        )
    return text


def python_encoding(encoding: str) -> str:
    """The codec to open a file with: UTF-8 skips a byte-order mark ("utf-8-sig").

    Examples
    --------
    >>> python_encoding("UTF-8"), python_encoding("latin-1")
    ('utf-8-sig', 'latin-1')
    """
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise ValueError(
            f"unknown encoding {encoding!r}; give one Python knows, such as utf-8, latin-1 or "
            "cp1252."
        ) from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else encoding


def _decode_error(path: Path, encoding: str, exc: UnicodeDecodeError) -> ValueError:
    """The error for an undecodable byte: its offset in the file and its line."""
    decoder = codecs.getincrementaldecoder(python_encoding(encoding))("strict")
    offset = 0
    bad = None
    with open(path, "rb") as fh:
        while block := fh.read(1 << 16):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                bad = offset - pending + err.start
                break
            offset += len(block)
    if bad is None:  # pragma: no cover - the text stream failed where the scan did not
        return ValueError(f"{path} is not valid {encoding} text ({exc}).")
    with open(path, "rb") as fh:
        before = fh.read(bad + 1)
    line = before.count(b"\n") + 1
    return ValueError(
        f"{path} is not valid {encoding} text: the byte 0x{before[bad]:02x} at byte offset "
        f"{bad} (line {line}) cannot be decoded. Save the file as UTF-8, or pass its encoding "
        "(--encoding latin-1, cp1252, ...; read_csv(..., encoding=...))."
    )


class CSVSource:
    """The rows of a CSV file, chunk by chunk, with the delimiter it uses.

    Parameters
    ----------
    path : Path
        An existing file.
    delimiter : str or None
        One character, or None to detect it (``detected`` says so).
    encoding : str, default "utf-8"

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a;b\\n1;2\\n\\n3;4\\n")
    >>> src = CSVSource(p, None)
    >>> src.delimiter, src.detected, src.row_bound() >= 3
    (';', True, True)
    >>> [(rows, lines.tolist()) for rows, lines in src.chunks(2)]
    [([['a', 'b'], ['1', '2']], [1, 2]), ([['3', '4']], [4])]
    """

    def __init__(self, path: Path, delimiter: str | None, encoding: str = "utf-8") -> None:
        self.path, self.encoding = path, encoding
        self.codec = python_encoding(encoding)
        self.detected = delimiter is None
        self.delimiter = self._sniff() if delimiter is None else delimiter

    def _open(self):  # noqa: ANN202 - a text file object
        return open(self.path, newline="", encoding=self.codec)

    def _sniff(self) -> str:
        try:
            with self._open() as fh:
                sample = fh.read(_SAMPLE)
        except UnicodeDecodeError as exc:
            raise _decode_error(self.path, self.encoding, exc) from None
        if "\n" in sample:
            sample = sample[: sample.rindex("\n")]  # no truncated last line
        try:
            return csv.Sniffer().sniff(sample, delimiters=SNIFFED_DELIMITERS).delimiter
        except csv.Error:  # rows disagree: the candidate the header line holds most of
            line = next((ln for ln in sample.splitlines() if ln.strip()), "")
            counts = [(line.count(d), -i, d) for i, d in enumerate(SNIFFED_DELIMITERS)]
            best = max(counts)
            return best[2] if best[0] > 0 else ","

    def row_bound(self) -> int:
        """An upper bound on the number of rows: the line breaks in the file, plus one."""
        newlines = returns = 0
        with open(self.path, "rb") as fh:
            while block := fh.read(_BLOCK):
                newlines += block.count(b"\n")
                returns += block.count(b"\r")
        return max(newlines, returns) + 1

    def describe(self) -> str:
        """The delimiter, and whether it was detected, for messages."""
        return f"{self.delimiter!r}" + (
            " (detected; pass --delimiter to choose)" if self.detected else ""
        )

    def chunks(self, rows_per_chunk: int) -> Iterator[tuple[list[list[str]], np.ndarray]]:
        """Lists of at most ``rows_per_chunk`` non-empty rows (a row whose every field is blank
        is skipped) and their line numbers (int64), in file order."""
        rows: list[list[str]] = []
        lines: list[int] = []
        with self._open() as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            try:
                for row in reader:
                    if row and (row[0].strip() or any(cell.strip() for cell in row)):
                        rows.append(row)
                        lines.append(reader.line_num)
                        if len(rows) == rows_per_chunk:
                            yield rows, np.array(lines, dtype=np.int64)
                            rows, lines = [], []
            except UnicodeDecodeError as exc:
                raise _decode_error(self.path, self.encoding, exc) from None
            except csv.Error as exc:
                raise self._csv_error(exc, reader.line_num) from None
        if rows:
            yield rows, np.array(lines, dtype=np.int64)

    def _csv_error(self, exc: csv.Error, line: int) -> ValueError:
        limit = csv.field_size_limit()
        if "field limit" in str(exc):
            return ValueError(
                f"{self.path}, line {line}: a field is longer than {limit} characters, the csv "
                "module's limit. A quote (\") opened and never closed usually causes this, or a "
                f"wrong delimiter ({self.describe()}); check the file."
            )
        return ValueError(
            f"{self.path}, line {line}: not readable as CSV ({exc}); check its quotes and its "
            f"delimiter ({self.describe()})."
        )
