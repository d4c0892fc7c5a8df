"""The one spaCy pipeline: a blank English tokenizer whose NORM is the lower-cased lemma.

No statistical model can be installed here, and none is needed for rule matching. The lookup
lemmatizer of spacy-lookups-data leaves "LICENSES" and "Licensed" unchanged because it looks up
the text as written, and liability sections are often in capitals. So the lookup table is applied
to the lower-cased form, once per vocabulary entry (a lexeme attribute, computed when the word is
first seen), instead of once per token: matching stays as fast as the bare tokenizer allows.
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from breame.spelling import get_american_spelling
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.lookups import Table, load_lookups

_MARKUP = re.compile(
    r"\*+|`+|(?<!\w)_+|_+(?!\w)|^ {0,3}#{1,6}(?= )|^ {0,3}>|\]\([^)\s]*\)|\[|\|",
    re.MULTILINE,
)


@lru_cache(maxsize=1)
def _lemma_table() -> Table:
    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


def lemma_norm(word: str) -> str:
    """The lower-cased lookup lemma of ``word`` in American spelling: what ``LEMMA`` means in
    our patterns, so "licences" and "licenses", "authorised" and "authorized" are one word.

    Note the table's own choices: "data" becomes "datum", "were" becomes "be".
    """
    lower = get_american_spelling(word.lower())
    return str(_lemma_table().get(lower, lower))


@lru_cache(maxsize=1)
def build_pipeline() -> Language:
    """The shared pipeline; built once per process."""
    nlp = spacy.blank("en")
    nlp.vocab.lex_attr_getters[NORM] = lemma_norm  # type: ignore[attr-defined]
    for lexeme in nlp.vocab:
        lexeme.norm_ = lemma_norm(lexeme.orth_)
    _split_capitals_alike(nlp)
    return nlp


def _split_capitals_alike(nlp: Language) -> None:
    """Give the tokenizer's exceptions with an apostrophe or a slash their capitalised twins.

    spaCy splits "can't" and "Can't" into "ca" + "n't" but keeps "CAN'T" whole, and splits
    "AND/OR" where it keeps "and/or": liability and arbitration sections are often written in
    capitals, and a rule written for "can not" or "and/or" must read them the same. Exceptions
    without such a mark ("id" → "i" + "d", "ill", "cant") are left alone: in capitals they are
    usually words ("ID", "ILL").
    """
    rules = nlp.tokenizer.rules  # type: ignore[union-attr]
    for text, pieces in list(rules.items()):
        upper = text.upper()
        marked = any(mark in text for mark in "'’/")
        if marked and upper != text and upper not in rules:
            twin = [{**piece, ORTH: piece[ORTH].upper()} for piece in pieces]
            nlp.tokenizer.add_special_case(upper, twin)  # type: ignore[union-attr]


_LINE_BREAK = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=\S)")


def mask_markup(text: str) -> str:
    """Blank out Markdown syntax with spaces, so offsets into the text are unchanged.

    "**$50**" must tokenize as "$50", and a link's URL must not become words. A single line
    break inside a paragraph ("binding\narbitration" in hard-wrapped text) becomes a space too:
    spaCy keeps it as a token that would stand between the words of a rule.
    """
    blanked = _MARKUP.sub(lambda m: " " * len(m.group(0)), text)
    return _LINE_BREAK.sub(lambda m: " " * len(m.group(0)), blanked)
