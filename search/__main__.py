"""``python -m search`` runs the minutebook CLI."""

from search.cli import run

run()
