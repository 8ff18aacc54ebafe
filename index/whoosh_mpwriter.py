"""Whoosh's multi-process writer, with the units in a fixed order and a cancel that stops it.

Whoosh's ``MpWriter`` pickles batches of units to files and hands them to
writer processes through one shared queue; each process writes one segment,
and at commit the processes finish their segments side by side while the
parent waits. Two things in it do not suit an ingest:

- Which process takes which batch, and the order the segments are listed in,
  depend on timing, so the same papers were numbered differently from run to
  run, and search results tied on score and date came out in another order.
  Here batch k goes to process k mod procs, the segments are listed by
  process, and a group of units (a paper's) is never split between batches:
  the numbering is the same on every run, and a paper's units keep their order.
- ``cancel`` only flags the parent's copy of each process, so the processes
  went on waiting for work and the interpreter hung on exit after a failed
  ingest. Here cancel ends them. A process that dies is reported, where
  Whoosh left its segment out of the commit without a word (or, once its
  queue was full, waited for it for ever).

The writer processes ignore Ctrl-C: the parent cancels them.
"""

from __future__ import annotations

import pickle
import queue
import signal
from multiprocessing import Queue
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

JOBS_AHEAD = 4  # batches waiting per process before add_document blocks (Whoosh: 4 per process)
RESULT_POLL = 0.5  # seconds between checks that a finishing process is still alive


class WriterProcessFailed(RuntimeError):
    """A writer process ended without handing back its segment."""


class _SubWriter(SubWriterTask):
    """One writer process, with its own job and result queues."""

    def run(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        super().run()


class OrderedMpWriter(MpWriter):
    """``MpWriter`` with one segment per process, batches dealt in turn, segments in order."""

    docbuffer: list[tuple[int, dict[str, Any]]]  # (Whoosh's command code 0: add, the unit)

    def __init__(self, ix: Any, procs: int, batchsize: int, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, batchsize=batchsize, multisegment=True, **kwargs)
        self.batches = 0

    def _enqueue(self) -> None:
        """Write the buffered units to a job file and hand it to the next process in turn."""
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        slot = self.batches % self.procs
        if slot == len(self.tasks):
            task = _SubWriter(self.storage, self.indexname, Queue(JOBS_AHEAD), Queue(),
                              self.subargs, True)
            self.tasks.append(task)
            task.start()
        _hand(self.tasks[slot], (filename, len(self.docbuffer)))
        self.batches += 1
        self.docbuffer = []

    def end_group(self) -> None:
        """End a group of units (an ingest groups each paper's), handing the buffer over if
        full: a group goes to one process whole, so its units keep their order."""
        super().end_group()
        if not self._grouping and len(self.docbuffer) >= self.batchsize:
            self._enqueue()

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        """MpWriter's commit with multisegment, the segments taken from each process in turn."""
        if self.docbuffer:
            self._enqueue()
        for task in self.tasks:
            _hand(task, None)  # finish your segment
        segments = self._merge_segments(mergetype, optimize, merge)
        for task in self.tasks:
            _, _, segment = _result(task)
            task.join()
            segments.append(segment)
        if self._added:  # small segments the merge policy folded into this writer
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def cancel(self) -> None:
        """End the writer processes and drop what they wrote; the index stays as committed."""
        for task in self.tasks:
            task.terminate()
        for task in self.tasks:
            task.join()
        SegmentWriter.cancel(self)


def _hand(task: Any, job: Any) -> None:
    """Put a job on a process's queue; WriterProcessFailed, not a wait for ever, if the
    queue is full and the process has died."""
    while True:
        try:
            task.jobqueue.put(job, timeout=RESULT_POLL)
            return
        except queue.Full:
            if not task.is_alive():
                raise _failed(task) from None


def _result(task: Any) -> Any:
    """What a finishing process hands back; WriterProcessFailed if it dies first."""
    while True:
        try:
            return task.resultqueue.get(timeout=RESULT_POLL)
        except queue.Empty:
            if not task.is_alive() and task.resultqueue.empty():
                raise _failed(task) from None


def _failed(task: Any) -> WriterProcessFailed:
    return WriterProcessFailed(f"an index writer process ended (exit code {task.exitcode}) "
                               "without finishing its part of the index")
