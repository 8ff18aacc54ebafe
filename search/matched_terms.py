"""Which of a query's terms matched: what highlighting needs, at a fraction of Whoosh's cost.

Snippets mark the words of a hit's text that are among the terms which
matched any document of the search (``Results.matched_terms()``), so a fuzzy
word highlights only the spellings the index really matched. Whoosh records
those terms with ``TermsCollector`` (``search(terms=True)``), which checks
every term matcher of the query at every matching document, and also notes
each document's terms, which nothing here reads. For a common word that is a
Python loop over three matchers at each of tens of thousands of documents,
and over dozens for a fuzzy word.

Only whether a term matched at all matters, so a term is checked until it
first matches and then no more: after the first few documents the loop is
empty. The set of matched terms is the same as Whoosh's; the documents
listed for each term are only the first that matched it, and no document
lists its terms (``Hit.matched_terms()`` is empty).
"""

from __future__ import annotations

from typing import Any

from whoosh import collectors


class MatchedTermsCollector(collectors.TermsCollector):
    """Records each term that matches some collected document, once."""

    def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
        super().set_subsearcher(subsearcher, offset)
        self.pending = [tm for tm in self.termmatchers if tm.term() not in self.termdocs]

    def collect(self, sub_docnum: int) -> None:
        self.child.collect(sub_docnum)
        if not self.pending:
            return
        matched = {
            tm.term() for tm in self.pending if tm.is_active() and tm.id() == sub_docnum
        }
        if matched:
            for term in matched:
                self.termdocs[term].append(self.child.offset + sub_docnum)
            self.pending = [tm for tm in self.pending if tm.term() not in matched]
