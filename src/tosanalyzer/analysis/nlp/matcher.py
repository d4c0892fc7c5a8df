"""Compile the pattern library into indexed matchers and run them over a whole document.

Rules are written as spaCy Matcher token patterns, but they are not run by spaCy's Matcher: it
starts every pattern at every token (cost: tokens × patterns) and expands ``{0,8}`` into eight
optional tokens whose skip combinations it tracks one by one, which stalls on long documents.
Instead each pattern is cut into required tokens ("atoms") and the gaps between them. Atoms that
test one attribute for equality or membership are found with hash lookups (spaCy PhraseMatcher,
one pass per attribute whatever the number of rules); the rest are tested only where a chain
reaches them. Chains grow both ways from the atom with the fewest hits in the document, so cost
follows the rarest word of each rule, not the size of the library. Every match keeps the rule
that fired: a finding must always be explainable by the YAML it came from.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, cast

import numpy
from breame.spelling import get_american_spelling, get_british_spelling
from spacy.attrs import IDX, IS_SPACE, LENGTH, NORM, ORTH
from spacy.errors import MatchPatternError
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore, get_string_id
from spacy.tokens import Doc, Token
from thinc.types import Ints2d

from tosanalyzer.analysis.nlp.attributes import country_tokens
from tosanalyzer.analysis.nlp.library import PatternFileError
from tosanalyzer.analysis.nlp.pipeline import lemma_norm
from tosanalyzer.models import PatternLibrary, Rule

RuleRole = Literal["finding", "exception", "fair_cue"]
_ROLE_MARKS: dict[RuleRole, str] = {"finding": "", "exception": "!", "fair_cue": "~"}
_OPEN_PAREN = get_string_id("(")
_QUANTIFIER = re.compile(r"^\{(\d*),(\d*)\}$|^\{(\d+)\}$")
_UNBOUNDED_GAP = 60  # tokens; matches never leave their clause anyway
_INDEXED_ATTRS = ("LOWER", "NORM", "ORTH")
_STRING_ATTRS: dict[str, Callable[[Token], str]] = {
    "LOWER": lambda t: t.lower_,
    "NORM": lambda t: t.norm_,
    "ORTH": lambda t: t.text,
}
_COUNTRY_TOKENS = "tosanalyzer.country_tokens"


def _is_country(token: Token) -> bool:
    """Whether the token is part of a country's name ("Ireland", "United States", "U.S."); the
    names are found once per document, the first time a rule asks."""
    found: frozenset[int] | None = token.doc.user_data.get(_COUNTRY_TOKENS)
    if found is None:
        found = token.doc.user_data[_COUNTRY_TOKENS] = country_tokens(token.doc)
    return token.i in found


_FLAG_ATTRS: dict[str, Callable[[Token], bool]] = {
    "IS_COUNTRY": _is_country,
    "IS_PUNCT": lambda t: t.is_punct,
    "IS_ALPHA": lambda t: t.is_alpha,
    "IS_DIGIT": lambda t: t.is_digit,
    "IS_TITLE": lambda t: t.is_title,
    "IS_UPPER": lambda t: t.is_upper,
    "IS_LOWER": lambda t: t.is_lower,
    "LIKE_NUM": lambda t: t.like_num,
}


@dataclass(frozen=True)
class RuleMatch:
    """One rule firing on a stretch of the document (character offsets)."""

    clause_type: str
    rule_id: str
    role: RuleRole
    start: int
    end: int
    text: str


_Check = tuple[str, str, Any]  # (attribute, operation, operand)


def _compile_test(spec: dict[str, Any]) -> tuple[_Check, ...]:
    """A token spec as checks on the attribute hashes of a token, so testing a token in place
    compares integers instead of building strings."""
    checks: list[_Check] = []
    for attr, expected in spec.items():
        if attr in _FLAG_ATTRS:
            checks.append((attr, "flag", bool(expected)))
        elif isinstance(expected, str):
            checks.append((attr, "eq", get_string_id(expected)))
        else:
            for op, operand in expected.items():
                if op == "REGEX":
                    checks.append((attr, "regex", (re.compile(operand), {})))
                else:
                    checks.append((attr, op, frozenset(get_string_id(v) for v in operand)))
    return tuple(checks)


@dataclass(frozen=True)
class _Gap:
    """Between ``low`` and ``high`` tokens, each satisfying ``spec`` (empty: any token)."""

    low: int
    high: int
    spec: dict[str, Any]
    test: tuple[_Check, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", _compile_test(self.spec))


@dataclass(frozen=True)
class _Atom:
    spec: dict[str, Any]
    index_key: str | None  # set when hits come from the hash index
    test: tuple[_Check, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", _compile_test(self.spec))


class _Tokens:
    """One document's token attributes as hash columns, for testing tokens in place."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.columns = {attr: doc.to_array(attr).tolist() for attr in _STRING_ATTRS}
        self.strings = doc.vocab.strings

    def __len__(self) -> int:
        return len(self.doc)

    def ok(self, i: int, test: tuple[_Check, ...]) -> bool:
        for attr, op, operand in test:
            if op == "flag":
                if _FLAG_ATTRS[attr](self.doc[i]) != operand:
                    return False
                continue
            value = self.columns[attr][i]
            if op == "eq":
                passed = value == operand
            elif op == "IN":
                passed = value in operand
            elif op == "NOT_IN":
                passed = value not in operand
            else:
                pattern, verdicts = operand
                passed = verdicts.get(value)
                if passed is None:
                    passed = verdicts[value] = bool(pattern.search(self.strings[value]))
            if not passed:
                return False
        return True


