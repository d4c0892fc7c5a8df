"""The published contract: the export's models, the builders that fill them, its JSON Schema
and the JSON, JSON Lines and CSV writers. Field names here change only with a new schema version.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple, TextIO

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from tosanalyzer.change import ClauseDiff
from tosanalyzer.models import (
    Assessment,
    ChangeClass,
    Finding,
    Letter,
    LocalizedText,
    PatternLibrary,
    Provenance,
    VersionInfo,
)

SchemaVersion = Literal["1"]
SchemaId = Literal["urn:tosanalyzer:schema:export:v1"]
SCHEMA_VERSION: SchemaVersion = "1"
SCHEMA_ID: SchemaId = "urn:tosanalyzer:schema:export:v1"
"""The schema's ``$id``; every export names it in ``$schema``. A URN, since the schema is
published with the tool (``tosanalyzer schema``, ``schema/export-v1.schema.json``), not hosted."""
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "schema/export-v1.schema.json"
"""Where the repository keeps the published schema, relative to its top folder."""
DEFAULT_HISTORY_PAIRS = 10
"""Consecutive version pairs classed per document: each pair is a clause diff over two analyses."""

ExportFormat = Literal["json", "jsonl", "csv"]


# --- the export model (the published contract) -------------------------------------------------


class FindingChange(BaseModel):
    """A clause type, with its fairness, that the document gained or lost between two versions."""

    clause_type: str
    fairness: Literal["unfair", "fair"] | None = Field(
        description="The form gained or lost; null for clause types without a fair form."
    )
    change: Literal["gained", "lost"]


class AttributeChange(BaseModel):
    """A tracked attribute that changed: 'liability_cap' from '$100' to '$50'."""

    attribute: str = Field(description="liability_cap, governing_law, venue, change_notice, ….")
    old: str = Field(description="'none' when the older version states nothing.")
    new: str = Field(description="'none' when the newer version states nothing.")


class ClauseCounts(BaseModel):
    """How many clauses the clause diff found added, removed, edited and moved."""

    added: int
    removed: int
    modified: int
    moved: int


class VersionChange(BaseModel):
    """Two consecutive versions compared by the clause diff, both analysed with today's rules."""

    old_version: int = Field(description="Id of the older version.")
    new_version: int = Field(description="Id of the newer version.")
    recorded_at: str = Field(description="ISO 8601 UTC: when the newer version was fetched.")
    change_class: ChangeClass
    reasons: list[str] = Field(
        description="What makes the change material, in words ('liability cap: $100 → $50')."
    )
    capped_because: str | None = Field(
        description="Why the change cannot be material (a re-extraction, a suspect version)."
    )
    grade_before: Letter | None = Field(
        description="The older version graded on its own, no home jurisdiction; null if suspect."
    )
    grade_after: Letter | None = Field(
        description="The newer version graded on its own, no home jurisdiction; null if suspect."
    )
    finding_changes: list[FindingChange]
    attribute_changes: list[AttributeChange]
    clause_changes: ClauseCounts


class ExportFinding(Finding):
    """A finding of the document's latest good version, with what a reader needs beside it."""

    title: LocalizedText = Field(description="The clause type's title in English and Japanese.")
    checklist_items: list[str] = Field(
        description="Ids of the document's checklist items that quote this finding as evidence."
    )


class DocumentExport(BaseModel):
    """One tracked document: its latest good version judged, its findings and its history.

    Also one line of ``export --format jsonl`` (the ``DocumentExport`` definition of the schema).
    """

    vendor: str
    vendor_slug: str
    document: str
    slug: str
    latest_version: int | None = Field(
        description="Id of the version judged: the latest not marked suspect (null: none yet)."
    )
    assessment: Assessment | None = Field(
        description="The latest good version judged on its own against the checklist."
    )
    findings: list[ExportFinding] = Field(description="Findings of the latest good version.")
    versions: list[VersionInfo] = Field(description="Every recorded version, oldest first.")
    changes: list[VersionChange] = Field(
        description="The last `history_pairs` consecutive pairs of versions, oldest first."
    )
    unclassified_pairs: int = Field(
        description="Older consecutive pairs left out of `changes` by the look-back."
    )


class VendorExport(BaseModel):
    """One tracked vendor: the grade of all its documents together, and each document."""

    vendor: str
    slug: str
    assessment: Assessment | None = Field(
        description="All latest good versions judged together: the grade `report` gives."
    )
    documents: list[DocumentExport]


