"""Resolve people across the whole store and write person ids back to attendees."""

from __future__ import annotations

from index.store import RecordStore
from ingest.people import Sighting, cluster_people


def resolve_store_people(store: RecordStore) -> int:
    """Recompute the people table from every attendee; returns how many people there are."""
    sightings = [
        Sighting(int(r["rowid"]), r["name"], r["role"], r["organisation"])
        for r in store.iter_rows("SELECT rowid, name, role, organisation FROM attendees")
    ]
    people, links = cluster_people(sightings, store.corrections())
    store.replace_people(people, links)
    return len(people)