@dataclass(frozen=True)
class _TokenRule:
    key: str
    atoms: tuple[_Atom, ...]
    gaps: tuple[tuple[_Gap, ...], ...]  # gaps[i] lies between atoms[i] and atoms[i + 1]
    bounds: tuple[tuple[int, int], ...] = ()  # fewest and most tokens in each gaps[i]

    def __post_init__(self) -> None:
        bounds = tuple((sum(g.low for g in gs), sum(g.high for g in gs)) for gs in self.gaps)
        object.__setattr__(self, "bounds", bounds)


def translate_token(spec: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a token spec from our YAML dialect into spaCy's attribute names.

    ``LEMMA`` becomes ``NORM`` (the pipeline stores the lower-cased lookup lemma there) with its
    values lemmatized the same way, so "licenses" and "LICENSED" in a pattern or a text agree;
    ``LOWER`` values are lower-cased and stand for their contracted forms ("will" for the "'ll"
    of "we'll" and the "wo" of "won't") and other spellings too; ``TEXT`` is ``ORTH``.
    """
    out: dict[str, Any] = {}
    for key, value in spec.items():
        attr = key.upper()
        if attr == "LEMMA":
            out["NORM"] = _map_values(value, lemma_norm)
        elif attr == "LOWER":
            out["LOWER"] = _with_contractions(_map_values(value, str.lower))
        elif attr == "TEXT":
            out["ORTH"] = value
        else:
            out[attr] = value
    return out


_CONTRACTED = {
    "will": ("'ll", "wo"),
    "not": ("n't",),
    "can": ("ca",),
    "are": ("'re",),
    "have": ("'ve",),
    "am": ("'m",),
}
"""Words and the tokens spaCy splits their contractions into ("won't" → "wo" + "n't").
Ambiguous ones are left out: "'d" is "had" or "would", "'s" is "is", "has" or a possessive."""


def _lower_forms(word: str) -> list[str]:
    """``word``, its contracted forms, its British and American spellings ("licensing",
    "licencing"), each with a straight and a curly apostrophe."""
    contracted = (word, *_CONTRACTED.get(word, ()))
    spelled = (
        variant
        for form in contracted
        for variant in (form, get_british_spelling(form), get_american_spelling(form))
    )
    return list(
        dict.fromkeys(
            variant
            for form in spelled
            for variant in (form, form.replace("'", "’"), form.replace("’", "'"))
        )
    )


def _with_contractions(value: Any) -> Any:
    """A lower-cased ``LOWER`` value that also accepts the other spellings of its words, so a
    rule written with "will not" or "don't" reads "won't", "we'll" and "don’t" too."""
    if isinstance(value, str):
        forms = _lower_forms(value)
        return {"IN": forms} if len(forms) > 1 else value
    if isinstance(value, dict):
        return {
            op: [form for v in vals for form in _lower_forms(v)]
            if op in ("IN", "NOT_IN")
            else vals
            for op, vals in value.items()
        }
    return value


def _map_values(value: Any, func: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return func(value)
    if isinstance(value, dict):
        return {
            op: [func(v) for v in vals] if isinstance(vals, list) else vals
            for op, vals in value.items()
        }
    return value


def _repeat_bounds(op: str | None) -> tuple[int, int] | None:
    """(min, max) repetitions for a token's OP; None for a plain required token."""
    if op is None or op == "1":
        return None
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, _UNBOUNDED_GAP
    if op == "+":
        return 1, _UNBOUNDED_GAP
    match = _QUANTIFIER.match(op)
    if not match:
        raise ValueError(f"OP '{op}' is not supported (use ?, *, +, {{n}}, {{n,m}}, {{,m}})")
    if match.group(3) is not None:
        count = int(match.group(3))
        return count, count
    low = int(match.group(1) or 0)
    return low, int(match.group(2)) if match.group(2) else _UNBOUNDED_GAP


def _check_spec(spec: dict[str, Any]) -> None:
    for attr, expected in spec.items():
        if attr in _FLAG_ATTRS:
            continue
        if attr not in _STRING_ATTRS:
            supported = ", ".join([*_STRING_ATTRS, "LEMMA", "TEXT", *_FLAG_ATTRS])
            raise ValueError(f"token attribute {attr} is not supported (use {supported})")
        if isinstance(expected, dict):
            unknown = set(expected) - {"IN", "NOT_IN", "REGEX"}
            if unknown:
                raise ValueError(f"{attr} supports IN, NOT_IN and REGEX, not {sorted(unknown)}")
        elif not isinstance(expected, str):
            raise ValueError(f"{attr} must be a string or a mapping of IN / NOT_IN / REGEX")


def _check_one_token(nlp: Language, spec: dict[str, Any]) -> None:
    """Refuse a value the tokenizer always splits: "third-party" is three tokens (third, -,
    party) in any case, so as one token's value it never matches and the rule silently does
    less than its author meant."""
    for attr, expected in spec.items():
        if attr.upper() not in {"LOWER", "LEMMA", "ORTH", "TEXT"}:
            continue
        values = [expected] if isinstance(expected, str) else [
            value for op in ("IN", "NOT_IN") for value in expected.get(op, [])
        ]
        for value in values:
            pieces = _always_split(nlp, value)
            if pieces:
                raise ValueError(
                    f"{attr} value '{value}' is never one token (the tokenizer splits it: "
                    f"{' | '.join(pieces)}); give each piece its own token"
                )


@lru_cache(maxsize=8192)
def _always_split(nlp: Language, value: str) -> tuple[str, ...]:
    """The pieces of ``value`` if the tokenizer splits it as written, in title case and in
    capitals; empty when one of them is a single token. Cached: the same words recur in
    hundreds of rules."""
    pieces = tuple(t.text for t in nlp.make_doc(value))
    if len(pieces) > 1 and all(len(nlp.make_doc(v)) > 1 for v in (value.title(), value.upper())):
        return pieces
    return ()


def _value_satisfies(value: str, spec: dict[str, Any]) -> bool:
    """Whether a string attribute's ``value`` passes the one-attribute ``spec``."""
    ((_, expected),) = spec.items()
    if isinstance(expected, str):
        return value == expected
    if "IN" in expected and value not in expected["IN"]:
        return False
    if "NOT_IN" in expected and value in expected["NOT_IN"]:
        return False
    return not ("REGEX" in expected and not re.search(expected["REGEX"], value))


def _index_key(spec: dict[str, Any]) -> str | None:
    """A hash-index key for an atom that tests one attribute for equality or membership."""
    if len(spec) != 1:
        return None
    ((attr, expected),) = spec.items()
    if attr not in _INDEXED_ATTRS:
        return None
    if isinstance(expected, str):
        values = [expected]
    elif isinstance(expected, dict) and set(expected) == {"IN"}:
        values = list(expected["IN"])
    else:
        return None
    return f"{attr}={json.dumps(sorted(set(values)), ensure_ascii=False)}"


def _compile_tokens(key: str, tokens: list[dict[str, Any]]) -> _TokenRule:
    atoms: list[_Atom] = []
    gaps: list[list[_Gap]] = [[]]
    for raw in tokens:
        spec = translate_token(raw)
        op = spec.pop("OP", None)
        _check_spec(spec)
        bounds = _repeat_bounds(op)
        if bounds is None:
            atoms.append(_Atom(spec, _index_key(spec)))
            gaps.append([])
        elif atoms:
            gaps[-1].append(_Gap(bounds[0], bounds[1], spec))
        elif bounds[0] > 0:
            raise ValueError("a pattern must start with a token that is not repeated")
    if not atoms:
        raise ValueError("a pattern needs at least one token that is not optional")
    if any(gap.low > 0 for gap in gaps[-1]):
        raise ValueError("a pattern must end with a token that is not repeated")
    return _TokenRule(key, tuple(atoms), tuple(tuple(g) for g in gaps[1:-1]))


class CompiledLibrary:
    """The matchers for one pattern library, built once and reused for every document."""

    def __init__(self, library: PatternLibrary, nlp: Language) -> None:
        self._index = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in _INDEXED_ATTRS}
        self._scanned = Matcher(nlp.vocab, validate=True)
        self._phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self._value_scans: dict[str, dict[str, Any]] = {}
        self._verdicts: dict[str, dict[int, bool]] = defaultdict(dict)  # scan key → value → ok
        self._rules: list[_TokenRule] = []
        self._vocab = nlp.vocab
        known: set[str] = set()
        for pattern in library.patterns:
            roles: dict[RuleRole, list[Rule]] = {
                "finding": pattern.patterns,
                "exception": pattern.exceptions,
                "fair_cue": pattern.fair_when,
            }
            for role, rules in roles.items():
                for rule in rules:
                    key = f"{pattern.id}/{rule.id}{_ROLE_MARKS[role]}"
                    try:
                        self._add(nlp, key, rule, known)
                    except (MatchPatternError, ValueError) as exc:
                        file = library.files[pattern.id]
                        raise PatternFileError(f"{file}: rule '{rule.id}': {exc}") from exc

    def _add(self, nlp: Language, key: str, rule: Rule, known: set[str]) -> None:
        if rule.tokens is None:
            self._phrases.add(key, [nlp.make_doc(phrase) for phrase in rule.phrases or []])
            return
        for spec in rule.tokens:
            _check_one_token(nlp, spec)
        compiled = _tested_in_place(_compile_tokens(key, rule.tokens))
        for atom in compiled.atoms:
            if atom.index_key and atom.index_key not in known:
                known.add(atom.index_key)
                self._index_atom(atom)
        if not any(atom.index_key for atom in compiled.atoms):
            # No atom the index can find: the first one is scanned for at every token.
            first = compiled.atoms[0]
            scan_key = "scan:" + json.dumps(first.spec, sort_keys=True)
            compiled = _TokenRule(
                key, (_Atom(first.spec, scan_key), *compiled.atoms[1:]), compiled.gaps
            )
            if scan_key not in known:
                known.add(scan_key)
                if _value_test(first.spec):
                    self._value_scans[scan_key] = first.spec
                else:
                    self._scanned.add(scan_key, [[first.spec]])
        self._rules.append(compiled)

    def _index_atom(self, atom: _Atom) -> None:
        ((attr, expected),) = atom.spec.items()
        values = [expected] if isinstance(expected, str) else expected["IN"]
        docs = []
        for value in dict.fromkeys(values):
            doc = Doc(self._vocab, words=[value])
            if attr == "NORM":
                doc[0].norm_ = value
            docs.append(doc)
        assert atom.index_key is not None
        self._index[attr].add(atom.index_key, docs)

    def matches(self, full: Doc) -> list[RuleMatch]:
        """Every rule match in ``full``, in document order.

        Whitespace tokens are left out first: masked Markdown ("**You** may") leaves runs of
        spaces that spaCy keeps as tokens, and a rule must not have to step over them.
        """
        doc, offsets = _without_space_tokens(full)
        strings = doc.vocab.strings
        found = [m(doc) for m in self._index.values() if len(m)]
        if len(self._scanned):
            found.append(self._scanned(doc))
        hits = _group_hits([hit for matches in found for hit in matches], strings)
        for key, spec in self._value_scans.items():
            hits[key] = _value_scan(doc, spec, self._verdicts[key])
        spans = [(strings[m], s, e) for m, s, e in self._phrases(doc)]
        tokens = _Tokens(doc)
        for rule in self._rules:
            spans.extend((rule.key, s, e) for s, e in _rule_spans(tokens, rule, hits))
        spans.sort(key=lambda m: (m[1], m[2], m[0]))
        text = full.text
        return [_rule_match(text, offsets, key, start, end) for key, start, end in spans]


    def closest(
        self, doc: Doc, start: int, end: int, clause_types: set[str]
    ) -> tuple[str, int, int, dict[str, Any]] | None:
        """The finding rule of ``clause_types`` with most required tokens present in
        ``doc[start:end]``: (rule key, atoms present, atoms in all, first absent atom's spec).

        Order and gaps are ignored: this explains a miss to a pattern author, it does not match.
        """
        best: tuple[str, int, int, dict[str, Any]] | None = None
        tokens = _Tokens(doc)
        for rule in self._rules:
            role, key = _split_key(rule.key)
            if role != "finding" or key.split("/", 1)[0] not in clause_types:
                continue
            present = [
                any(tokens.ok(i, atom.test) for i in range(start, end)) for atom in rule.atoms
            ]
            found = sum(present)
            if best is None or found / len(present) > best[1] / best[2]:
                missing = rule.atoms[present.index(False)].spec if not all(present) else {}
                best = (rule.key, found, len(present), missing)
        return best