class Export(BaseModel):
    """What ``tosanalyzer export --format json`` writes."""

    model_config = ConfigDict(populate_by_name=True)

    schema_id: SchemaId = Field(
        default=SCHEMA_ID, alias="$schema", description="The `$id` of the schema it follows."
    )
    schema_version: SchemaVersion = SCHEMA_VERSION
    generated_at: str = Field(description="ISO 8601 UTC: when the export was made.")
    tool_version: str = Field(description="The tosanalyzer version that made it.")
    pattern_library_version: str = Field(description="Hash of the clause-pattern files used.")
    checklist_id: str
    home: str | None = Field(
        description="ISO 3166 code of the home jurisdiction the assessments used; null if unset."
    )
    history_pairs: int = Field(description="Pairs of versions classed per document (--history).")
    vendors: list[VendorExport]


# --- building it -------------------------------------------------------------------------------


def version_change(
    old: VersionInfo,
    new: VersionInfo,
    diff: ClauseDiff,
    grade_before: str | None,
    grade_after: str | None,
) -> VersionChange:
    """One consecutive pair as the export tells it; a suspect version's grade is not a grade of
    the terms (it grades an error page), so it is left out."""
    deltas = [*diff.findings_gained, *diff.findings_lost]
    return VersionChange(
        old_version=old.id,
        new_version=new.id,
        recorded_at=new.recorded_at,
        change_class=diff.change_class,
        reasons=list(diff.reasons),
        capped_because=diff.capped_because,
        grade_before=None if old.suspect else grade_before,
        grade_after=None if new.suspect else grade_after,
        finding_changes=[
            FindingChange(clause_type=d.clause_type, fairness=d.fairness, change=d.change)
            for d in deltas
        ],
        attribute_changes=[
            AttributeChange(attribute=d.attribute, old=d.old, new=d.new)
            for d in diff.attribute_deltas
        ],
        clause_changes=ClauseCounts(
            added=diff.count("added"),
            removed=diff.count("removed"),
            modified=diff.count("modified"),
            moved=diff.count("moved"),
        ),
    )


def _evidence_key(pattern_id: str, quote: str, section_path: Sequence[str]) -> tuple[str, ...]:
    return (pattern_id, quote, *section_path)


class JudgedVersion(NamedTuple):
    """A document's latest good version: its id, its assessment alone and its findings."""

    version_id: int
    assessment: Assessment
    findings: Sequence[Finding]


def document_export(
    vendor: tuple[str, str],
    document: tuple[str, str],
    versions: Sequence[VersionInfo],
    judged: JudgedVersion | None,
    changes: Sequence[VersionChange],
    library: PatternLibrary,
) -> DocumentExport:
    """A document's record; ``vendor`` and ``document`` are (name, slug), ``judged`` is None
    before the document has a good version."""
    cited: dict[tuple[str, ...], dict[str, None]] = defaultdict(dict)
    for item in judged.assessment.items if judged else []:
        for evidence in item.evidence:
            key = _evidence_key(evidence.pattern_id, evidence.quote, evidence.section_path)
            cited[key][item.id] = None
    return DocumentExport(
        vendor=vendor[0],
        vendor_slug=vendor[1],
        document=document[0],
        slug=document[1],
        latest_version=judged.version_id if judged else None,
        assessment=judged.assessment if judged else None,
        findings=[
            ExportFinding(
                **finding.model_dump(),
                title=library.get(finding.clause_type).title,
                checklist_items=list(
                    cited[_evidence_key(finding.pattern_id, finding.quote, finding.section_path)]
                ),
            )
            for finding in (judged.findings if judged else [])
        ],
        versions=list(versions),
        changes=list(changes),
        unclassified_pairs=max(len(versions) - 1 - len(changes), 0),
    )


def build_export(
    vendors: Sequence[VendorExport],
    provenance: Provenance,
    checklist_id: str,
    home: str | None,
    history_pairs: int,
) -> Export:
    """The whole export, stamped with what made it and when."""
    return Export(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        tool_version=provenance.analyzer_version,
        pattern_library_version=provenance.pattern_library_version,
        checklist_id=checklist_id,
        home=home,
        history_pairs=history_pairs,
        vendors=list(vendors),
    )


# --- the schema --------------------------------------------------------------------------------


