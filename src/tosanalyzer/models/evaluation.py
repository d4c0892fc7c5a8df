"""Scores against labelled sets, and the traces that say which rule each score rests on.

Kept as models so ``eval --json`` prints the same figures that the accuracy floors check.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tosanalyzer.models.analysis import Finding, Provenance


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
