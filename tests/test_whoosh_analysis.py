"""index/whoosh_analysis.py: a field value analysed once for all the units carrying it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from whoosh.fields import TEXT, FieldType

from index import whoosh_analysis
from index.fulltext import FullTextIndex, make_schema
from index.store import RecordStore
from tests.test_whoosh_columns import _digest


def test_installed_once_the_index_module_is_imported() -> None:
    assert FieldType.index is whoosh_analysis._index


def _build(home: Path, tmp: Path, index: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """(values Whoosh analysed, digest of every posting, length and stored field)."""
    tmp.mkdir()
    shutil.copy(home / "records.sqlite", tmp / "records.sqlite")
    analysed = 0
    own = whoosh_analysis.WHOOSH_OWN

    def counted(self: FieldType, value: Any, **kwargs: Any) -> Any:
        nonlocal analysed
        analysed += 1
        return own(self, value, **kwargs)

    whoosh_analysis._memory.clear()
    with monkeypatch.context() as patch:
        patch.setattr(whoosh_analysis, "WHOOSH_OWN", counted)
        patch.setattr(FieldType, "index", index if index is not None else counted)
        store = RecordStore(tmp / "records.sqlite")
        FullTextIndex(tmp / "index").sync(store)
        store.close()
    return analysed, _digest(tmp / "index")


def test_the_index_is_the_same_and_repeated_values_are_analysed_once(
    corpus_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_count, own = _build(corpus_home, tmp_path / "own", None, monkeypatch)
    count, remembered = _build(corpus_home, tmp_path / "remembered", whoosh_analysis._index,
                               monkeypatch)
    assert remembered == own
    assert count < 0.4 * own_count, (count, own_count)  # measured 0.26: titles, dates, ...
    assert len(whoosh_analysis._memory) <= whoosh_analysis.REMEMBERED


def test_memory_is_per_field_and_bounded() -> None:
    """Another field with the same value, or a new field at a reused id, is analysed anew."""
    schema = make_schema()
    title, text = schema["title"], schema["text"]
    whoosh_analysis._memory.clear()
    value = "Community Safety Partnership"
    first = whoosh_analysis._index(title, value)
    assert whoosh_analysis._index(title, value) is first
    assert first == tuple(whoosh_analysis.WHOOSH_OWN(title, value))
    other = whoosh_analysis._index(text, value)  # the title's boost is not the text's
    assert other == tuple(whoosh_analysis.WHOOSH_OWN(text, value)) != first
    stranger = TEXT()
    whoosh_analysis._memory[(id(stranger), "MOPAC funds")] = (title, ((b"wrong", 1, 1.0, b""),))
    assert [p[0] for p in whoosh_analysis._index(stranger, "MOPAC funds")] == [b"mopac", b"funds"]
    for n in range(whoosh_analysis.REMEMBERED + 10):
        whoosh_analysis._index(text, f"value {n}")
    assert len(whoosh_analysis._memory) == whoosh_analysis.REMEMBERED
