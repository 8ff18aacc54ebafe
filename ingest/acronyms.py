"""Acronyms and their expansions, learnt from the papers themselves.

Papers introduce an acronym once ("Integrated Offender Management (IOM)")
and use it alone afterwards; tracing a topic across years needs both forms.
A small domain list covers acronyms the papers never spell out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

DOMAIN_ACRONYMS: dict[str, str] = {
    "CSP": "Community Safety Partnership",
    "ARRB": "Adults Reducing Reoffending Board",
    "VAWG": "Violence Against Women and Girls",
    "MAPPA": "Multi-Agency Public Protection Arrangements",
    "MARAC": "Multi-Agency Risk Assessment Conference",
    "IOM": "Integrated Offender Management",
    "ASB": "Anti-Social Behaviour",
    "CDP": "Combating Drugs Partnership",
    "MOPAC": "Mayor's Office for Policing and Crime",
    "CRC": "Community Rehabilitation Company",
    "YOS": "Youth Offending Service",
    "IDVA": "Independent Domestic Violence Advocate",
}

_DEFINED_RE = re.compile(
    r"((?:[A-Z][\w'’-]*\s+(?:(?:and|of|for|the|on|&)\s+)*){1,7})\(([A-Z]{2,6})\)"
)
_SMALL = {"and", "of", "for", "the", "on", "&"}


def _initials(words: list[str]) -> str:
    out = ""
    for word in words:
        if word.lower() in _SMALL:
            continue
        for part in re.split(r"[-’']", word):
            if part:
                out += part[0].upper()
    return out


def expansion_for(acronym: str, before: str) -> str | None:
    """The words before '(IOM)' whose initials spell the acronym, shortest match last-first."""
    words = before.split()
    for start in range(len(words) - 1, -1, -1):
        candidate = words[start:]
        if _initials(candidate) == acronym:
            return " ".join(candidate)
        if len(_initials(candidate)) > len(acronym) + 1:
            break
    return None


def learn_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms defined in ``texts`` plus the domain list; the most written expansion wins."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for m in _DEFINED_RE.finditer(text):
            expansion = expansion_for(m.group(2), m.group(1))
            if expansion:
                seen.setdefault(m.group(2), Counter())[expansion] += 1
    learnt = {acr: counts.most_common(1)[0][0] for acr, counts in seen.items()}
    return {**DOMAIN_ACRONYMS, **learnt}


def variants(term: str, acronyms: dict[str, str]) -> list[str]:
    """The term and its other form: 'IOM' <-> 'Integrated Offender Management'."""
    out = [term]
    upper = term.strip().upper()
    if upper in acronyms:
        out.append(acronyms[upper])
    lowered = term.strip().lower()
    for acr, expansion in acronyms.items():
        if expansion.lower() == lowered or expansion.lower() in lowered.split(" or "):
            out.append(acr)
    return list(dict.fromkeys(out))
