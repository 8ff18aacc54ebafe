"""A writer's sorted runs of postings written and read a thousand postings at a time.

Whoosh-Reloaded 2.7.5 collects a segment's postings in a ``PostingPool``. When
the pool passes the writer's memory limit (``WRITER_LIMIT_MB``), it sorts them
and writes them to a temporary file (a run), and at commit it merges the runs.
Its ``_write_run`` pickles each posting on its own (``pickle.dump`` per tuple,
header and field name included every time) and ``_read_run`` unpickles them
one by one. A writer of 50,000 of the benchmark's passages writes about six
runs, and every one of its 3.3 million postings went through both calls:
building 100,000 passages on two processes took a third of its time there.

Here a run is a sequence of pickled lists of up to ``RUN_CHUNK`` postings. The
runs hold the same postings in the same order, so the merge and the segment
are unchanged; a run file is only ever read by the writer that wrote it, and
is deleted once merged. Only as many postings per run as one chunk are held
while merging, so memory stays bounded by the limit as before.

Applied once, on import of index.fulltext, and only to the Whoosh release it
was written against.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, BinaryIO

from whoosh.writing import PostingPool

from index.whoosh_release import is_patched_release

RUN_CHUNK = 1024  # postings a pickle: as fast as larger chunks, and small to hold while merging
WHOOSH_OWN = (PostingPool._write_run, PostingPool._read_run)  # kept for the tests

Posting = tuple[str, bytes, int, float, bytes | None]


def _write_run(self: PostingPool, f: BinaryIO, items: Iterable[Posting]) -> None:
    """Write sorted postings as pickled lists of ``RUN_CHUNK``, then close the file."""
    postings = iter(items)
    while chunk := list(islice(postings, RUN_CHUNK)):
        pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
    f.close()


def _read_run(self: PostingPool, path: str) -> Iterator[Posting]:
    """The postings of a run in order, a chunk in memory at a time; the run is deleted after."""
    f: Any = self._open_run(path)
    try:
        while True:
            try:
                chunk = pickle.load(f)
            except EOFError:
                return
            yield from chunk
    finally:
        f.close()
        self._remove_run(path)


def apply() -> bool:
    """Install the chunked runs on the Whoosh release they fit; True when installed."""
    if not is_patched_release():
        return False
    PostingPool._write_run = _write_run
    PostingPool._read_run = _read_run
    return True
