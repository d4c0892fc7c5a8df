"""Declarations of the documents to track, in Open Terms Archive's shape.

They are often third-party files, so they are read strictly: an unknown or misspelled field is
refused rather than ignored, and nothing in them may open the private-address guard.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from tosanalyzer.models.strict import Strict


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
            page.model_copy(update={k: v for k, v in shared.items() if getattr(page, k) is None})
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
