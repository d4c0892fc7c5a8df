"""Checklist assessments: every item's status with the evidence behind it, and the grade.

Reports, the export and the faces all show the same judgement, so the explanation, the quotes and
the documents searched travel with each item instead of being rebuilt where they are shown.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tosanalyzer.models.analysis import Attributes, Money, Period
from tosanalyzer.models.patterns import LocalizedText

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