def _tested_in_place(rule: _TokenRule) -> _TokenRule:
    """Leave function words out of the index when the rule has another word to anchor on.

    "the", "or", "," hit nearly every token: indexing them costs a list entry per hit, while a
    chain that reaches such an atom from a rare anchor tests a handful of tokens in place.
    """
    common = [atom.index_key is not None and _is_common(atom.spec) for atom in rule.atoms]
    pairs = list(zip(rule.atoms, common, strict=True))
    if not any(atom.index_key is not None and not c for atom, c in pairs):
        return rule
    atoms = tuple(_Atom(atom.spec, None) if c else atom for atom, c in pairs)
    return _TokenRule(rule.key, atoms, rule.gaps)


def _is_common(spec: dict[str, Any]) -> bool:
    ((_, expected),) = spec.items()
    values = [expected] if isinstance(expected, str) else expected["IN"]
    return any(value in STOP_WORDS or not value.isalnum() for value in values)


def _value_test(spec: dict[str, Any]) -> bool:
    """Whether ``spec`` tests one string attribute only, so distinct values can be tested."""
    return len(spec) == 1 and next(iter(spec)) in _STRING_ATTRS


def _group_hits(found: list[tuple[int, int, int]], strings: StringStore) -> dict[str, list[int]]:
    """Atom key → sorted start positions; grouped with numpy, since common words give
    hundreds of thousands of hits in a long document."""
    if not found:
        return {}
    table = numpy.array(found, dtype=numpy.uint64)
    order = numpy.lexsort((table[:, 1], table[:, 0]))
    ids, starts = table[order, 0], table[order, 1].astype(numpy.int64)
    cuts = (numpy.flatnonzero(numpy.diff(ids)) + 1).tolist()
    return {
        strings[int(ids[begin])]: starts[begin:end].tolist()
        for begin, end in zip([0, *cuts], [*cuts, len(ids)], strict=True)
    }


