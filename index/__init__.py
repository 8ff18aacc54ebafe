"""minutebook index: the SQLite record store and the Whoosh full-text index."""
