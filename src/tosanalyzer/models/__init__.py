"""The shared vocabulary of the pipeline.

Every stage takes these models in and gives these models out, so stages never need to import
each other and every boundary (YAML files, JSON output, labelled sets) is validated in one place.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["info", "low", "medium", "high", "blocker"]
Polarity = Literal["bad", "good", "neutral"]
ClaudetteCategory = Literal[
    "arbitration",
    "unilateral_change",
    "content_removal",
    "jurisdiction",
    "choice_of_law",
    "limitation_of_liability",
    "unilateral_termination",
    "contract_by_using",
]
CLAUDETTE_CATEGORIES: tuple[str, ...] = ClaudetteCategory.__args__  # type: ignore[attr-defined]
AttributeName = Literal["money", "period", "notice_days", "governing_law", "venue", "countries"]
DocumentFormat = Literal["txt", "md", "html"]
ClauseKind = Literal["heading", "sentence", "list_item"]

def iso_jurisdiction(code: str) -> str:
    """"jp" → "JP", "us-ca" → "US-CA"; a ValueError for anything that is not an ISO 3166 country
    or subdivision code. One rule for the home jurisdiction, from ``--home`` or the settings."""
    import pycountry  # only the commands that judge jurisdictions pay for its tables

    normalised = code.strip().upper()
    if "-" in normalised:
        known = pycountry.subdivisions.get(code=normalised)  # type: ignore[no-untyped-call]
    else:
        known = pycountry.countries.get(alpha_2=normalised)
    if known is None:
        raise ValueError(
            f"'{code.strip()}' is not an ISO 3166 country (JP, DE) or subdivision (US-CA, GB-SCT)"
            " code"
        )
    return normalised


_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Strict(BaseModel):
    """Base for models read from files people write: an unknown field is a typo, not data."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- clause patterns (the data in clause_patterns/*.yaml) -------------------------------------


class LocalizedText(Strict):
    en: str = Field(min_length=1)
    ja: str = Field(min_length=1)


class Rule(Strict):
    """One named matcher rule: a spaCy token pattern, or a list of phrases.

    Token patterns may use ``LEMMA``; it means the lower-cased lookup lemma, so capitalised and
    ALL-CAPS words ("LICENSES") match like their lower-case forms.
    """

    id: str
    tokens: list[dict[str, Any]] | None = None
    phrases: list[str] | None = None
    sections: list[str] | None = Field(
        default=None,
        description="Fire only in clauses under a heading containing one of these words.",
    )
    not_sections: list[str] = Field(
        default_factory=list,
        description="Never fire in clauses under a heading containing one of these words.",
    )
    fair: bool = Field(
        default=False,
        description="This rule finds the fair form of the clause: reported, not a red flag.",
    )
    scope: Literal["match", "clause", "paragraph", "section"] = Field(
        default="clause",
        description=(
            "The stretch of text the rule works in: its clause, its paragraph (a finding rule may"
            " then match across the paragraph's sentences), its section (cues and exceptions),"
            " or only the finding matches it overlaps (exceptions only)."
        ),
    )

    def allowed_in(self, section_path: list[str]) -> bool:
        """Whether the clause's headings let this rule fire (case-insensitive substrings)."""
        headings = " > ".join(section_path).lower()
        if any(word.lower() in headings for word in self.not_sections):
            return False
        return self.sections is None or any(w.lower() in headings for w in self.sections)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _RULE_ID.match(value):
            raise ValueError("rule ids are lower-case letters, digits, '-' and '_'")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        if (self.tokens is None) == (self.phrases is None):
            raise ValueError(f"rule '{self.id}' needs exactly one of 'tokens' or 'phrases'")
        if self.tokens is not None and not self.tokens:
            raise ValueError(f"rule '{self.id}' has an empty token pattern")
        if self.phrases is not None and not all(p.strip() for p in self.phrases):
            raise ValueError(f"rule '{self.id}' has an empty phrase")
        return self


class PatternExamples(Strict):
    match: list[str] = Field(
        min_length=1, description="Texts that give a finding (its unfair form, if it has one)."
    )
    no_match: list[str] = Field(min_length=1, description="Texts that give no finding.")
    fair: list[str] = Field(
        default_factory=list, description="Texts that give a finding of the fair form."
    )


