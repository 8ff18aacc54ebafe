"""People across papers: one Person per human, from the names attendance lists spell.

Two spellings are the same person when their surnames agree (allowing a
typo, by rapidfuzz) and their forenames agree, one is a short form of the
other (Ele / Eleanor), or one is missing. Forenames that disagree keep two
people apart even when they share a surname. A surname-only name joins a
person only when exactly one person has that surname. Reviewed corrections
(merge / split) are applied last, so they survive every re-ingest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from ingest.ids import slug_id
from ingest.records import Person

SURNAME_MIN_RATIO = 88.0
SHORT_FORMS = {"bob": "robert", "bill": "william", "liz": "elizabeth", "beth": "elizabeth",
               "kate": "katherine", "jim": "james", "mike": "michael", "tony": "anthony"}


@dataclass(frozen=True)
class Sighting:
    """One written name with what was written beside it; ``key`` identifies the source row."""

    key: int
    name: str
    role: str | None = None
    organisation: str | None = None


@dataclass
class _Cluster:
    names: Counter[str] = field(default_factory=Counter)
    roles: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)

    @property
    def canonical(self) -> str:
        """The fullest forename (Eleanor over Ele), then the most written spelling."""
        return sorted(
            self.names.items(), key=lambda kv: (-len(_parts(kv[0])[0]), -kv[1], kv[0])
        )[0][0]


@lru_cache(maxsize=1 << 16)  # a store's distinct spellings; clustering asks for each often
def _parts(name: str) -> tuple[str, str]:
    """(forename, surname) in lower case; forename '' for a surname alone."""
    tokens = name.replace(".", " ").split()
    if len(tokens) == 1:
        return "", tokens[0].lower()
    return tokens[0].lower(), tokens[-1].lower()


def forenames_agree(a: str, b: str) -> bool:
    """Same forename, a missing one, an initial, or a short form (Ele / Eleanor)."""
    if not a or not b or a == b:
        return True
    a, b = SHORT_FORMS.get(a, a), SHORT_FORMS.get(b, b)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 1 and long.startswith(short) and (len(short) == 1 or len(short) >= 3)


def same_person(a: str, b: str) -> bool:
    fa, sa = _parts(a)
    fb, sb = _parts(b)
    if fuzz.ratio(sa, sb) < SURNAME_MIN_RATIO:
        return False
    return bool(fa and fb) and forenames_agree(fa, fb)


def cluster_people(
    sightings: list[Sighting], corrections: list[tuple[str, str, str]] | None = None
) -> tuple[list[Person], dict[int, str]]:
    """People and the person id of each sighting key."""
    corrections = corrections or []
    clusters: list[_Cluster] = []
    surname_only: list[Sighting] = []
    splits = {frozenset((a.lower(), b.lower())) for act, a, b in corrections if act == "split"}
    by_surname: dict[str, list[int]] = {}  # surname -> indexes of clusters holding it
    last: tuple[str, _Cluster] | None = None
    for s in sorted(sightings, key=lambda s: (-len(s.name.split()), s.name, s.key)):
        if len(s.name.split()) < 2:
            surname_only.append(s)
            continue
        # Sightings of one spelling come together and join the cluster its first one joined,
        # and a spelling is compared only with clusters holding a near surname (the only ones
        # same_person can join): a store of thousands of attendances stays quick.
        if last is not None and last[0] == s.name:
            target = last[1]
        else:
            surname = _parts(s.name)[1]
            near = process.extract(surname, list(by_surname), scorer=fuzz.ratio,
                                   score_cutoff=SURNAME_MIN_RATIO, limit=None)
            candidates = sorted({i for other, _, _ in near for i in by_surname[other]})
            index = next((i for i in candidates if _joins(clusters[i], s.name, splits)), None)
            if index is None:
                _new(clusters)
                index = len(clusters) - 1
            target = clusters[index]
            if index not in by_surname.setdefault(surname, []):
                by_surname[surname].append(index)
        last = (s.name, target)
        _add(target, s)
    for s in surname_only:  # by_surname holds every cluster with a name of that surname
        matches = by_surname.get(s.name.lower(), [])
        if len(matches) == 1:
            _add(clusters[matches[0]], s)
        else:
            _add(_new(clusters), s)
            by_surname.setdefault(_parts(s.name)[1], []).append(len(clusters) - 1)
    _apply_merges(clusters, corrections)
    return _to_people(clusters)


def _new(clusters: list[_Cluster]) -> _Cluster:
    clusters.append(_Cluster())
    return clusters[-1]


def _joins(cluster: _Cluster, name: str, splits: set[frozenset[str]]) -> bool:
    if splits and any(frozenset((seen.lower(), name.lower())) in splits for seen in cluster.names):
        return False
    return any(same_person(seen, name) for seen in cluster.names)


def _add(cluster: _Cluster, s: Sighting) -> None:
    cluster.names[s.name] += 1
    cluster.keys.append(s.key)
    if s.role and s.role not in cluster.roles:
        cluster.roles.append(s.role)
    if s.organisation and s.organisation not in cluster.organisations:
        cluster.organisations.append(s.organisation)


def _apply_merges(clusters: list[_Cluster], corrections: list[tuple[str, str, str]]) -> None:
    for action, a, b in corrections:
        if action != "merge":
            continue
        ca = next((c for c in clusters if a in c.names), None)
        cb = next((c for c in clusters if b in c.names), None)
        if ca is None or cb is None or ca is cb:
            continue
        ca.names.update(cb.names)
        ca.keys.extend(cb.keys)
        ca.roles.extend(r for r in cb.roles if r not in ca.roles)
        ca.organisations.extend(o for o in cb.organisations if o not in ca.organisations)
        clusters.remove(cb)


def _to_people(clusters: list[_Cluster]) -> tuple[list[Person], dict[int, str]]:
    people: list[Person] = []
    links: dict[int, str] = {}
    used: Counter[str] = Counter()
    for c in sorted(clusters, key=lambda c: c.canonical):
        pid = slug_id("person", c.canonical)
        used[pid] += 1
        if used[pid] > 1:
            pid = f"{pid}-{used[pid]}"
        aliases = sorted(n for n in c.names if n != c.canonical)
        people.append(Person(pid, c.canonical, aliases, c.roles, c.organisations))
        links.update({k: pid for k in c.keys})
    return people, links
