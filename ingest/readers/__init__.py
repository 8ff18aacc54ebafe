"""Readers turn a file into a Document; the only place that touches PDF libraries."""
