"""One exception family for the pipeline; the CLI turns these into one-line messages."""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error minutebook raises on purpose."""


class ReadError(PipelineError):
    """A file could not be read as a paper (corrupt, encrypted, empty, mislabelled)."""


class ParseError(PipelineError):
    """A document was read but its records could not be parsed."""


class StoreError(PipelineError):
    """The record store or index is missing, locked or from another version."""


class QueryError(PipelineError):
    """A search query or filter the user gave cannot be understood."""