class ClausePattern(Strict):
    """A clause type: what it means, how bad it is, and the rules that find it."""

    id: str
    title: LocalizedText
    description: str = Field(min_length=1)
    severity: Severity
    polarity: Polarity
    claudette: ClaudetteCategory | None = None
    implies: list[str] = Field(
        default_factory=list,
        description="More general clause types a finding of this type also counts as.",
    )
    attributes: list[AttributeName] = Field(default_factory=list)
    patterns: list[Rule] = Field(min_length=1)
    exceptions: list[Rule] = Field(
        default_factory=list,
        description="Rules that, when they match in the same clause, cancel the finding.",
    )
    exceptions_from: list[str] = Field(
        default_factory=list,
        description="Clause types whose exceptions cancel this type's findings too: what is "
        "not a unilateral change is not a change without notice either.",
    )
    fair_when: list[Rule] = Field(
        default_factory=list,
        description="Cues (an opt-out, the consumer's home courts) that make a finding fair.",
    )
    examples: PatternExamples

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("clause type ids are snake_case")
        return value

    @model_validator(mode="after")
    def _rules_fit_their_role(self) -> ClausePattern:
        ids = [rule.id for rule in (*self.patterns, *self.exceptions, *self.fair_when)]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids must be unique within a file: {', '.join(repeated)}")
        for rule in self.patterns:
            if rule.scope == "section":
                raise ValueError(
                    f"rule '{rule.id}': scope 'section' applies to cues and exceptions only"
                )
        for rule in (*self.patterns, *self.fair_when):
            if rule.scope == "match":
                raise ValueError(f"rule '{rule.id}': scope 'match' applies to exceptions only")
        for rule in (*self.exceptions, *self.fair_when):
            if rule.fair:
                raise ValueError(f"rule '{rule.id}': 'fair' applies to patterns only")
        fair_forms = self.fair_when or any(rule.fair for rule in self.patterns)
        if fair_forms and self.polarity != "bad":
            raise ValueError("only clause types of polarity 'bad' have a fair form")
        if self.examples.fair and not fair_forms:
            raise ValueError("examples.fair needs a fair rule or fair_when cues")
        return self


class PatternLibrary(BaseModel):
    """All clause patterns, with the hash that identifies this exact set of rules."""

    model_config = ConfigDict(frozen=True)

    version: str = Field(description="Hash of the pattern files: results carry it as provenance.")
    patterns: list[ClausePattern]
    files: dict[str, str] = Field(description="Clause type id → the file it was read from.")

    def get(self, clause_type: str) -> ClausePattern:
        for pattern in self.patterns:
            if pattern.id == clause_type:
                return pattern
        raise KeyError(clause_type)

    def without(self, rules: set[str]) -> PatternLibrary:
        """This library less the rules named ``<clause type>/<rule id>`` (of any role): what
        the library would be had those rules never been written (eval's leave-one-out)."""

        def kept(pattern: ClausePattern, role: list[Rule]) -> list[Rule]:
            return [rule for rule in role if f"{pattern.id}/{rule.id}" not in rules]

        patterns = [
            p.model_copy(
                update={
                    "patterns": kept(p, p.patterns),
                    "exceptions": kept(p, p.exceptions),
                    "fair_when": kept(p, p.fair_when),
                }
            )
            for p in self.patterns
        ]
        version = f"{self.version}-without-{len(rules)}"
        return self.model_copy(update={"patterns": patterns, "version": version})


class ExampleFailure(BaseModel):
    clause_type: str
    expected: Literal["match", "no_match", "fair"]
    text: str
    fired: list[str] = Field(description="Pattern ids that fired for this clause type.")


# --- analysis ---------------------------------------------------------------------------------


class Money(BaseModel):
    amount: float
    currency: str = Field(description="ISO 4217 code, e.g. USD")
    text: str = Field(description="The words the amount was read from.")


class Period(BaseModel):
    value: int
    unit: Literal["day", "week", "month", "year"]
    text: str


class Attributes(BaseModel):
    """Facts pulled out of a clause; empty fields mean 'not stated in this clause'."""

    money: list[Money] = Field(default_factory=list)
    money_rule: Literal["greater_of", "lesser_of"] | None = None
    period: Period | None = None
    notice_days: int | None = None
    governing_law: str | None = None
    venue: str | None = None
    countries: list[str] = Field(default_factory=list)


