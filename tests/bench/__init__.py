"""Benchmark of minutebook: scaled corpus, passage generator and the runner (``make bench``)."""