def _value_scan(doc: Doc, spec: dict[str, Any], verdicts: dict[int, bool]) -> list[int]:
    """Positions whose value satisfies ``spec``, testing each distinct value once ever.

    spaCy would call a Python predicate (REGEX, NOT_IN) for every token; a document has far
    fewer distinct words than tokens, and ``verdicts`` remembers them across documents.
    """
    ((attr, _),) = spec.items()
    values = doc.to_array(attr)
    strings = doc.vocab.strings
    accepted = []
    for value in numpy.unique(values).tolist():
        verdict = verdicts.get(value)
        if verdict is None:
            verdict = verdicts[value] = _value_satisfies(strings[value], spec)
        if verdict:
            accepted.append(value)
    return numpy.flatnonzero(numpy.isin(values, accepted)).tolist()


def _split_key(key: str) -> tuple[RuleRole, str]:
    """A matcher key's role and its '<clause type>/<rule id>'."""
    for role, mark in _ROLE_MARKS.items():
        if mark and key.endswith(mark):
            return role, key[: -len(mark)]
    return "finding", key


_ENUMERATOR = re.compile(r"^(?:[a-z]|[ivx]{1,4}|\d{1,2})$", re.IGNORECASE)


def _without_space_tokens(doc: Doc) -> tuple[Doc, list[tuple[int, int]]]:
    """``doc`` without whitespace tokens and inline enumerators, and each remaining token's
    character span in the text.

    Masked Markdown ("**You** may") leaves runs of spaces that spaCy keeps as tokens, and
    "(i)", "(b)" inside a sentence ("may, at its discretion, (i) stop the service or (ii)
    change it") lengthen every gap they fall in: a rule must not have to step over either.
    Token norms are carried over, since the tokenizer sets some itself ("'ll" → "will").
    """
    starts = doc.to_array(IDX).tolist()
    lengths = doc.to_array(LENGTH).tolist()
    orths = doc.to_array(ORTH)
    strings = doc.vocab.strings
    dropped = doc.to_array(IS_SPACE).astype(bool)
    # Paragraph breaks are whitespace tokens too, but no rule reaches across one: a document
    # whose only whitespace tokens are line breaks is matched as it is (the common case for
    # plain text, and the cheaper one).
    inline = any("\n" not in strings[o] for o in orths[dropped].tolist())
    for i in numpy.flatnonzero(orths == _OPEN_PAREN).tolist():
        closed = i + 2 < len(doc) and strings[orths[i + 2]] == ")"
        if closed and _ENUMERATOR.match(strings[orths[i + 1]]):
            dropped[i : i + 3] = inline = True
    if not inline:
        return doc, [(start, start + n) for start, n in zip(starts, lengths, strict=True)]
    keep = numpy.flatnonzero(~dropped)
    compact = Doc(doc.vocab, words=[strings[o] for o in orths[keep].tolist()])
    compact.from_array([NORM], cast(Ints2d, doc.to_array([NORM])[keep]))
    return compact, [(starts[i], starts[i] + lengths[i]) for i in keep.tolist()]