class Clause(BaseModel):
    index: int
    kind: ClauseKind
    start: int = Field(description="Offset of the first character in the document text.")
    end: int = Field(description="Offset one past the last character.")
    text: str
    section_path: list[str]
    paragraph: int = Field(
        description="Index of the paragraph or list item; its sentences share the number."
    )


class Finding(BaseModel):
    clause_type: str
    severity: Severity
    polarity: Polarity
    clause_index: int
    start: int
    end: int
    quote: str = Field(
        description="The whole clause the rule fired in, verbatim (several sentences when the"
        " rule matched across a paragraph)."
    )
    matched_text: str = Field(description="The words the rule matched.")
    section_path: list[str]
    pattern_id: str = Field(description="'<clause type>/<rule id>' of the rule that fired.")
    fairness: Literal["unfair", "fair"] | None = Field(
        default=None,
        description="For clause types that can harm the user: whether this is the unfair form.",
    )
    fair_because: str | None = Field(
        default=None, description="'<clause type>/<rule id>' of the rule that made it fair."
    )
    attributes: Attributes


class Provenance(BaseModel):
    """What produced a result: results from different rule sets must not be compared as edits."""

    analyzer_version: str
    pattern_library_version: str
    spacy_version: str


class DocumentMeta(BaseModel):
    source: str
    format: DocumentFormat
    characters: int
    text_sha256: str
    language: str
    analysed: bool
    not_analysed_reason: str | None = None
    effective_date: str | None = Field(
        default=None, description="ISO date, when the text states one."
    )


class AnalysisResult(BaseModel):
    document: DocumentMeta
    provenance: Provenance
    clauses: list[Clause]
    findings: list[Finding]


class SourceText(BaseModel):
    """A document read from somewhere, ready to analyse: Markdown or plain text."""

    source: str
    format: DocumentFormat
    text: str


# --- evaluation -------------------------------------------------------------------------------


