"""Short reprs of received values, for error messages: a message may carry megabytes.

A value the server refuses is named in its answer, but a 5 MB string, a list of a million
numbers or an integer of 4,000 digits must not be copied back whole.
"""

from __future__ import annotations

import reprlib
from typing import Any

_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong, _SHORT.maxlevel = 60, 60, 40, 3
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 6


def brief(value: Any) -> str:
    """A short repr of a received value, for error messages (long or deep values are cut).

    Examples
    --------
    >>> brief("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
    >>> brief(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    >>> brief(10**100)
    '100000000000000000...0000000000000000000'
    """
    return _SHORT.repr(value)
