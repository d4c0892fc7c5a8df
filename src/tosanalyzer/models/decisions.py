"""A reviewer's decisions on findings, as the store keeps them and the faces show them.

They live here rather than in the store because the faces (the TUI, the CLI) take and show
decisions but never open the store themselves.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DecisionKind = Literal["accept", "dismiss"]


class StoredDecision(BaseModel):
    """A reviewer's accept / dismiss of a finding, made on one version of a document."""

    id: int
    service: str
    document: str
    version_id: int = Field(description="The version the finding was read in.")
    clause_type: str
    clause_text_key: str = Field(
        description="SHA-256 (hex) of the finding's clause text, normalised as the diff does."
    )
    section_path: list[str]
    decision: DecisionKind
    note: str = ""
    decided_at: str = Field(description="ISO 8601 UTC.")
