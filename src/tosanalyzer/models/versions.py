"""The history the store keeps: versions recorded on change, and the log of every fetch.

Read by the faces, the alerts and the export without opening the store's tables themselves.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

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
