"""Search, export and evaluation over the extracted records."""
