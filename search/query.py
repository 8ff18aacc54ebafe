"""User queries -> Whoosh queries with filters -> Hit values with highlighted snippets."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from whoosh import highlight, qparser, query, scoring, sorting
from whoosh.fields import Schema
from whoosh.qparser.plugins import FuzzyTermPlugin, GtLtPlugin

from index.fulltext import FullTextIndex
from ingest.errors import QueryError
from ingest.vocab import DOC_TYPES
from search import whoosh_fix, whoosh_fuzzy, whoosh_phrases, whoosh_postings
from search.array_scores import ArrayScoredCollector
from search.newest_first import NewestFirst
from search.restrict import restricted
from search.segment_columns import facet_counts

whoosh_fix.apply()  # Whoosh's AndMaybe can drop a clause's score (search/whoosh_fix.py)
whoosh_postings.apply()  # skip_to by bisection (search/whoosh_postings.py)
whoosh_phrases.apply()  # phrase positions by set intersection (search/whoosh_phrases.py)
whoosh_fuzzy.apply()  # a fuzzy word's words found once a segment (search/whoosh_fuzzy.py)

MATCH_FIELDS = ["text", "section"]  # the title only ranks (parse_query)
YEAR_RE = re.compile(r"^(\d{4})?(?:\s*(\.\.|-)\s*(\d{4})?)?$")


@dataclass(frozen=True)
class Filters:
    """Restrictions a user adds to a query with options."""

    year_from: int | None = None
    year_to: int | None = None
    doc_type: str | None = None
    body: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Hit:
    """One search result, with everything needed to open the page."""

    source: str
    document_id: str
    title: str
    date: str | None
    year: int | None
    doc_type: str
    page: int
    kind: str
    section: str | None
    snippet: str
    score: float | None
    id: str
    text_plain: str = field(default="", repr=False, compare=False)  # the whole unit's text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["text_plain"]
        return data


def parse_years(text: str) -> tuple[int | None, int | None]:
    """'2013' -> (2013, 2013); '2011..2014' -> (2011, 2014); '2013..' -> (2013, None)."""
    m = YEAR_RE.match(text.strip())
    if not m or not (m.group(1) or m.group(3)):
        raise QueryError(f"bad year {text!r}: use 2013, 2011..2014, 2013.. or ..2014")
    start = int(m.group(1)) if m.group(1) else None
    end = int(m.group(3)) if m.group(3) else None
    if not m.group(2):
        end = start
    if start and end and start > end:
        raise QueryError(f"bad year range {text!r}: the first year is after the second")
    return start, end


class _Brackets(highlight.Formatter):
    """Marks matched terms as [term] so snippets stay plain text in every output."""

    between = " ... "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"[{highlight.get_text(text, token, replace)}]"


def filter_query(filters: Filters, schema: Any) -> query.Query | None:
    parts: list[query.Query] = []
    if filters.year_from or filters.year_to:
        parts.append(query.NumericRange("year", filters.year_from, filters.year_to))
    if filters.doc_type:
        if filters.doc_type not in DOC_TYPES:
            raise QueryError(
                f"unknown type {filters.doc_type!r}: choose one of {', '.join(DOC_TYPES)}"
            )
        parts.append(query.Term("doc_type", filters.doc_type))
    if filters.body:
        parser = qparser.QueryParser("body", schema)
        parts.append(parser.parse(f'"{filters.body}"'))
    if filters.kind:
        parts.append(query.Term("kind", filters.kind))
    return query.And(parts) if parts else None


def parse_query(text: str, schema: Any) -> query.Query:
    """Words, "phrases", AND/OR/NOT, field:value, year:[2011 TO 2014], fuzzy~.

    A unit matches on its own text and heading; the paper's title, which every
    unit of the paper carries, only adds to the score of units that match
    (``AndMaybe``). Matching on the title would make every page of a paper
    titled "Community Safety ..." a hit for "community safety", which is both
    noise and, over a large index, most of the work.
    """
    q = _parsed(text, MATCH_FIELDS, schema)
    if q is query.NullQuery:
        raise QueryError(
            f"the query {text!r} has no words to search for (words like 'the' are ignored)"
        )
    title = _parsed(text, ["title"], schema)
    return q if title is query.NullQuery else query.AndMaybe(q, title)


def _parsed(text: str, fields: list[str], schema: Any) -> query.Query:
    parser = qparser.MultifieldParser(fields, _searchable(schema))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(GtLtPlugin())
    try:
        return parser.parse(text)
    except Exception as exc:  # whoosh raises several types for malformed input
        raise QueryError(f"cannot understand the query {text!r}: {exc}") from exc


def _searchable(schema: Any) -> Any:
    """The schema's indexed fields: ``id:x`` or ``source:x`` then reads as words, as an
    unknown field does, instead of failing on a field that is stored only."""
    view = Schema()
    for name, field_type in schema.items():
        if field_type.indexed:
            view.add(name, field_type)
    return view


FACETS = ("year", "doc_type", "kind")
SORTS = ("relevance", "date")


@dataclass
class SearchResult:
    """Hits in order, how many matched in all, and counts per facet when asked for."""

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None  # a spelling the corpus knows, when it differs
    corrected: bool = False  # True when the hits are those of the suggestion


WEIGHTING = scoring.BM25F(title_B=0.5)
TIE_WINDOW = 20  # extra hits fetched so recency can break ties at the cut-off
DEFAULT_PER_DOC = 3  # what the CLI shows: at most three hits from one paper
PER_DOC_FETCH = 4  # how many more hits to fetch when a per-paper cap may drop some


def _rank(hits: list[Any], sort: str, limit: int) -> list[Any]:
    """Whoosh hits by relevance with newer papers first among equal scores, or newest first."""
    if sort == "date":
        return sorted(hits, key=lambda h: h.get("date") or "", reverse=True)[:limit]
    return sorted(hits, key=lambda h: (-(h.score or 0.0), _negated(h.get("date"))))[:limit]


def _capped(hits: list[Any], per_doc: int) -> list[Any]:
    """At most ``per_doc`` hits from any one paper, in rank order (0: all)."""
    if not per_doc:
        return hits
    seen: dict[str, int] = {}
    out = []
    for hit in hits:
        seen[hit["document_id"]] = seen.get(hit["document_id"], 0) + 1
        if seen[hit["document_id"]] <= per_doc:
            out.append(hit)
    return out


def _negated(date: str | None) -> tuple[int, ...]:
    return tuple(-int(part) for part in (date or "0-0-0").split("-"))


def search(
    index: FullTextIndex,
    text: str,
    filters: Filters | None = None,
    limit: int = 10,
    sort: str = "relevance",
    facets: bool = False,
    snippets: bool = True,
    per_doc: int = 0,
) -> SearchResult:
    """Ranked hits for ``text`` (BM25F with weighted fields; recency breaks ties).

    ``per_doc`` caps the hits from one paper (0: no cap), so one long paper does
    not fill the page and the answer spans the papers that hold it.

    A word the corpus does not know is checked against the corpus vocabulary;
    when the query finds nothing, the corrected query runs instead.
    """
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: choose one of {', '.join(SORTS)}")
    searcher = _searcher(index)
    fq = filter_query(filters or Filters(), searcher.schema)
    run = partial(_run, searcher, fq=fq, limit=limit, sort=sort, facets=facets,
                  snippets=snippets, per_doc=per_doc)
    result = run(parse_query(text, searcher.schema))
    suggestion = spelling_suggestion(searcher, text)
    result.suggestion = suggestion
    if not result.hits and suggestion:
        result = run(parse_query(suggestion, searcher.schema))
        result.suggestion, result.corrected = suggestion, True
    return result


def _searcher(index: FullTextIndex) -> Any:
    """The index's shared searcher, scoring as search ranks; a clear error before any ingest."""
    if not index.exists():
        raise QueryError("no index yet: run `minutebook ingest PATH` first")
    return index.searcher(weighting=WEIGHTING)


