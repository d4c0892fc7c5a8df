"""What one fetch returns: the whole page or a failure of a named kind, never half a page.

The kinds are few and fixed so that the fetch log, the alerts and the exit codes can tell a
vendor's outage from a blocked address or a page that needs JavaScript.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

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
