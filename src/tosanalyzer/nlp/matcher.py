"""Compile the pattern library into spaCy matchers and run them over a whole document.

All rules go into one Matcher and one PhraseMatcher, so a document is scanned once however many
clause types the library holds. Each match keeps the name of the rule that fired: a finding must
always be explainable by the YAML it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from tosanalyzer.models import PatternLibrary, Rule
from tosanalyzer.nlp.library import PatternFileError
from tosanalyzer.nlp.pipeline import lemma_norm

_EXCEPTION_MARK = "!"


@dataclass(frozen=True)
class RuleMatch:
    """One rule firing on a stretch of the document (character offsets)."""

    clause_type: str
    rule_id: str
    exception: bool
    start: int
    end: int
    text: str


def translate_token(spec: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a token spec from our YAML dialect into spaCy's.

    ``LEMMA`` becomes ``NORM`` (the pipeline stores the lower-cased lookup lemma there) with its
    values lemmatized the same way, so "licenses" and "LICENSED" in a pattern or a text agree;
    ``LOWER`` values are lower-cased.
    """
    out: dict[str, Any] = {}
    for key, value in spec.items():
        attr = key.upper()
        if attr == "LEMMA":
            out["NORM"] = _map_values(value, lemma_norm)
        elif attr == "LOWER":
            out["LOWER"] = _map_values(value, str.lower)
        else:
            out[attr] = value
    return out


def _map_values(value: Any, func: Any) -> Any:
    if isinstance(value, str):
        return func(value)
    if isinstance(value, dict):
        return {
            op: [func(v) for v in vals] if isinstance(vals, list) else vals
            for op, vals in value.items()
        }
    return value


class CompiledLibrary:
    """The matchers for one pattern library, built once and reused for every document."""

    def __init__(self, library: PatternLibrary, nlp: Language) -> None:
        self._matcher = Matcher(nlp.vocab, validate=True)
        self._phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        for pattern in library.patterns:
            for exception, rules in ((False, pattern.patterns), (True, pattern.exceptions)):
                for rule in rules:
                    self._add(nlp, library.files[pattern.id], pattern.id, rule, exception)

    def _add(self, nlp: Language, file: str, clause_type: str, rule: Rule, exception: bool) -> None:
        key = f"{clause_type}/{rule.id}" + (_EXCEPTION_MARK if exception else "")
        if rule.tokens is not None:
            try:
                self._matcher.add(key, [[translate_token(t) for t in rule.tokens]])
            except (MatchPatternError, ValueError) as exc:
                raise PatternFileError(f"{file}: rule '{rule.id}': {exc}") from exc
        else:
            self._phrases.add(key, [nlp.make_doc(phrase) for phrase in rule.phrases or []])

    def matches(self, doc: Doc) -> list[RuleMatch]:
        """Every rule match in ``doc``, in document order."""
        found = [*self._matcher(doc), *self._phrases(doc)]
        found.sort(key=lambda m: (m[1], m[2]))
        out: list[RuleMatch] = []
        strings = doc.vocab.strings
        for match_id, start, end in found:
            key = strings[match_id]
            exception = key.endswith(_EXCEPTION_MARK)
            clause_type, rule_id = key.rstrip(_EXCEPTION_MARK).split("/", 1)
            span = doc[start:end]
            out.append(
                RuleMatch(
                    clause_type=clause_type,
                    rule_id=rule_id,
                    exception=exception,
                    start=span.start_char,
                    end=span.end_char,
                    text=span.text,
                )
            )
        return out