def search_kinds(index: FullTextIndex, text: str, kinds: tuple[str, ...], limit: int
                 ) -> dict[str, list[Hit]]:
    """The best ``limit`` hits of each kind, ranked as ``search`` ranks them, from one search.

    One query scored once and split by kind costs a third of one filtered
    search per kind (which is what a trace would otherwise run).
    """
    searcher = _searcher(index)
    kind_filter = query.Or([query.Term("kind", kind) for kind in kinds])
    results = searcher.search(parse_query(text, searcher.schema), filter=kind_filter, limit=None)
    by_kind: dict[str, list[Any]] = {}
    for hit in results:
        by_kind.setdefault(hit["kind"], []).append(hit)
    return {kind: [_to_hit(h, snippet=False) for h in _rank(hits, "relevance", limit)]
            for kind, hits in by_kind.items()}


def spelling_suggestion(searcher: Any, text: str) -> str | None:
    """The query with unknown words replaced by the nearest words of the corpus, if any.

    Suggestions come from the stemmed ``text`` field itself (no second, unstemmed
    field to build: it cost a third of the indexing time), so a corrected stem
    is shown as the commonest word of the corpus that stems to it
    ('reofending' -> 'reoffend' -> 'reoffending'). Only words the index does not
    hold are looked up, so a query of known words costs one check per word.
    """
    parser = qparser.QueryParser("text", _searchable(searcher.schema))
    parser.add_plugin(FuzzyTermPlugin())
    q = parser.parse(text)
    if q is query.NullQuery:
        return None
    reader = searcher.reader()
    fuzzy = {(t.fieldname, t.text) for t in q.leaves() if isinstance(t, query.FuzzyTerm)}
    unknown = [
        t for t in q.iter_all_terms() if t[0] == "text" and t not in reader and t not in fuzzy
    ]
    if not unknown:
        return None
    try:
        correction = searcher.correct_query(q, text, terms=unknown, prefix=1, maxdist=2)
    except (TypeError, ValueError):  # whoosh cannot rebuild some queries (e.g. 'vice-chari~')
        return None
    if not correction.tokens:
        return None
    fixed = correction.format_string(_SurfaceForms(searcher))
    return fixed if fixed and fixed.lower() != text.lower() else None


