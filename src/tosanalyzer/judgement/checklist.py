"""The red-flag checklist: the data in ``clause_patterns/checklists/*.yaml``, read and checked.

The checklist is data so a team can tune weights and wording without touching code; a file that
names a clause type the library lacks, or a currency with no ISO code, is refused with the file
and the field named rather than judged wrongly later.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any, Literal

import pycountry
from pydantic import Field, field_validator, model_validator

from tosanalyzer.base import read_yaml_model
from tosanalyzer.models import LocalizedText, Strict

DEFAULT_CHECKLIST = Path("checklists") / "vendor-safety.yaml"
"""The shipped checklist, relative to the clause-pattern folder."""

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class CapLimit(Strict):
    """When a liability cap is a red flag: at or below an amount, or tied to the fees paid."""

    at_most: dict[str, float] = Field(
        min_length=1, description="Currency code → the highest cap that is still a red flag."
    )
    fees_paid: bool = Field(
        default=True, description="A cap at the fees the user paid is a red flag too."
    )

    @field_validator("at_most")
    @classmethod
    def _currency_codes(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [code for code in value if pycountry.currencies.get(alpha_3=code) is None]
        if unknown:
            raise ValueError(f"not ISO 4217 currency codes: {', '.join(unknown)}")
        return value


class _Item(Strict):
    id: str
    title: LocalizedText
    weight: int = Field(ge=1, le=5, description="How much the item counts in the grade.")
    clause_types: list[str] = Field(
        min_length=1, description="The clause types whose findings count as evidence."
    )
    ask: LocalizedText | None = Field(
        default=None, description="What a human should ask the vendor when the item is raised."
    )

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("item ids are lower-case letters, digits, '-' and '_'")
        return value


class PresenceItem(_Item):
    """Raised when a clause of a listed type is found in its unfair form."""

    kind: Literal["presence"]


class AbsenceItem(_Item):
    """Raised when no analysed document holds a clause of a listed (good) type."""

    kind: Literal["absence"]


class AttributeItem(_Item):
    """Raised when a listed clause caps liability at or below the limit."""

    kind: Literal["attribute"]
    cap: CapLimit


class JurisdictionItem(_Item):
    """Raised when the law or courts a clause names lie outside the home jurisdiction."""

    kind: Literal["jurisdiction"]
    attribute: Literal["governing_law", "venue"]


ChecklistItem = Annotated[
    PresenceItem | AbsenceItem | AttributeItem | JurisdictionItem, Field(discriminator="kind")
]


class Checklist(Strict):
    id: str
    title: LocalizedText
    items: list[ChecklistItem] = Field(min_length=1)
    always_ask: list[LocalizedText] = Field(
        default_factory=list, description="Further checks listed in every report."
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> Checklist:
        ids = [item.id for item in self.items]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"item ids must be unique: {', '.join(repeated)}")
        return self


class ChecklistFileError(ValueError):
    """A checklist file that cannot be used; the message names the file and the field."""


def _field_path(loc: tuple[int | str, ...], data: Any) -> str:
    """'items[one_sided_liability].cap.at_most' rather than 'items.2.attribute.cap.at_most'."""
    parts = [str(part) for part in loc]
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items") if isinstance(data, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        name = item.get("id", loc[1]) if isinstance(item, dict) else loc[1]
        kind = item.get("kind") if isinstance(item, dict) else None
        rest = parts[3:] if len(parts) > 2 and parts[2] == kind else parts[2:]
        parts = [f"items[{name}]", *rest]
    return ".".join(parts) or "(top)"


def load_checklist(path: Path, known_clause_types: Collection[str]) -> Checklist:
    """Read and validate a checklist file; every clause type it names must be in the library."""
    checklist = read_yaml_model(path, Checklist, ChecklistFileError, _field_path)
    unknown = [
        f"field 'items[{item.id}].clause_types': unknown clause type '{clause_type}'"
        for item in checklist.items
        for clause_type in item.clause_types
        if clause_type not in known_clause_types
    ]
    if unknown:
        raise ChecklistFileError(f"{path.name}: {'; '.join(unknown)} (not in the pattern library)")
    return checklist
