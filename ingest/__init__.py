"""minutebook ingest: readers, parsers and records (imports nothing from index/ or search/)."""
