"""What an analysis gives out: clauses with their offsets and the findings quoted from them.

Every later stage (judgement, change, export, the faces) reads these, so offsets always refer to
the analysed text and a finding always carries its verbatim quote.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tosanalyzer.models.frames import Frame
from tosanalyzer.models.patterns import Polarity, Severity

DocumentFormat = Literal["txt", "md", "html"]
ClauseKind = Literal["heading", "sentence", "list_item"]


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
    frame: Frame | None = Field(
        default=None,
        description="Who may do what in the clause, read from a dependency parse (given by"
        " `analyze` of a file or page; not yet by the other commands).",
    )


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
