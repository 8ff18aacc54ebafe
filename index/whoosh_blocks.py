"""Posting blocks whose positions are read only by the queries that need them.

Whoosh-Reloaded 2.7.5 (``W3Codec``) writes a term's postings in blocks of up
to 128, each one pickle of (ids, weights, values), zlib-compressed. A value is
a posting's encoded positions, one ``bytes`` object per posting, so reading a
block's ids unpickles 128 position strings as well. Words, ANDs, fuzzy words
and filters never look at positions (BM25 needs the ids and weights only),
yet at 100,000 passages reading blocks was 30% of the benchmark's 210 queries
(1.79 of 5.94 s), and unpickling the positions most of that.

``SplitBlockCodec`` writes each block as W3 does (the same block header, so
skipping by block statistics is unchanged) with the data in two parts: the
ids and weights, then the values as one string with their lengths. The ids
and weights are read alone; the values only when a phrase or a ``--body``
filter asks for a posting's positions, and then as slices of one string
rather than 128 unpickled objects. The values a reader sees are the same
bytes W3 gives.

A segment keeps the codec it was written with (Whoosh stores it in the
segment's entry of the index's table of contents), so an index written before
keeps its W3 segments readable beside new ones, and merging rewrites them in
this layout.
"""

from __future__ import annotations

import zlib
from array import array
from itertools import accumulate
from pickle import dumps, loads
from typing import Any

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
)
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import length_to_byte

from index.whoosh_columns import field_lengths

PICKLE_PROTOCOL = 2  # as W3 writes its blocks
# Postings a block (W3's default is 128). Queries scored as arrays (search/array_scores.py)
# read every block of their terms, a few Python calls each, so fewer, larger blocks answer
# faster: at 100,000 passages the benchmark's p95 was 0.74x to 0.93x with 512 by 3
# alternating pairs, and the index 0.91x the size. Whoosh's own collector, which skips
# blocks by their best score, is left for the queries arrays do not cover.
BLOCK_POSTINGS = 512
LENGTHS_TYPE = "I"


def pack_values(values: list[bytes], fixedsize: int | None) -> bytes | None:
    """A block's values as one pickle: None (no values), or a joined string (with the
    lengths when the format's values vary in size)."""
    if fixedsize == 0:
        return None
    blob = b"".join(values)
    if fixedsize is not None and fixedsize > 0:
        return dumps(blob, PICKLE_PROTOCOL)
    return dumps((array(LENGTHS_TYPE, map(len, values)).tobytes(), blob), PICKLE_PROTOCOL)


def unpack_values(data: bytes, count: int, fixedsize: int | None) -> tuple[Any, ...]:
    """The block's ``count`` values, as W3's reader gives them."""
    if fixedsize == 0:
        return (None,) * count
    if fixedsize is not None and fixedsize > 0:
        blob = loads(data)
        return tuple(blob[i:i + fixedsize] for i in range(0, len(blob), fixedsize))
    lengths, blob = unpack_joined(data)
    ends = list(accumulate(lengths))
    return tuple(blob[end - n:end] for n, end in zip(lengths, ends, strict=True))


def unpack_joined(data: bytes) -> tuple[array[int], bytes]:
    """A block of values of varying size as written: their lengths, and them joined."""
    raw_lengths, blob = loads(data)
    lengths = array(LENGTHS_TYPE)
    lengths.frombytes(raw_lengths)
    return lengths, blob


class SplitBlockWriter(W3PostingsWriter):
    """W3's posting writer, with each block's data written as two parts."""

    def add_term_postings(self, ids: list[int], weights: list[float], values: list[bytes],
                          lengths: list[int | None]) -> None:
        """``add_posting`` for each of a term's postings (all of them, after
        ``start_postings``), a block at a time.

        Each slice of ``blocklimit`` postings fills a block of its own, as the
        calls one by one do (a full block is written when the next posting
        arrives, the last by ``finish_postings``). Its statistics are theirs: a
        value is kept only when not empty, a length counts only when not 0 or
        None, and the highest weight starts from 0.
        """
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if start:
                self._write_block()
            end = start + limit
            self._ids.extend(ids[start:end])
            block_weights = weights[start:end]
            self._weights.extend(block_weights)
            self._maxweight: Any = max(self._maxweight, *block_weights)
            self._values.extend([v for v in values[start:end] if v])
            counted = [n for n in lengths[start:end] if n]
            if counted:
                self._minlength, self._maxlength = min(counted), max(counted)

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        comp = self._compression
        head = dumps((self._mini_ids(), self._mini_weights()), PICKLE_PROTOCOL)
        tail = pack_values(self._values, self._format.fixed_value_size()) or b""
        if comp:
            head = zlib.compress(head, comp)
            tail = zlib.compress(tail, comp) if tail else b""
        ids = self._ids
        info = dumps((len(ids), ids[-1], self._maxweight, comp,
                      length_to_byte(self._minlength), length_to_byte(self._maxlength)),
                     PICKLE_PROTOCOL)  # W3's block header: the reader skips blocks by it
        length = len(info) + _INT_SIZE + len(head) + len(tail)
        postfile = self._postfile
        postfile.write_int(-length if last else length)
        postfile.write(info)
        postfile.write_int(len(head))
        postfile.write(head)
        postfile.write(tail)
        self._blockcount += 1
        self._new_block()


