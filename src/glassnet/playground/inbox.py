"""A tab's incoming websocket messages: read as JSON text, and held in a bounded queue.

The page sends JSON text frames. Anything else gets an answer that says what was wrong,
and the tab carries on: a binary frame, text that is not JSON, JSON nested so deeply that
Python's parser gives up (``RecursionError``), a number JSON cannot hold. Invalid UTF-8 in a
*text* frame never reaches the server: the websocket layer closes such a connection with code
1007, as RFC 6455 requires.

Messages wait in an :class:`Inbox` while the tab computes: at most
:data:`glassnet.playground.limits.MAX_PENDING` of them and
:data:`glassnet.playground.limits.MAX_PENDING_BYTES` bytes; beyond, the server answers
"dropped" instead of piling them up.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

INLINE_JSON = 64 * 1024  # characters of JSON parsed on the event loop; longer in a worker


def frame_text(event: MutableMapping[str, Any]) -> str:
    """The text of a ``websocket.receive`` event; a binary frame is refused.

    Examples
    --------
    >>> frame_text({"type": "websocket.receive", "text": '{"type": "hello"}'})
    '{"type": "hello"}'
    >>> frame_text({"type": "websocket.receive", "bytes": b"\\x00\\xff"})
    Traceback (most recent call last):
    ...
    ValueError: the playground reads JSON text messages; got a binary message of 2 bytes.
    """
    text = event.get("text")
    if text is None:
        raw = event.get("bytes") or b""
        raise ValueError(
            f"the playground reads JSON text messages; got a binary message of {len(raw)} bytes."
        )
    return text


def parse_json(text: str) -> Any:
    """The JSON value of a message, or a ValueError that says why it is none.

    Examples
    --------
    >>> parse_json('{"type": "hello"}')
    {'type': 'hello'}
    >>> parse_json("[" * 100_000)
    Traceback (most recent call last):
    ...
    ValueError: the message is nested too deeply to read (JSON arrays or objects inside each other more than about a thousand levels); the page's messages are at most 3 levels deep.
    >>> parse_json("not json")
    Traceback (most recent call last):
    ...
    ValueError: the message is not JSON: Expecting value: line 1 column 1 (char 0).
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(
            "the message is nested too deeply to read (JSON arrays or objects inside each other "
            "more than about a thousand levels); the page's messages are at most 3 levels deep."
        ) from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the message is not JSON: {exc}.") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ValueError(f"the message holds a value JSON cannot give here: {exc}.") from None


class Inbox:
    """Messages waiting for a tab, at most ``max_messages`` and ``max_bytes`` of them.

    Examples
    --------
    >>> box = Inbox(max_messages=2, max_bytes=10)
    >>> box.offer("a", 4), box.offer("b", 4), box.offer("c", 1)
    (True, True, False)
    >>> box.waiting, box.bytes
    (2, 8)
    >>> import asyncio; asyncio.run(box.get()), box.offer("d", 6)
    ('a', True)
    """

    def __init__(self, max_messages: int, max_bytes: int) -> None:
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self.bytes = 0
        self._queue: asyncio.Queue[tuple[Any, int]] = asyncio.Queue()

    @property
    def waiting(self) -> int:
        """Messages in the queue."""
        return self._queue.qsize()

    def offer(self, item: Any, size: int) -> bool:
        """Queue ``item`` (``size`` bytes) unless that would pass a limit; whether it was."""
        if self.waiting >= self.max_messages or self.bytes + size > self.max_bytes:
            return False
        self.bytes += size
        self._queue.put_nowait((item, size))
        return True

    async def get(self) -> Any:
        """The oldest message, waiting for one if there is none."""
        item, size = await self._queue.get()
        self.bytes -= size
        return item