def _rule_match(
    text: str, offsets: list[tuple[int, int]], key: str, start: int, end: int
) -> RuleMatch:
    role, key = _split_key(key)
    clause_type, rule_id = key.split("/", 1)
    first, last = offsets[start][0], offsets[end - 1][1]
    return RuleMatch(
        clause_type=clause_type,
        rule_id=rule_id,
        role=role,
        start=first,
        end=last,
        text=text[first:last],
    )


def _rule_spans(
    doc: _Tokens, rule: _TokenRule, hits: dict[str, list[int]]
) -> Iterable[tuple[int, int]]:
    """Token spans where the rule's atoms follow each other across allowed gaps."""
    counts: dict[int, int] = {}
    for i, atom in enumerate(rule.atoms):
        if atom.index_key is not None:
            counts[i] = len(hits.get(atom.index_key, ()))
            if not counts[i]:
                return
    # Start from the atom with the fewest hits in this document: "we" is everywhere,
    # "arbitration" is not.
    anchor = min(counts, key=lambda i: (counts[i], i))
    anchor_key = rule.atoms[anchor].index_key
    assert anchor_key is not None
    seen: set[tuple[int, int]] = set()
    for position in hits[anchor_key]:
        end = _extend(doc, rule, hits, anchor + 1, position + 1)
        if end is None:
            continue
        start = _extend_back(doc, rule, hits, anchor - 1, position)
        if start is not None and (start, end) not in seen:
            seen.add((start, end))
            yield start, end