class SplitBlockMatcher(W3LeafMatcher):
    """W3's block reader, reading a block's values only when they are asked for."""

    def _read_data(self) -> None:
        headlength = self._postfile.get_int(self._dataoffset)
        start = self._dataoffset + _INT_SIZE
        head = self._postfile.get(start, headlength)
        if self._compression:
            head = zlib.decompress(head)
        ids, weights = loads(head)
        self._data = (ids, weights, None)
        self._tailoffset = start + headlength

    def _read_values(self) -> None:
        self._values = unpack_values(self._tail(), self._blocklength, self._fixedsize)

    def joined_values(self) -> tuple[array[int], bytes]:
        """The block's values, of varying size (positions), as their lengths and one
        string, without a ``bytes`` each: how a phrase reads its words' positions
        (search/array_scores.py)."""
        return unpack_joined(self._tail())

    def _tail(self) -> bytes:
        if self._data is None:
            self._read_data()
        tail = b""
        if self._fixedsize != 0:
            tail = self._postfile.get(self._tailoffset, self._nextoffset - self._tailoffset)
            if self._compression:
                tail = zlib.decompress(tail)
        return tail


class TermBatchFieldWriter(W3FieldWriter):
    """W3's field writer, handing its posting writer a term's postings together.

    Whoosh's ``FieldWriter.add_postings`` makes four method calls and a handful
    of checks for every posting it writes: 0.21 of the 0.28 s it took to commit
    the units of 40 papers, alone at the end of an ingest while the other core
    waits. Here a term's postings are gathered in one pass and written a block
    at a time (``SplitBlockWriter.add_term_postings``); the files are the same,
    byte for byte (tests/test_whoosh_blocks.py). Whoosh's own loop also skips
    postings numbered -1 (an old spelling-word marker); nothing in the pinned
    release writes them, so no such case is kept here.
    """

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        lastfn: str | None = None
        lasttext: bytes | None = None
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        for fieldname, btext, docnum, weight, value in items:
            if btext != lasttext or fieldname != lastfn:
                if ids:
                    self._add_term(lasttext, lastfn, ids, weights, values, lengths)
                    ids, weights, values = [], [], []
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                if fieldname == lastfn and lasttext and btext < lasttext:
                    raise OutOfOrderError(f"Term {lastfn}:{lasttext!r} .. {fieldname}:{btext!r}")
                if fieldname != lastfn:
                    if lastfn is not None:
                        self.finish_field()
                    self.start_field(fieldname, schema[fieldname])
                    lastfn = fieldname
                lasttext = btext
            ids.append(docnum)
            weights.append(weight)
            values.append(value)
        if ids:
            self._add_term(lasttext, lastfn, ids, weights, values, lengths)
        if lastfn is not None:
            self.finish_field()

    def _add_term(self, btext: Any, fieldname: Any, ids: list[int], weights: list[float],
                  values: list[Any], lengths: Any) -> None:
        self.start_term(btext)
        counts = field_lengths(lengths, fieldname, ids) if lengths else [0] * len(ids)
        self._postwriter.add_term_postings(ids, weights, values, counts)
        self.finish_term()


class SplitBlockCodec(W3Codec):
    """W3's codec with split posting blocks (term vectors, unused here, stay W3's),
    ``BLOCK_POSTINGS`` postings a block."""

    def __init__(self, blocklimit: int = 0, compression: int = 3, inlinelimit: int = 1) -> None:
        super().__init__(blocklimit or BLOCK_POSTINGS, compression, inlinelimit)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return TermBatchFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:
            return super().postings_writer(dbfile, byteids)
        return SplitBlockWriter(dbfile, blocklimit=self._blocklimit, byteids=False,
                                compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                        scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return SplitBlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
