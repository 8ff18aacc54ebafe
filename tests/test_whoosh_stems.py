"""index/whoosh_stems.py: the stemmer's cache in C gives Whoosh's stems."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from whoosh.analysis import StemmingAnalyzer
from whoosh.analysis.morph import StemFilter

from index import whoosh_stems
from index.fulltext import make_schema
from index.store import RecordStore


def _stem_filter(analyzer: Any) -> StemFilter:
    return next(f for f in analyzer.items if isinstance(f, StemFilter))


def test_installed_and_kept_when_a_schema_is_unpickled() -> None:
    assert StemFilter.clear is whoosh_stems._clear
    schema = pickle.loads(pickle.dumps(make_schema()))  # as an index's table of contents
    stem = _stem_filter(schema["text"].analyzer)._stem
    assert stem("partnerships") == "partnership"
    assert stem.cache_info().hits == 0 and stem("partnerships") and stem.cache_info().hits == 1


def test_the_corpus_analyses_to_the_same_tokens(
    corpus_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RecordStore(corpus_home / "records.sqlite")
    texts = [row["text"] for row in store.iter_rows("SELECT text FROM passages")]
    store.close()

    def tokens(analyzer: Any) -> list[tuple[str, int]]:
        return [(t.text, t.pos) for text in texts for t in analyzer(text, positions=True)]

    ours = tokens(StemmingAnalyzer())
    with monkeypatch.context() as patch:
        patch.setattr(StemFilter, "clear", whoosh_stems.WHOOSH_OWN)
        own = StemmingAnalyzer()
        assert not hasattr(_stem_filter(own)._stem, "cache_parameters")  # Whoosh's own cache
        assert tokens(own) == ours
    assert len(ours) > 5_000


def test_cache_sizes_as_whoosh_reads_them() -> None:
    assert _stem_filter(StemmingAnalyzer(cachesize=-1))._stem.cache_parameters()["maxsize"] is None
    assert _stem_filter(StemmingAnalyzer(cachesize=500))._stem.cache_parameters()["maxsize"] == 500
    plain = _stem_filter(StemmingAnalyzer(cachesize=None))
    assert plain._stem is plain.stemfn
