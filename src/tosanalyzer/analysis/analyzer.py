"""Compose the language stages into one analysis: text in, clauses and quoted findings out.

The expensive parts (spaCy vocabulary, compiled matchers) are built once per pattern folder and
reused for every document, which is what keeps analysis close to bare-tokenizer speed.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from spacy.language import Language
from spacy.tokens import Doc

from tosanalyzer import __version__
from tosanalyzer.analysis.nlp.attributes import extract, extract_effective_date
from tosanalyzer.analysis.nlp.language import detect_language
from tosanalyzer.analysis.nlp.library import load_library, pattern_files
from tosanalyzer.analysis.nlp.matcher import CompiledLibrary, RuleMatch
from tosanalyzer.analysis.nlp.normalize import Normalised, normalise
from tosanalyzer.analysis.nlp.pipeline import build_pipeline, mask_markup
from tosanalyzer.analysis.nlp.segment import segment
from tosanalyzer.models import (
    AnalysisResult,
    Cancellation,
    Clause,
    DocumentFormat,
    DocumentMeta,
    Finding,
    PatternLibrary,
    Provenance,
    Rule,
    SourceText,
    Trace,
    TracedFinding,
)
from tosanalyzer.tracking import html_to_markdown

ANALYSED_LANGUAGES = frozenset({"en"})
PART_CHARS = 200_000
"""The longest stretch of text tokenized at once: well under spaCy's ``max_length``, and a few
tens of megabytes of tokens."""


class Analyzer:
    """One pattern library, compiled and ready to analyse any number of documents."""

    def __init__(
        self, library: PatternLibrary, nlp: Language | None = None, part_chars: int = PART_CHARS
    ) -> None:
        self.library = library
        self.part_chars = part_chars
        self._nlp = nlp or build_pipeline()
        self._compiled = CompiledLibrary(library, self._nlp)
        self._last_explained: tuple[str, _Triage] | None = None
        self._rules = {
            (pattern.id, rule.id): rule
            for pattern in library.patterns
            for rule in (*pattern.patterns, *pattern.exceptions, *pattern.fair_when)
        }
        self._excepted_by = {
            pattern.id: (pattern.id, *pattern.exceptions_from) for pattern in library.patterns
        }
        self.provenance = Provenance(
            analyzer_version=__version__,
            pattern_library_version=library.version,
            spacy_version=version("spacy"),
        )

    def analyze_source(self, source: SourceText) -> AnalysisResult:
        """Analyse a document read from a file; HTML is first cleaned to Markdown."""
        if source.format == "html":
            return self.analyze_text(html_to_markdown(source.text), source.source, "html")
        return self.analyze_text(source.text, source.source, source.format)

    def analyze_text(
        self,
        text: str,
        source: str = "<text>",
        fmt: DocumentFormat = "txt",
        assume_language: str | None = None,
    ) -> AnalysisResult:
        """Analyse ``text``; ``assume_language`` skips detection for texts known to be English
        but too short to detect reliably (pattern examples, labelled quotes)."""
        language = assume_language or detect_language(text)
        analysed = language in ANALYSED_LANGUAGES
        clauses = segment(text) if analysed else []
        meta = DocumentMeta(
            source=source,
            format=fmt,
            characters=len(text),
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            language=language,
            analysed=analysed,
            not_analysed_reason=None if analysed else f"not analysed: language {language}",
            effective_date=extract_effective_date(text) if analysed else None,
        )
        findings = self._findings(text, clauses) if analysed else []
        return AnalysisResult(
            document=meta, provenance=self.provenance, clauses=clauses, findings=findings
        )

    def _findings(self, text: str, clauses: list[Clause]) -> list[Finding]:
        return self._triage(text, clauses).findings

    def trace(self, text: str) -> Trace:
        """The findings of English ``text`` with every rule and cue behind each, and what
        exceptions cancelled."""
        triage = self._triage(text, segment(text))
        findings = [
            TracedFinding(finding=finding, rules=list(rules), fair_cues=list(cues))
            for finding, rules, cues in zip(
                triage.findings, triage.rules, triage.cues, strict=True
            )
        ]
        return Trace(findings=findings, cancellations=triage.cancellations)

    def without(self, rules: set[str]) -> Analyzer:
        """This analyzer less the rules named ``<clause type>/<rule id>``; the spaCy pipeline
        is shared, only the matchers are compiled again."""
        return Analyzer(self.library.without(rules), self._nlp, self.part_chars)

    def explain_miss(self, text: str, start: int, end: int, clause_types: set[str]) -> str:
        """Why no finding of ``clause_types`` covers ``text[start:end]``: the rule that matched
        and what set it aside, a fair form, or the rule that came closest."""
        if not clause_types:
            return "no clause type stands for this label"
        triage = self._explained(text)
        for match, reason in triage.suppressed:
            if match.clause_type in clause_types and match.start < end and match.end > start:
                return f"{match.clause_type}/{match.rule_id} matched, but {reason}"
        for finding in triage.findings:
            if finding.fairness != "fair" or finding.clause_type not in clause_types:
                continue
            if finding.start < end and finding.end > start:
                return f"{finding.pattern_id} found the fair form ({finding.fair_because})"
        part, normalised, doc = triage.reading_at(start)
        span = doc.char_span(
            normalised.in_normalised(start - part),
            normalised.in_normalised(end - part),
            alignment_mode="expand",
        )
        closest = span and self._compiled.closest(doc, span.start, span.end, clause_types)
        if not closest:
            return "no rule of this type has a required word here"
        key, found, total, missing = closest
        if found == total:
            return f"{key}: all {total} required words present, but not in the order or distance"
        return f"{key}: {found} of {total} required words present; absent: {json.dumps(missing)}"

    def _explained(self, text: str) -> _Triage:
        """The triage of ``text``, kept for the next call: eval explains every miss of a
        document in turn, and matching the whole document again for each one is wasted."""
        last = self._last_explained
        if last is None or last[0] != text:
            triage = self._triage(text, segment(text), keep_readings=True)
            last = self._last_explained = (text, triage)
        return last[1]

    def _matches(
        self, text: str, clauses: list[Clause], triage: _Triage, keep_readings: bool
    ) -> Iterator[RuleMatch]:
        """Every rule match in ``text``, with offsets into ``text`` as given.

        spaCy refuses texts over ``nlp.max_length`` and a whole page's tokens cost memory in
        proportion, so a long text is read in parts cut between paragraphs (no rule reaches
        across one). Each part is matched as the reader sees it (`normalise`), and each match
        is mapped back to the recorded text."""
        for start, end in _parts(text, clauses, self.part_chars):
            normalised = normalise(text[start:end])
            doc = self._nlp.make_doc(mask_markup(normalised.text))
            if keep_readings:
                triage.readings.append((start, normalised, doc))
            for match in self._compiled.matches(doc):
                first = start + normalised.start_in_original(match.start)
                last = start + normalised.end_in_original(match.end)
                yield replace(match, start=first, end=last, text=text[first:last])

    def _triage(self, text: str, clauses: list[Clause], keep_readings: bool = False) -> _Triage:
        """Sort the rule matches of ``text`` by role, then decide clause by clause and type by
        type whether a finding stands; a finding whose lead-in quotes the next clauses covers
        them, so their own matches of that type add no second finding."""
        triage = _Triage()
        by_role = self._by_role(text, clauses, triage, keep_readings)
        covered: dict[str, int] = {}  # clause type → last clause its previous finding quotes
        for (index, clause_type), found in sorted(by_role.hits.items()):
            if covered.get(clause_type, -1) >= index:
                continue
            rereaders = by_role.rereaders(self._excepted_by[clause_type])
            candidate = _Candidate(clauses[index], clause_type, found, rereaders)
            cancels = self._cancels(text, candidate, by_role)
            if cancels:
                triage.cancel(candidate, cancels)
            else:
                covered[clause_type] = self._keep(text, clauses, candidate, by_role, triage).index
        return triage

    def _by_role(
        self, text: str, clauses: list[Clause], triage: _Triage, keep_readings: bool
    ) -> _ByRole:
        """The matches of ``text`` that stay where their rule may reach, by role; the others
        are set aside in ``triage`` with the reason."""
        starts = [clause.start for clause in clauses]
        by_role = _ByRole()
        for match in self._matches(text, clauses, triage, keep_readings):
            index = bisect_right(starts, match.start) - 1
            last = bisect_right(starts, match.end - 1) - 1
            rule = self._rules[(match.clause_type, match.rule_id)]
            reason = _out_of_place(rule, clauses, (index, last), match.end)
            if reason:
                triage.suppressed.append((match, reason))
            else:
                by_role.add(match, rule, clauses[index], last)
        return by_role

    def _cancels(self, text: str, candidate: _Candidate, by_role: _ByRole) -> list[str]:
        """The exceptions that cancel ``candidate``: those acting on its clause, paragraph or
        section that do not merely carve a case out, then, when no match of it stands, the
        rereadings that set its matches aside."""
        clause = candidate.clause
        first_end = min(match.end for match in candidate.matches)
        cancels = [
            _key(exception)
            for exception in by_role.cancelling(
                candidate.places, self._excepted_by[candidate.clause_type]
            )
            if not _carved_out(text, first_end, exception, clause.end)
        ]
        if not candidate.standing:
            cancels += [
                _key(e)
                for e in candidate.rereaders
                if any(_overlap(e, match) for match in candidate.matches)
            ]
        return cancels

    def _keep(
        self,
        text: str,
        clauses: list[Clause],
        candidate: _Candidate,
        by_role: _ByRole,
        triage: _Triage,
    ) -> Clause:
        """Record ``candidate`` as a finding on its standing matches, fair when a cue acts on
        its clause, quoting the list a lead-in opens; the last clause it quotes."""
        clause_type = candidate.clause_type
        kept = [match for match, _ in candidate.standing]
        cues = by_role.cues(candidate.places, clause_type)
        final = _list_end(clauses, max(end for _, end in candidate.standing))
        cue = cues[0] if cues else None
        triage.findings.append(
            self._finding(text, (candidate.clause, final), clause_type, kept, cue)
        )
        triage.rules.append(tuple(dict.fromkeys(f"{clause_type}/{m.rule_id}" for m in kept)))
        triage.cues.append(tuple(dict.fromkeys(cues)))
        return final

    def _finding(
        self,
        text: str,
        span: tuple[Clause, Clause],
        clause_type: str,
        matches: list[RuleMatch],
        cue: str | None,
    ) -> Finding:
        clause, last = span
        quote = text[clause.start : last.end]
        pattern = self.library.get(clause_type)
        unfair = [m for m in matches if not self._rules[(clause_type, m.rule_id)].fair]
        match = unfair[0] if unfair and cue is None else matches[0]
        fairness: Literal["unfair", "fair"] | None = None
        fair_because = None
        if pattern.polarity == "bad":
            fair_because = cue or (None if unfair else f"{clause_type}/{match.rule_id}")
            fairness = "fair" if fair_because else "unfair"
        return Finding(
            clause_type=clause_type,
            severity=pattern.severity,
            polarity=pattern.polarity,
            clause_index=clause.index,
            start=clause.start,
            end=last.end,
            quote=quote,
            matched_text=text[match.start : match.end],
            section_path=clause.section_path,
            pattern_id=f"{clause_type}/{match.rule_id}",
            fairness=fairness,
            fair_because=fair_because,
            attributes=extract(quote, pattern.attributes),
        )


_Scope = tuple[str, ...]
_MAX_ITEMS = 20
_CARVE_OUT = re.compile(r"\b(except|excluding|other than|apart from|save that|save for)\b", re.I)


def _overlap(exception: RuleMatch, match: RuleMatch) -> bool:
    """Whether an exception of scope "match" rereads words of this finding match ("disable
    content" is not "disable the account"): it cancels only the matches it overlaps."""
    return exception.start < match.end and match.start < exception.end


def _carved_out(text: str, first_end: int, exception: RuleMatch, end: int) -> bool:
    """Whether ``exception`` only carves a case out of the finding ("disputes go to binding
    arbitration, except that neither side is required to arbitrate IP claims"): it comes later
    in the same clause (ending at ``end``), behind an "except" that the finding's first match
    (ending at ``first_end``) stands before. Written the other way round ("except where …,
    disputes go to arbitration") or without the word, the exception still cancels."""
    if not first_end <= exception.start < end:
        return False
    return bool(_CARVE_OUT.search(text, first_end, exception.start))


def _scope(kind: str, clause: Clause) -> _Scope:
    """Where a cue acts: its clause, its paragraph, or every clause under the same headings
    (a clause under no heading has no section: the cue then acts in its clause only)."""
    if kind == "section" and clause.section_path:
        return ("section", *clause.section_path)
    if kind == "paragraph":
        return ("paragraph", str(clause.paragraph))
    return ("clause", str(clause.index))


_ITEM_CONTINUES = (":", ";", ",", " or", " and", ";or", ";and")


def _list_end(clauses: list[Clause], index: int) -> Clause:
    """The last clause a finding in ``clauses[index]`` quotes: a lead-in ending with a colon
    ("we are not liable for:") carries on through the items that complete it, up to the item
    that no longer ends with a colon, semicolon, comma, "or" or "and"."""
    clause = clauses[index]
    if not clause.text.rstrip().endswith(":"):
        return clause
    end = index
    while end + 1 < len(clauses) and end - index < _MAX_ITEMS:
        item = clauses[end + 1]
        if item.kind == "heading":
            break
        end += 1
        if not item.text.rstrip().lower().endswith(_ITEM_CONTINUES):
            break
    return clauses[end]


def _within(scope: str, clauses: list[Clause], first: int, last: int, end: int) -> bool:
    """Whether a match from clause ``first`` to ``end`` (in clause ``last``) stays where its
    rule may reach: its clause, or for paragraph rules the sentences of one paragraph."""
    if end <= clauses[first].end:
        return True
    return scope == "paragraph" and clauses[last].paragraph == clauses[first].paragraph


def _key(match: RuleMatch) -> str:
    """How traces and cancellations name the rule behind a match."""
    return f"{match.clause_type}/{match.rule_id}"


def _out_of_place(rule: Rule, clauses: list[Clause], span: tuple[int, int], end: int) -> str | None:
    """Why a match from clause ``span[0]`` to ``end`` (in clause ``span[1]``) is set aside, if
    it is: it lies outside every clause or in a heading, reaches further than its rule may, or
    falls under headings its rule's section filter keeps it out of."""
    first, last = span
    clause = clauses[first] if first >= 0 else None
    if (
        clause is None
        or clause.kind == "heading"
        or not _within(rule.scope, clauses, first, last, end)
    ):
        return "it crosses a clause boundary"
    if not rule.allowed_in(clause.section_path):
        return "its section filter keeps it out"
    return None


def _new_lists() -> defaultdict[Any, list[Any]]:
    return defaultdict(list)


@dataclass
class _ByRole:
    """The matches of a text that stay in place, sorted by what they do: finding matches per
    clause and type, each with the last clause it reaches (``hits``); exceptions that cancel
    where they act (``cancellers``); exceptions of scope "match" that reread words, per type
    (``rereadings``); fair cues where they act, by name (``fair_cues``)."""

    hits: dict[tuple[int, str], list[tuple[RuleMatch, int]]] = field(default_factory=_new_lists)
    cancellers: dict[tuple[_Scope, str], list[RuleMatch]] = field(default_factory=_new_lists)
    rereadings: dict[str, list[RuleMatch]] = field(default_factory=_new_lists)
    fair_cues: dict[tuple[_Scope, str], list[str]] = field(default_factory=_new_lists)

    def add(self, match: RuleMatch, rule: Rule, clause: Clause, last: int) -> None:
        """File ``match`` of ``rule``, found in ``clause`` and reaching clause ``last``."""
        if match.role == "exception" and rule.scope == "match":
            self.rereadings[match.clause_type].append(match)
            return
        scope = (_scope(rule.scope, clause), match.clause_type)
        if match.role == "exception":
            self.cancellers[scope].append(match)
        elif match.role == "fair_cue":
            self.fair_cues[scope].append(_key(match))
        else:
            self.hits[(clause.index, match.clause_type)].append((match, last))

    def rereaders(self, excepted_by: tuple[str, ...]) -> list[RuleMatch]:
        """The rereadings of the types whose exceptions a type takes."""
        return [e for clause_type in excepted_by for e in self.rereadings.get(clause_type, [])]

    def cancelling(self, places: list[_Scope], excepted_by: tuple[str, ...]) -> list[RuleMatch]:
        """The cancelling exceptions of the types in ``excepted_by`` that act in ``places``."""
        return [
            exception
            for clause_type in excepted_by
            for place in places
            for exception in self.cancellers.get((place, clause_type), [])
        ]

    def cues(self, places: list[_Scope], clause_type: str) -> list[str]:
        """The fair cues of ``clause_type`` that act in ``places``."""
        return [key for place in places for key in self.fair_cues.get((place, clause_type), [])]


@dataclass(frozen=True)
class _Candidate:
    """The matches of one clause type in one clause: a finding unless an exception cancels
    it. ``found`` pairs each match with the last clause it reaches; ``rereaders`` are the
    exceptions of scope "match" that may set some of them aside."""

    clause: Clause
    clause_type: str
    found: list[tuple[RuleMatch, int]]
    rereaders: list[RuleMatch]

    @cached_property
    def matches(self) -> list[RuleMatch]:
        return [match for match, _ in self.found]

    @cached_property
    def standing(self) -> list[tuple[RuleMatch, int]]:
        """The matches no rereading overlaps, which a finding stands on."""
        rereaders = self.rereaders
        return [(m, end) for m, end in self.found if not any(_overlap(e, m) for e in rereaders)]

    @cached_property
    def places(self) -> list[_Scope]:
        """Where an exception or a cue must act to reach the clause."""
        return [_scope(kind, self.clause) for kind in ("clause", "paragraph", "section")]


@dataclass
class _Triage:
    """Findings kept, and rule matches set aside with the reason (for explaining misses);
    ``rules`` and ``cues`` run parallel to ``findings``; ``readings`` holds each part's start,
    normalised text and tokens when kept for explaining."""

    readings: list[tuple[int, Normalised, Doc]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[tuple[RuleMatch, str]] = field(default_factory=list)
    rules: list[tuple[str, ...]] = field(default_factory=list)
    cues: list[tuple[str, ...]] = field(default_factory=list)
    cancellations: list[Cancellation] = field(default_factory=list)

    def cancel(self, candidate: _Candidate, cancels: list[str]) -> None:
        """Set ``candidate``'s matches aside, naming the first of the exceptions that cancel
        it, and record the cancellation for the trace."""
        matches = candidate.matches
        self.suppressed += [(m, f"exception {cancels[0]} cancelled it") for m in matches]
        self.cancellations.append(
            Cancellation(
                clause_type=candidate.clause_type,
                exceptions=cancels,
                start=min(m.start for m in matches),
                end=max(m.end for m in matches),
            )
        )

    def reading_at(self, position: int) -> tuple[int, Normalised, Doc]:
        """The kept part that holds ``position`` of the text."""
        index = bisect_right([start for start, _, _ in self.readings], position) - 1
        return self.readings[max(index, 0)]


def _parts(text: str, clauses: list[Clause], limit: int) -> Iterator[tuple[int, int]]:
    """Stretches of ``text`` of at most ``limit`` characters that cover it, each cut where
    white space ends: before a paragraph if one begins in reach, else before a clause, else
    (one clause longer than ``limit``) after the last white space in reach."""
    starts = [clause.start for clause in clauses]
    begin = 0
    while len(text) - begin > limit:
        reach = begin + limit
        cut = _cut_before_clause(text, clauses, starts, (begin, reach))
        if cut is None:
            space = max(text.rfind(" ", begin + 1, reach), text.rfind("\n", begin + 1, reach))
            cut = space + 1 if space > begin else reach
        yield begin, cut
        begin = cut
    yield begin, len(text)


def _cut_before_clause(
    text: str, clauses: list[Clause], starts: list[int], reach: tuple[int, int]
) -> int | None:
    """The last clause start in ``reach`` after white space, a paragraph's first if any."""
    first, last = bisect_right(starts, reach[0]), bisect_right(starts, reach[1]) - 1
    candidates = [i for i in range(last, first - 1, -1) if text[starts[i] - 1].isspace()]
    paragraphs = [i for i in candidates if i and clauses[i].paragraph != clauses[i - 1].paragraph]
    chosen = paragraphs or candidates
    return starts[chosen[0]] if chosen else None


def analyzer_for(patterns_dir: Path) -> Analyzer:
    """The cached analyzer of a pattern folder, built again once a file in it changes, so a
    reviewer who edits a rule while the TUI runs sees it on the next analysis."""
    return _analyzer_for(patterns_dir, _fingerprint(patterns_dir))


@lru_cache(maxsize=4)
def _analyzer_for(patterns_dir: Path, fingerprint: tuple[tuple[str, int, int], ...]) -> Analyzer:
    return Analyzer(load_library(patterns_dir))


def _fingerprint(patterns_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of each pattern file: a stat, not a read."""
    if not patterns_dir.is_dir():
        return ()
    stats = ((path.name, path.stat()) for path in pattern_files(patterns_dir))
    return tuple((name, stat.st_size, stat.st_mtime_ns) for name, stat in stats)
