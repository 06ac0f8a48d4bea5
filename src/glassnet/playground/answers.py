"""What a tab is told when something fails, and the sign that its websocket is gone."""

from __future__ import annotations

from glassnet.playground import validate

MAX_ERROR = 2000  # characters of an error message sent to the page


class TabClosed(Exception):
    """The tab's websocket is gone: nothing more can be sent to it."""


def failed(kind: str | None) -> str:
    """The page's message when handling a message failed unexpectedly (details go to the log).

    Examples
    --------
    >>> failed("step")
    "the server failed while handling the 'step' message (the details are in its log); the tab carries on: try again, or reload the page."
    >>> failed("<not a type>")[:46]
    'the server failed while handling a message (th'
    """
    what = f"the {kind!r} message" if kind in validate.MESSAGES else "a message"
    return (
        f"the server failed while handling {what} (the details are in its log); the tab "
        "carries on: try again, or reload the page."
    )