def _candidates(
    rule: _TokenRule, hits: dict[str, list[int]], index: int, low: int, high: int
) -> Iterable[int]:
    """Positions in [low, high] where atoms[index] may stand, nearest to ``low`` first."""
    key = rule.atoms[index].index_key
    if key is None:
        return range(low, high + 1)
    positions = hits[key]
    return positions[bisect_left(positions, low) : bisect_left(positions, high + 1)]


def _extend(
    doc: _Tokens, rule: _TokenRule, hits: dict[str, list[int]], index: int, previous_end: int
) -> int | None:
    """The end of the shortest completion from atom ``index`` on, if there is one."""
    if index == len(rule.atoms):
        return previous_end
    low, high = rule.bounds[index - 1]
    atom = rule.atoms[index]
    gaps = rule.gaps[index - 1]
    for position in _candidates(
        rule, hits, index, previous_end + low, min(previous_end + high, len(doc) - 1)
    ):
        if atom.index_key is None and not doc.ok(position, atom.test):
            continue
        if gaps and not _fits(doc, previous_end, position, gaps):
            continue
        end = _extend(doc, rule, hits, index + 1, position + 1)
        if end is not None:
            return end
    return None


def _extend_back(
    doc: _Tokens, rule: _TokenRule, hits: dict[str, list[int]], index: int, next_start: int
) -> int | None:
    """The start of the nearest completion of atoms ``index`` down to 0, if there is one."""
    if index < 0:
        return next_start
    low, high = rule.bounds[index]
    atom = rule.atoms[index]
    gaps = rule.gaps[index]
    options = _candidates(rule, hits, index, max(next_start - 1 - high, 0), next_start - 1 - low)
    for position in reversed(list(options)):
        if atom.index_key is None and not doc.ok(position, atom.test):
            continue
        if gaps and not _fits(doc, position + 1, next_start, gaps):
            continue
        start = _extend_back(doc, rule, hits, index - 1, position)
        if start is not None:
            return start
    return None


def _fits(doc: _Tokens, start: int, end: int, gaps: tuple[_Gap, ...]) -> bool:
    """Whether tokens ``start:end`` can be split into consecutive runs that satisfy ``gaps``."""
    if not gaps:
        return start == end
    gap, rest = gaps[0], gaps[1:]
    length = gap.low
    while length <= gap.high and start + length <= end:
        run_ok = not gap.test or all(doc.ok(i, gap.test) for i in range(start, start + length))
        if not run_ok:
            return False
        if _fits(doc, start + length, end, rest):
            return True
        length += 1
    return False