class _EveryFieldWritten(GenerateJsonSchema):
    """The writers emit every field, defaults and nulls included, so the schema requires every
    field: a consumer can rely on a key being there (null when unknown)."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        return True


def export_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``export --format json``; a JSON Lines row follows its
    ``#/$defs/DocumentExport`` definition."""
    schema = Export.model_json_schema(
        by_alias=True, mode="serialization", schema_generator=_EveryFieldWritten
    )
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}


def schema_json() -> str:
    """The schema as ``tosanalyzer schema`` prints it and the repository keeps it."""
    return json.dumps(export_schema(), indent=2, ensure_ascii=False) + "\n"


# --- the writers -------------------------------------------------------------------------------


def write_json(export: Export, out: TextIO) -> None:
    out.write(export.model_dump_json(by_alias=True, indent=2) + "\n")


def write_jsonl(export: Export, out: TextIO) -> None:
    """One document per line: JSON escapes newlines inside strings, so a line is a record."""
    for vendor in export.vendors:
        for document in vendor.documents:
            out.write(document.model_dump_json(by_alias=True) + "\n")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may read as a formula (OWASP's CSV-injection list)."""

_Cell = str | int | None
_Row = tuple[VendorExport, DocumentExport, ExportFinding]
_Column = Callable[[VendorExport, DocumentExport, ExportFinding], _Cell]


def _recorded_at(document: DocumentExport) -> str | None:
    return next((v.recorded_at for v in document.versions if v.id == document.latest_version), None)


def _letter(assessment: Assessment | None) -> str | None:
    return assessment.grade.letter if assessment else None


CSV_COLUMNS: tuple[tuple[str, _Column], ...] = (
    ("vendor", lambda v, d, f: v.vendor),
    ("vendor_grade", lambda v, d, f: _letter(v.assessment)),
    ("document", lambda v, d, f: d.document),
    ("document_grade", lambda v, d, f: _letter(d.assessment)),
    ("version", lambda v, d, f: d.latest_version),
    ("recorded_at", lambda v, d, f: _recorded_at(d)),
    ("clause_type", lambda v, d, f: f.clause_type),
    ("title", lambda v, d, f: f.title.en),
    ("severity", lambda v, d, f: f.severity),
    ("polarity", lambda v, d, f: f.polarity),
    ("fairness", lambda v, d, f: f.fairness),
    ("fair_because", lambda v, d, f: f.fair_because),
    ("checklist_items", lambda v, d, f: "; ".join(f.checklist_items)),
    ("section", lambda v, d, f: " > ".join(f.section_path)),
    ("quote", lambda v, d, f: f.quote),
    ("matched_text", lambda v, d, f: f.matched_text),
    ("pattern_id", lambda v, d, f: f.pattern_id),
    ("money", lambda v, d, f: "; ".join(m.text for m in f.attributes.money)),
    ("money_rule", lambda v, d, f: f.attributes.money_rule),
    ("period", lambda v, d, f: f.attributes.period.text if f.attributes.period else None),
    ("notice_days", lambda v, d, f: f.attributes.notice_days),
    ("governing_law", lambda v, d, f: f.attributes.governing_law),
    ("venue", lambda v, d, f: f.attributes.venue),
    ("countries", lambda v, d, f: "; ".join(f.attributes.countries)),
    ("start", lambda v, d, f: f.start),
    ("end", lambda v, d, f: f.end),
)
"""One row per finding; docs/export.md describes each column (a test keeps them in step)."""


def _safe(value: _Cell) -> _Cell:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _rows(export: Export) -> Iterator[_Row]:
    for vendor in export.vendors:
        for document in vendor.documents:
            for finding in document.findings:
                yield vendor, document, finding


def write_csv(export: Export, out: TextIO, bom: bool = False) -> None:
    """One row per finding, quoted by the csv module (commas, quotes and newlines inside a quote
    survive), CRLF line ends; ``bom`` starts the file with U+FEFF so Excel reads it as UTF-8.
    ``out`` should be opened with ``newline=""``."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for row in _rows(export):
        writer.writerow([_safe(cell(*row)) for _, cell in CSV_COLUMNS])


def write(export: Export, fmt: ExportFormat, out: TextIO, bom: bool = False) -> None:
    """Write ``export`` in one format; ``bom`` is for CSV only (JSON must not start with one)."""
    if fmt == "csv":
        write_csv(export, out, bom)
    elif fmt == "jsonl":
        write_jsonl(export, out)
    else:
        write_json(export, out)
