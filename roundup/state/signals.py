"""Ctrl-C and SIGTERM held back while the output folder is being changed, and told after."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_HELD = (signal.SIGINT, signal.SIGTERM)


class StoppedAfterWriting(KeyboardInterrupt):
    """A stop asked for while the output folder was being changed: it came once the change
    was whole, so the folder is the new site, not the old one."""

    def __init__(self, terminated: bool) -> None:
        super().__init__()
        self.terminated = terminated  # SIGTERM, rather than Ctrl-C


@contextmanager
def held() -> Iterator[None]:
    """Run the block with Ctrl-C and SIGTERM held, then raise `StoppedAfterWriting` if one
    came: stopped halfway, the folder would hold part of the new site and part of the old
    (the next build finishes it, but the message would have said it was not changed).
    Signals go to the main thread only: elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    before = {number: signal.signal(number, hold) for number in _HELD}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
    if caught:
        raise StoppedAfterWriting(terminated=signal.SIGTERM in caught)
