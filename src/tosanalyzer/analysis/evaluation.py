"""Score the tagger against labelled sets, so accuracy claims come from a command, not memory.

Two formats are read: CLAUDETTE sentences (``doc``/``idx``/``text``/``labels``), where each
document's sentences are joined and analysed as one text so headings and neighbours give context,
and ToS;DR quotes (``quote``/``labels``/``implied_labels``), each analysed alone. The analyzer is
passed in, which keeps this stage independent of how analysis is composed.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from tosanalyzer.models import (
    CLAUDETTE_CATEGORIES,
    AnalysisResult,
    EvalError,
    EvalReport,
    Finding,
    Provenance,
    RuleSupport,
    Score,
    Trace,
    TracedFinding,
)

Analyze = Callable[[str], AnalysisResult]
Tracer = Callable[[str], Trace]
AnalyzeWithout = Callable[[str, frozenset[str]], AnalysisResult]
"""Analyse a text as if the named rules (``<clause type>/<rule id>``) had never been written."""
Categories = Callable[[str], set[str]]
"""Clause type → the labels its findings stand for, whatever their fairness."""
Labeller = Callable[[Finding], set[str]]
"""Maps a finding to the labels it stands for in the dataset (clause type, implied types…)."""
Explain = Callable[[str, int, int, str], str]
"""(text, start, end, label) → why no finding with that label covers ``text[start:end]``."""

_SEPARATOR = "\n\n"
M = TypeVar("M", bound=BaseModel)


class LabelledSetError(ValueError):
    """A labelled file that cannot be scored; the message names the file and line."""


class ClaudetteRow(BaseModel):
    doc: str
    idx: int
    text: str
    labels: list[str]
    lexglue_split: str | None = None


class TosdrRow(BaseModel):
    service: str
    quote: str
    labels: list[str]
    implied_labels: list[str] = []
    cases: list[str] = []

    @property
    def gold(self) -> set[str]:
        return set(self.labels) | set(self.implied_labels)

    def labelled(self, category: str, start: int, end: int) -> bool:
        """Whether the quote is labelled ``category`` (a quote is scored whole)."""
        return category in self.gold

    @property
    def in_negative_pool(self) -> bool:
        return not self.labels

    def negative(self, category: str, start: int, end: int) -> bool:
        """Whether a tag here is a false one: only quotes of the negative pool count."""
        return self.in_negative_pool


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelledSetError(f"{path}: cannot be read: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelledSetError(f"{path}:{number}: not JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise LabelledSetError(f"{path}:{number}: expected a JSON object")
        rows.append(row)
    if not rows:
        raise LabelledSetError(f"{path}: holds no rows")
    return rows


def dataset_kind(rows: list[dict[str, Any]], path: Path) -> str:
    first = rows[0]
    if {"doc", "idx", "text", "labels"} <= first.keys():
        return "claudette"
    if {"quote", "labels"} <= first.keys():
        return "tosdr"
    raise LabelledSetError(
        f"{path}: unknown format: expected CLAUDETTE rows (doc, idx, text, labels) "
        "or ToS;DR rows (service, quote, labels)"
    )


def _parse(model: type[M], rows: list[dict[str, Any]], path: Path) -> list[M]:
    parsed: list[M] = []
    for number, row in enumerate(rows, start=1):
        try:
            parsed.append(model.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(row)"
            raise LabelledSetError(f"{path}: row {number}: {field}: {first['msg']}") from exc
    return parsed


class _Tally:
    def __init__(self, categories: Iterable[str]) -> None:
        self.categories = sorted(categories)
        self.tp: dict[str, int] = defaultdict(int)
        self.fp: dict[str, int] = defaultdict(int)
        self.fn: dict[str, int] = defaultdict(int)

    def add(self, gold: set[str], predicted: set[str], fp_counts: bool = True) -> None:
        for category in self.categories:
            if category in gold and category in predicted:
                self.tp[category] += 1
            elif category in gold:
                self.fn[category] += 1
            elif category in predicted and fp_counts:
                self.fp[category] += 1

    def scores(self) -> tuple[dict[str, Score], Score, Score]:
        per = {c: _score(self.tp[c], self.fp[c], self.fn[c]) for c in self.categories}
        micro = _score(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        n = len(per) or 1
        macro = Score(
            precision=round(sum(s.precision for s in per.values()) / n, 4),
            recall=round(sum(s.recall for s in per.values()) / n, 4),
            f1=round(sum(s.f1 for s in per.values()) / n, 4),
            support=micro.support,
            tp=micro.tp,
            fp=micro.fp,
            fn=micro.fn,
        )
        return per, micro, macro


def _score(tp: int, fp: int, fn: int) -> Score:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        support=tp + fn,
        tp=tp,
        fp=fp,
        fn=fn,
    )


def evaluate_claudette(
    rows: list[dict[str, Any]],
    path: Path,
    analyze: Analyze,
    labeller: Labeller,
    provenance: Provenance,
    explain: Explain | None = None,
    split: str | None = None,
) -> EvalReport:
    """Per-sentence scores over the eight CLAUDETTE categories.

    ``split`` keeps the documents of one LexGLUE split (``train``, ``validation``), so rules
    shaped on some documents can be scored on documents they were not written from. With
    ``explain``, the report lists every error, each false negative with its nearest miss.
    """
    documents = _documents(_parse(ClaudetteRow, rows, path), path, split)
    tally = _Tally(CLAUDETTE_CATEGORIES)
    errors: list[EvalError] = []
    for document in documents:
        result = analyze(document.text)
        for row, (start, end), fired in document.fired(result.findings, labeller):
            gold = _gold(row)
            tally.add(gold, set(fired))
            if explain is not None:
                miss = functools.partial(explain, document.text, start, end)
                errors.extend(_errors(f"{row.doc}#{row.idx}", row.text, gold, fired, True, miss))
    items = sum(len(document.rows) for document in documents)
    return _report("claudette", path, items, provenance, tally, errors, split=split)


@dataclass(frozen=True)
class Tracing:
    """What the leave-one-out estimates ask of the analyzer: the rules behind each finding,
    analysis without named rules, and the labels a finding (or a clause type) stands for."""

    trace: Tracer
    analyze_without: AnalyzeWithout
    labeller: Labeller
    categories: Categories


def estimate_unseen_claudette(
    rows: list[dict[str, Any]],
    path: Path,
    tracing: Tracing,
    provenance: Provenance,
    split: str | None = None,
) -> EvalReport:
    """Per-sentence scores with each document scored as if it had never been seen.

    Hand-written rules have no training split to hold out, but a rule can be traced to the
    documents it helps in: a finding rule to the labelled sentences it finds, an exception to
    the unlabelled ones it cancels, a cue to the unlabelled ones it makes fair. A rule that
    helps in one document only was most likely written from that document, so each document
    is scored without the rules it alone supports. Rules that help nowhere here (written from
    other corpora or from the law) stay. Support is counted on every document of the file,
    ``split`` only chooses the documents scored.
    """
    sentences = _parse(ClaudetteRow, rows, path)
    documents = _documents(sentences, path, None)
    in_split = {document.name for document in _documents(sentences, path, split)}
    traces = {document.name: tracing.trace(document.text) for document in documents}
    support = _support(
        (
            _Helped(document.name, traces[document.name], document.labelled, document.unlabelled)
            for document in documents
        ),
        tracing.categories,
        fairness_counts=True,
    )
    single = _single(support)
    unseen = _unseen_by_group(single)
    tally = _Tally(CLAUDETTE_CATEGORIES)
    scored = [document for document in documents if document.name in in_split]
    for document in scored:
        findings = _unseen_findings(
            document.text, traces[document.name], unseen[document.name], tracing.analyze_without
        )
        for row, _, fired in document.fired(findings, tracing.labeller):
            tally.add(_gold(row), set(fired))
    report = _report(
        "claudette",
        path,
        sum(len(document.rows) for document in scored),
        provenance,
        tally,
        [],
        split=split,
    )
    return report.model_copy(update={"leave_one_out": True, "single_document_rules": single})


def estimate_unseen_tosdr(
    rows: list[dict[str, Any]], path: Path, tracing: Tracing, provenance: Provenance
) -> EvalReport:
    """Per-type recall and false tags with each service's quotes scored as if the service had
    never been seen.

    The CLAUDETTE estimate with the service in place of the document: a finding rule helps in
    the services whose labelled quotes it finds, an exception in those whose negative quotes it
    keeps untagged. Fairness does not count here (ToS;DR labels name a clause whatever its
    form), so fair cues help nowhere. Each service's quotes are analysed without the rules that
    help in that service alone.
    """
    quotes = _parse(TosdrRow, rows, path)
    traces = [tracing.trace(quote.quote) for quote in quotes]
    support = _support(
        (
            _Helped(quote.service, traced, quote.labelled, quote.negative)
            for quote, traced in zip(quotes, traces, strict=True)
        ),
        tracing.categories,
        fairness_counts=False,
    )
    single = _single(support)
    unseen = _unseen_by_group(single)
    findings = [
        _unseen_findings(quote.quote, traced, unseen[quote.service], tracing.analyze_without)
        for quote, traced in zip(quotes, traces, strict=True)
    ]
    report = _score_tosdr(quotes, findings, path, tracing.labeller, provenance)
    return report.model_copy(update={"leave_one_out": True, "single_document_rules": single})


@dataclass(frozen=True)
class _Helped:
    """A traced text of one document or service, with what its labels say of a span."""

    group: str
    trace: Trace
    labelled: Callable[[str, int, int], bool]
    """Whether a category is labelled over ``start:end``: a finding there is right."""
    negative: Callable[[str, int, int], bool]
    """Whether a tag of a category over ``start:end`` would count as a false positive."""

    def helpers(self, categories: Categories, fairness_counts: bool) -> Iterator[tuple[str, str]]:
        """(role, rule) of each rule or cue that made an item of this text right: a finding
        rule that tagged a labelled span, a fair cue or an exception that kept a tag off a span
        where it would have been wrong."""
        for item in self.trace.findings:
            yield from self._finding_helpers(item, categories, fairness_counts)
        for cancel in self.trace.cancellations:
            for category in categories(cancel.clause_type):
                if self.negative(category, cancel.start, cancel.end):
                    yield from (("exception", rule) for rule in cancel.exceptions)

    def _finding_helpers(
        self, item: TracedFinding, categories: Categories, fairness_counts: bool
    ) -> Iterator[tuple[str, str]]:
        """A finding that tags helps through its rules where a category is labelled; one that
        does not (a fair form, when fairness counts) helps through its cues where a tag would
        be wrong."""
        finding = item.finding
        tags = finding.fairness != "fair" or not fairness_counts
        for category in categories(finding.clause_type):
            span = (category, finding.start, finding.end)
            if tags and self.labelled(*span):
                yield from (("finding", rule) for rule in item.rules)
            elif not tags and self.negative(*span):
                yield from (("fair_cue", cue) for cue in item.fair_cues)


def _support(
    texts: Iterable[_Helped], categories: Categories, fairness_counts: bool
) -> dict[tuple[str, str], set[str]]:
    """(role, rule) → the documents or services where the rule made an item right."""
    support: dict[tuple[str, str], set[str]] = defaultdict(set)
    for text in texts:
        for helper in text.helpers(categories, fairness_counts):
            support[helper].add(text.group)
    return support


def _single(support: dict[tuple[str, str], set[str]]) -> list[RuleSupport]:
    """The rules that help in one document or service only."""
    return [
        RuleSupport(rule=rule, role=role, document=next(iter(groups)))
        for (role, rule), groups in sorted(support.items())
        if len(groups) == 1
    ]


def _unseen_by_group(single: list[RuleSupport]) -> defaultdict[str, frozenset[str]]:
    """Document or service → the rules that help in it alone (empty for the others)."""
    rules: defaultdict[str, set[str]] = defaultdict(set)
    for support in single:
        rules[support.document].add(support.rule)
    return defaultdict(frozenset, {group: frozenset(r) for group, r in rules.items()})


def _unseen_findings(
    text: str, traced: Trace, unseen: frozenset[str], without: AnalyzeWithout
) -> list[Finding]:
    """The findings of ``text`` without the ``unseen`` rules (those its document or service
    alone supports); the traced findings when there are none."""
    if unseen:
        return without(text, unseen).findings
    return [item.finding for item in traced.findings]


@dataclass(frozen=True)
class _Document:
    """One CLAUDETTE document: its sentences in order, joined into the text analysed."""

    name: str
    rows: list[ClaudetteRow]
    spans: list[tuple[int, int]]
    text: str

    def fired(
        self, findings: list[Finding], labeller: Labeller
    ) -> Iterable[tuple[ClaudetteRow, tuple[int, int], dict[str, str]]]:
        for row, (start, end) in zip(self.rows, self.spans, strict=True):
            overlapping = (f for f in findings if f.start < end and f.end > start)
            yield row, (start, end), _fired(overlapping, labeller)

    def labelled(self, category: str, start: int, end: int) -> bool:
        """Whether a sentence labelled ``category`` overlaps ``start:end``."""
        return any(
            category in row.labels and s < end and e > start
            for row, (s, e) in zip(self.rows, self.spans, strict=True)
        )

    def unlabelled(self, category: str, start: int, end: int) -> bool:
        return not self.labelled(category, start, end)


def _documents(sentences: list[ClaudetteRow], path: Path, split: str | None) -> list[_Document]:
    if split is not None:
        sentences = [s for s in sentences if s.lexglue_split == split]
        if not sentences:
            raise LabelledSetError(f"{path}: no rows of split '{split}'")
    by_doc: dict[str, list[ClaudetteRow]] = defaultdict(list)
    for sentence in sentences:
        by_doc[sentence.doc].append(sentence)
    documents = []
    for name in sorted(by_doc):
        rows = sorted(by_doc[name], key=lambda r: r.idx)
        spans, text = _join(rows)
        documents.append(_Document(name, rows, spans, text))
    return documents


def _gold(row: ClaudetteRow) -> set[str]:
    return set(row.labels) & set(CLAUDETTE_CATEGORIES)


def _report(
    dataset: Literal["claudette", "tosdr"],
    path: Path,
    items: int,
    provenance: Provenance,
    tally: _Tally,
    errors: list[EvalError],
    split: str | None = None,
    **rates: float | None,
) -> EvalReport:
    per, micro, macro = tally.scores()
    return EvalReport(
        dataset=dataset,
        source=str(path),
        items=items,
        provenance=provenance,
        per_category=per,
        micro=micro,
        macro=macro,
        errors=errors,
        split=split,
        **rates,
    )


def _fired(findings: Iterable[Finding], labeller: Labeller) -> dict[str, str]:
    """Label → the pattern id of the first finding that stands for it."""
    fired: dict[str, str] = {}
    for finding in findings:
        for label in labeller(finding):
            fired.setdefault(label, finding.pattern_id)
    return fired


def _join(rows: list[ClaudetteRow]) -> tuple[list[tuple[int, int]], str]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for row in rows:
        spans.append((pos, pos + len(row.text)))
        pos += len(row.text) + len(_SEPARATOR)
    return spans, _SEPARATOR.join(row.text for row in rows)


def _errors(
    item: str,
    text: str,
    gold: set[str],
    fired: dict[str, str],
    fp_counts: bool,
    explain: Callable[[str], str],
) -> list[EvalError]:
    out = [
        EvalError(
            item=item, clause_type=c, kind="false_negative", text=text, nearest_miss=explain(c)
        )
        for c in sorted(gold - fired.keys())
    ]
    if fp_counts:
        out += [
            EvalError(
                item=item, clause_type=c, kind="false_positive", text=text, pattern_id=fired[c]
            )
            for c in sorted(fired.keys() - gold)
        ]
    return out


def evaluate_tosdr(
    rows: list[dict[str, Any]],
    path: Path,
    analyze: Analyze,
    labeller: Labeller,
    provenance: Provenance,
    explain: Explain | None = None,
) -> EvalReport:
    """Per-type recall on labelled quotes; false tags counted on the negative pool only.

    ToS;DR labels are incomplete (a quote carries only the cases attached to it), so an extra tag
    on a labelled quote is not counted as a false positive; a tag on a negative quote is.
    """
    quotes = _parse(TosdrRow, rows, path)
    findings = [analyze(quote.quote).findings for quote in quotes]
    return _score_tosdr(quotes, findings, path, labeller, provenance, explain)


def _score_tosdr(
    quotes: list[TosdrRow],
    findings: list[list[Finding]],
    path: Path,
    labeller: Labeller,
    provenance: Provenance,
    explain: Explain | None = None,
) -> EvalReport:
    categories = {label for q in quotes for label in q.gold}
    tally = _Tally(categories)
    errors: list[EvalError] = []
    negatives = tagged_negatives = dated = tagged_dated = 0
    for number, (quote, found) in enumerate(zip(quotes, findings, strict=True), start=1):
        fired = _fired(found, labeller)
        gold = quote.gold
        negative = quote.in_negative_pool
        tally.add(gold, set(fired), fp_counts=negative)
        if negative:
            negatives += 1
            tagged_negatives += bool(fired)
            if any("last update" in case.lower() for case in quote.cases):
                dated += 1
                tagged_dated += bool(fired)
        if explain is not None:
            miss = functools.partial(explain, quote.quote, 0, len(quote.quote))
            errors.extend(
                _errors(f"{quote.service}#{number}", quote.quote, gold, fired, negative, miss)
            )
    undated = negatives - dated
    return _report(
        "tosdr",
        path,
        len(quotes),
        provenance,
        tally,
        errors,
        false_tag_rate=round(tagged_negatives / negatives, 4) if negatives else None,
        false_tag_rate_without_last_updated=(
            round((tagged_negatives - tagged_dated) / undated, 4) if undated else None
        ),
    )
