"""Parsers: pure functions from a Document to records, one module per record kind."""