class Score(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int = Field(description="Gold positives.")
    tp: int
    fp: int
    fn: int


class TracedFinding(BaseModel):
    """A finding with every rule behind it, not only the one that names it."""

    finding: Finding
    rules: list[str] = Field(description="Finding rules that matched in it (<type>/<rule id>).")
    fair_cues: list[str] = Field(description="fair_when cues that acted on it.")


class Cancellation(BaseModel):
    """Finding-rule matches that exceptions set aside."""

    clause_type: str
    exceptions: list[str] = Field(description="Every exception in scope (<type>/<rule id>).")
    start: int
    end: int


class Trace(BaseModel):
    """An analysis with the part each rule played: what eval needs to tell which document a
    rule's usefulness rests on."""

    findings: list[TracedFinding]
    cancellations: list[Cancellation]


class EvalError(BaseModel):
    item: str = Field(description="Document and sentence index, or service and row number.")
    clause_type: str
    kind: Literal["false_positive", "false_negative"]
    text: str
    pattern_id: str | None = None
    nearest_miss: str | None = Field(
        default=None,
        description="For a false negative: the rule that came closest, and what stopped it.",
    )


class RuleSupport(BaseModel):
    """A rule whose every useful effect on a labelled set lies in one document (CLAUDETTE) or
    one service (ToS;DR)."""

    rule: str = Field(description="<clause type>/<rule id>")
    role: Literal["finding", "exception", "fair_cue"]
    document: str = Field(
        description="The one document or service it found, cancelled or excused in."
    )


class EvalReport(BaseModel):
    dataset: Literal["claudette", "tosdr"]
    source: str
    split: str | None = Field(default=None, description="The LexGLUE split scored, if one.")
    leave_one_out: bool = Field(
        default=False,
        description="Each document (or service) was scored without the rules supported by "
        "it alone.",
    )
    single_document_rules: list[RuleSupport] = Field(default_factory=list)
    items: int
    provenance: Provenance
    per_category: dict[str, Score]
    micro: Score
    macro: Score
    false_tag_rate: float | None = None
    false_tag_rate_without_last_updated: float | None = None
    errors: list[EvalError] = Field(default_factory=list)


# --- tracking: declarations (Open Terms Archive's shape) ---------------------------------------


class RangeSelector(Strict):
    """OTA range selector: the content between two elements (one start and one end bound)."""

    startBefore: str | None = None
    startAfter: str | None = None
    endBefore: str | None = None
    endAfter: str | None = None

    @model_validator(mode="after")
    def _one_start_one_end(self) -> RangeSelector:
        if (self.startBefore is None) == (self.startAfter is None):
            raise ValueError("a range selector needs exactly one of startBefore / startAfter")
        if (self.endBefore is None) == (self.endAfter is None):
            raise ValueError("a range selector needs exactly one of endBefore / endAfter")
        return self


Selector = str | RangeSelector
Selectors = Selector | list[Selector]
FilterSpec = str | dict[str, Any]
"""An OTA filter: a built-in given as an object ({"removeQueryParams": [...]}) or the name of a
JavaScript function in the service's ``*.filters.js`` (which cannot run here)."""


class SourcePage(Strict):
    """One page to fetch and how to cut the document out of it."""

    fetch: str
    select: Selectors | None = None
    remove: Selectors | None = None
    filter: list[FilterSpec] | None = None
    executeClientScripts: bool | None = None


class DocumentDeclaration(Strict):
    """A tracked document: one page, or several pages ``combine``d into one text.

    Fields given next to ``combine`` apply to every combined page unless the page sets its own.
    """

    fetch: str | None = None
    select: Selectors | None = None
    remove: Selectors | None = None
    filter: list[FilterSpec] | None = None
    executeClientScripts: bool | None = None
    combine: list[SourcePage] | None = None

    @model_validator(mode="after")
    def _fetch_or_combine(self) -> DocumentDeclaration:
        if (self.fetch is None) == (self.combine is None):
            raise ValueError("a document needs exactly one of 'fetch' or 'combine'")
        if self.combine is not None and not self.combine:
            raise ValueError("'combine' needs at least one page")
        return self

    def pages(self) -> list[SourcePage]:
        """The pages to fetch, each with the shared fields filled in."""
        shared = {
            "select": self.select,
            "remove": self.remove,
            "filter": self.filter,
            "executeClientScripts": self.executeClientScripts,
        }
        if self.fetch is not None:
            return [SourcePage(fetch=self.fetch, **shared)]
        pages = self.combine or []
        return [
            page.model_copy(
                update={k: v for k, v in shared.items() if getattr(page, k) is None}
            )
            for page in pages
        ]


class ServiceDeclaration(Strict):
    """A vendor and its documents, as in an OTA declaration file (older files say ``documents``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(min_length=1)
    terms: dict[str, DocumentDeclaration] = Field(alias="documents")
    importedFrom: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _terms_or_documents(cls, data: Any) -> Any:
        if isinstance(data, dict) and "terms" in data and "documents" in data:
            raise ValueError("give 'terms' or the older 'documents', not both")
        return data

    @property
    def slug(self) -> str:
        return slugify(self.name)


GUARD_OPENER = "allow_private_addresses"
"""A field older versions let a declaration set to fetch from private addresses. Declarations
are often third-party files (an OTA folder), and one could aim a fetch at the cloud metadata
service or the local network, so only the person running the tool opens the address guard now:
a declaration with the field is refused, and a stored one fails its documents until re-added."""
OPEN_THE_GUARD = "--allow-private, or its network in allow_networks in the settings file"
"""How the person running the tool lets a non-public address be fetched (named in refusals)."""


def slugify(name: str) -> str:
    """How a service or document is named on the command line: "Hugging Face" → hugging-face."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- tracking: fetching ------------------------------------------------------------------------


FetchErrorKind = Literal[
    "invalid_url",
    "blocked_address",
    "dns",
    "connect",
    "timeout",
    "tls",
    "too_many_redirects",
    "http_status",
    "too_large",
    "decode",
    "interrupted",
    "needs_javascript",
]


class Snapshot(BaseModel):
    """What one fetch of one page returned, complete or not at all."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    fetched_at: str = Field(description="ISO 8601 UTC.")
    not_modified: bool = Field(default=False, description="304: nothing new since the last fetch.")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class FetchFailure(BaseModel):
    url: str
    kind: FetchErrorKind
    message: str
    status: int | None = None
    attempts: int = 1


# --- tracking: the store -----------------------------------------------------------------------


VersionKind = Literal["first_record", "change", "technical_upgrade"]


class VersionInfo(BaseModel):
    id: int
    service: str
    document: str
    recorded_at: str = Field(description="ISO 8601 UTC: when the text was fetched.")
    text_sha256: str
    characters: int
    words: int
    kind: VersionKind
    suspect: str | None = Field(
        default=None, description="Why the text looks like an error page, not the document."
    )
    snapshot_id: int | None = None


class FetchLogEntry(BaseModel):
    id: int
    service: str
    document: str
    attempted_at: str
    outcome: Literal["changed", "unchanged", "failed"]
    error: str | None = None
    version_id: int | None = None


class TrackedDocument(BaseModel):
    name: str
    slug: str
    pages: int = Field(description="Pages fetched and joined into the document.")
    versions: int
    notes: list[str] = Field(
        default_factory=list,
        description="What cannot run here: JavaScript filters, client-side rendering.",
    )


class TrackedService(BaseModel):
    name: str
    slug: str
    documents: list[TrackedDocument]


class DocumentHistory(BaseModel):
    service: str
    document: str
    versions: list[VersionInfo]
    recent_failures: list[FetchLogEntry]


# --- judgement: checklist assessments -------------------------------------------------------


ItemKind = Literal["presence", "absence", "attribute", "jurisdiction"]


class DocumentVersion(BaseModel):
    name: str
    version: str | None = None
    recorded_at: str | None = None


class DocumentRef(DocumentVersion):
    """What the report says about a document: which text, read how, with which rules."""

    source: str
    language: str
    analysed: bool
    not_analysed_reason: str | None = None
    effective_date: str | None = None
    characters: int
    pattern_library_version: str
    analyzer_version: str


class Located(BaseModel):
    document: str
    version: str | None = None
    section_path: list[str]


class Evidence(Located):
    clause_type: str
    pattern_id: str
    quote: str
    fairness: Literal["unfair", "fair"] | None = None
    fair_because: str | None = None
    attributes: Attributes
    place_code: str | None = Field(
        default=None, description="ISO 3166 code of the law or venue, when the tool placed it."
    )


ItemStatus = Literal["raised", "not_raised", "not_applicable"]


class ItemResult(BaseModel):
    id: str
    kind: ItemKind
    title: LocalizedText
    weight: int
    status: ItemStatus
    explanation: LocalizedText = Field(description="Why the item has this status.")
    evidence: list[Evidence] = Field(
        default_factory=list,
        description="Quotes behind the status: what raised it, or what kept it down.",
    )
    searched: list[DocumentVersion] = Field(
        default_factory=list, description="For a raised absence item: the documents searched."
    )


class CapFact(Located):
    money: list[Money]
    money_rule: Literal["greater_of", "lesser_of"] | None = None
    period: Period | None = None
    text: LocalizedText = Field(description="In words: '$50 (the greater of) · period 12 months'.")


class PlaceFact(Located):
    place: str = Field(description="As read from the clause.")
    code: str | None = Field(default=None, description="ISO 3166 code, when the tool placed it.")
    name: LocalizedText | None = None


class NoticeFact(Located):
    clause_type: str
    days: int


class Facts(BaseModel):
    """The concrete facts the findings carry, gathered for the report."""

    liability_caps: list[CapFact] = Field(default_factory=list)
    governing_law: list[PlaceFact] = Field(default_factory=list)
    venue: list[PlaceFact] = Field(default_factory=list)
    notice_days: list[NoticeFact] = Field(default_factory=list)
    countries: list[LocalizedText] = Field(default_factory=list)


Letter = Literal["A", "B", "C", "D", "E"]


class Grade(BaseModel):
    raised: int
    applicable: int
    ratio: float | None = Field(description="Raised / applicable items, in percent.")
    raised_weight: int
    applicable_weight: int
    score: float | None = Field(description="Safety score 0–100: share of weight not raised.")
    letter: Letter | None = None
    safety_level: int | None = Field(default=None, description="1 extremely dangerous … 5 safe.")
    safety_label: LocalizedText | None = None


class Assessment(BaseModel):
    vendor: str | None = None
    checklist_id: str
    checklist_title: LocalizedText
    home: str | None = Field(default=None, description="ISO 3166 code of the home jurisdiction.")
    home_name: LocalizedText | None = None
    documents: list[DocumentRef]
    items: list[ItemResult]
    grade: Grade
    facts: Facts
    further_checks: list[LocalizedText]