class _SurfaceForms(highlight.Formatter):
    """Writes a corrected stem as the corpus's commonest word with that stem."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return surface_form(self.searcher, token.text)


def surface_form(searcher: Any, stem: str, sample: int = 5) -> str:
    """The word (lower case) that most often stems to ``stem`` in a few units holding it."""
    analyzer = searcher.schema["text"].analyzer
    forms: dict[str, int] = {}
    for docnum in islice(searcher.docs_for_query(query.Term("text", stem)), sample):
        text = searcher.stored_fields(docnum).get("text", "")
        for token in analyzer(text, keeporiginal=True):
            if token.text == stem:
                word = token.original.lower()
                forms[word] = forms.get(word, 0) + 1
    return max(sorted(forms), key=lambda w: forms[w]) if forms else stem


def _run(searcher: Any, q: query.Query, fq: query.Query | None, limit: int, sort: str,
         facets: bool, snippets: bool = True, per_doc: int = 0) -> SearchResult:
    by_date = NewestFirst("date") if sort == "date" else None
    fetch = (limit + TIE_WINDOW) * (PER_DOC_FETCH if per_doc else 1)
    q = restricted(q, fq)
    collector = _searched(searcher, q, fetch, by_date)
    results = collector.results()
    total = results.scored_length()  # counting every match costs time: only for facets
    counts: dict[str, dict[str, int]] = {}
    if facets:
        counted = _counted_as_arrays(searcher, collector)
        if counted is None:  # a segment was stepped through by Whoosh: its facets count
            groups = {name: sorting.FieldFacet(name) for name in FACETS}
            results = _searched(searcher, q, fetch, by_date, groups).results()
            counted = {name: {key: len(docs) for key, docs in results.groups(name).items()}
                       for name in FACETS}, len(results)
        by_value, total = counted
        counts = {name: _facet_counts(by_value[name]) for name in FACETS}
    results.formatter = _Brackets()
    results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
    # Rank on stored fields first, so only the hits shown are highlighted (the costly part).
    ranked = _rank(list(iter(results)), sort, fetch)  # iter(): list() would count every match
    top = _capped(ranked, per_doc)[:limit]
    hits = [_to_hit(h, scored=sort != "date", snippet=snippets) for h in top]
    return SearchResult(hits, total, counts)


def _searched(searcher: Any, q: query.Query, fetch: int, by_date: Any,
              groups: dict[str, Any] | None = None) -> ArrayScoredCollector:
    """The collector of a search, its segments scored as whole arrays where they can be
    (search/array_scores.py)."""
    collector = ArrayScoredCollector(
        searcher.collector(limit=fetch, sortedby=by_date, groupedby=groups))
    searcher.search_with_collector(q, collector)
    return collector


def _counted_as_arrays(searcher: Any, collector: Any
                       ) -> tuple[dict[str, dict[Any, int]], int] | None:
    """Counts per value of each facet, and of all matches, from the matches the arrays
    listed; None when a segment was collected by Whoosh (or a facet has no column), which
    then counts them itself."""
    matched = getattr(collector, "matched", None)  # Whoosh's own collectors list none
    reader = searcher.reader()
    if matched is None or not all(reader.has_column(name) for name in FACETS):
        return None
    by_value = {name: facet_counts(matched, searcher.schema, name) for name in FACETS}
    return by_value, sum(len(ids) for _, ids in matched)


def _facet_counts(groups: dict[Any, int]) -> dict[str, int]:
    """Counts per facet value; a missing year (stored as the numeric maximum) is 'undated'."""
    counts: dict[str, int] = {}
    for key, count in groups.items():
        label = "undated" if key in (None, "") or (isinstance(key, int) and key > 9999) else key
        counts[str(label)] = counts.get(str(label), 0) + count
    return dict(sorted(counts.items()))


def _to_hit(hit: Any, scored: bool = True, snippet: bool = True) -> Hit:
    """A Whoosh hit as a Hit; highlighting (the costly part) only when a snippet is shown."""
    text = (hit.highlights("text", top=2) or hit.highlights("title")) if snippet else ""
    text = text or hit["text"][:240]
    return Hit(
        source=hit["source"],
        document_id=hit["document_id"],
        title=hit["title"],
        date=hit.get("date"),
        year=hit.get("year") if (hit.get("year") or 0) < 10000 else None,
        doc_type=hit["doc_type"],
        page=hit["page"],
        kind=hit["kind"],
        section=hit.get("section") or None,
        snippet=" ".join(text.split()),
        score=round(float(hit.score), 3) if scored else None,
        id=hit["id"],
        text_plain=hit["text"],
    )
