"""Verdicts a legal reviewer gave on the tool's findings, and the score they give the tool now.

No labelled corpus measures precision on whole, current vendor documents; the judged sets in
``shared/corpora/judged`` do, and the repository keeps its own verdicts on findings the sets
never saw. Those keep offsets and a hash of the quote, never the vendor's text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["C", "F", "T", "N", "MISS"]
"""Correct; right type, wrong fairness; another type; not that clause; a clause the tool missed."""
FINDING_VERDICTS: tuple[Verdict, ...] = ("C", "F", "T", "N")


class JudgedRow(BaseModel):
    """One judged finding or miss. The shared sets quote the text; the repository's own
    verdicts carry ``quote_sha256`` instead."""

    source: str = Field(description="The document, relative to the shared folder.")
    start: int | None = None
    end: int | None = None
    clause_type: str
    pattern_id: str | None = None
    fairness: Literal["fair", "unfair"] | None = None
    quote: str | None = None
    quote_sha256: str | None = None
    verdict: Verdict
    note: str = ""


class UnjudgedFinding(BaseModel):
    """A finding no verdict covers yet: what a reviewer needs to find and judge it."""

    source: str
    start: int
    end: int
    clause_type: str
    pattern_id: str
    quote_sha256: str


class JudgedDocument(BaseModel):
    source: str
    findings: int = Field(description="Findings the tool gives now.")
    verdicts: dict[str, int] = Field(description="Judged findings by verdict (C, F, T, N).")
    unjudged: int
    misses: int = Field(description="Clauses the reviewer listed as missed.")
    misses_found: int = Field(description="Of those, the ones a finding of their type covers now.")
    misses_unlocated: int = Field(description="Missed quotes no longer found in the text.")


class JudgedReport(BaseModel):
    """Precision is C over judged findings; findings no verdict covers are counted apart."""

    files: list[str]
    documents: list[JudgedDocument]
    findings: int
    judged: int
    verdicts: dict[str, int]
    precision: float | None
    unjudged: list[UnjudgedFinding]
    misses: int
    misses_found: int
