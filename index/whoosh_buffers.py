"""Whoosh reads a segment through its memory map instead of copying it into memory.

Whoosh-Reloaded 2.7.5 keeps each segment in one compound file, memory-mapped,
and opens every file inside it as a ``BufferFile`` whose ``file`` is
``BytesIO(memoryview)``, and ``BytesIO`` copies what it is given. Opening a
searcher therefore copied each segment's whole postings and terms files into
the process: at 1,000,000 passages opening took 0.81 s and 850 MB, and the
search process peaked at 2.7 GB; at 100,000, 0.07 s and 310 MB. ``ViewFile``
reads the same bytes from the map, a slice at a time, so pages are read when a
query needs them and stay the operating system's to reclaim: at 1,000,000
passages the searcher opens in 0.01 s and 20 queries peak at 116 MB; at
100,000 the 210 benchmark queries take the same time as before.

Applied once, on import of index.fulltext, and only to the Whoosh release it
was written against; any other release keeps its own code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.filedb.structfile import BufferFile

from index.whoosh_release import is_patched_release

WHOOSH_OWN = BufferFile.__init__  # kept for the tests
LINE_CHUNK = 4096
PEEK_MAX = 512  # what one peek hands pickle: a posting block's header is about 40 bytes


class ViewFile:
    """A read-only file over a buffer that reads slices of it and never copies it whole.

    It answers what Whoosh's ``StructFile`` and ``pickle.load`` ask of a file
    (read, readline, seek, tell, iteration, close) as ``io.BytesIO`` would, and
    ``peek`` as a buffered reader does. With ``peek``, ``pickle.load`` reads a
    small pickle from one look ahead and then one read of what it used, instead
    of a read per opcode (about 19 for a posting block's header, read at every
    block a query visits).
    """

    def __init__(self, buf: Any) -> None:
        self._view = memoryview(buf)
        self._pos = 0
        self._len = len(self._view)

    def _end(self, size: int | None) -> int:
        """Where a read of ``size`` bytes from here stops (None or negative: the end)."""
        return self._len if size is None or size < 0 else min(self._pos + size, self._len)

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        self._pos = max(start, self._end(size))
        return self._view[start:self._pos].tobytes()

    def peek(self, size: int = 0) -> bytes:
        """Bytes from here without moving (at most ``PEEK_MAX``; fewer is allowed, as for
        ``io.BufferedReader.peek``, and ``pickle`` reads on past them)."""
        return self._view[self._pos:self._pos + min(max(size, 1), PEEK_MAX)].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = self._end(size)
        at = start
        while at < end:
            chunk_end = min(at + LINE_CHUNK, end)
            newline = self._view[at:chunk_end].tobytes().find(b"\n")
            if newline >= 0:
                end = at + newline + 1
                break
            at = chunk_end
        self._pos = max(start, end)
        return self._view[start:self._pos].tobytes()

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._len}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")
        self._len = self._pos = 0

    def __iter__(self) -> Iterator[bytes]:
        while self._pos < self._len:
            yield self.readline()


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    """``BufferFile.__init__`` with a ``ViewFile`` where Whoosh makes a ``BytesIO`` copy."""
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def apply() -> bool:
    """Read segments through ``ViewFile`` on the Whoosh release it fits; True when installed."""
    if not is_patched_release():
        return False
    BufferFile.__init__ = _buffer_file_init
    return True
